"""Events of documents, forms and meeting notices (信息公开、表格下载、会议通知).

A document travels as an item of the pipeline: ingest receives it (``document.received``),
moderation screens it (``document.screened``, then ``document.approved``, ``document.flagged``
or ``document.rejected``), the publisher writes its page (``document.published``). A repealed
document (``document.repealed``) stays on the site, marked 已废止.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.payload import Payload

DocumentKind = Literal["document", "form", "notice"]
AttachmentFormat = Literal["pdf", "docx", "xlsx"]


class Attachment(BaseModel):
    """A file that goes with a document, as checked by its content when it was received."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    key: str  # in the uploads store
    filename: str  # the name readers download it as (Chinese kept)
    format: AttachmentFormat
    content_type: str
    bytes: int = Field(ge=0)
    sha256: str


class DocumentContent(Payload):
    """What every event that carries a whole document repeats (no ``TYPE``: a base)."""

    document: int
    kind: DocumentKind
    title: str
    body: str = ""
    number: str = ""  # 文号
    issuer: str = ""  # 发文机关 / 主办处室
    issued: dt.date | None = None
    effective: dt.date | None = None
    starts: dt.datetime | None = None  # a notice: when the meeting begins
    place: str = ""
    attendees: str = ""  # a notice: who attends (参会人员)
    register_by: dt.datetime | None = None  # a notice: the registration deadline
    units: tuple[str, ...] = ()  # a notice: the units invited to register
    attachments: tuple[Attachment, ...] = ()
    author: int
    author_role: str
    content_hash: str


class DocumentReceived(DocumentContent):
    TYPE: ClassVar[str] = "document.received"


class DocumentScreened(Payload):
    TYPE: ClassVar[str] = "document.screened"
    document: int
    verdict: Literal["approved", "flagged", "rejected"]
    findings: tuple[dict[str, object], ...] = ()


class DocumentApproved(DocumentContent):
    """Approved for the site: by screening, by a moderator, or an admin's own item that the
    settings let skip the moderator."""

    TYPE: ClassVar[str] = "document.approved"
    by: str


class DocumentFlagged(Payload):
    TYPE: ClassVar[str] = "document.flagged"
    document: int
    findings: tuple[dict[str, object], ...] = ()


class DocumentRejected(Payload):
    TYPE: ClassVar[str] = "document.rejected"
    document: int
    reason: str
    findings: tuple[dict[str, object], ...] = ()


class DocumentPublished(Payload):
    TYPE: ClassVar[str] = "document.published"
    document: int
    kind: DocumentKind
    url: str
    published_at: dt.datetime


class DocumentRepealed(Payload):
    TYPE: ClassVar[str] = "document.repealed"
    document: int
    repealed: dt.date
    reason: str = ""
