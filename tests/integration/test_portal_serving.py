"""``/site/`` served from the site store, the folder and the S3 bucket alike: content types,
ETag revalidation, caching, HEAD, redirects for folders, and the 404 page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.settings import Settings
from tests.conftest import City
from tests.support import Pipeline, photo, s3_settings

TEXT = "前三季度全县规模以上工业增加值同比增长8.2%，高于全市平均水平。"


def publish_one(p: Pipeline, token: str) -> tuple[int, str]:
    sid = p.upload(token, title="青山县召开工业经济运行分析会", body=TEXT, photos=[photo(seed=1)],
                   captions=["会议现场"]).json()["id"]
    p.settle()
    page = p.client.get(f"/site/articles/{sid}.html").text
    found = re.search(r'src="\.\./(photos/[^"]+-web\.jpg)"', page)
    assert found is not None
    return sid, found.group(1)


def check_serving(p: Pipeline, sid: int, photo_key: str) -> None:
    expected = {
        "": "text/html; charset=utf-8",
        f"articles/{sid}.html": "text/html; charset=utf-8",
        "columns/county/": "text/html; charset=utf-8",
        "feed.atom": "application/atom+xml; charset=utf-8",
        "sitemap.xml": "application/xml; charset=utf-8",
        photo_key: "image/jpeg",
    }
    for path, content_type in expected.items():
        response = p.client.get(f"/site/{path}")
        assert response.status_code == 200, path
        assert response.headers["content-type"] == content_type, path
        assert response.headers["x-content-type-options"] == "nosniff"
        etag = response.headers["etag"]
        again = p.client.get(f"/site/{path}", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", path
        assert again.headers["etag"] == etag
    page = p.client.get(f"/site/articles/{sid}.html")
    assert page.headers["cache-control"] == "public, max-age=60"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert p.client.get(f"/site/{photo_key}").headers["cache-control"] == "public, max-age=86400"
    css = re.search(r'href="\.\./(assets/site-\w+\.css)"', page.text)
    assert css is not None
    styled = p.client.get(f"/site/{css.group(1)}")
    assert styled.headers["content-type"] == "text/css; charset=utf-8"
    assert styled.headers["cache-control"] == "public, max-age=31536000, immutable"
    head = p.client.head(f"/site/articles/{sid}.html")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(page.content)
    missing = p.client.get("/site/articles/99999.html")
    assert missing.status_code == 404 and "页面不存在" in missing.text
    assert missing.headers["content-type"] == "text/html; charset=utf-8"


def test_the_site_is_served_from_the_folder_store(city: City) -> None:
    sid, photo_key = publish_one(city.pipeline, city.informant)
    check_serving(city.pipeline, sid, photo_key)


def test_the_site_is_served_from_an_s3_bucket(s3_endpoint: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", _env_file=None,  # type: ignore[call-arg]
                        **s3_settings(s3_endpoint))
    p = Pipeline(settings)
    try:
        p.unit("qingshan", "青山县经济和信息化局", "county")
        sid, photo_key = publish_one(p, p.user("王晓明", unit="qingshan"))
        assert p.ctx.site.stat(f"articles/{sid}.html").content_type == "text/html; charset=utf-8"
        check_serving(p, sid, photo_key)
    finally:
        p.close()


@pytest.mark.parametrize("path", ["../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd",
                                  "photos/.tmp-x", ".env", "articles//1.html"])
def test_no_path_reaches_outside_the_site_or_hidden_files(city: City, path: str) -> None:
    (city.pipeline.ctx.settings.data_dir / "objects" / "baosong-site").mkdir(parents=True,
                                                                            exist_ok=True)
    city.pipeline.ctx.site.put_bytes("photos/.tmp-x", b"half written", "image/jpeg")
    assert city.pipeline.client.get(f"/site/{path}").status_code == 404


def test_folders_are_redirected_to_their_slash_so_relative_links_work(city: City) -> None:
    p = city.pipeline
    publish_one(p, city.informant)
    root = p.client.get("/site", follow_redirects=False)
    assert root.status_code == 308 and root.headers["location"] == "/site/"
    folder = p.client.get("/site/columns/county", follow_redirects=False)
    assert folder.status_code == 308 and folder.headers["location"] == "/site/columns/county/"
    assert p.client.get("/", follow_redirects=True).url.path == "/site/index.html"
