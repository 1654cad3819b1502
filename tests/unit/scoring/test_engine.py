"""The engine, replayed in memory: what each kind of fact earns, and what reverses it."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from scoring import engine
from scoring.engine import Fact, Item, Line, Topic
from scoring.replay import MemoryWorld, replay, replayed_totals
from scoring.rules import Rules, load_rules, rules_from_text
from services.contracts import payload_type
from services.contracts.submissions import SubmissionRef

TZ = "Asia/Shanghai"
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in the commission's time
DEFAULT = load_rules(Path(__file__).resolve().parents[3] / "scoring" / "default_rules.toml")
_ids = itertools.count(1)


def fact(kind: str, sid: int | None, minutes: int = 0, unit: str = "qingshan",
         informant: int = 7, item_kind: str = "article", **data: Any) -> Fact:
    body: dict[str, Any] = {"unit": unit, **data}
    if sid is not None:
        body.update(submission=sid, kind=item_kind, informant=informant, unit_kind="county")
    return Fact(id=f"f{next(_ids)}", type=kind, at=T0 + dt.timedelta(minutes=minutes),
                data=body)


def received(sid: int, minutes: int = 0, **data: Any) -> Fact:
    return fact(engine.RECEIVED, sid, minutes, title=f"稿件{sid}", **data)


def lines_of(facts: list[Fact], rules: Rules = DEFAULT,
             topics: dict[str, Topic] | None = None) -> list[tuple[str, int]]:
    return [(r.line.rule, r.line.points) for r in replay(facts, topics or {}, rules, TZ)]


def test_published_article_earns_two_and_photo_one() -> None:
    assert lines_of([received(1), fact(engine.PUBLISHED, 1, 5),
                     received(2, item_kind="photo"), fact(engine.PUBLISHED, 2, 6,
                                                          item_kind="photo")]) == [
        ("published.article", 2), ("published.photo", 1)]


def test_lead_item_doubles_its_portal_points_once() -> None:
    assert lines_of([received(1), fact(engine.PUBLISHED, 1, 5), fact(engine.LEAD, 1, 9),
                     fact(engine.LEAD, 1, 30)]) == [("published.article", 2), ("lead", 2)]


def test_only_the_highest_adoption_counts_whatever_the_order() -> None:
    up = lines_of([received(1), fact(engine.PUBLISHED, 1, 5),
                   fact(engine.ADOPTED, 1, 9, level="provincial"),
                   fact(engine.ADOPTED, 1, 20, level="national")])
    # the portal is the lowest level: its 2 give way to the province's 5, those to the nation's
    assert up == [("published.article", 2), ("published.article", -2), ("adoption.provincial", 5),
                  ("adoption.provincial", -5), ("adoption.national", 10)]
    down = lines_of([received(1), fact(engine.PUBLISHED, 1, 5),
                     fact(engine.ADOPTED, 1, 9, level="national"),
                     fact(engine.ADOPTED, 1, 20, level="provincial")])
    assert down == [("published.article", 2), ("published.article", -2),
                    ("adoption.national", 10)]
    # a rules file of before (no portal_is_lowest) adds the portal's points to the adoption's
    older = rules_from_text(DEFAULT.text.replace("portal_is_lowest = true", "")
                            .replace('version = "2026.2"', 'version = "2026.1"'))
    assert sum(points for _, points in lines_of(
        [received(1), fact(engine.PUBLISHED, 1, 5),
         fact(engine.ADOPTED, 1, 9, level="national")], older)) == 12


def test_leader_instructions_add_up_by_level_once_each() -> None:
    assert lines_of([received(1), fact(engine.PUBLISHED, 1, 5),
                     fact(engine.INSTRUCTED, 1, 9, level="city"),
                     fact(engine.INSTRUCTED, 1, 10, level="provincial"),
                     fact(engine.INSTRUCTED, 1, 11, level="city")]) == [
        ("published.article", 2), ("instruction.city", 5), ("instruction.provincial", 10)]


def test_retraction_reverses_everything_the_item_earned() -> None:
    lines = lines_of([received(1), fact(engine.PUBLISHED, 1, 5), fact(engine.LEAD, 1, 6),
                      fact(engine.ADOPTED, 1, 7, level="provincial"),
                      fact(engine.INSTRUCTED, 1, 8, level="city"),
                      fact(engine.RETRACTED, 1, 60)])
    assert sum(points for _, points in lines) == 0
    assert lines == [("published.article", 2), ("lead", 2), ("published.article", -2),
                     ("lead", -2), ("adoption.provincial", 5), ("instruction.city", 5),
                     ("adoption.provincial", -5), ("instruction.city", -5)]


def test_duplicate_earns_nothing_and_says_so_even_when_marked_late() -> None:
    early = lines_of([received(2, item_kind="photo"),
                      fact(engine.SCREENED, 2, 1, item_kind="photo", duplicate_of=1),
                      fact(engine.PUBLISHED, 2, 5, item_kind="photo")])
    assert early == [("duplicate", 0)]
    late = lines_of([received(2, item_kind="photo"),
                     fact(engine.PUBLISHED, 2, 5, item_kind="photo"),
                     fact(engine.SCREENED, 2, 9, item_kind="photo", duplicate_of=1)])
    assert late == [("published.photo", 1), ("published.photo", -1), ("duplicate", 0)]


def test_rejected_or_returned_item_earns_nothing() -> None:
    assert lines_of([received(1), fact(engine.REJECTED, 1, 5)]) == []
    assert lines_of([received(1), fact(engine.RETURNED, 1, 5)]) == []


def test_a_booked_rule_keeps_its_points_when_the_rules_change() -> None:
    item: Item = engine.ItemState(submission_id=1, kind="article", unit_slug="qingshan",
                                  unit_kind="county", informant_id=7, month="2026-03",
                                  received_at=T0, status="published", lead_at=T0)
    richer = rules_from_text(DEFAULT.text.replace("article = 2", "article = 3")
                             .replace('version = "2026.2"', 'version = "2027.1"'))
    entitled = engine.entitlements(MemoryWorld({}), item, richer)
    assert entitled["published.article"][0] == 3 and entitled["lead"][0] == 3
    lines = engine.reconcile(item, entitled, {"published.article": 2})
    assert [(line.rule, line.points) for line in lines] == [("lead", 3)]


def test_commission_bonus_goes_to_the_first_answer_in_time_once_per_unit() -> None:
    deadline = T0 + dt.timedelta(hours=2)
    topics = {"5": Topic(id="5", title="一季度工业运行", deadline=deadline,
                         units=frozenset({"qingshan"}))}
    in_time = lines_of([received(1, topic="5"), received(2, 1, topic="5"),
                        received(3, 200, topic="5"), fact(engine.PUBLISHED, 1, 300),
                        fact(engine.PUBLISHED, 2, 301), fact(engine.PUBLISHED, 3, 302)],
                       topics=topics)
    assert in_time == [("published.article", 2), ("commission.delivered", 3),
                       ("published.article", 2), ("published.article", 2)]


def test_a_revision_answers_from_when_its_original_came_and_counts_in_its_month() -> None:
    world = MemoryWorld({})
    engine.apply(world, received(1, topic="5"), TZ)
    late = fact(engine.RECEIVED, 2, 60 * 24 * 40, revision_of=1, title="修改稿")
    revision = engine.apply(world, late, TZ)
    original = world.item(1)
    assert revision is not None and original is not None
    assert original.superseded and revision.month == "2026-03"
    assert revision.answered_at == T0 and revision.topic == "5"


@pytest.mark.parametrize(("photos_count", "images", "items", "met"), [
    ("images", 3, 1, True), ("images", 2, 2, False), ("items", 3, 1, False),
    ("items", 6, 3, True)])
def test_month_close_applies_the_quota_of_the_rules_to_the_kept_counts(
        photos_count: str, images: int, items: int, met: bool) -> None:
    rules = rules_from_text(DEFAULT.text.replace('photos_count = "images"',
                                                 f'photos_count = "{photos_count}"'))
    closed = Fact(id="m", type=engine.MONTH_CLOSED, at=T0, data={
        "unit": "qingshan", "unit_kind": "county", "month": "2026-03", "articles": 2,
        "photo_items": items, "photo_images": images})
    assert engine.unit_fact_lines(closed, rules) == [Line(
        rule="quota.met" if met else "quota.missed", points=2 if met else -2, unit="qingshan",
        note=engine.unit_fact_lines(closed, rules)[0].note)]


def test_a_unit_kind_that_owes_nothing_books_nothing_at_the_close() -> None:
    closed = Fact(id="m", type=engine.MONTH_CLOSED, at=T0, data={
        "unit": "office", "unit_kind": "department", "month": "2026-03"})
    assert engine.unit_fact_lines(closed, DEFAULT) == []


def test_replayed_totals_count_per_unit_informant_and_period() -> None:
    lines = replay([received(1), fact(engine.PUBLISHED, 1, 5),
                    fact(engine.COMMISSION_MISSED, None, 10, title="约稿")], {}, DEFAULT, TZ)
    totals = replayed_totals(lines, TZ)
    assert totals[("unit", "qingshan", "2026-03")].points == -3
    assert totals[("unit", "qingshan", "all")].points == -3
    assert totals[("informant", "7", "2026")].points == 2


def test_a_corrected_item_republished_after_its_retraction_earns_again() -> None:
    assert lines_of([received(1), fact(engine.PUBLISHED, 1, 5), fact(engine.RETRACTED, 1, 9),
                     fact(engine.REINSTATED, 1, 20), fact(engine.PUBLISHED, 1, 21)]) == [
        ("published.article", 2), ("published.article", -2), ("published.article", 2)]


def test_a_late_copy_of_the_first_publication_does_not_undo_a_retraction() -> None:
    first_publication = fact(engine.PUBLISHED, 1, 5)
    assert lines_of([received(1), first_publication, fact(engine.RETRACTED, 1, 9),
                     first_publication]) == [("published.article", 2), ("published.article", -2)]


def test_a_retraction_older_than_the_reinstatement_arrives_late_and_changes_nothing() -> None:
    retraction = fact(engine.RETRACTED, 1, 9)
    assert lines_of([received(1), fact(engine.PUBLISHED, 1, 5), retraction,
                     fact(engine.REINSTATED, 1, 20), fact(engine.PUBLISHED, 1, 21),
                     retraction]) == [
        ("published.article", 2), ("published.article", -2), ("published.article", 2)]


@pytest.mark.parametrize("late", [
    # the republication before the reinstatement that led to it; the retraction after the
    # republication that undid it; both at once (processes relaying the outbox side by side)
    (3, 4, 2), (2, 4, 3), (4, 3, 2), (4, 2, 3), (3, 2, 4)])
def test_the_item_ends_where_the_newest_step_put_it_whatever_the_order(
        late: tuple[int, int, int]) -> None:
    steps = [received(1), fact(engine.PUBLISHED, 1, 5), fact(engine.RETRACTED, 1, 9),
             fact(engine.REINSTATED, 1, 20), fact(engine.PUBLISHED, 1, 21)]
    arrived = steps[:2] + [steps[i] for i in late]
    booked = lines_of(arrived)
    assert sum(points for _, points in booked) == 2, booked  # published: it earns again
    world = MemoryWorld({})
    for f in arrived:
        engine.apply(world, f, TZ)
    assert world.item(engine.SubmissionId(1)).status == "published"  # type: ignore[union-attr]


def test_a_retraction_that_comes_last_takes_the_item_off_whatever_came_before() -> None:
    steps = [received(1), fact(engine.PUBLISHED, 1, 5), fact(engine.REINSTATED, 1, 20),
             fact(engine.PUBLISHED, 1, 21), fact(engine.RETRACTED, 1, 9),
             fact(engine.RETRACTED, 1, 30)]
    assert sum(points for _, points in lines_of(steps)) == 0


def _kept_before(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """What scoring kept of an event's data before payloads were typed (the facts in the
    database were kept so, and a replay reads them)."""
    if event_type == engine.RECEIVED and "images" not in data:
        data = {**data, "images": len(data.get("photos") or [])}
    keep = engine._KEEP.get(event_type, (*engine._IDENTITY, "reason"))
    return {k: data[k] for k in keep if data.get(k) is not None}


WIRE = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "events" / "wire.json")
                  .read_text(encoding="utf-8"))


@pytest.mark.parametrize("event_type", engine.ITEM_FACTS)
def test_a_fact_keeps_of_its_payload_what_it_kept_of_the_raw_data(event_type: str) -> None:
    declared = payload_type(event_type)
    assert declared is not None
    for data in WIRE[event_type]:
        payload = declared.from_data(data)
        assert isinstance(payload, SubmissionRef)
        kept = engine.fact_data(payload)
        assert kept == _kept_before(event_type, data)
        said = Fact(id="f", type=event_type, at=T0, data=kept).item
        assert said.submission == data["submission"] and said.unit == data["unit"]
