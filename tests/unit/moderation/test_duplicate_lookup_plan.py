"""The near-fingerprint look-up reads each band's index, not every fingerprint of the kind: it
runs inside moderation's write transaction, which on the embedded mode's SQLite file keeps
every other writer waiting, and the fingerprints grow with every item ever screened."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from sqlalchemy import event

from moderation import duplicates
from moderation import fingerprints as fp
from moderation.duplicates import PHOTO, TEXT, Fingerprint, Print, TextBand
from moderation.models import Review, ReviewState
from services.db import Base, Database


def _review(submission: int) -> Review:
    return Review(submission_id=submission, state=ReviewState.APPROVED, content={"title": "稿"},
                  findings=[], photos=[], lexicon_version="t", unit_slug="qingshan",
                  kind="article", screened_at=dt.datetime.now(dt.UTC))


def test_near_fingerprints_are_looked_up_band_by_band_on_their_indexes(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'b.db'}")
    Base.metadata.create_all(db.engine, tables=[Review.__table__, Fingerprint.__table__,
                                                TextBand.__table__])
    rng = random.Random(7)
    limits = {TEXT: 8, PHOTO: 6}
    with db.transaction() as session:
        for submission in range(1, 201):
            session.add(_review(submission))
            session.flush()
            duplicates.check_and_record(session, submission, submission,
                                        [Print(PHOTO, 0, rng.getrandbits(64))], limits)
    copied = rng.getrandbits(64)
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    with db.transaction() as session:
        session.add(_review(201))
        session.flush()
        duplicates.check_and_record(session, 201, 201, [Print(PHOTO, 0, copied)], limits)
        session.add(_review(202))
        session.flush()
        event.listen(db.engine, "before_cursor_execute", seen)
        try:  # two bits off the first: found by the band look-up, not the exact one
            [match] = duplicates.check_and_record(
                session, 202, 202, [Print(PHOTO, 0, copied ^ 0b101)], limits)
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        assert (match.submission, match.distance) == (201, 2)
        [(near, parameters)] = [(s, p) for s, p in statements if "UNION" in s]
        plan = [row[3] for row in session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + near, parameters).all()]
    for band in range(fp.BANDS):
        assert any(f"(kind=? AND band{band}=?)" in step for step in plan), plan
    assert not any(step.endswith("(kind=?)") for step in plan), plan
    db.dispose()
