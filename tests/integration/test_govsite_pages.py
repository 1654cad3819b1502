"""What a government site must carry: the footer's identifiers (settings), an HTML site map,
robots.txt at the root, feed categories labelled in Chinese, photo news entries with their
image."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from services.settings import Settings
from tests.support import Pipeline, photo

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_footer_site_map_robots_and_feeds(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", _env_file=None,  # type: ignore[call-arg]
                        site_sponsor="某市经济和信息化委员会", site_identifier="1234000001",
                        site_icp="京ICP备12345678号-1",
                        site_police_record="京公网安备11010502030001号",
                        site_contact="0571-88776655", site_address="某市人民路1号",
                        site_dzjg_url="https://bszs.conac.cn/sitename?method=show&id=1")
    p = Pipeline(settings)
    try:
        p.unit("qingshan", "青山县经济和信息化局", "county")
        informant = p.user("王晓明", unit="qingshan")
        p.upload(informant, kind="photo", title="青山县工业园区新貌", photos=[photo(seed=3)],
                 captions=["园区全景"])
        p.settle()
        home = p.client.get("/site/").text
        for expected in ("主办单位：某市经济和信息化委员会", "网站标识码：1234000001",
                         'href="https://beian.miit.gov.cn/"', "京ICP备12345678号-1",
                         "beian.mps.gov.cn/#/query/webSearch?code=11010502030001",
                         "党政机关网站标识", "我为政府网站找错", "某市人民路1号",
                         'href="sitemap.html">网站地图', 'action="/search"'):
            assert expected in home, expected
        site_map = p.client.get("/site/sitemap.html").text
        for expected in ("工作动态", "文件公开", "表格下载", "会议通知", "重点企业专题",
                         "units/qingshan/index.html"):
            assert expected in site_map, expected
        robots = p.client.get("/robots.txt")
        assert robots.status_code == 200 and robots.text == p.client.get("/site/robots.txt").text
        feed = ET.fromstring(p.client.get("/site/feed.atom").content)
        entry = feed.find(f"{ATOM}entry")
        assert entry is not None
        category = entry.find(f"{ATOM}category")
        assert category is not None and category.get("label") == "图片新闻"
        enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")
        assert enclosure is not None and enclosure.get("type") == "image/jpeg"
        image = enclosure.get("href", "").split("/site/", 1)[1]
        assert p.client.get(f"/site/{image}").headers["content-type"] == "image/jpeg"
    finally:
        p.close()
