"""Designing a survey: creating it, revising it until the first ballot, closing it, issuing codes.

Each change sends ``survey.opened`` (the whole definition, with a version) or ``survey.closed``
through the outbox, so that scoring keeps a copy of what it counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
import secrets
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ingest.surveys.models import Ballot, BallotCode, Survey
from ingest.surveys.validate import check_design
from services import outbox
from services.contracts.surveys import Access, Kind, Question, RatedUnit, SurveyClosed, SurveyOpened
from services.identity import Unit
from services.refusals import Conflict, Invalid, NotFound, TooLarge
from services.settings import Settings

# Codes are read off paper: no 0/O, 1/I/L; 12 of these 31 characters are about 59 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


class SurveyIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    kind: Kind = "survey"
    access: Access = "open"
    anonymous: bool = False
    opens: str | None = Field(default=None, max_length=40)
    closes: str | None = Field(default=None, max_length=40)
    units: list[str] = Field(default_factory=list, max_length=1000)
    questions: list[Question] = Field(min_length=1, max_length=1000)


class CodesIn(BaseModel):
    """How many codes, or one per named unit, or one per unit drawn at random from a kind."""

    count: int | None = Field(default=None, ge=1, le=1_000_000)
    units: list[str] | None = Field(default=None, max_length=100_000)
    sample: int | None = Field(default=None, ge=1, le=1_000_000)
    kind: str | None = Field(default=None, max_length=16)


def parse_time(text: str, timezone: str, *, end_of_day: bool) -> dt.datetime:
    """An ISO date (its start, or its end) or date and time; without a zone, the commission's."""
    zone = ZoneInfo(timezone)
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            clock = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0)
            return dt.datetime.combine(day, clock, tzinfo=zone)
        when = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise Invalid("时间须为日期或日期时间，如 2026-12-05 或 2026-12-05T17:00 "
                      "(opens and closes must be ISO dates or date-times)") from exc
    return when if when.tzinfo is not None else when.replace(tzinfo=zone)


def _checked(session: Session, body: SurveyIn, settings: Settings,
             now: dt.datetime) -> tuple[dt.datetime, dt.datetime | None, list[RatedUnit]]:
    title = body.title.strip()
    if not title:
        raise Invalid("标题不能为空 (title is required)")
    check_design(body.questions, max_questions=settings.survey_max_questions)
    opens = parse_time(body.opens, settings.timezone, end_of_day=False) if body.opens else now
    closes = parse_time(body.closes, settings.timezone, end_of_day=True) if body.closes else None
    if closes is not None and closes <= max(opens, now):
        raise Invalid("结束时间须晚于开始时间和现在 (closes must be after opens and now)")
    units: list[RatedUnit] = []
    if body.kind == "evaluation":
        if body.access != "codes":
            raise Invalid("评议须凭投票码参加 (an evaluation takes ballot codes: access=codes)")
        if not body.units:
            raise Invalid("评议须列出被评议的单位 (an evaluation needs the units it rates)")
        if len(body.units) > settings.survey_max_units:
            raise TooLarge(f"被评议单位不能超过 {settings.survey_max_units} 个 (too many units)")
        if len(set(body.units)) != len(body.units):
            raise Invalid("被评议单位重复 (a unit is listed twice)")
        known = {u.slug: u for u in session.scalars(sa.select(Unit)
                                                    .where(Unit.slug.in_(body.units)))}
        unknown = [u for u in body.units if u not in known]
        if unknown:
            raise Invalid(f"没有这些单位：{'、'.join(unknown[:20])} (unknown units)")
        units = [RatedUnit(slug=s, name=known[s].name) for s in body.units]
    elif body.units:
        raise Invalid("只有评议才有被评议单位 (only an evaluation rates units)")
    return opens, closes, units


def definition(survey: Survey) -> SurveyOpened:
    return SurveyOpened(
        survey=survey.id, version=survey.version, title=survey.title,
        description=survey.description, kind=survey.kind,  # type: ignore[arg-type]
        access=survey.access, anonymous=survey.anonymous,  # type: ignore[arg-type]
        opens=survey.opens, closes=survey.closes,
        units=[RatedUnit.model_validate(u) for u in survey.units],
        questions=[Question.model_validate(q) for q in survey.questions])


def _dump(body: SurveyIn, units: list[RatedUnit]) -> tuple[list[dict[str, object]],
                                                           list[dict[str, object]]]:
    return ([q.model_dump(mode="json") for q in body.questions],
            [u.model_dump(mode="json") for u in units])


def create_survey(session: Session, body: SurveyIn, *, by: int, settings: Settings,
                  now: dt.datetime) -> Survey:
    opens, closes, units = _checked(session, body, settings, now)
    questions, rated = _dump(body, units)
    survey = Survey(title=body.title.strip(), description=body.description.strip(),
                    kind=body.kind, access=body.access, anonymous=body.anonymous, opens=opens,
                    closes=closes, questions=questions, units=rated, created_by=by,
                    created_at=now)
    session.add(survey)
    session.flush()
    outbox.emit(session, definition(survey).event(f"survey/{survey.id}"))
    return survey


def load(session: Session, survey_id: int, *, lock: bool = False) -> Survey:
    query = sa.select(Survey).where(Survey.id == survey_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    survey = session.scalars(query).first()
    if survey is None:
        raise NotFound.of("调查")
    return survey


def has_ballots(session: Session, survey_id: int) -> bool:
    return session.scalar(sa.select(sa.exists().where(Ballot.survey_id == survey_id))) or False


def revise_survey(session: Session, survey_id: int, body: SurveyIn, *, settings: Settings,
                  now: dt.datetime) -> Survey:
    """A new definition for a survey no one has answered yet (409 once a ballot is in)."""
    survey = load(session, survey_id, lock=True)
    if survey.closed_at is not None:
        raise Conflict("该调查已结束 (the survey is closed)")
    if has_ballots(session, survey_id):
        raise Conflict("已有答卷，题目不能再改；如需修改请另建调查 "
                       "(questions are fixed once a ballot is in: make a new survey)")
    if body.kind != survey.kind or body.access != survey.access \
            or body.anonymous != survey.anonymous:
        raise Conflict("调查类型、参与方式和匿名设置不能修改 "
                       "(kind, access and anonymity are fixed)")
    opens, closes, units = _checked(session, body, settings, now)
    survey.questions, survey.units = _dump(body, units)
    survey.title, survey.description = body.title.strip(), body.description.strip()
    survey.opens, survey.closes = opens, closes
    survey.version += 1
    outbox.emit(session, definition(survey).event(f"survey/{survey.id}"))
    return survey


def close_survey(session: Session, survey_id: int, *, now: dt.datetime) -> Survey:
    survey = load(session, survey_id, lock=True)
    if survey.closed_at is not None:
        raise Conflict("该调查已结束 (the survey is already closed)")
    survey.closed_at = now
    cast = session.scalar(sa.select(sa.func.count()).select_from(Ballot)
                          .where(Ballot.survey_id == survey.id))
    outbox.emit(session, SurveyClosed(survey=survey.id, closed=now, ballots=cast)
                .event(f"survey/{survey.id}"))
    return survey


def close_ended(session: Session, now: dt.datetime) -> list[int]:
    """Close every survey whose closing time has passed (the scheduled job)."""
    due = session.scalars(sa.select(Survey.id).where(Survey.closed_at.is_(None),
                                                     Survey.closes.is_not(None),
                                                     Survey.closes <= now)).all()
    for survey_id in due:
        close_survey(session, survey_id, now=now)
    return list(due)


# --- ballot codes ---------------------------------------------------------------------------------

def normalise_code(code: str) -> str:
    """What a person types, as the code is kept: no spaces or dashes, upper case."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def code_hash(survey_id: int, code: str) -> str:
    return hashlib.sha256(f"{survey_id}:{normalise_code(code)}".encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


@dataclasses.dataclass(frozen=True)
class IssuedCode:
    code: str
    respondent: str | None
    respondent_name: str | None


def issue_codes(session: Session, survey_id: int, body: CodesIn, *,
                settings: Settings) -> list[IssuedCode]:
    """Single-use codes: ``count`` of them, or one per listed unit, or one per unit of a sample
    drawn at random (the draw is recorded: each code names its respondent)."""
    survey = load(session, survey_id)
    if survey.access != "codes":
        raise Conflict("该调查公开参与，无需投票码 (an open survey takes no codes)")
    if survey.closed_at is not None:
        raise Conflict("该调查已结束 (the survey is closed)")
    given = [x is not None for x in (body.count, body.units, body.sample)]
    if sum(given) != 1:
        raise Invalid("须给出 count、units 或 sample 之一 (give one of count, units, sample)")
    respondents: list[Unit | None]
    if body.count is not None:
        respondents = [None] * body.count
    else:
        units = {u.slug: u for u in session.scalars(sa.select(Unit))}
        if body.units is not None:
            unknown = [u for u in body.units if u not in units]
            if unknown:
                raise Invalid(f"没有这些单位：{'、'.join(unknown[:20])} (unknown units)")
            if len(set(body.units)) != len(body.units):
                raise Invalid("单位重复 (a unit is listed twice)")
            respondents = [units[u] for u in body.units]
        else:
            pool = sorted((u for u in units.values() if body.kind in (None, u.kind)),
                          key=lambda u: u.slug)
            if body.sample is None or body.sample > len(pool):
                raise Invalid(f"可抽取的单位只有 {len(pool)} 个 (only {len(pool)} units to draw)")
            respondents = list(random.SystemRandom().sample(pool, body.sample))
    if len(respondents) > settings.survey_max_codes:
        raise TooLarge(f"一次最多发放 {settings.survey_max_codes} 个投票码 (too many codes)")
    issued = []
    for unit in respondents:
        code = _new_code()
        session.add(BallotCode(survey_id=survey_id, code_hash=code_hash(survey_id, code),
                               respondent=unit.slug if unit else None))
        issued.append(IssuedCode(code=code, respondent=unit.slug if unit else None,
                                 respondent_name=unit.name if unit else None))
    session.flush()
    return issued


def is_open(survey: Survey, now: dt.datetime) -> bool:
    return (survey.closed_at is None and survey.opens <= now
            and (survey.closes is None or now < survey.closes))


def state_of(survey: Survey, now: dt.datetime) -> str:
    if survey.closed_at is not None or (survey.closes is not None and now >= survey.closes):
        return "closed"
    return "open" if survey.opens <= now else "scheduled"
