"""The events about a submission, from its upload to its last word on the site and the ledger.

Every one carries the submission's identity (:class:`SubmissionIdentity`), so that a consumer
that keeps no copy of the submission (the publisher, scoring) knows whose it is and what kind;
``submission`` is a :data:`SubmissionId` from the upload to the ledger line.
"""

from __future__ import annotations

from typing import Any, NewType, Self

from services.contracts.payload import Contract, JsonObject, Payload, Timestamp
from services.events import Event, EventType

SubmissionId = NewType("SubmissionId", int)


def subject_of(submission: SubmissionId) -> str:
    """The CloudEvents ``subject`` of every event about a submission."""
    return f"submission/{submission}"


class SubmissionRef(Payload):
    """Whose submission it is and what kind: what every event about one repeats."""

    submission: SubmissionId
    kind: str  # article | photo
    unit: str
    unit_kind: str
    informant: int
    topic: str | None  # the 约稿 it answers
    revision_of: SubmissionId | None  # the returned submission it replaces

    def event(self, subject: str = "") -> Event:
        return super().event(subject or subject_of(self.submission))

    @classmethod
    def about(cls, identity: SubmissionRef, **fields: Any) -> Self:
        """This payload for the submission ``identity`` names, with the fields of its own (the
        identity's fields that this type carries, and ``fields``; validated)."""
        shared = set(_IDENTITY_FIELDS) & set(cls.model_fields)
        return cls.model_validate({**identity.model_dump(include=shared), **fields})


class SubmissionIdentity(SubmissionRef):
    """The identity with the hash of the content it was sent with (what an approval holds for)."""

    content_hash: str

    def identity(self) -> SubmissionIdentity:
        """Only the identity, to pass on or keep (the publisher keeps it for later events)."""
        return SubmissionIdentity.about(self)


_IDENTITY_FIELDS = tuple(SubmissionIdentity.model_fields)


class PhotoRef(Contract):
    """A photo of a submission: its original in the uploads store, and its caption."""

    key: str
    caption: str


_PHOTO_ORDER = ("key", "filename", "caption", "bytes", "sha256", "format", "width", "height")


class UploadedPhoto(PhotoRef):
    WIRE_ORDER = _PHOTO_ORDER

    filename: str
    bytes: int
    sha256: str
    format: str
    width: int
    height: int


class PhotoCheck(Contract):
    """What screening read of a photo (nothing, for a photo it could not decode)."""

    format: str | None
    width: int | None
    height: int | None


class ApprovedPhoto(PhotoRef):
    """The upload's record of a photo, as screening read it."""

    WIRE_ORDER = _PHOTO_ORDER

    filename: str
    bytes: int
    sha256: str
    format: str | None
    width: int | None
    height: int | None


class Received(SubmissionIdentity):
    TYPE = EventType.RECEIVED
    WIRE_ORDER = ("submission", "kind", "title", "body", "column", "unit", "unit_kind",
                  "informant", "informant_name", "topic", "revision_of", "content_hash", "photos")

    title: str
    body: str
    column: str
    informant_name: str
    photos: list[UploadedPhoto]


class Screened(SubmissionIdentity):
    TYPE = EventType.SCREENED

    verdict: str  # approved | flagged | rejected | returned
    findings: list[JsonObject]
    photos: list[PhotoCheck]
    lexicon_version: str
    duplicate_of: SubmissionId | None  # the first submission this one copies
    duplicate_distance: int | None


class Decided(SubmissionIdentity):
    """A verdict, by screening (``by="screening"``) or a moderator (``by="user:7"``)."""

    by: str
    reason: str
    findings: list[JsonObject]
    duplicate_of: SubmissionId | None
    duplicate_distance: int | None


class Flagged(Decided):
    TYPE = EventType.FLAGGED


class Rejected(Decided):
    TYPE = EventType.REJECTED


class Returned(Decided):
    TYPE = EventType.RETURNED


class Approved(Decided):
    """The whole item, for the publisher."""

    TYPE = EventType.APPROVED

    approved_hash: str  # the approval holds for this content only
    title: str
    body: str
    column: str
    informant_name: str
    photos: list[ApprovedPhoto]


class Published(SubmissionIdentity):
    TYPE = EventType.PUBLISHED

    column: str
    url: str
    published_at: Timestamp
    lead: bool
    photo_count: int
    republished: bool  # back at its old address after a retraction


class Retracted(SubmissionIdentity):
    TYPE = EventType.RETRACTED

    reason: str
    by: str


class Reinstated(SubmissionIdentity):
    """A retracted item approved again, corrected, to go back under its old address."""

    TYPE = EventType.REINSTATED

    title: str
    body: str
    photos: list[PhotoRef]
    column: str
    reason: str
    by: str
    corrected: list[str]  # which of title, body, photos the moderator changed


class Lead(SubmissionIdentity):
    TYPE = EventType.LEAD

    by: str


class Adopted(SubmissionRef):
    """Adopted by a higher outlet (scoring records it; it keeps no content hash)."""

    TYPE = EventType.ADOPTED

    level: str
    outlet: str
    recorded_by: int


class Instructed(SubmissionRef):
    """A leader's instruction (批示) on the item."""

    TYPE = EventType.INSTRUCTED

    level: str
    by: str
    recorded_by: int

