"""The portal end to end: ``baosong up`` with the site in an S3 bucket, nginx serving the bucket
directly with the deploy config, items published in every column over HTTP, one retracted. Then
every page is checked the way the national website inspection would, and looked at in Chromium
on a phone and on a desktop."""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import html5lib
import httpx
import pytest
from minio import Minio
from PIL import Image

from tests.documents_support import POLICY, pdf_bytes, xlsx_bytes
from tests.e2e.portal_harness import (
    BAOSONG,
    REPO,
    Crawl,
    baosong,
    crawl,
    nginx_binary,
    nginx_config,
    running,
    wait_for,
)
from tests.support import article, free_port, gps_exif, photo, s3_settings, wait_until

pytestmark = pytest.mark.e2e

SHOTS = REPO / "test-results" / "screenshots"


@dataclass
class Portal:
    web: str  # nginx, in front of everything
    api: str  # the API process itself
    ids: dict[str, int]  # a name for each published item -> its submission id
    document: int  # a published document with a PDF
    retracted: int
    retracted_photos: list[str]
    listed_before: set[str]  # the pages, feeds and sitemaps that listed it before
    site_bucket: str
    settings: dict[str, Any]
    nginx_log: Path  # what nginx wrote on its standard output: its access log


def _upload(client: httpx.Client, token: str, *, kind: str = "article", title: str,
            body: str = "", column: str | None = None,
            photos: list[tuple[bytes, str]] | None = None) -> int:
    data = {"kind": kind, "title": title, "body": body}
    if column:
        data["column"] = column
    files = [("photos", (f"p{n}.jpg", content, "image/jpeg"))
             for n, (content, _) in enumerate(photos or [])]
    if photos:
        data["captions"] = [caption for _, caption in photos]  # type: ignore[assignment]
    response = client.post("/api/submissions", data=data, files=files or None,
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def _status(client: httpx.Client, token: str, sid: int) -> str:
    response = client.get(f"/api/submissions/{sid}", headers={"Authorization": f"Bearer {token}"})
    return str(response.json()["status"])


def _publish_everything(client: httpx.Client, tokens: dict[str, str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for n in range(6):  # enough for archive pages (two items a page); no two texts alike
        ids[f"county-{n}"] = _upload(client, tokens["qingshan"], body=article(n),
                                     title=f"青山县工业经济运行分析会第{n}次")
    ids["county-photo"] = _upload(client, tokens["linjiang"], body=article(6),
                                  title="临江区新增省级专精特新企业12家",
                                  photos=[(photo(seed=1), "企业生产车间"),
                                          (photo(seed=2, size=(1200, 1600)), "智能生产线")])
    ids["work"] = _upload(client, tokens["office"], title="市经信委召开全市工业和信息化工作推进会",
                          body=article(7))
    ids["policy"] = _upload(client, tokens["office"], column="policy",
                            title="《关于加快推进制造业数字化转型的实施意见》政策解读",
                            body=article(8))
    ids["enterprise"] = _upload(client, tokens["huayuan"], title="华远机械新一代数控机床成功下线",
                                body=article(9),
                                photos=[(photo(seed=3, exif=gps_exif(orientation=6)), "新机床")])
    ids["culture"] = _upload(client, tokens["huayuan"], column="culture",
                             title="书法作品《厚德载物》", body="华远机械职工书法作品，行书。",
                             photos=[(photo(seed=4, size=(900, 1400)), "行书《厚德载物》")])
    ids["photo"] = _upload(client, tokens["linjiang"], kind="photo", title="临江大桥主体结构合龙",
                           photos=[(photo(seed=5, exif=gps_exif(orientation=8)), "大桥合龙现场"),
                                   (photo(seed=6, mode="CMYK"), "夜景")])
    ids["flagged"] = _upload(client, tokens["huayuan"], title="华远机械招商推介会在京举行",
                             body="推介会详情请咨询 0571-88776655。")
    wait_until(lambda: _status(client, tokens["moderator"], ids["flagged"]) == "flagged",
               timeout=60, what="the flagged item")
    approved = client.post(f"/api/moderation/{ids['flagged']}/decision",
                           json={"action": "approve"},
                           headers={"Authorization": f"Bearer {tokens['moderator']}"})
    assert approved.status_code == 200, approved.text
    for name, sid in ids.items():
        wait_until(lambda sid=sid: _status(client, tokens["moderator"], sid) == "published",
                   timeout=90, what=f"{name} published")
    return ids


def _publish_government_pages(client: httpx.Client, admin: str) -> int:
    """A document with a PDF, a meeting notice and a year's 工业五十强: the new page types."""
    auth = {"Authorization": f"Bearer {admin}"}
    sent = client.post("/api/documents", data=POLICY, headers=auth, files=[
        ("attachments", ("技术改造专项资金管理办法.pdf", pdf_bytes(), "application/pdf"))])
    assert sent.status_code == 202, sent.text
    document = int(sent.json()["id"])
    notice = client.post("/api/documents", headers=auth, data={
        "kind": "notice", "title": "关于召开全市工业经济运行调度会的通知",
        "starts": "2026-12-20T09:00",
        "place": "市政府第三会议室", "register_by": "2026-12-18T17:00", "units": "qingshan"})
    assert notice.status_code == 202, notice.text
    listed = client.post("/api/features", headers=auth, data={"list": "top50", "year": "2025"},
                         files={"file": ("五十强.xlsx", xlsx_bytes([
                             ["排名", "企业名称", "产值（亿元）", "推荐理由"],
                             [1, "华远机械股份有限公司", 125.6, "智能制造示范企业"],
                             [2, "江南新材料科技有限公司", 98.2, "新材料产业链龙头"]]))})
    assert listed.status_code == 200, listed.text
    for sent_id in (document, int(notice.json()["id"])):
        wait_until(lambda sent_id=sent_id: client.get(f"/api/documents/{sent_id}", headers=auth)
                   .json()["status"] == "published", timeout=60, what="the documents published")
    return document


def allow_anonymous_reads(endpoint: str, bucket: str) -> None:
    """What ``mc anonymous set download`` does to the site bucket in a deployment. (moto checks
    a HEAD request against ``s3:HeadObject``, where S3 and MinIO check ``s3:GetObject``.)"""
    client = Minio(endpoint.removeprefix("http://"), "testing", "testing", secure=False)
    client.set_bucket_policy(bucket_name=bucket, policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]},
                       "Action": ["s3:GetObject", "s3:HeadObject"],
                       "Resource": [f"arn:aws:s3:::{bucket}/*"]}]}))


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[Portal]:
    work = tmp_path_factory.mktemp("portal")
    api_port, web_port = free_port(), free_port()
    web = f"http://127.0.0.1:{web_port}"
    store = s3_settings(s3_endpoint)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BAOSONG_")},
           "BAOSONG_DATA_DIR": str(work / "var"), "BAOSONG_HOST": "127.0.0.1",
           "BAOSONG_PORT": str(api_port), "BAOSONG_PUBLIC_URL": web, "BAOSONG_PAGE_SIZE": "2",
           "BAOSONG_LOG_LEVEL": "WARNING", "BAOSONG_POLL_SECONDS": "0.05",
           **{f"BAOSONG_{k.upper()}": str(v) for k, v in store.items()}}
    tokens = {}
    for slug, name, kind, site in (
            ("qingshan", "青山县经济和信息化局", "county", "http://qingshan.example.gov.cn"),
            ("linjiang", "临江区经济和信息化局", "county", "http://linjiang.example.gov.cn"),
            ("huayuan", "华远机械股份有限公司", "enterprise", "http://www.huayuan.example.com"),
            ("office", "市经信委办公室", "department", None)):
        baosong(env, "units", "add", slug, "--name", name, "--kind", kind,
                *(["--site", site] if site else []))
        tokens[slug] = baosong(env, "users", "add", f"{slug}信息员", "--role", "informant",
                               "--unit", slug).strip().splitlines()[-1]
    tokens["moderator"] = baosong(env, "users", "add", "周敏", "--role",
                                  "moderator").strip().splitlines()[-1]
    tokens["admin"] = baosong(env, "users", "add", "孙伟", "--role",
                              "admin").strip().splitlines()[-1]
    allow_anonymous_reads(s3_endpoint, store["site_bucket"])
    main = nginx_config(work, web_port, s3_endpoint.removeprefix("http://"),
                        store["site_bucket"], f"127.0.0.1:{api_port}")
    with running([str(BAOSONG), "up"], env, work / "baosong.log"), \
            running([nginx_binary(), "-c", str(main), "-g", "daemon off;"], env,
                    work / "nginx.log"):
        wait_for(f"http://127.0.0.1:{api_port}/healthz")
        wait_for(f"{web}/healthz")  # through nginx
        with httpx.Client(base_url=web, timeout=30) as client:
            ids = _publish_everything(client, tokens)
            document = _publish_government_pages(client, tokens["admin"])
            lead = client.post(f"/api/submissions/{ids['county-photo']}/lead",
                               headers={"Authorization": f"Bearer {tokens['moderator']}"})
            assert lead.status_code == 200
            retracted = ids.pop("enterprise")
            before = crawl(web)
            page = before.html_pages()[f"articles/{retracted}.html"]
            photos = sorted(set(re.findall(r"(photos/[\w/-]+\.jpg)", page)))
            listed = {path for path, body in before.pages.items()
                      if f"articles/{retracted}.html".encode() in body and
                      path != f"articles/{retracted}.html"}
            answer = client.post(f"/api/submissions/{retracted}/retract",
                                 json={"reason": "数据有误，撤稿核实"},
                                 headers={"Authorization": f"Bearer {tokens['moderator']}"})
            assert answer.status_code == 200
            wait_until(lambda: client.get(f"/site/articles/{retracted}.html").status_code == 404,
                       timeout=60, what="the retracted page gone")
            wait_until(lambda: f"articles/{retracted}.html" not in client.get("/site/").text,
                       timeout=60, what="the home page re-rendered")
        yield Portal(web=web, api=f"http://127.0.0.1:{api_port}", ids=ids, document=document,
                     retracted=retracted,
                     retracted_photos=photos, listed_before=listed,
                     site_bucket=store["site_bucket"], settings=store,
                     nginx_log=work / "nginx.log")


@pytest.fixture(scope="module")
def site(portal: Portal) -> Crawl:
    return crawl(portal.web)


def test_every_page_is_valid_html_and_every_link_and_image_resolves(portal: Portal,
                                                                    site: Crawl) -> None:
    assert site.broken() == {}
    pages = site.html_pages()
    assert len(pages) > 25
    for path, text in pages.items():
        try:
            html5lib.HTMLParser(strict=True).parse(text)
        except html5lib.html5parser.ParseError as exc:
            raise AssertionError(f"{path}: {exc}") from exc
        assert '<html lang="zh-CN">' in text and "<script" not in text, path
    for column in ("work", "county", "enterprise", "policy", "culture", "photo"):
        assert f"columns/{column}/index.html" in site.pages or f"columns/{column}/" in site.pages
        feed = ET.fromstring(site.pages[f"columns/{column}/feed.atom"])
        assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    for name, sid in portal.ids.items():
        assert f"articles/{sid}.html" in site.pages, name
    assert "columns/county/page-1.html" in site.pages  # the archive is reachable
    for kind in ("documents", "forms", "notices", "features"):
        assert f"columns/{kind}/" in site.pages or f"columns/{kind}/index.html" in site.pages
    assert f"documents/{portal.document}.html" in site.pages
    assert "features/top50-2025.html" in site.pages and "features/top50-2025/1.html" in site.pages
    assert "sitemap.html" in site.pages and "guide.html" in site.pages  # 报送须知, from the footer
    assert site.external == {"http://qingshan.example.gov.cn", "http://linjiang.example.gov.cn",
                             "http://www.huayuan.example.com",
                             "https://zfwzzc.www.gov.cn/",  # 「我为政府网站找错」
                             f"{portal.web}/search"}  # the search page, from the site map


def test_nothing_in_the_bucket_is_out_of_reach_of_a_reader(portal: Portal, site: Crawl) -> None:
    client = Minio(portal.settings["s3_endpoint"].removeprefix("http://"), "testing", "testing",
                   secure=False)
    keys = {o.object_name for o in client.list_objects(portal.site_bucket, recursive=True)}
    reached = {unquote(path) if path and not path.endswith("/") else path + "index.html"
               for path in site.pages}  # a file's Chinese name is percent-encoded in its link
    assert keys - reached == {"404.html", "robots.txt"}


def test_no_published_image_carries_exif_or_gps(site: Crawl) -> None:
    images = {path: body for path, body in site.pages.items() if path.endswith(".jpg")}
    assert len(images) == 10  # web size and thumbnail of the five photos on the site
    for path, body in images.items():
        image = Image.open(io.BytesIO(body))
        assert image.format == "JPEG" and image.mode == "RGB", path
        assert image.getexif() == {}, path
        assert "exif" not in image.info and "icc_profile" not in image.info, path
        assert b"Exif\x00\x00" not in body and b"GPS" not in body, path


def test_the_retracted_item_has_vanished_everywhere(portal: Portal, site: Crawl) -> None:
    rid = portal.retracted
    assert {"index.html", f"articles/{portal.ids['county-5']}.html", "feed.atom",
            "sitemaps/articles-0.xml"} & portal.listed_before
    assert len(portal.listed_before) >= 6
    for path, body in site.pages.items():
        assert f"articles/{rid}.html".encode() not in body, path
    with httpx.Client(timeout=10) as client:
        for base in (f"{portal.web}/site/", f"{portal.api}/site/"):
            assert client.get(f"{base}articles/{rid}.html").status_code == 404
            assert portal.retracted_photos
            for key in portal.retracted_photos:
                assert client.get(base + key).status_code == 404, key
        status = client.get(f"{portal.web}/api/submissions/{rid}").status_code
        assert status == 401  # the API is behind the same door, and still asks who you are


def test_the_front_doors_access_log_shows_no_secret(portal: Portal) -> None:
    """The mailbox's lookup carries the writer's secret in its address (the interface fixes it
    so), and an old bookmark may carry a token, which the API refuses: nginx's access log keeps
    each request with those values marked out, two in one address included."""
    secret, token = "Q7PK2XW9", "bs_" + "x7" * 16
    with httpx.Client(base_url=portal.web, timeout=10) as client:
        lookup = client.get("/api/letters/lookup", params={"code": "20261207", "secret": secret})
        assert lookup.status_code == 404 and "查询码或密码" in lookup.json()["detail"]
        both = client.get("/api/columns", params={"token": token, "x": "1", "secret": secret})
        assert both.status_code == 400
        assert client.get("/api/columns").status_code == 200  # written after the two above

    def logged() -> str:
        return portal.nginx_log.read_text(encoding="utf-8", errors="replace")

    wait_until(lambda: '"GET /api/columns HTTP' in logged(), timeout=10, what="the access log")
    log = logged()
    assert "/api/letters/lookup?code=20261207&secret=[redacted] HTTP/1.1\" 404" in log
    assert "/api/columns?token=[redacted]&x=1&secret=[redacted] HTTP/1.1\" 400" in log
    assert secret not in log and token not in log


def test_nginx_serves_the_bucket_as_the_api_does(portal: Portal, site: Crawl) -> None:
    article = f"articles/{portal.ids['county-photo']}.html"
    with httpx.Client(timeout=10) as client:
        for path in ("", article, "columns/county/", "feed.atom", "sitemap.xml"):
            direct = client.get(f"{portal.api}/site/{path}")
            front = client.get(f"{portal.web}/site/{path}", headers={"Accept-Encoding": "identity"})
            assert front.status_code == direct.status_code == 200, path
            assert front.content == direct.content, path
            assert front.headers["content-type"] == direct.headers["content-type"], path
            assert front.headers["cache-control"] == direct.headers["cache-control"], path
            assert front.headers["etag"].strip('W/') == direct.headers["etag"], path
            again = client.get(f"{portal.web}/site/{path}",
                               headers={"If-None-Match": front.headers["etag"]})
            assert again.status_code == 304, path
        for base in (portal.web, portal.api):
            head = client.head(f"{base}/site/", headers={"Accept-Encoding": "identity"})
            assert head.status_code == 200 and head.content == b""
            assert int(head.headers["content-length"]) == len(site.pages[""])
        missing = client.get(f"{portal.web}/site/articles/0.html")
        assert missing.status_code == 404 and "页面不存在" in missing.text
        assert "x-amz-request-id" not in missing.headers
        # the processes' figures are for Prometheus on the inside network, not for readers
        assert client.get(f"{portal.api}/metrics").status_code == 200
        assert client.get(f"{portal.web}/metrics").status_code == 404
        assert client.post(f"{portal.web}/site/index.html").status_code == 405
        assert client.get(f"{portal.web}/site", follow_redirects=False).status_code == 308
        assert client.get(f"{portal.web}/site/.hidden").status_code == 404
        photo_path = next(p for p in site.pages if p.startswith("photos/"))
        photo_response = client.get(f"{portal.web}/site/{photo_path}")
        assert photo_response.headers["cache-control"] == "public, max-age=86400"
        assert "x-amz-request-id" not in photo_response.headers
        pdf = next(p for p in site.pages if p.startswith("files/") and p.endswith(".pdf"))
        for base in (portal.web, portal.api):
            download = client.get(f"{base}/site/{pdf}")
            assert download.status_code == 200 and download.content == pdf_bytes(), base
            assert download.headers["content-type"] == "application/pdf", base
            assert download.headers["content-disposition"].startswith("attachment"), base
            assert download.headers["x-content-type-options"] == "nosniff", base
        robots = client.get(f"{portal.web}/robots.txt")
        assert robots.status_code == 200 and "Sitemap:" in robots.text
        zipped = client.get(f"{portal.web}/site/", headers={"Accept-Encoding": "gzip"})
        assert zipped.headers.get("content-encoding") == "gzip"


# --- in the browser ---------------------------------------------------------------------------

LAYOUT = """() => {
  const box = (selector) => {
    const element = document.querySelector(selector);
    if (!element) return null;
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return {x: rect.x, y: rect.y, width: rect.width, height: rect.height,
            fontSize: parseFloat(style.fontSize), lineHeight: parseFloat(style.lineHeight),
            visible: style.visibility !== 'hidden' && style.display !== 'none' && rect.width > 0};
  };
  const images = [...document.images].filter(i => i.getBoundingClientRect().width > 0)
    .map(i => ({src: i.currentSrc, natural: i.naturalWidth, width: i.getBoundingClientRect().width,
                right: i.getBoundingClientRect().right}));
  const navLinks = [...document.querySelectorAll('.columns-nav a')].map(a => {
    const r = a.getBoundingClientRect(); return {width: r.width, height: r.height, right: r.right};
  });
  const blocks = [...document.querySelectorAll('.block')].map(b => b.getBoundingClientRect().x);
  const figures = [...document.querySelectorAll('.article-photo img')].map(i => {
    const r = i.getBoundingClientRect();
    return {width: r.width, height: r.height, ratio: i.naturalWidth / i.naturalHeight};
  });
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          brand: box('.brand'), nav: box('.columns-nav'), h1: box('main h1'),
          leadTitle: box('.lead h2'), leadPhoto: box('.lead-photo img'),
          body: box('.article-body p'), article: box('.article'),
          figure: box('.article-photo img'), strip: box('.strip-list'),
          images, navLinks, figures, blockColumns: new Set(blocks.map(x => Math.round(x))).size};
}"""


def _look(browser: Any, url: str, width: int, name: str) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page.goto(url, wait_until="load")
    page.evaluate("() => Promise.all([...document.images].map(i => i.decode().catch(() => 0)))")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    layout: dict[str, Any] = page.evaluate(LAYOUT)
    page.close()
    return layout


def _common_layout(layout: dict[str, Any], width: int) -> None:
    assert layout["innerWidth"] == width
    assert layout["scrollWidth"] <= width, "the page scrolls sideways"
    assert layout["brand"]["visible"] and layout["nav"]["visible"]
    for link in layout["navLinks"]:
        assert link["right"] <= width and link["height"] >= 36  # every column reachable, tappable
    for image in layout["images"]:
        assert image["natural"] > 0, image["src"]  # loaded
        assert image["right"] <= width + 0.5, image["src"]


@pytest.mark.parametrize("width", [390, 1440])
def test_the_home_page_lays_out_on_a_phone_and_a_desktop(portal: Portal, browser: Any,
                                                         width: int) -> None:
    layout = _look(browser, f"{portal.web}/site/", width, "home")
    _common_layout(layout, width)
    lead = layout["leadTitle"]
    assert lead["visible"] and lead["y"] < 900 * 1.2  # the lead is at the top
    assert 20 <= lead["fontSize"] <= 32
    photo_box = layout["leadPhoto"]
    assert photo_box["visible"] and photo_box["width"] >= min(width - 40, 400)
    assert layout["strip"]["visible"]
    if width < 600:
        assert layout["blockColumns"] == 1  # the columns stack on a phone
        assert lead["y"] > photo_box["y"]
    else:
        assert layout["blockColumns"] == 2
        assert abs(lead["y"] - photo_box["y"]) < photo_box["height"]  # side by side


@pytest.mark.parametrize("width", [390, 1440])
def test_an_article_page_lays_out_on_a_phone_and_a_desktop(portal: Portal, browser: Any,
                                                           width: int) -> None:
    url = f"{portal.web}/site/articles/{portal.ids['county-photo']}.html"
    layout = _look(browser, url, width, "article")
    _common_layout(layout, width)
    title, body, article = layout["h1"], layout["body"], layout["article"]
    assert title["visible"] and 20 <= title["fontSize"] <= 32
    assert body["fontSize"] >= 16 and body["lineHeight"] >= 1.6 * body["fontSize"]
    if width < 600:
        assert article["width"] >= width - 40  # the text uses the phone's width
    else:
        assert 600 <= article["width"] <= 800  # a line of about 40 characters, not 80
        assert abs((article["x"] + article["width"] / 2) - width / 2) < 20  # centred
    figure = layout["figure"]
    assert figure["visible"] and figure["width"] <= article["width"] + 0.5
    assert figure["width"] >= min(article["width"], 900) * 0.66
    assert len(layout["figures"]) == 2
    for shown in layout["figures"]:  # a portrait fits the screen, and nothing is squashed
        assert shown["height"] <= 900 * 0.8 + 1
        assert abs(shown["width"] / shown["height"] - shown["ratio"]) < 0.02


def test_home_and_article_pass_the_accessibility_checks(portal: Portal, browser: Any) -> None:
    axe = (REPO / "node_modules" / "axe-core" / "axe.min.js").read_text()
    for path in ("", f"articles/{portal.ids['county-photo']}.html", "columns/culture/",
                 f"documents/{portal.document}.html", "columns/documents/", "columns/notices/",
                 "features/top50-2025.html", "features/top50-2025/1.html", "sitemap.html",
                 "guide.html", "../search?q=工业"):
        # the pages forbid scripts (Content-Security-Policy): let the checker in all the same
        page = browser.new_page(viewport={"width": 1440, "height": 900}, bypass_csp=True)
        page.goto(f"{portal.web}/site/{path}")
        page.add_script_tag(content=axe)
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                                           nodes: v.nodes.map(n => n.target.join(' '))}));
        }""")
        page.close()
        assert result == [], json.dumps(result, ensure_ascii=False)
