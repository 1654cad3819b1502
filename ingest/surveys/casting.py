"""Receiving a ballot: who may cast it, once, and what is kept of it.

Order matters: the address's attempt is counted first, in a transaction of its own, so that a
burst of bad or refused ballots is limited as much as good ones; then the answers are checked
(nothing is written for a bad one); then, in one transaction, the code is used up by a single
conditional UPDATE (of two concurrent ballots with one code, exactly one finds it unused), the
ballot is written and ``survey.ballot_cast`` goes to the outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import uuid
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingest.surveys import design
from ingest.surveys.models import AddressCount, Ballot, BallotCode, Survey
from ingest.surveys.validate import BallotInvalid, clean_answers
from services import outbox
from services.contracts.surveys import Answer, BallotCast, Question
from services.db import Database
from services.refusals import Conflict, Forbidden, Invalid, TooMany
from services.settings import Settings

MAX_KEY_CHARS = 64


@dataclasses.dataclass(frozen=True)
class BallotIn:
    survey_id: int
    answers: Any
    code: str | None = None
    key: str | None = None  # the page's key for this ballot: a retry finds the first one
    address: str = ""  # the client's address (hashed before it is kept)
    browser_seen: bool = False  # the browser carries the cookie of an earlier ballot
    honeypot: str = ""  # a field no person fills in


@dataclasses.dataclass(frozen=True)
class Cast:
    ballot: str
    replay: bool = False  # the key's first ballot, found again
    ignored: bool = False  # the honeypot was filled in: answered as accepted, nothing kept


def address_hash(address: str, secret: str) -> str:
    """The address as kept: keyed, so the table cannot be reversed by trying every address."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _upsert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def count_attempt(db: Database, settings: Settings, survey_id: int, address: str,
                  now: dt.datetime) -> None:
    """One attempt from ``address`` on the survey; ``TooMany`` beyond the window's limit."""
    window_seconds = settings.survey_rate_window_seconds
    window = int(now.timestamp()) // window_seconds * window_seconds
    with db.transaction() as session:
        insert = _upsert(session)(AddressCount).values(survey_id=survey_id, address=address,
                                                        window=window, attempts=1, ballots=0)
        session.execute(insert.on_conflict_do_update(
            index_elements=["survey_id", "address", "window"],
            set_={"attempts": AddressCount.__table__.c.attempts + 1}))
        attempts = session.scalar(sa.select(AddressCount.attempts).where(
            AddressCount.survey_id == survey_id, AddressCount.address == address,
            AddressCount.window == window))
    if attempts is not None and attempts > settings.survey_ballots_per_address:
        wait = window + window_seconds - int(now.timestamp())
        raise TooMany(f"提交过于频繁，请 {max(1, wait // 60)} 分钟后再试 "
                      "(too many ballots from this address: try again later)",
                      headers={"Retry-After": str(max(1, wait))})


def clean_ballot(survey: Survey, raw: Any, settings: Settings) -> dict[str, dict[str, Answer]]:
    """The ballot's answers by rated unit (``""`` for a survey), or ``BallotInvalid``."""
    questions = [Question.model_validate(q) for q in survey.questions]
    limit = settings.survey_max_text_chars
    if not isinstance(raw, Mapping):
        raise Invalid("answers 须为对象 (answers must be an object)")
    if survey.kind != "evaluation":
        return {"": clean_answers(questions, raw, max_text_chars=limit)}
    slugs = [u["slug"] for u in survey.units]
    errors: dict[str, str] = {f"{k}": "没有评议这个单位 (not a rated unit)"
                              for k in raw if k not in slugs}
    clean: dict[str, dict[str, Answer]] = {}
    for slug in slugs:
        given = raw.get(slug, {})
        if not isinstance(given, Mapping):
            errors[slug] = "须为该单位各题的答案 (answers for this unit, by question)"
            continue
        try:
            clean[slug] = clean_answers(questions, given, max_text_chars=limit,
                                        prefix=f"{slug}/")
        except BallotInvalid as exc:
            errors.update(exc.errors)
    if errors:
        raise BallotInvalid(errors)
    return clean


def _use_code(session: Session, survey_id: int, code: str | None) -> BallotCode:
    if not code or not design.normalise_code(code):
        raise Invalid("请填写投票码 (a ballot code is required)")
    digest = design.code_hash(survey_id, code)
    used = session.execute(sa.update(BallotCode)
                           .where(BallotCode.survey_id == survey_id,
                                  BallotCode.code_hash == digest,
                                  BallotCode.used.is_(False))
                           .values(used=True))
    row = session.scalars(sa.select(BallotCode).where(BallotCode.survey_id == survey_id,
                                                      BallotCode.code_hash == digest)).first()
    if row is None:
        raise Forbidden("投票码无效，请核对后重新输入 (unknown ballot code)")
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("该投票码已经使用过，每个投票码只能投一次 (this ballot code was used)")
    return row


def _replay(session: Session, survey_id: int, key: str | None) -> Cast | None:
    if key is None:
        return None
    found = session.scalar(sa.select(Ballot.id).where(Ballot.survey_id == survey_id,
                                                      Ballot.key == key))
    return Cast(ballot=found, replay=True) if found else None


def cast(db: Database, settings: Settings, given: BallotIn, now: dt.datetime) -> Cast:
    if given.key is not None and not 0 < len(given.key) <= MAX_KEY_CHARS:
        raise Invalid("key 长度无效 (invalid key)")
    with db.session() as session:
        survey = design.load(session, given.survey_id)
    if not design.is_open(survey, now):
        state = design.state_of(survey, now)
        raise Conflict("该调查尚未开始 (the survey has not opened yet)" if state == "scheduled"
                       else "该调查已结束，不再接受答卷 (the survey is closed)")
    address = address_hash(given.address, settings.secret)
    count_attempt(db, settings, survey.id, address, now)
    if given.honeypot.strip():
        return Cast(ballot=uuid.uuid4().hex, ignored=True)
    answers = clean_ballot(survey, given.answers, settings)
    try:
        with db.transaction() as session:
            return _record(session, survey, given, answers, address, now, settings)
    except IntegrityError:
        # the same key committed first (a retry racing its original): that ballot is the one
        with db.session() as session:
            found = _replay(session, survey.id, given.key)
        if found is None:
            raise
        return found


def _record(session: Session, survey: Survey, given: BallotIn,
            answers: dict[str, dict[str, Answer]], address: str, now: dt.datetime,
            settings: Settings) -> Cast:
    # a share lock on the survey: a revision or the close (which take it for update) cannot
    # slip in between; and the close is looked at again under the lock
    query = sa.select(Survey.closed_at).where(Survey.id == survey.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    if session.scalar(query) is not None:
        raise Conflict("该调查已结束，不再接受答卷 (the survey is closed)")
    replay = _replay(session, survey.id, given.key)
    if replay is not None:
        return replay
    code = _use_code(session, survey.id, given.code) if survey.access == "codes" else None
    repeat_address = False
    if survey.access == "open":
        earlier = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(AddressCount.ballots), 0))
                                 .where(AddressCount.survey_id == survey.id,
                                        AddressCount.address == address))
        repeat_address = bool(earlier)
        window_seconds = settings.survey_rate_window_seconds
        window = int(now.timestamp()) // window_seconds * window_seconds
        session.execute(sa.update(AddressCount)
                        .where(AddressCount.survey_id == survey.id,
                               AddressCount.address == address, AddressCount.window == window)
                        .values(ballots=AddressCount.ballots + 1))
    day = now.astimezone(ZoneInfo(settings.timezone)).date()
    identified = code is not None and not survey.anonymous
    ballot = Ballot(id=uuid.uuid4().hex, survey_id=survey.id, day=day,
                    answers=answers, key=given.key,
                    code_id=code.id if identified and code else None,
                    respondent=code.respondent if identified and code else None,
                    repeat_address=repeat_address, repeat_browser=given.browser_seen)
    session.add(ballot)
    session.flush()
    event = BallotCast(survey=survey.id, ballot=ballot.id, day=day, answers=answers,
                       respondent=ballot.respondent, repeat_address=repeat_address,
                       text_questions=[q["id"] for q in survey.questions
                                      if q["type"] == "text"],
                       repeat_browser=given.browser_seen).event(f"survey/{survey.id}")
    if survey.anonymous:  # the envelope's time would say more than the day
        midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(settings.timezone))
        event = dataclasses.replace(event, time=midnight)
    outbox.emit(session, event)
    return Cast(ballot=ballot.id)


def recount(session: Session, survey_id: int) -> dict[str, dict[str, dict[str, int]]]:
    """Counts by unit, question and answer straight from the stored ballots (a check on the
    tallies scoring keeps): choices and grades by value, numbers and texts by how many."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for answers in session.scalars(sa.select(Ballot.answers).where(Ballot.survey_id == survey_id)):
        for unit, given in answers.items():
            for question, value in given.items():
                counts = out.setdefault(unit, {}).setdefault(question, {})
                for item in value if isinstance(value, list) else [value]:
                    label = str(item) if isinstance(item, str | int) else "number"
                    counts[label] = counts.get(label, 0) + 1
    return out
