"""Scoring's consumer of the survey events: keeps the definitions and ballots, and each closed
evaluation's per-unit results (recomputed when a late ballot arrives after the close)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scoring.engine import Line
from scoring.ledger import book
from scoring.rules import Rules
from scoring.surveys.models import BallotCopy, EvaluationResult, SurveyCopy, TextScreening
from scoring.surveys.tally import BallotView, tally
from services.contracts.surveys import BallotCast, SurveyClosed, SurveyOpened, TextsScreened
from services.events import Event
from services.inbox import Subscription
from services.settings import Settings


def definition_of(copy: SurveyCopy) -> SurveyOpened:
    return SurveyOpened.from_data(copy.definition)


def ballots_of(session: Session, survey_id: int) -> list[BallotView]:
    screened = {ballot: frozenset(held) for ballot, held in session.execute(
        sa.select(TextScreening.ballot, TextScreening.held)
        .where(TextScreening.survey_id == survey_id))}
    rows = session.execute(sa.select(BallotCopy.id, BallotCopy.answers, BallotCopy.repeat_address,
                                     BallotCopy.repeat_browser)
                           .where(BallotCopy.survey_id == survey_id))
    return [BallotView(answers=a, repeat_address=ra, repeat_browser=rb,
                       screened=ballot in screened, held=screened.get(ballot, frozenset()))
            for ballot, a, ra, rb in rows]


def results_of(session: Session, copy: SurveyCopy, settings: Settings) -> dict[str, object]:
    return tally(definition_of(copy), ballots_of(session, copy.id),
                 settings.evaluation_grade_points)


def keep_results(session: Session, copy: SurveyCopy, settings: Settings) -> None:
    """Write a closed evaluation's result per unit, in the year it closed."""
    if copy.kind != "evaluation" or copy.closed_at is None:
        return
    year = copy.closed_at.astimezone(ZoneInfo(settings.timezone)).year
    results = results_of(session, copy, settings)
    session.execute(sa.delete(EvaluationResult).where(EvaluationResult.survey_id == copy.id))
    for row in results["units"]:  # type: ignore[attr-defined]
        session.add(EvaluationResult(survey_id=copy.id, unit_slug=row["unit"], year=year,
                                     title=copy.title, score=row["score"],
                                     ballots=row["ballots"], rated=row["rated"]))


EVALUATION_RULE = "evaluation"


def all_in(session: Session, copy: SurveyCopy) -> bool:
    """Whether every ballot cast before the close has reached scoring (the close says how many
    there were; a close from before it said so counts as all in, as it did then)."""
    if copy.closed_at is None:
        return False
    if copy.ballots_cast is None:
        return True
    held = session.scalar(sa.select(sa.func.count()).select_from(BallotCopy)
                          .where(BallotCopy.survey_id == copy.id))
    return (held or 0) >= copy.ballots_cast


def book_points(session: Session, copy: SurveyCopy, rules: Rules, settings: Settings) -> None:
    """The points the rules give each rated unit for its score (none unless the rules file
    has ``[evaluation] bands``), booked once the evaluation is closed and every ballot cast
    before the close is counted: the events of the last ballots may come after the close's,
    and a line booked on part of the ballots would stand (booking is once a fact)."""
    if not rules.evaluation_bands or copy.closed_at is None or not all_in(session, copy):
        return
    results = session.scalars(sa.select(EvaluationResult)
                              .where(EvaluationResult.survey_id == copy.id)).all()
    for result in results:
        points = rules.evaluation_points(result.score)
        if points:
            line = Line(rule=EVALUATION_RULE, points=points, unit=result.unit_slug,
                        note=f"网上评议《{copy.title}》得分 {result.score:.2f}")
            book(session, fact_id=f"evaluation:{copy.id}:{result.unit_slug}",
                 fact_type=SurveyClosed.TYPE, line=line, at=copy.closed_at, rules=rules,
                 timezone=settings.timezone)


def settle_closed(session: Session, copy: SurveyCopy, rules: Rules, settings: Settings) -> None:
    """A closed survey's results kept again, and its points booked if every ballot is in."""
    session.flush()
    keep_results(session, copy, settings)
    session.flush()
    book_points(session, copy, rules, settings)


def subscription(settings: Settings, rules: Rules) -> Subscription:
    def opened(session: Session, event: Event) -> None:
        payload = SurveyOpened.of(event)
        copy = session.get(SurveyCopy, payload.survey)
        if copy is None:
            session.add(SurveyCopy(id=payload.survey, version=payload.version, kind=payload.kind,
                                   title=payload.title, definition=payload.to_data()))
        elif payload.version > copy.version:  # a late copy of an older version changes nothing
            copy.version, copy.kind, copy.title = payload.version, payload.kind, payload.title
            copy.definition = payload.to_data()
            if copy.closed_at is not None:  # the close came first (see closed)
                settle_closed(session, copy, rules, settings)

    def cast(session: Session, event: Event) -> None:
        payload = BallotCast.of(event)
        if session.get(BallotCopy, payload.ballot) is not None:
            return
        session.add(BallotCopy(id=payload.ballot, survey_id=payload.survey, day=payload.day,
                               answers={u: dict(a) for u, a in payload.answers.items()},
                               respondent=payload.respondent,
                               repeat_address=payload.repeat_address,
                               repeat_browser=payload.repeat_browser))
        session.flush()
        copy = session.get(SurveyCopy, payload.survey)
        if copy is not None and copy.closed_at is not None:  # a ballot cast before the close
            settle_closed(session, copy, rules, settings)

    def closed(session: Session, event: Event) -> None:
        payload = SurveyClosed.of(event)
        copy = session.get(SurveyCopy, payload.survey)
        if copy is None:  # before the definition (a survey closed as soon as it was made): the
            # close is kept on a copy of version 0, which the definition fills in when it comes
            session.add(SurveyCopy(id=payload.survey, version=0, kind="", title="",
                                   definition={}, closed_at=payload.closed,
                                   ballots_cast=payload.ballots))
            return
        if copy.closed_at is not None:
            return
        copy.closed_at, copy.ballots_cast = payload.closed, payload.ballots
        settle_closed(session, copy, rules, settings)

    def screened(session: Session, event: Event) -> None:
        # kept apart from the ballot, so that it does not matter which of the two comes first
        payload = TextsScreened.of(event)
        if session.get(TextScreening, payload.ballot) is None:
            session.add(TextScreening(ballot=payload.ballot, survey_id=payload.survey,
                                      held=[f"{h.unit}/{h.question}" for h in payload.held]))

    return Subscription(consumer="scoring-surveys",
                        handlers={SurveyOpened.TYPE: opened, BallotCast.TYPE: cast,
                                  SurveyClosed.TYPE: closed, TextsScreened.TYPE: screened})
