"""Site search on SQLite and on PostgreSQL: Chinese words found through jieba's terms, a
document by its 文号, newest first, retracted items gone, the endpoint limited and screened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.settings import Settings
from tests.documents_support import POLICY, send_document
from tests.support import Pipeline


@pytest.fixture(params=["sqlite", "postgresql"])
def searchable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, object]]:
    extra = {}
    if request.param == "postgresql":
        extra["database_url"] = request.getfixturevalue("pg_url")
    settings = Settings(data_dir=tmp_path / "var", _env_file=None, **extra)  # type: ignore[call-arg]
    p = Pipeline(settings)
    p.unit("qingshan", "青山县经济和信息化局", "county")
    p.unit("huayuan", "华远机械股份有限公司", "enterprise")
    people = {"p": p, "county": p.user("王晓明", unit="qingshan"),
              "enterprise": p.user("陈静", unit="huayuan"),
              "moderator": p.user("周敏", role="moderator"), "admin": p.user("孙伟", role="admin")}
    yield people
    p.close()


def search(p: Pipeline, q: str) -> list[dict[str, str]]:
    response = p.client.get("/api/search", params={"q": q})
    assert response.status_code == 200, response.text
    results: list[dict[str, str]] = response.json()["results"]
    return results


def test_search_finds_chinese_words_and_a_document_by_its_number(
        searchable: dict[str, object]) -> None:
    p = searchable["p"]
    assert isinstance(p, Pipeline)
    county, enterprise, admin = (str(searchable[k]) for k in ("county", "enterprise", "admin"))
    first = p.upload(county, title="青山县召开工业经济运行分析会",
                     body="会议通报了前三季度全县规模以上工业增加值增长情况，部署四季度重点工作。"
                     ).json()["id"]
    p.settle()
    second = p.upload(enterprise, title="华远机械智能制造车间投产",
                      body="新车间引入工业机器人生产线，年产值预计增加两亿元。").json()["id"]
    p.settle()
    assert send_document(p, admin, POLICY).status_code == 202
    p.settle()

    # all three hold the word (the policy inside 工业企业): newest first
    assert [r["title"] for r in search(p, "工业")] == [
        POLICY["title"], "华远机械智能制造车间投产", "青山县召开工业经济运行分析会"]
    hit = search(p, "机器人")[0]
    assert hit["title"] == "华远机械智能制造车间投产"
    assert hit["unit"] == "华远机械股份有限公司" and hit["column"] == "企业风采"
    assert hit["url"].endswith(f"/site/articles/{second}.html")
    assert [r["title"] for r in search(p, "运行分析会")] == ["青山县召开工业经济运行分析会"]
    by_number = search(p, "市经信发〔2025〕12号")
    assert [r["title"] for r in by_number] == [POLICY["title"]]
    assert by_number[0]["column"] == "文件公开"
    assert search(p, "航天") == []
    assert search(p, "") == []

    retracted = p.post(f"/api/submissions/{first}/retract", str(searchable["moderator"]),
                       {"reason": "数据有误"})
    assert retracted.status_code == 200, retracted.text
    p.settle()
    assert search(p, "运行分析会") == []


def test_the_search_page_lists_results_in_the_site(searchable: dict[str, object]) -> None:
    p = searchable["p"]
    assert isinstance(p, Pipeline)
    p.upload(str(searchable["county"]), title="青山县召开工业经济运行分析会",
             body="会议部署四季度重点工作。")
    p.settle()
    page = p.client.get("/search", params={"q": "分析会"})
    assert page.status_code == 200
    assert "青山县召开工业经济运行分析会" in page.text and "共找到 1 条结果" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in p.client.get("/search", params={"q": "<script>x</script>"}).text


def test_search_is_screened_and_limited(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", search_per_minute=3,  # type: ignore[call-arg]
                        _env_file=None)
    p = Pipeline(settings)
    try:
        assert p.client.get("/api/search", params={"q": "工" * 41}).status_code == 422
        assert p.client.get("/api/search", params={"q": "工业\x00\u200b"}).status_code == 200
        statuses = [p.client.get("/api/search", params={"q": "工业"}).status_code
                    for _ in range(3)]
        assert statuses[-1] == 429
        limited = p.client.get("/api/search", params={"q": "工业"})
        assert limited.status_code == 429 and "retry-after" in limited.headers
        assert "搜索太频繁" in limited.json()["detail"]
    finally:
        p.close()


def test_a_rebuild_restores_the_index(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from publisher.rebuild import rebuild
    from publisher.search.models import SearchEntry, SearchTerm
    from publisher.site import Site

    p = Pipeline(Settings(data_dir=tmp_path / "var", _env_file=None))  # type: ignore[call-arg]
    try:
        p.unit("qingshan", "青山县经济和信息化局", "county")
        county, admin = p.user("王晓明", unit="qingshan"), p.user("孙伟", role="admin")
        p.upload(county, title="青山县召开工业经济运行分析会", body="会议部署四季度重点工作。")
        assert send_document(p, admin, POLICY).status_code == 202
        p.settle()
        with p.ctx.db.transaction() as session:  # as a site published before search existed
            session.execute(sa.delete(SearchTerm))
            session.execute(sa.delete(SearchEntry))
        assert search(p, "分析会") == [] and search(p, "技术改造") == []
        rebuild(Site(p.ctx), p.ctx.db)
        assert [r["title"] for r in search(p, "分析会")] == ["青山县召开工业经济运行分析会"]
        assert [r["title"] for r in search(p, "技术改造")] == [POLICY["title"]]
    finally:
        p.close()
