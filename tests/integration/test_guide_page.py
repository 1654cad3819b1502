"""The informants' guide (报送须知) is written from the rules file scoring reads and the column
settings: a number changed in the file is the number on the page."""

from __future__ import annotations

from pathlib import Path

from services.settings import PACKAGE_ROOT, Settings
from tests.support import Pipeline, photo


def test_the_guide_shows_the_rules_files_numbers(tmp_path: Path) -> None:
    text = (PACKAGE_ROOT / "scoring" / "default_rules.toml").read_text(encoding="utf-8")
    changed = text.replace('version = "2026.2"', 'version = "2026.9-测试"').replace(
        "[quota.county]\narticles = 2", "[quota.county]\narticles = 7").replace(
        "national = 10\n", "national = 13\n", 1)
    assert changed.count("articles = 7") == 1 and "national = 13" in changed
    rules = tmp_path / "rules.toml"
    rules.write_text(changed, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "var", rules=rules,
                        _env_file=None)  # type: ignore[call-arg]
    p = Pipeline(settings)
    try:
        p.unit("qingshan", "青山县经济和信息化局", "county")
        informant = p.user("王晓明", unit="qingshan")
        p.upload(informant, kind="photo", title="青山县工业园区新貌", photos=[photo(seed=3)],
                 captions=["园区全景"])
        p.settle()  # the first publication writes the site's fixed pages, the guide among them
        home = p.client.get("/site/").text
        assert 'href="guide.html">报送须知' in home
        assert 'href="guide.html">报送须知' in p.client.get("/site/sitemap.html").text
        guide = p.client.get("/site/guide.html")
        assert guide.status_code == 200
        page = guide.text
        assert "<tr><td>县区</td><td>7</td><td>3（超过 5 张不再计入）</td></tr>" in page
        assert "<tr><td>被国家级媒体采用（只计最高一级）</td><td>13</td></tr>" in page
        assert "积分规则版本：2026.9-测试" in page
        for column in ("工作动态", "县区动态", "企业风采", "政策解读", "企业文化", "图片新闻"):
            assert column in page, column
    finally:
        p.close()
