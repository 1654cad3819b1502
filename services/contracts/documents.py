"""Events of documents, forms and meeting notices (信息公开、表格下载、会议通知).

A document travels as an item of the pipeline: ingest receives it (``document.received``),
moderation screens it (``document.screened``, then ``document.approved``, ``document.flagged``
or ``document.rejected``), the publisher writes its page (``document.published``). A repealed
document (``document.repealed``) stays on the site, marked 已废止.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from services.contracts.payload import Contract, JsonObject, Payload, Timestamp

DocumentKind = Literal["document", "form", "notice"]
AttachmentFormat = Literal["pdf", "docx", "xlsx"]
# a day as the wire carries it: YYYY-MM-DD
Day = Annotated[dt.date, Field(strict=False)]


class Attachment(Contract):
    """A file that goes with a document, as checked by its content when it was received."""

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
    issued: Day | None = None
    effective: Day | None = None
    starts: Timestamp | None = None  # a notice: when the meeting begins
    place: str = ""
    attendees: str = ""  # a notice: who attends (参会人员)
    register_by: Timestamp | None = None  # a notice: the registration deadline
    units: list[str] = Field(default_factory=list)  # a notice: the units invited
    attachments: list[Attachment] = Field(default_factory=list)
    author: int
    author_role: str
    content_hash: str


class DocumentReceived(DocumentContent):
    TYPE: ClassVar[str] = "document.received"


class DocumentScreened(Payload):
    TYPE: ClassVar[str] = "document.screened"
    document: int
    verdict: Literal["approved", "flagged", "rejected"]
    findings: list[JsonObject] = Field(default_factory=list)


class DocumentApproved(DocumentContent):
    """Approved for the site: by screening, by a moderator, or an admin's own item that the
    settings let skip the moderator."""

    TYPE: ClassVar[str] = "document.approved"
    by: str


class DocumentFlagged(Payload):
    TYPE: ClassVar[str] = "document.flagged"
    document: int
    findings: list[JsonObject] = Field(default_factory=list)


class DocumentRejected(Payload):
    TYPE: ClassVar[str] = "document.rejected"
    document: int
    reason: str
    findings: list[JsonObject] = Field(default_factory=list)


class DocumentPublished(Payload):
    TYPE: ClassVar[str] = "document.published"
    document: int
    kind: DocumentKind
    url: str
    published_at: Timestamp


class DocumentRepealed(Payload):
    TYPE: ClassVar[str] = "document.repealed"
    document: int
    repealed: Day
    reason: str = ""
