"""Screening a received submission, and the events a review sends."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from moderation import duplicates
from moderation.duplicates import PHOTO, TEXT, Print, item_duplicate
from moderation.fingerprints import minhash_bands, simhash
from moderation.lexicon import Lexicon
from moderation.models import Review, ReviewState
from moderation.normalise import normalise
from moderation.photos import PhotoLimits, PhotoReport, apply_pillow_limits, check_photo
from moderation.text import verdict
from services import outbox
from services.context import Context
from services.contracts.submissions import (
    Approved,
    Flagged,
    Received,
    Rejected,
    Returned,
    Screened,
    UploadedPhoto,
)
from services.events import Event
from services.images import ImageLimits
from services.inbox import Handler, Prepared, Subscription

log = logging.getLogger(__name__)

# the verdicts other than approval: the identity and the findings (the publisher needs none)
VERDICTS: dict[ReviewState, type[Flagged | Rejected | Returned]] = {
    ReviewState.FLAGGED: Flagged,
    ReviewState.REJECTED: Rejected,
    ReviewState.RETURNED: Returned,
}


def duplicate_fields(kind: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """``duplicate_of`` (the first submission this one copies) and the distance, or None: what
    scoring reads to award a copy no points."""
    duplicate = item_duplicate(kind, findings)
    return {"duplicate_of": duplicate[0] if duplicate else None,
            "duplicate_distance": duplicate[1] if duplicate else None}


def decision_event(review: Review, state: ReviewState, *, by: str, reason: str = "") -> Event:
    """The verdict's event about the submission as it was received (the review keeps that)."""
    content = Received.from_data(review.content)
    common = {"by": by, "reason": reason, "findings": review.findings,
              **duplicate_fields(review.kind, review.findings)}
    if state == ReviewState.APPROVED:  # the publisher needs the whole item
        return Approved.about(
            content, **common,
            approved_hash=content.content_hash,  # the approval holds for this content only
            title=content.title, body=content.body, column=content.column,
            informant_name=content.informant_name,
            photos=[{**p.model_dump(), **(review.photos[i] if i < len(review.photos) else {})}
                    for i, p in enumerate(content.photos)],
        ).event()
    return VERDICTS[state].about(content, **common).event()


def _reason(findings: list[dict[str, Any]]) -> str:
    blocking = [f for f in findings if f.get("action") == "block"]
    if not blocking:
        return ""
    parts = []
    for f in blocking:
        parts.append(f.get("message") or f"含有禁用词「{f.get('match')}」（{f.get('category')}）")
    return "；".join(parts)


class Screening:
    """Screens the text and photos of each received submission, looks for earlier copies of
    them, then records the verdict."""

    def __init__(self, ctx: Context, lexicon: Lexicon) -> None:
        s = ctx.settings
        self.ctx = ctx
        self.lexicon = lexicon
        self.limits = PhotoLimits(
            image=ImageLimits(formats=s.photo_formats, max_pixels=s.max_photo_pixels,
                              max_side=s.max_photo_side),
            max_bytes=s.max_photo_bytes, min_side=s.min_photo_side)
        apply_pillow_limits(self.limits.image)
        self.max_distance = {TEXT: s.duplicate_text_distance, PHOTO: s.duplicate_photo_distance}

    def _photo(self, index: int, photo: UploadedPhoto) -> PhotoReport:
        try:
            data = self.ctx.uploads.get_bytes(photo.key)
        except FileNotFoundError:
            report = PhotoReport(index=index, filename=photo.filename)
            report.finding("missing", "block", "照片文件丢失 (photo missing from the store)")
            return report
        return check_photo(data, index, photo.filename, self.limits)

    def _text_print(self, body: str) -> list[Print]:
        """The article's fingerprint, if it is long enough for one to mean something."""
        normalised = normalise(body).text
        if len(normalised) < self.ctx.settings.duplicate_min_chars:
            return []
        return [Print(TEXT, 0, simhash(normalised), minhash_bands(normalised))]

    def prepare(self, event: Event) -> Handler:
        content = Received.of(event)
        screener = self.lexicon.screener()
        findings = [f.to_dict() for f in screener.screen(content.title, content.body)]
        photos_in = content.photos
        for index, photo in enumerate(photos_in):
            findings.extend(f.to_dict() for f in screener.screen_field(
                f"captions[{index}]", photo.caption))
        reports = [self._photo(i, p) for i, p in enumerate(photos_in)]
        for report in reports:
            findings.extend(report.findings)
        photos = [r.summary() for r in reports]
        prints = self._text_print(content.body) + [
            Print(PHOTO, r.index, r.phash) for r in reports if r.phash is not None]
        filenames = [p.filename for p in photos_in]

        def record(session: Session, event: Event) -> None:
            submission = content.submission
            lineage = duplicates.lineage_of(session, submission, content.revision_of)
            matches = duplicates.check_and_record(
                session, submission, lineage, prints, self.max_distance,
                self.ctx.settings.duplicate_text_min_bands)
            titles = {m.submission: _title(session, m.submission) for m in matches}
            found = findings + duplicates.duplicate_findings(matches, titles, filenames)
            state = ReviewState(verdict(found))
            review = Review(
                submission_id=submission, state=state, content=event.data,  # as it was received
                findings=found, photos=photos, lexicon_version=screener.version,
                unit_slug=content.unit, kind=content.kind, screened_at=event.time,
                reason=_reason(found) or None,
            )
            session.add(review)
            outbox.emit(session, Screened.about(
                content, verdict=state.value, findings=found, photos=photos,
                lexicon_version=screener.version,
                **duplicate_fields(content.kind, found)).event(event.subject))
            outbox.emit(session, decision_event(review, state, by="screening",
                                                reason=review.reason or ""))

        return record


def _title(session: Session, submission_id: int) -> str:
    review = session.get(Review, submission_id)
    return str(review.content.get("title", "")) if review is not None else ""


def subscription(ctx: Context, lexicon: Lexicon) -> Subscription:
    screening = Screening(ctx, lexicon)
    # photo checks release the interpreter lock: a batch's run side by side
    return Subscription(consumer="moderation",
                        handlers={Received.TYPE: Prepared(screening.prepare)},
                        batch=ctx.settings.screen_batch,
                        prepare_threads=ctx.settings.prepare_threads)
