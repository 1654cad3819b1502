"""The public mailbox's events (公共信箱): a letter received, routed, answered, rated, published.

Who reads what: ``letter.received`` carries the writer's name, phone and e-mail, because the
centre and the handling unit must be able to reach the writer; only moderation subscribes to
it. Every later event names the letter by id and code and carries no contact details, so
scoring and the publisher never hold them. The page the publisher writes is built from
``LetterPublication``, whose text moderation has already cleared of the writer's personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import Field, PlainSerializer

from services.contracts.payload import Contract, Payload, Timestamp

LetterType = Literal["consult", "complaint", "suggestion", "help"]
Rating = Literal["satisfied", "basic", "unsatisfied"]

TYPE_LABELS: dict[str, str] = {"consult": "咨询", "complaint": "投诉", "suggestion": "建议",
                               "help": "求助"}
RATING_LABELS: dict[str, str] = {"satisfied": "满意", "basic": "基本满意",
                                 "unsatisfied": "不满意"}

# A day (a deadline, the day of an answer) as the wire carries it: ``YYYY-MM-DD``.
Day = Annotated[dt.date, Field(strict=False),
                PlainSerializer(lambda value: value.isoformat(), return_type=str)]


class Attachment(Contract):
    key: str  # in the uploads store (private)
    filename: str
    content_type: str
    bytes: int
    sha256: str


class LetterReceived(Payload):
    """A letter taken at the mailbox. For moderation only (it holds the contact details)."""

    TYPE: ClassVar[str] = "letter.received"
    letter: int
    code: str
    type: LetterType
    subject: str
    body: str
    name: str
    phone: str
    email: str = ""
    enterprise: str = ""
    show_enterprise: bool = False  # may a published page name the enterprise
    consent: bool = False  # may the letter be published (是否同意公开)
    writer_unit: str | None = None  # a signed-in unit user writes as their unit
    attachments: list[Attachment] = Field(default_factory=list)
    received_at: Timestamp


class LetterRef(Payload):
    """What every later letter event repeats: which letter, of which type, received when."""

    letter: int
    code: str
    type: LetterType
    received_at: Timestamp


class LetterAssigned(LetterRef):
    TYPE: ClassVar[str] = "letter.assigned"
    unit: str
    due: Day
    by: str = ""


class LetterDeclined(LetterRef):
    TYPE: ClassVar[str] = "letter.declined"
    reason: str


class LetterSentBack(LetterRef):
    TYPE: ClassVar[str] = "letter.sent_back"
    unit: str
    reason: str
    suggest: str | None = None


class LetterPaused(LetterRef):
    """挂起: the unit waits for material from the writer; the clock stops."""

    TYPE: ClassVar[str] = "letter.paused"
    unit: str
    question: str


class LetterSupplemented(LetterRef):
    """The writer answered the unit's question on the status page."""

    TYPE: ClassVar[str] = "letter.supplemented"
    text: str


class LetterResumed(LetterRef):
    TYPE: ClassVar[str] = "letter.resumed"
    unit: str
    due: Day


class LetterExtended(LetterRef):
    """延期 granted by the centre."""

    TYPE: ClassVar[str] = "letter.extended"
    unit: str
    due: Day
    reason: str


class LetterAnswered(LetterRef):
    """The unit's answer, waiting for the centre's review."""

    TYPE: ClassVar[str] = "letter.answered"
    unit: str


class LetterPublication(Contract):
    """A letter's public page: its text cleared of the writer's personal data."""

    subject: str
    body: str
    reply: str
    unit_name: str
    enterprise: str = ""  # only when the writer chose to be named


class LetterReplied(LetterRef):
    """The centre approved the unit's answer: the writer sees it now."""

    TYPE: ClassVar[str] = "letter.replied"
    unit: str
    reply: str
    answered_on: Day
    due: Day
    on_time: bool
    publication: LetterPublication | None = None  # None unless the writer consented


class LetterRated(LetterRef):
    TYPE: ClassVar[str] = "letter.rated"
    rating: Rating


class LetterReopened(LetterRef):
    """发回重办: a 不满意 sends the letter back to its unit once."""

    TYPE: ClassVar[str] = "letter.reopened"
    unit: str
    due: Day


class LetterClosed(LetterRef):
    TYPE: ClassVar[str] = "letter.closed"
    unit: str
    rating: Rating
    by_default: bool = False  # no rating in time counts as 满意


class LetterOverdue(LetterRef):
    """督办: the deadline passed with no answer; the centre is told."""

    TYPE: ClassVar[str] = "letter.overdue"
    unit: str
    due: Day


class LetterRetracted(LetterRef):
    TYPE: ClassVar[str] = "letter.retracted"
    reason: str


class LetterPublished(LetterRef):
    TYPE: ClassVar[str] = "letter.published"
    url: str
