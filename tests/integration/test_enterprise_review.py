"""Issue 16 item 4: the enterprise side of the review. The portal counts the reads of an
item's page (a repeat by the same client within the window is not counted, and no address is
kept anywhere), scoring is told the day's totals, and the period report shows, for a hand-made
case, the enterprise's photos, its 企业文化 items, its reads and its featured list."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from publisher import reads
from services.outbox import OutboxMessage
from tests.conftest import City
from tests.documents_support import xlsx_bytes
from tests.integration.test_features import HEADER, ROWS, import_list
from tests.support import photo


def test_reads_are_counted_once_a_window_and_reach_the_report(city: City) -> None:
    p = city.pipeline
    culture = p.upload(city.enterprise, kind="photo", title="华远机械职工书画展",
                       photos=[photo(), photo(color=(200, 60, 30))], captions=["书法", "国画"],
                       extra={"column": "culture"}).json()["id"]
    other = p.upload(city.enterprise, title="华远机械智能制造车间投产",
                     body="新车间引入工业机器人生产线，年产值预计增加两亿元。").json()["id"]
    p.settle()

    page = f"/site/articles/{culture}.html"
    assert p.client.get(page).status_code == 200
    etag = p.client.get(page).headers["ETag"]  # the same reader again: not counted
    assert p.client.get(page, headers={"If-None-Match": etag}).status_code == 304
    assert p.client.head(page).status_code == 200  # a HEAD is no read
    assert p.client.get(f"/site/articles/{other}.html").status_code == 200
    now = dt.datetime.now(dt.UTC)
    assert reads.count_read(p.ctx, culture, "203.0.113.7", now)  # another reader
    assert not reads.count_read(p.ctx, culture, "203.0.113.7", now)
    later = now + dt.timedelta(seconds=p.ctx.settings.read_window_seconds)
    assert reads.count_read(p.ctx, culture, "203.0.113.7", later)  # the next window
    assert not reads.count_read(p.ctx, 999_999, "203.0.113.7", now)  # not on the site

    with p.ctx.db.session() as session:
        days = session.execute(sa.select(reads.ItemReadDay.submission_id,
                                         sa.func.sum(reads.ItemReadDay.reads))
                               .group_by(reads.ItemReadDay.submission_id)).all()
        assert dict(days) == {culture: 3, other: 1}
        kept = [*session.scalars(sa.select(reads.ReadMark.mark)),
                *session.scalars(sa.select(OutboxMessage.payload))]
    assert kept and not any("203.0.113.7" in k or "testclient" in k for k in kept)

    year = str(dt.datetime.now(dt.UTC).year)
    listed = import_list(p, city.admin, xlsx_bytes([HEADER, *ROWS]), year=year)
    assert listed.status_code == 200, listed.text
    p.settle()
    report = p.client.get("/api/reports/period", params={"period": year},
                          headers={"Authorization": f"Bearer {city.admin}"}).json()
    huayuan = next(u for b in report["boards"] for u in b["units"] if u["unit"] == "huayuan")
    assert (huayuan["photos"], huayuan["culture"], huayuan["reads"]) == (2, 1, 4)
    assert huayuan["features"] == f"{year}年度工业五十强第1名"
    assert {"key": "reads", "label": "阅读量"} in report["figures"]
