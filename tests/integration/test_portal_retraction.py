"""Retraction (撤稿) takes an item off every page; republishing puts it back, corrected, under the
same address with its first publication date; the home page has one lead item at a time."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from publisher.models import PublishedItem
from services.events import Event, EventType
from services.inbox import deliver
from tests.conftest import City
from tests.support import Pipeline, photo

TEXT = "前三季度全县规模以上工业增加值同比增长8.2%，高于全市平均水平。"
LISTINGS = ("index.html", "columns/county/index.html", "units/qingshan/index.html", "feed.atom",
            "columns/county/feed.atom", "sitemaps/articles-0.xml")


def three_in_a_row(city: City) -> tuple[int, int, int]:
    """Three county items; the middle one has two photos."""
    p = city.pipeline
    first = p.upload(city.informant, title="第一篇", body=TEXT).json()["id"]
    p.settle()
    middle = p.upload(city.informant, title="中间一篇", body=TEXT, photos=[photo(seed=1),
                      photo(seed=2)], captions=["会场", "工地"]).json()["id"]
    p.settle()
    last = p.upload(city.informant, title="最后一篇", body=TEXT).json()["id"]
    p.settle()
    return first, middle, last


def photo_keys(page: str) -> list[str]:
    return sorted(set(re.findall(r'src="\.\./(photos/[^"]+)"', page)
                      + re.findall(r'\.\./(photos/[^" ]+) \d+w', page)))


def newer_link(p: Pipeline, submission_id: int) -> str | None:
    page = p.client.get(f"/site/articles/{submission_id}.html").text
    found = re.search(r'href="\.\./articles/(\d+)\.html" rel="next"', page)
    return found.group(1) if found else None


def points(city: City) -> list[tuple[str, str, int]]:
    """(event type, rule, points) of every ledger line: a reversal keeps the rule it reverses."""
    lines = city.pipeline.get("/api/scores/ledger", city.admin).json()["lines"]
    return [(line["event_type"], line["rule"], line["points"]) for line in lines]


def test_a_retracted_item_vanishes_from_every_page_feed_and_sitemap(city: City) -> None:
    p = city.pipeline
    first, middle, last = three_in_a_row(city)
    page = p.client.get(f"/site/articles/{middle}.html").text
    photos = photo_keys(page)
    assert len(photos) == 4  # two photos, web and thumbnail each
    for listing in LISTINGS:
        assert f"articles/{middle}.html" in p.client.get(f"/site/{listing}").text, listing
    assert newer_link(p, first) == str(middle)

    answer = p.post(f"/api/submissions/{middle}/retract", city.moderator, {"reason": "数据有误"})
    assert answer.status_code == 200 and answer.json()["status"] == "retracted"
    p.settle()

    assert p.client.get(f"/site/articles/{middle}.html").status_code == 404
    assert "页面不存在" in p.client.get(f"/site/articles/{middle}.html").text
    for key in photos:
        assert p.client.get(f"/site/{key}").status_code == 404, key
    for listing in LISTINGS:
        assert f"articles/{middle}.html" not in p.client.get(f"/site/{listing}").text, listing
    assert newer_link(p, first) == str(last)  # the neighbours now link round it
    item = p.get(f"/api/submissions/{middle}", city.informant).json()
    assert item["status"] == "retracted" and item["url"] is None
    earned = next(n for _, rule, n in points(city) if rule == "published.article")
    assert points(city)[-1] == ("submission.retracted", "published.article", -earned)
    audit = p.get("/api/audit", city.admin, subject=f"submission/{middle}").json()["entries"]
    assert audit[0]["action"] == "retract" and audit[0]["reason"] == "数据有误"


def test_retraction_is_for_moderators_once_and_for_published_items(city: City) -> None:
    p = city.pipeline
    sid = p.upload(city.informant, title="一篇", body=TEXT).json()["id"]
    p.settle()
    assert p.post(f"/api/submissions/{sid}/retract", city.informant,
                  {"reason": "x"}).status_code == 403
    assert p.post(f"/api/submissions/{sid}/retract", city.moderator,
                  {"reason": "  "}).status_code == 422
    assert p.post("/api/submissions/99999/retract", city.moderator,
                  {"reason": "x"}).status_code == 404
    assert p.post(f"/api/submissions/{sid}/retract", city.moderator,
                  {"reason": "x"}).status_code == 200
    assert p.post(f"/api/submissions/{sid}/retract", city.moderator,
                  {"reason": "x"}).status_code == 409


def test_a_corrected_item_returns_to_its_address_and_keeps_its_date(city: City) -> None:
    p = city.pipeline
    first, middle, last = three_in_a_row(city)
    before = p.client.get(f"/site/articles/{middle}.html").text
    published_on = re.search(r"发布时间：<time datetime=\"([^\"]+)\"", before)
    assert published_on is not None
    p.post(f"/api/submissions/{middle}/retract", city.moderator, {"reason": "标题有错别字"})
    p.settle()
    old_photos = photo_keys(before)

    answer = p.post(f"/api/submissions/{middle}/republish", city.moderator, {
        "reason": "已更正错别字", "title": "中间一篇（更正）", "photos": [1],
        "captions": ["项目工地"]})
    assert answer.status_code == 200
    assert answer.json() == {"id": middle, "status": "approved", "url": answer.json()["url"],
                             "corrected": ["title", "photos"]}
    p.relay.drain()
    next(c for c in p.consumers if c.queue == "ingest").drain()  # not yet the publisher
    assert p.get(f"/api/submissions/{middle}", city.informant).json()["status"] == "approved"
    p.settle()

    page = p.client.get(f"/site/articles/{middle}.html")
    assert page.status_code == 200
    assert "中间一篇（更正）" in page.text and "项目工地" in page.text and "会场" not in page.text
    assert f'datetime="{published_on.group(1)}"' in page.text  # the first publication date
    new_photos = photo_keys(page.text)
    assert len(new_photos) == 2 and not set(new_photos) & set(old_photos)
    for key in new_photos:
        assert p.client.get(f"/site/{key}").status_code == 200
    for key in old_photos:
        assert p.client.get(f"/site/{key}").status_code == 404
    for listing in LISTINGS:
        assert f"articles/{middle}.html" in p.client.get(f"/site/{listing}").text, listing
    assert newer_link(p, first) == str(middle) and newer_link(p, middle) == str(last)
    item = p.get(f"/api/submissions/{middle}", city.informant).json()
    assert item["status"] == "published" and item["url"].endswith(f"/site/articles/{middle}.html")
    lines = p.get("/api/scores/ledger", city.admin).json()["lines"]
    assert [(line["event_type"], line["points"] > 0) for line in lines
            if line["submission"] == middle and line["rule"] == "published.article"] == [
        ("submission.published", True), ("submission.retracted", False),
        ("submission.published", True)]
    actions = [e["action"] for e in p.get("/api/audit", city.admin,
                                          subject=f"submission/{middle}").json()["entries"]]
    assert actions[:2] == ["republish", "retract"]


def test_republishing_refuses_what_cannot_be_put_back(city: City) -> None:
    p = city.pipeline
    sid = p.upload(city.informant, kind="photo", title="一组照片", photos=[photo(seed=4)],
                   captions=["大桥"]).json()["id"]
    p.settle()
    url = f"/api/submissions/{sid}/republish"
    assert p.post(url, city.moderator, {"reason": "x"}).status_code == 409  # still on the site
    p.post(f"/api/submissions/{sid}/retract", city.moderator, {"reason": "照片不清晰"})
    assert p.post(url, city.informant, {"reason": "x"}).status_code == 403
    assert p.post("/api/submissions/99999/republish", city.moderator,
                  {"reason": "x"}).status_code == 404
    for bad in ({"reason": "x", "title": " "}, {"reason": "x", "photos": [3]},
                {"reason": "x", "photos": [0, 0]}, {"reason": "x", "photos": []},
                {"reason": "x", "captions": ["a", "b"]}, {"reason": ""},
                {"reason": "x", "title": "长" * 500}):
        assert p.post(url, city.moderator, bad).status_code == 422, bad
    assert p.post(url, city.moderator, {"reason": "已换照片"}).status_code == 200
    assert p.post(url, city.moderator, {"reason": "再来一次"}).status_code == 409
    assert p.post(f"/api/submissions/{sid}/retract", city.moderator,
                  {"reason": "x"}).status_code == 409  # on its way back, not on the site yet
    p.settle()
    assert p.client.get(f"/site/articles/{sid}.html").status_code == 200


def _retracted_and_republished(city: City) -> tuple[int, Event, Event]:
    """The middle of three items retracted and put back corrected, neither event delivered."""
    p = city.pipeline
    _, middle, _ = three_in_a_row(city)
    p.post(f"/api/submissions/{middle}/retract", city.moderator, {"reason": "有误"})
    p.post(f"/api/submissions/{middle}/republish", city.moderator,
           {"reason": "已更正", "title": "更正后的标题"})
    (retracted,), (reinstated,) = p.pending(EventType.RETRACTED), p.pending(EventType.REINSTATED)
    return middle, retracted, reinstated


def test_a_late_retraction_does_not_undo_the_republication_that_followed_it(city: City) -> None:
    p = city.pipeline
    middle, retracted, reinstated = _retracted_and_republished(city)
    publisher = p.subscription("publisher")
    assert deliver(p.ctx.db, publisher, reinstated)  # the later event arrives first
    assert deliver(p.ctx.db, publisher, retracted)
    p.settle()  # the bus delivers both again: the inbox drops them
    page = p.client.get(f"/site/articles/{middle}.html")
    assert page.status_code == 200 and "更正后的标题" in page.text
    for key in photo_keys(page.text):
        assert p.client.get(f"/site/{key}").status_code == 200
    assert p.get(f"/api/submissions/{middle}", city.informant).json()["status"] == "published"


def test_the_home_page_has_one_lead_item_at_a_time(city: City) -> None:
    p = city.pipeline
    first, middle, last = three_in_a_row(city)
    for sid in (first, middle):
        assert p.post(f"/api/submissions/{sid}/lead", city.moderator).status_code == 200
        p.settle()
    lead = p.client.get("/site/index.html").text.split('<section class="lead">')[1]
    lead = lead.split("</section>")[0]
    assert f"articles/{middle}.html" in lead and f"articles/{first}.html" not in lead
    assert 'class="lead-inner lead-with-photo"' in lead  # its first photo leads the page
    with p.ctx.db.session() as session:
        leads = session.scalars(sa.select(PublishedItem.submission_id)
                                .where(PublishedItem.lead.is_(True))).all()
    assert leads == [middle]
    with pytest.raises(IntegrityError), p.ctx.db.transaction() as session:
        session.execute(sa.update(PublishedItem).where(PublishedItem.submission_id == last)
                        .values(lead=True))  # the database refuses a second lead
    p.post(f"/api/submissions/{middle}/retract", city.moderator, {"reason": "撤下"})
    p.settle()
    assert '<section class="lead">' not in p.client.get("/site/index.html").text
    assert p.post(f"/api/submissions/{middle}/lead", city.moderator).status_code == 409
    assert p.post(f"/api/submissions/{last}/lead", city.informant).status_code == 403


def test_the_informant_sees_the_newest_step_whatever_order_its_events_arrive_in(
        city: City) -> None:
    """The republication reaches ingest before the retraction and the reinstatement that led
    to it: the item still shows published, at its address."""
    p = city.pipeline
    middle, retracted, reinstated = _retracted_and_republished(city)
    for event in (retracted, reinstated):
        assert deliver(p.ctx.db, p.subscription("publisher"), event)
    (republished,) = p.pending(EventType.PUBLISHED)
    for event in (republished, retracted, reinstated):
        assert deliver(p.ctx.db, p.subscription("ingest"), event)
    shown = p.get(f"/api/submissions/{middle}", city.informant).json()
    assert shown["status"] == "published"
    assert shown["url"] and shown["url"].endswith(f"articles/{middle}.html")
