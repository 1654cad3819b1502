"""How facts become points: pure, so that the live handlers and the re-scoring of the kept facts
under another rule set (``baosong scores rebuild --rules FILE --dry-run``) run the same code.

Scoring keeps every fact it learns (an item received, screened as a duplicate, published, made
the lead, adopted, instructed, rejected, retracted; a 约稿 missed; a month closed). After each
fact about an item, :func:`entitlements` says what the item should hold now, rule by rule, and
:func:`reconcile` compares that with what the ledger holds for it and gives the lines that make
the two agree. A rule already booked keeps the points it was booked with (changing the rules
never rewrites the past); a rule no longer deserved is reversed by exactly what it holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from scoring.rules import LEVEL_NAMES, Rules
from services.contracts import submissions as contract
from services.contracts.submissions import SubmissionId, SubmissionRef

# Fact types about one item: the event types scoring consumes, named by their contracts.
RECEIVED = contract.Received.TYPE
SCREENED = contract.Screened.TYPE
REJECTED = contract.Rejected.TYPE
RETURNED = contract.Returned.TYPE
PUBLISHED = contract.Published.TYPE
RETRACTED = contract.Retracted.TYPE
REINSTATED = contract.Reinstated.TYPE
LEAD = contract.Lead.TYPE
ADOPTED = contract.Adopted.TYPE
INSTRUCTED = contract.Instructed.TYPE
# Facts about a unit, which scoring makes itself (no event carries them).
COMMISSION_MISSED = "commission.missed"
MONTH_CLOSED = "month.closed"

ITEM_FACTS = (RECEIVED, SCREENED, REJECTED, RETURNED, PUBLISHED, RETRACTED, REINSTATED, LEAD,
              ADOPTED, INSTRUCTED)
UNIT_FACTS = (COMMISSION_MISSED, MONTH_CLOSED)

# statuses no later event moves an item out of (but a retraction is undone by a reinstatement
# made after it: a corrected item republished at its old address)
FINAL = ("rejected", "retracted")
KIND_NAMES = {"article": "文章", "photo": "图片"}


def month_of(when: dt.datetime, timezone: str) -> str:
    return f"{when.astimezone(ZoneInfo(timezone)):%Y-%m}"


class Item(Protocol):
    """What scoring knows of one submission (a table row live, :class:`ItemState` in a replay)."""

    submission_id: SubmissionId
    kind: str
    unit_slug: str
    unit_kind: str
    informant_id: int
    title: str
    images: int
    month: str  # the month it counts toward (a revision: its original's)
    status: str
    superseded: bool  # a revision was sent in its place
    received_at: dt.datetime
    answered_at: dt.datetime | None  # when it reached the 约稿 (a revision: its original's time)
    topic: str | None
    revision_of: SubmissionId | None
    duplicate_of: SubmissionId | None
    published_at: dt.datetime | None  # its first publication
    last_published_at: dt.datetime | None  # its newest (a republication after a reinstatement)
    lead_at: dt.datetime | None
    retracted_at: dt.datetime | None
    reinstated_at: dt.datetime | None
    url: str | None
    adoptions: dict[str, str]  # level -> when (ISO)
    instructions: dict[str, str]


@dataclass
class ItemState:
    submission_id: SubmissionId
    kind: str
    unit_slug: str
    unit_kind: str
    informant_id: int
    month: str
    received_at: dt.datetime
    title: str = ""
    images: int = 0
    status: str = "received"
    superseded: bool = False
    answered_at: dt.datetime | None = None
    topic: str | None = None
    revision_of: SubmissionId | None = None
    duplicate_of: SubmissionId | None = None
    published_at: dt.datetime | None = None
    last_published_at: dt.datetime | None = None
    lead_at: dt.datetime | None = None
    retracted_at: dt.datetime | None = None
    reinstated_at: dt.datetime | None = None
    url: str | None = None
    adoptions: dict[str, str] = field(default_factory=dict)
    instructions: dict[str, str] = field(default_factory=dict)


def _id(value: Any) -> SubmissionId | None:
    return SubmissionId(int(value)) if value is not None else None


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


@dataclass(frozen=True)
class ItemFact:
    """What a kept fact about an item says (the fields :func:`fact_data` keeps, each absent
    when the event had none): the typed reading of a fact's ``data``."""

    submission: SubmissionId | None
    kind: str | None = None
    unit: str | None = None
    unit_kind: str | None = None
    informant: int | None = None
    topic: str | None = None
    revision_of: SubmissionId | None = None
    title: str | None = None
    images: int = 0
    duplicate_of: SubmissionId | None = None
    url: str | None = None
    lead: bool = False
    level: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> ItemFact:
        informant = data.get("informant")
        return cls(submission=_id(data.get("submission")), kind=_text(data.get("kind")),
                   unit=_text(data.get("unit")), unit_kind=_text(data.get("unit_kind")),
                   informant=int(informant) if informant is not None else None,
                   topic=_text(data.get("topic")) or None, revision_of=_id(data.get("revision_of")),
                   title=_text(data.get("title")), images=int(data.get("images") or 0),
                   duplicate_of=_id(data.get("duplicate_of")), url=_text(data.get("url")) or None,
                   lead=bool(data.get("lead")), level=_text(data.get("level")))


@dataclass(frozen=True)
class Fact:
    """A fact as scoring keeps it: ``data`` is what :func:`fact_data` kept of its event (or
    what scoring wrote for a fact of its own), read through :attr:`item`."""

    id: str
    type: str
    at: dt.datetime
    data: dict[str, Any]

    @cached_property
    def item(self) -> ItemFact:
        return ItemFact.of(self.data)

    @property
    def submission(self) -> SubmissionId | None:
        return self.item.submission


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    deadline: dt.datetime
    units: frozenset[str]


@dataclass(frozen=True)
class Line:
    """A ledger line to book."""

    rule: str
    points: int
    note: str
    unit: str
    informant: int | None = None
    submission: SubmissionId | None = None


class World(Protocol):
    """Where the items and what the ledger holds live: the database, or memory in a replay."""

    def item(self, submission: SubmissionId) -> Item | None: ...

    def new_item(self, submission: SubmissionId, kind: str, unit: str, unit_kind: str,
                 informant: int, at: dt.datetime, month: str) -> Item: ...

    def topic(self, topic_id: str) -> Topic | None: ...

    def booked(self, submission: SubmissionId) -> dict[str, int]:
        """Rule -> points the ledger holds for the item (rules booked and reversed hold 0)."""
        ...

    def commission_holder(self, topic_id: str, unit: str) -> SubmissionId | None:
        """The item of ``unit`` that holds the 约稿 bonus of ``topic_id`` now, if any."""
        ...


# --- facts into item state ----------------------------------------------------------------

# What each fact keeps of its event's data (the approved item's body is no business of scoring).
_IDENTITY = ("submission", "kind", "unit", "unit_kind", "informant", "topic", "revision_of")
_KEEP = {
    RECEIVED: (*_IDENTITY, "title", "images"),
    SCREENED: (*_IDENTITY, "duplicate_of", "duplicate_distance"),
    PUBLISHED: (*_IDENTITY, "url", "lead"),
    ADOPTED: (*_IDENTITY, "level", "outlet", "by"),
    INSTRUCTED: (*_IDENTITY, "level", "by"),
}


def fact_data(payload: SubmissionRef) -> dict[str, Any]:
    """The part of an event's payload scoring keeps as the fact."""
    data = payload.to_data()
    if isinstance(payload, contract.Received):
        data["images"] = len(payload.photos)
    keep = _KEEP.get(payload.TYPE, (*_IDENTITY, "reason"))
    return {k: data[k] for k in keep if data.get(k) is not None}


def _item_for(world: World, fact: Fact, timezone: str) -> Item | None:
    said = fact.item
    if said.submission is None:
        return None
    item = world.item(said.submission)
    if item is None:
        if said.kind is None or said.unit is None or said.informant is None:
            return None  # nothing to attribute it to
        item = world.new_item(said.submission, said.kind, said.unit, said.unit_kind or "",
                              said.informant, fact.at, month_of(fact.at, timezone))
    return item


def apply(world: World, fact: Fact, timezone: str) -> Item | None:
    """Update what scoring knows of the item the fact is about; return the item."""
    item = _item_for(world, fact, timezone)
    if item is None:
        return None
    said = fact.item
    if fact.type == RECEIVED:
        item.title = said.title or item.title
        item.images = said.images
        item.received_at = fact.at
        item.month = month_of(fact.at, timezone)
        item.answered_at = fact.at
        item.topic = said.topic or item.topic
        item.revision_of = said.revision_of
        original = world.item(item.revision_of) if item.revision_of is not None else None
        if original is not None:  # one piece, counted once: in its original's month
            original.superseded = True
            item.month = original.month
            item.answered_at = original.answered_at or original.received_at
            item.topic = item.topic or original.topic
    elif fact.type == SCREENED:
        if said.duplicate_of is not None:
            item.duplicate_of = said.duplicate_of
    elif fact.type in (REJECTED, RETURNED):
        if item.status not in FINAL and item.status != "published":
            item.status = "rejected" if fact.type == REJECTED else "returned"
    elif fact.type in (PUBLISHED, RETRACTED, REINSTATED):
        _on_and_off_the_site(item, fact)
    elif fact.type == LEAD:
        if item.lead_at is None:
            item.lead_at = fact.at
    elif fact.type == ADOPTED:
        level = str(said.level)
        if level not in item.adoptions:
            item.adoptions = {**item.adoptions, level: fact.at.isoformat()}
    elif fact.type == INSTRUCTED:
        level = str(said.level)
        if level not in item.instructions:
            item.instructions = {**item.instructions, level: fact.at.isoformat()}
    return item


# a publication, a retraction and a reinstatement of the same moment: the later step wins
_STEP = {REINSTATED: 0, PUBLISHED: 1, RETRACTED: 2}
_STATUS_AFTER = {REINSTATED: "approved", PUBLISHED: "published", RETRACTED: "retracted"}


def _on_and_off_the_site(item: Item, fact: Fact) -> None:
    """Publication, retraction and reinstatement in whatever order their events arrive: the
    item is where the newest of them put it. Processes that relay the outbox side by side can
    deliver a republication before the reinstatement that led to it, or a retraction after the
    republication that undid it; the item then still ends published, and earns again."""
    said = fact.item
    if fact.type == PUBLISHED:
        item.last_published_at = max(item.last_published_at or fact.at, fact.at)
        # a publication from before the last retraction, arriving late, brings nothing back
        if item.retracted_at is None or fact.at >= item.retracted_at:
            item.published_at = item.published_at or fact.at
            item.url = said.url or item.url
            if said.lead and item.lead_at is None:
                item.lead_at = fact.at
    elif fact.type == RETRACTED:
        item.retracted_at = max(item.retracted_at or fact.at, fact.at)
    else:
        item.reinstated_at = max(item.reinstated_at or fact.at, fact.at)
    if item.status == "rejected":
        return
    steps = [(at, _STEP[kind], kind) for at, kind in ((item.last_published_at, PUBLISHED),
                                                    (item.retracted_at, RETRACTED),
                                                    (item.reinstated_at, REINSTATED))
             if at is not None]
    item.status = _STATUS_AFTER[max(steps)[2]]


# --- what an item deserves ------------------------------------------------------------------

def in_time(item: Item, topic: Topic | None) -> bool:
    """Does the item answer ``topic`` for its unit by the deadline?"""
    return (topic is not None and item.unit_slug in topic.units
            and item.answered_at is not None and item.answered_at <= topic.deadline)


def entitlements(world: World, item: Item, rules: Rules) -> dict[str, tuple[int, str]]:
    """Rule -> (points, note) the item deserves now under ``rules``."""
    if item.status != "published":
        return {}
    if item.duplicate_of is not None:  # the first sender keeps the credit: a line that says so
        return {"duplicate": (0, f"与稿件 #{item.duplicate_of} 内容重复，首报者得分，本稿不计分")}
    base = rules.published_points(item.kind)
    out = {f"published.{item.kind}": (base, f"门户网站采用{KIND_NAMES.get(item.kind, item.kind)}")}
    if item.lead_at is not None and rules.lead_multiplier != 1:
        out["lead"] = (base * (rules.lead_multiplier - 1),
                       f"首页头条：门户得分×{rules.lead_multiplier}")
    top = rules.highest_adoption(item.adoptions)
    if top is not None:
        if rules.portal_is_lowest:  # the higher level replaces the portal's, not added to it
            out.pop(f"published.{item.kind}")
            out.pop("lead", None)
        out[f"adoption.{top}"] = (rules.adoption[top], f"被{LEVEL_NAMES.get(top, top)}采用")
    for level in rules.instruction:
        if level in item.instructions:
            out[f"instruction.{level}"] = (rules.instruction[level],
                                           f"{LEVEL_NAMES.get(level, level)}领导批示")
    if item.topic is not None:
        topic = world.topic(item.topic)
        holder = world.commission_holder(item.topic, item.unit_slug)
        if topic is not None and in_time(item, topic) and holder in (None, item.submission_id):
            out["commission.delivered"] = (rules.commission_bonus,
                                           f"按时完成约稿「{topic.title}」")
    return out


def _why_reversed(item: Item, rule: str) -> str:
    if item.status == "retracted":
        return "撤稿"
    if item.status == "rejected":
        return "不予采用"
    if item.duplicate_of is not None:
        return f"与稿件 #{item.duplicate_of} 重复"
    if rule.startswith(("adoption.", "published.", "lead")):
        return "只计最高级别采用"
    return "不再符合计分条件"


def reconcile(item: Item, entitled: Mapping[str, tuple[int, str]],
              booked: Mapping[str, int]) -> list[Line]:
    """The lines that make the ledger hold for ``item`` what it is ``entitled`` to."""
    lines = []

    def line(rule: str, points: int, note: str) -> Line:
        return Line(rule=rule, points=points, note=note, unit=item.unit_slug,
                    informant=item.informant_id, submission=item.submission_id)

    for rule, held in booked.items():
        if held and rule not in entitled:
            lines.append(line(rule, -held, f"{_why_reversed(item, rule)}，冲销该稿「{rule}」"
                                           f"所得 {held:+d} 分"))
    for rule, (points, note) in entitled.items():
        if rule in booked and (booked[rule] != 0 or points == 0):
            continue  # booked already: it keeps what it was booked with
        lines.append(line(rule, points, note))
    return lines


def score_item_fact(world: World, fact: Fact, rules: Rules, timezone: str) -> list[Line]:
    """Apply a fact about an item; return the lines to book for it."""
    item = apply(world, fact, timezone)
    if item is None:
        return []
    return reconcile(item, entitlements(world, item, rules), world.booked(item.submission_id))


# --- facts about a unit ---------------------------------------------------------------------

@dataclass(frozen=True)
class QuotaCounts:
    articles: int = 0
    photo_items: int = 0
    photo_images: int = 0

    def photos(self, rules: Rules) -> int:
        return rules.quota_photos(self.photo_items, self.photo_images)


def quota_met(rules: Rules, unit_kind: str, counts: QuotaCounts) -> bool:
    return rules.quota(unit_kind).met(counts.articles, counts.photos(rules))


def unit_fact_lines(fact: Fact, rules: Rules) -> list[Line]:
    """The lines of a fact about a unit: a 约稿 missed, or a month closed."""
    data = fact.data
    unit = str(data["unit"])
    if fact.type == COMMISSION_MISSED:
        return [Line(rule="commission.missed", points=rules.commission_penalty, unit=unit,
                     note=f"约稿「{data.get('title', '')}」逾期未报送")]
    if fact.type == MONTH_CLOSED:
        kind = str(data.get("unit_kind", ""))
        if not rules.quota(kind).owed:
            return []
        counts = QuotaCounts(articles=int(data.get("articles", 0)),
                             photo_items=int(data.get("photo_items", 0)),
                             photo_images=int(data.get("photo_images", 0)))
        month = data.get("month", "")
        if quota_met(rules, kind, counts):
            return [Line(rule="quota.met", points=rules.quota_bonus, unit=unit,
                         note=f"{month} 报送任务完成")]
        return [Line(rule="quota.missed", points=rules.quota_penalty, unit=unit,
                     note=f"{month} 报送任务未完成（文章 {counts.articles} 篇，"
                          f"图片 {counts.photos(rules)}）")]
    raise ValueError(f"not a unit fact: {fact.type}")
