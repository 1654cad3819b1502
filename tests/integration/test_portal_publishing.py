"""Publishing into the portal: a bounded set of pages per item, in a safe order, the same site a
full rebuild writes, and one consistent site when two publishers work at once."""

from __future__ import annotations

import itertools
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from publisher import addresses
from publisher.models import PublishedItem
from publisher.paging import Paging
from publisher.rebuild import rebuild
from publisher.site import Site
from services.bus.local import LocalConsumer
from services.settings import Settings
from services.storage.folder import FolderStore
from tests.conftest import City
from tests.support import Pipeline, photo

TEXT = "前三季度全县规模以上工业增加值同比增长8.2%，高于全市平均水平。"


@pytest.fixture
def small_pages(tmp_path: Path) -> Iterator[City]:
    """A city whose site has pages of three items, so that archives grow quickly."""
    settings = Settings(data_dir=tmp_path / "var", page_size=3,  # type: ignore[call-arg]
                        _env_file=None)
    pipeline = Pipeline(settings)
    yield _city(pipeline)
    pipeline.close()


def _city(p: Pipeline) -> City:
    p.unit("qingshan", "青山县经济和信息化局", "county", "http://qingshan.example.gov.cn")
    p.unit("linjiang", "临江区经济和信息化局", "county")
    p.unit("huayuan", "华远机械股份有限公司", "enterprise", "http://huayuan.example.com")
    p.unit("office", "市经信委办公室", "department")
    return City(pipeline=p, informant=p.user("王晓明", unit="qingshan"),
                informant2=p.user("李娜", unit="linjiang"),
                enterprise=p.user("陈静", unit="huayuan"),
                moderator=p.user("周敏", role="moderator"), admin=p.user("孙伟", role="admin"))


class SiteWrites:
    """Records what is written to and removed from the site folder, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, bucket: str) -> None:
        self.log: list[tuple[str, str]] = []
        real_put, real_delete = FolderStore.put_bytes, FolderStore.delete

        def put(store: FolderStore, key: str, data: bytes, content_type: str) -> None:
            if store.root.name == bucket:
                self.log.append(("put", key))
            real_put(store, key, data, content_type)

        def delete(store: FolderStore, key: str) -> None:
            if store.root.name == bucket:
                self.log.append(("delete", key))
            real_delete(store, key)

        monkeypatch.setattr(FolderStore, "put_bytes", put)
        monkeypatch.setattr(FolderStore, "delete", delete)


def publish(city: City, n: int, column: str = "county", token: str | None = None) -> int:
    p = city.pipeline
    response = p.upload(token or city.informant, title=f"县区工作动态第{n}期", body=TEXT,
                        extra={"column": column})
    assert response.status_code == 202
    p.settle()
    return int(response.json()["id"])


def written_while(writes: SiteWrites, action: Callable[[], object]) -> list[str]:
    writes.log.clear()
    action()
    return [key for op, key in writes.log if op == "put"]


def test_publishing_one_item_writes_the_same_few_pages_however_large_the_site(
        small_pages: City, monkeypatch: pytest.MonkeyPatch) -> None:
    city = small_pages
    writes = SiteWrites(monkeypatch, city.pipeline.ctx.settings.site_bucket)
    for n in range(1, 5):
        publish(city, n)
    early = written_while(writes, lambda: publish(city, 5))  # seq 5: on page 2, opens none
    for n in range(6, 29):
        publish(city, n)
    late = written_while(writes, lambda: publish(city, 29))  # seq 29: on page 10, opens none

    def shape(keys: list[str]) -> list[str]:
        return sorted(k.split("/")[0] + ("/page" if "page-" in k else "") for k in keys)

    assert shape(early) == shape(late)
    assert len(late) <= 12
    assert not [k for k in late if "page-" in k]  # its page is still on the front page
    publish(city, 30)
    opens = written_while(writes, lambda: publish(city, 31))  # seq 31 opens page 11
    paging = Paging(3)
    archived = [n for n in paging.touched_by_new(31) if n <= paging.archived(11)]
    assert archived == [7, 8, 9]  # page 9 leaves the front page; 7 and 8 name it now
    pages = {k for k in opens if k.startswith("columns/county/page-")}
    assert pages == {f"columns/county/page-{n}.html" for n in archived}
    # the unit's listing opens its page 11 too
    assert len(opens) == len(late) + 2 * len(archived)


def test_an_item_is_written_before_any_page_links_to_it_and_the_home_page_last(
        city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    writes = SiteWrites(monkeypatch, city.pipeline.ctx.settings.site_bucket)
    publish(city, 1)

    def send_with_a_photo() -> None:
        city.pipeline.upload(city.enterprise, title="华远机械新一代数控机床下线", body=TEXT,
                             photos=[photo(seed=3)], captions=["新机床"])
        city.pipeline.settle()

    keys = written_while(writes, send_with_a_photo)
    article = next(k for k in keys if k.startswith("articles/"))
    photos = [k for k in keys if k.startswith("photos/")]
    assert len(photos) == 2 and max(keys.index(k) for k in photos) < keys.index(article)
    unit_front = addresses.unit("huayuan")
    assert keys.index(unit_front) < keys.index(article)  # its first item: the page comes first
    for listing in ("columns/enterprise/index.html", "feed.atom", "sitemap.xml"):
        assert keys.index(listing) > keys.index(article)
    assert keys[-1] == addresses.HOME


def test_the_pages_every_page_links_to_exist_before_anything_is_published(city: City) -> None:
    p = city.pipeline
    with p.ctx.db.transaction() as session:
        site = Site(p.ctx)
        site.lock(session)
        site.ensure_skeleton(session)
    for path in ("", "columns/work/", "columns/culture/", "units/", "feed.atom",
                 "columns/photo/feed.atom", "sitemap.xml", "robots.txt"):
        assert p.client.get(f"/site/{path}").status_code == 200, path
    assert "本栏目正在更新" in p.client.get("/site/columns/policy/").text


def test_incremental_publishing_leaves_the_site_a_full_rebuild_would_write(
        small_pages: City) -> None:
    city = small_pages
    p = city.pipeline
    columns = ("work", "county", "enterprise", "policy", "culture", "photo")
    ids = [publish(city, n, columns[n % 6], token=(city.informant, city.enterprise)[n % 2])
           for n in range(14)]
    p.upload(city.informant2, kind="photo", title="临江大桥", photos=[photo(seed=1)],
             captions=["大桥合龙"])
    p.settle()
    assert p.post(f"/api/submissions/{ids[4]}/retract", city.moderator,
                  {"reason": "数据有误"}).status_code == 200
    assert p.post(f"/api/submissions/{ids[9]}/lead", city.moderator).status_code == 200
    p.settle()
    assert p.post(f"/api/submissions/{ids[4]}/republish", city.moderator,
                  {"reason": "已更正", "title": "更正后的标题"}).status_code == 200
    assert p.post(f"/api/submissions/{ids[7]}/retract", city.moderator,
                  {"reason": "重复"}).status_code == 200
    p.settle()

    root = p.ctx.settings.data_dir / "objects" / p.ctx.settings.site_bucket
    incremental = {f.relative_to(root).as_posix(): f.read_bytes()
                   for f in root.rglob("*") if f.is_file()}
    done = rebuild(Site(p.ctx), p.ctx.db)
    rebuilt = {f.relative_to(root).as_posix(): f.read_bytes()
               for f in root.rglob("*") if f.is_file()}
    assert done.removed == []  # nothing was left behind
    assert sorted(rebuilt) == sorted(incremental)
    differing = [key for key in rebuilt if rebuilt[key] != incremental[key]]
    assert differing == []


def test_a_lost_site_is_restored_by_a_full_rebuild_photos_and_all(small_pages: City) -> None:
    city = small_pages
    p = city.pipeline
    for n in range(8):
        publish(city, n, ("county", "enterprise")[n % 2])
    p.upload(city.enterprise, kind="photo", title="新车间", photos=[photo(seed=7)],
             captions=["车间"])
    p.settle()
    root = p.ctx.settings.data_dir / "objects" / p.ctx.settings.site_bucket
    before = {f.relative_to(root).as_posix(): f.read_bytes()
              for f in root.rglob("*") if f.is_file()}
    assert any(key.startswith("photos/") for key in before)
    shutil.rmtree(root)
    root.mkdir()
    rebuild(Site(p.ctx), p.ctx.db)
    after = {f.relative_to(root).as_posix(): f.read_bytes()
             for f in root.rglob("*") if f.is_file()}
    assert sorted(after) == sorted(before)
    assert [key for key in after if after[key] != before[key]] == []


def test_a_full_rebuild_removes_what_a_failed_publication_left_behind(city: City) -> None:
    p = city.pipeline
    sid = publish(city, 1)
    p.ctx.site.put_bytes("articles/99999.html", b"<p>left over</p>", "text/html")
    done = rebuild(Site(p.ctx), p.ctx.db)
    assert done.removed == ["articles/99999.html"]
    assert p.client.get(f"/site/articles/{sid}.html").status_code == 200


def test_two_publishers_at_once_on_postgresql_write_one_consistent_site(
        pg_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=pg_url,  # type: ignore[call-arg]
                        page_size=4, _env_file=None)
    p = Pipeline(settings)
    try:
        city = _city(p)
        tokens = (city.informant, city.informant2, city.enterprise)
        for n in range(16):
            p.upload(tokens[n % 3], title=f"并发发布第{n}篇", body=TEXT,
                     extra={"column": ("county", "enterprise")[n % 2]})
        publisher = next(c for c in p.consumers if c.queue == "publisher")
        others = [c for c in p.consumers if c is not publisher]
        for _ in range(20):  # everything but publishing
            moved = p.relay.drain() + sum(c.drain() for c in others)
            if not moved:
                break
        second = LocalConsumer(p.ctx.db, publisher.subscription, lease_seconds=30)
        workers = [threading.Thread(target=c.drain) for c in (publisher, second)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        p.settle()
        with p.ctx.db.session() as session:
            items = list(session.scalars(sa.select(PublishedItem)))
        assert len(items) == 16
        for column in ("county", "enterprise"):
            in_column = sorted((i for i in items if i.column == column),
                               key=lambda i: i.column_seq)
            assert [i.column_seq for i in in_column] == list(range(1, len(in_column) + 1))
            for older, newer in itertools.pairwise(in_column):
                page = p.client.get(f"/site/articles/{older.submission_id}.html").text
                assert f'href="../articles/{newer.submission_id}.html" rel="next"' in page
            front = p.client.get(f"/site/columns/{column}/index.html").text
            assert all(f"articles/{i.submission_id}.html" in front for i in in_column[-8:])
        # pages that list items of every column and unit: only the lock keeps them whole
        for shared in ("index.html", "feed.atom", "sitemaps/articles-0.xml"):
            page = p.client.get(f"/site/{shared}").text
            missing = [i.submission_id for i in items if f"articles/{i.submission_id}.html"
                       not in page]
            assert missing == [], shared
    finally:
        p.close()


def test_a_publisher_waits_while_another_holds_the_site_lock(pg_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=pg_url,  # type: ignore[call-arg]
                        _env_file=None)
    p = Pipeline(settings)
    try:
        city = _city(p)
        sid = p.upload(city.informant, title="等待站点锁", body=TEXT).json()["id"]
        publisher = next(c for c in p.consumers if c.queue == "publisher")
        others = [c for c in p.consumers if c is not publisher]
        for _ in range(20):
            if not p.relay.drain() + sum(c.drain() for c in others):
                break
        site = Site(p.ctx)
        worker = threading.Thread(target=publisher.drain)
        with p.ctx.db.transaction() as session:
            site.lock(session)  # another process rendering
            worker.start()
            worker.join(1.5)
            assert worker.is_alive()  # it waits for the lock...
            assert p.client.get(f"/site/articles/{sid}.html").status_code == 404
        worker.join(30)
        assert not worker.is_alive()  # ...and goes on once it is free
        assert p.client.get(f"/site/articles/{sid}.html").status_code == 200
    finally:
        p.close()
