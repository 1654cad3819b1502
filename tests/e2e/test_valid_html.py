"""The W3C's Nu HTML validator (vnu) finds no error on any page type the portal publishes: one
page of each, written by the real pipeline, checked in one run of the validator (its JVM takes
seconds to start)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from services.settings import Settings
from tests.documents_support import POLICY, docx_bytes, pdf_bytes, send_document, xlsx_bytes
from tests.support import Pipeline, article, photo

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FEATURES = [["排名", "企业名称", "产值（亿元）", "税收（亿元）", "推荐理由"],
            [1, "华远机械股份有限公司", 125.6, 8.3, "智能制造示范企业"]]


def vnu_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """Every error vnu finds in ``pages`` (name: HTML), as "name:line: message"."""
    files = []
    for name, html in pages.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).stem}:{m.get('lastLine', '?')}: {m['message']}"
            for m in messages if m["type"] in ("error", "non-document-error")]


def test_vnu_finds_no_error_on_any_published_page_type(tmp_path: Path) -> None:
    assert VNU.exists(), "make browser installs the validator (npm vnu-jar)"
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)  # type: ignore[call-arg]
    p = Pipeline(settings)
    try:
        p.unit("qingshan", "青山县经济和信息化局", "county", "http://qingshan.example.gov.cn")
        p.unit("huayuan", "华远机械股份有限公司", "enterprise", "http://huayuan.example.com")
        informant = p.user("王晓明", unit="qingshan")
        enterprise = p.user("陈静", unit="huayuan")
        admin = p.user("孙伟", role="admin")
        news = p.upload(informant, title="青山县召开工业经济运行分析会", body=article(1)).json()
        pictures = p.upload(enterprise, kind="photo", title="华远机械新车间投产",
                            photos=[photo(seed=2)], captions=["车间全景"]).json()
        document = send_document(p, admin, POLICY, [("管理办法.pdf", pdf_bytes()),
                                                    ("申报表.docx", docx_bytes())]).json()
        starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=9)
        notice = send_document(p, admin, {
            "kind": "notice", "title": "关于召开全市工业经济运行调度会的通知",
            "issuer": "市经信委运行处", "body": "请各受邀单位按时参会。",
            "starts": starts.isoformat(), "place": "市政府第三会议室",
            "attendees": "各县（市、区）经信局分管负责同志",
            "register_by": (starts - dt.timedelta(days=2)).isoformat(),
            "units": "qingshan"}).json()
        p.settle()
        answer = p.client.post("/api/features", data={"list": "top50", "year": "2025"},
                               files={"file": ("2025.xlsx", xlsx_bytes(FEATURES),
                                               "application/octet-stream")},
                               headers={"Authorization": f"Bearer {admin}"})
        assert answer.status_code == 200, answer.text
        p.settle()
        paths = {
            "home": "/site/index.html", "column": "/site/columns/county/index.html",
            "gallery": "/site/columns/photo/index.html",
            "article": f"/site/articles/{news['id']}.html",
            "photo": f"/site/articles/{pictures['id']}.html",
            "unit": "/site/units/qingshan/index.html",
            "document": f"/site/documents/{document['id']}.html",
            "documents": "/site/columns/documents/index.html",
            "notice": f"/site/documents/{notice['id']}.html",
            "notices": "/site/columns/notices/index.html",
            "features": "/site/columns/features/index.html",
            "feature-list": "/site/features/top50-2025.html",
            "feature-enterprise": "/site/features/top50-2025/1.html",
            "search": "/search?q=工业经济", "sitemap": "/site/sitemap.html",
            "guide": "/site/guide.html", "not-found": "/site/no-such-page.html",
        }
        pages = {}
        for name, path in paths.items():
            response = p.client.get(path)
            assert response.status_code == (404 if name == "not-found" else 200), path
            pages[name] = response.text
        assert "工业经济" in pages["search"] and "管理办法.pdf" in pages["document"]
    finally:
        p.close()
    # a page known to be broken rides along: the validator did run and read every file
    pages["control"] = "<!doctype html><html lang=zh-CN><title>x</title><p><div>坏</p>"
    errors = vnu_errors(pages, tmp_path)
    assert errors and all(e.startswith("control:") for e in errors), errors
