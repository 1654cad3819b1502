"""Columns are configuration: a commission adds a column by the columns file alone, and a file
that would break the site stops Baosong at start with a message that says what to fix."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from publisher.rebuild import rebuild
from publisher.site import Site
from services.columns import DEFAULT_PATH, ColumnsError
from services.settings import PACKAGE_ROOT, Settings
from tests.support import Pipeline, article

ZJTX = """
[[column]]
id = "zjtx"
order = 35
name = "专精特新"
description = "专精特新中小企业的创新与成长"
kind = "news"
senders = ["enterprise"]
"""


def columns_file(tmp_path: Path, extra: str = "", drop: str = "") -> Path:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    if drop:  # the [[column]] whose id is ``drop`` leaves the file
        blocks = text.split("[[column]]")
        text = "[[column]]".join(b for b in blocks if f'id = "{drop}"' not in b)
    text = text.replace("[defaults]", extra + "\n[defaults]")
    path = tmp_path / "columns.toml"
    path.write_text(text, encoding="utf-8")
    return path


def settings_with(tmp_path: Path, columns: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", columns=columns,  # type: ignore[call-arg]
                    _env_file=None)


def desk_of(p: Pipeline, token: str) -> str:
    browser = TestClient(p.app)
    form = browser.get("/login").text
    nonce = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    answer = browser.post("/login", data={"token": token, "csrf": nonce},
                          follow_redirects=False)
    assert answer.status_code == 303
    return browser.get("/desk").text


def test_a_commission_adds_a_column_for_enterprises_by_the_file_alone(tmp_path: Path) -> None:
    p = Pipeline(settings_with(tmp_path, columns_file(tmp_path, ZJTX)))
    try:
        p.unit("huayuan", "华远机械股份有限公司", "enterprise")
        p.unit("qingshan", "青山县经济和信息化局", "county")
        enterprise = p.user("陈静", unit="huayuan")
        county = p.user("王晓明", unit="qingshan")

        refused = p.upload(county, title="青山县专精特新企业培育情况", body=article(2),
                           extra={"column": "zjtx"})
        assert refused.status_code == 403
        assert "「专精特新」栏目只接受企业报送" in refused.json()["detail"]

        sent = p.upload(enterprise, title="华远机械获评国家级专精特新小巨人", body=article(1),
                        extra={"column": "zjtx"})
        assert sent.status_code == 202, sent.text
        p.settle()
        sid = sent.json()["id"]
        assert p.get(f"/api/submissions/{sid}", enterprise).json()["status"] == "published"

        listing = p.client.get("/site/columns/zjtx/")
        assert listing.status_code == 200
        assert "专精特新" in listing.text and "华远机械获评国家级专精特新小巨人" in listing.text
        article_page = p.client.get(f"/site/articles/{sid}.html").text
        assert 'href="../columns/zjtx/index.html">专精特新' in article_page
        home = p.client.get("/site/").text
        nav = home[home.index("<nav"):home.index("</nav>")]
        # in the navigation, in its order: after 企业风采 (30), before 政策解读 (40)
        assert nav.index("企业风采") < nav.index('href="columns/zjtx/index.html"') \
            < nav.index("政策解读")
        assert 'href="../columns/zjtx/index.html">专精特新' in p.client.get(
            "/site/mailbox/index.html").text  # the pages other modules write too
        assert "华远机械获评国家级专精特新小巨人" in p.client.get(
            "/site/columns/zjtx/feed.atom").text
        assert 'href="columns/zjtx/index.html">专精特新' in p.client.get(
            "/site/sitemap.html").text
        assert "专精特新</a>：专精特新中小企业的创新与成长（只接受企业报送）" in p.client.get(
            "/site/guide.html").text
        listed = {c["id"]: c for c in p.get("/api/columns", enterprise).json()}
        assert listed["zjtx"]["senders"] == ["enterprise"] and listed["zjtx"]["kind"] == "news"
        assert '<option value="zjtx">专精特新</option>' in desk_of(p, enterprise)
        assert 'value="zjtx"' not in desk_of(p, county)

        root = p.ctx.settings.data_dir / "objects" / p.ctx.settings.site_bucket
        published = {f.relative_to(root).as_posix(): f.read_bytes()
                     for f in root.rglob("*") if f.is_file()}
        done = rebuild(Site(p.ctx), p.ctx.db)
        rebuilt = {f.relative_to(root).as_posix(): f.read_bytes()
                   for f in root.rglob("*") if f.is_file()}
        assert done.removed == []
        assert sorted(rebuilt) == sorted(published)
        assert [key for key in rebuilt if rebuilt[key] != published[key]] == []
    finally:
        p.close()


def test_removing_a_column_that_items_are_in_refuses_to_start(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, columns_file(tmp_path, ZJTX))
    p = Pipeline(settings)
    try:
        p.unit("huayuan", "华远机械股份有限公司", "enterprise")
        enterprise = p.user("陈静", unit="huayuan")
        assert p.upload(enterprise, title="华远机械新品发布", body=article(3),
                        extra={"column": "zjtx"}).status_code == 202
        p.settle()
    finally:
        p.close()
    columns_file(tmp_path)  # the same file without 专精特新
    with pytest.raises(ColumnsError, match="栏目 zjtx 中已有稿件，不能从栏目配置中删除"):
        Pipeline(settings)


@pytest.mark.parametrize(("extra", "drop", "says"), [
    ('[[column]]\nid = "work"\norder = 70\nname = "又一个工作动态"\n', "", "栏目 id「work」重复"),
    ('[[column]]\nid = "video"\norder = 70\nname = "视频"\nkind = "video"\n', "",
     "栏目「video」的类型 kind「video」未知"),
    ("", "county", "[defaults] 的 county 指向不存在的栏目「county」"),
])
def test_the_command_line_refuses_to_start_on_a_broken_columns_file(
        tmp_path: Path, extra: str, drop: str, says: str) -> None:
    path = columns_file(tmp_path, extra, drop)
    env = {**os.environ, "BAOSONG_COLUMNS": str(path), "BAOSONG_DATA_DIR": str(tmp_path / "var")}
    env.pop("BAOSONG_DATABASE_URL", None)
    run = subprocess.run([sys.executable, "-m", "entrypoints", "migrate"], env=env,
                         cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith("无法启动：栏目配置文件") and says in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_a_column_added_to_a_running_site_gets_its_page_before_the_home_page_links_it(
        tmp_path: Path) -> None:
    p = Pipeline(settings_with(tmp_path, DEFAULT_PATH))
    try:
        p.unit("office", "市经信委办公室", "department")
        informant = p.user("孙伟", unit="office")
        assert p.upload(informant, title="全市工业经济运行情况", body=article(4)).status_code == 202
        p.settle()
    finally:
        p.close()
    p = Pipeline(settings_with(tmp_path, columns_file(tmp_path, ZJTX)))
    try:
        informant = p.user("李娜", unit="office")
        assert p.upload(informant, title="市经信委召开专题会议", body=article(5)).status_code == 202
        p.settle()
        assert 'href="columns/zjtx/index.html"' in p.client.get("/site/").text
        assert p.client.get("/site/columns/zjtx/").status_code == 200
    finally:
        p.close()
