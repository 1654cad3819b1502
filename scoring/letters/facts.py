"""Scoring's consumer of letter events: each keeps one fact of its letter up to date.

Each event sets a fact (never adds to a count), so a redelivery or a late copy changes nothing;
the inbox keeps a repeat from running at all. Events may arrive out of order (processes relay
the outbox side by side): whose the letter is follows the newest event that says so, the close's
rating is the last word, and a line of points goes to the unit its event names.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from scoring.engine import Line
from scoring.ledger import book
from scoring.letters.models import LetterFact
from scoring.rules import Rules
from services.clock import utcnow
from services.contracts import letters as c
from services.events import Event
from services.inbox import Handler, Subscription

Apply = Callable[[LetterFact, Event], None]


def _newest(fact: LetterFact, event: Event) -> bool:
    """Whether ``event`` is the newest to say whose the letter is (and then it says so): an
    assignment, a send-back or an answer that arrives after a newer one changes nothing."""
    if fact.unit_at is not None and event.time < fact.unit_at:
        return False
    fact.unit_at = event.time
    return True


def _assigned(fact: LetterFact, event: Event) -> None:
    p = c.LetterAssigned.of(event)
    if _newest(fact, event):
        fact.unit, fact.due = p.unit, p.due


def _declined(fact: LetterFact, event: Event) -> None:
    c.LetterDeclined.of(event)
    fact.declined = True
    if _newest(fact, event):
        fact.unit = None


def _sent_back(fact: LetterFact, event: Event) -> None:
    p = c.LetterSentBack.of(event)
    fact.sent_back += 1
    if fact.unit == p.unit and _newest(fact, event):
        fact.unit, fact.due = None, None  # not the wrong unit's letter: it counts for the next


def _paused(fact: LetterFact, event: Event) -> None:
    c.LetterPaused.of(event)
    fact.paused = True


def _extended(fact: LetterFact, event: Event) -> None:
    fact.due = c.LetterExtended.of(event).due
    fact.extended = True


def _resumed(fact: LetterFact, event: Event) -> None:
    fact.due = c.LetterResumed.of(event).due


def _replied(fact: LetterFact, event: Event) -> None:
    p = c.LetterReplied.of(event)
    fact.answered, fact.on_time = True, p.on_time
    if _newest(fact, event):
        fact.unit, fact.due = p.unit, p.due
    if not p.on_time:
        fact.overdue = True


def _reopened(fact: LetterFact, event: Event) -> None:
    p = c.LetterReopened.of(event)
    fact.reopened, fact.due = True, p.due


def _closed(fact: LetterFact, event: Event) -> None:
    p = c.LetterClosed.of(event)
    fact.rating, fact.rated_by_default, fact.closed = p.rating, p.by_default, True


def _rated(fact: LetterFact, event: Event) -> None:
    rating = c.LetterRated.of(event).rating
    if not fact.closed:  # a rating that comes after the close (moderation let it pass) is late
        fact.rating = rating


def _overdue(fact: LetterFact, event: Event) -> None:
    c.LetterOverdue.of(event)
    fact.overdue = True


APPLY: dict[str, Apply] = {
    c.LetterAssigned.TYPE: _assigned, c.LetterDeclined.TYPE: _declined,
    c.LetterSentBack.TYPE: _sent_back, c.LetterPaused.TYPE: _paused,
    c.LetterExtended.TYPE: _extended, c.LetterResumed.TYPE: _resumed,
    c.LetterReplied.TYPE: _replied, c.LetterReopened.TYPE: _reopened,
    c.LetterClosed.TYPE: _closed, c.LetterRated.TYPE: _rated, c.LetterOverdue.TYPE: _overdue,
}


def _points(rules: Rules, event: Event) -> Line | None:
    """The optional points for the handling unit (rules file ``[letters]``; none by default):
    the unit the event names, whoever holds the letter by the time it arrives."""
    if event.type == c.LetterReplied.TYPE:
        replied = c.LetterReplied.of(event)
        if not replied.on_time:
            return None
        rule, note, unit = "on_time", "来信按期办结", replied.unit
    elif event.type == c.LetterOverdue.TYPE:
        rule, note, unit = "overdue", "来信超期督办", c.LetterOverdue.of(event).unit
    else:
        return None
    points = rules.letter_points.get(rule, 0)
    if not points:
        return None
    return Line(rule=f"letter.{rule}", points=points, unit=unit,
                note=f"{note}（查询码 {event.data.get('code', '')}）")


def _handler(apply: Apply, timezone: str, rules: Rules) -> Handler:
    zone = ZoneInfo(timezone)

    def handle(session: Session, event: Event) -> None:
        data = event.data
        fact = session.get(LetterFact, data.get("letter"), with_for_update=True)
        if fact is None:
            ref = c.LetterRef.from_data(data)
            fact = LetterFact(letter_id=ref.letter, type=ref.type,
                              month=ref.received_at.astimezone(zone).strftime("%Y-%m"))
            session.add(fact)
        apply(fact, event)
        fact.updated_at = utcnow()
        line = _points(rules, event)
        if line is not None:
            book(session, fact_id=event.id, fact_type=event.type, line=line, at=event.time,
                 rules=rules, timezone=timezone)

    return handle


def subscription(timezone: str, rules: Rules) -> Subscription:
    return Subscription(consumer="scoring-letters",
                        handlers={t: _handler(a, timezone, rules) for t, a in APPLY.items()})
