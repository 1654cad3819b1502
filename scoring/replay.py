"""Scoring the kept facts again, in memory, under any rule set: what ``baosong scores rebuild
--rules FILE --dry-run`` shows. Pure: it runs the engine the live handlers run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scoring import engine
from scoring.engine import Fact, Item, ItemState, Line, Topic
from scoring.rules import Rules
from scoring.totals import Entry, Tally, TotalKey, totals_of
from services.contracts.submissions import SubmissionId


@dataclass(frozen=True)
class ReplayedLine:
    fact: Fact
    line: Line


class MemoryWorld:
    """The engine's world kept in dictionaries."""

    def __init__(self, topics: Mapping[str, Topic]) -> None:
        self.items: dict[SubmissionId, ItemState] = {}
        self.topics = topics
        self.ledger: dict[SubmissionId, dict[str, int]] = {}

    def item(self, submission: SubmissionId) -> Item | None:
        return self.items.get(submission)

    def new_item(self, submission: SubmissionId, kind: str, unit: str, unit_kind: str,
                 informant: int, at: dt.datetime, month: str) -> Item:
        item = ItemState(submission_id=submission, kind=kind, unit_slug=unit,
                         unit_kind=unit_kind, informant_id=informant, month=month, received_at=at)
        self.items[submission] = item
        return item

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def booked(self, submission: SubmissionId) -> dict[str, int]:
        return dict(self.ledger.get(submission, {}))

    def commission_holder(self, topic_id: str, unit: str) -> SubmissionId | None:
        for sid, rules in self.ledger.items():
            item = self.items.get(sid)
            if (item is not None and item.topic == topic_id and item.unit_slug == unit
                    and rules.get("commission.delivered", 0) > 0):
                return sid
        return None

    def book(self, line: Line) -> None:
        if line.submission is not None:
            held = self.ledger.setdefault(line.submission, {})
            held[line.rule] = held.get(line.rule, 0) + line.points


def replay(facts: Iterable[Fact], topics: Mapping[str, Topic], rules: Rules,
           timezone: str) -> list[ReplayedLine]:
    """Every line ``rules`` would have booked for ``facts`` (in the order they were learnt)."""
    world = MemoryWorld(topics)
    out = []
    for fact in facts:
        if fact.type in engine.UNIT_FACTS:
            lines = engine.unit_fact_lines(fact, rules)
        else:
            lines = engine.score_item_fact(world, fact, rules, timezone)
        for line in lines:
            world.book(line)
            out.append(ReplayedLine(fact, line))
    return out


def replayed_totals(lines: Iterable[ReplayedLine], timezone: str) -> dict[TotalKey, Tally]:
    return totals_of((Entry(unit=r.line.unit, informant=r.line.informant, points=r.line.points,
                            at=r.fact.at, rule=r.line.rule) for r in lines), timezone)
