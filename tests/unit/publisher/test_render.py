"""Pages, feeds and sitemaps rendered from plain data: valid, safe, Chinese, relative links."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import html5lib
import pytest

from publisher.paging import Paging
from publisher.render import (
    HomeBlock,
    ItemView,
    Listing,
    PhotoView,
    Renderer,
    UnitView,
    body_html,
    summary,
)
from services.columns import load

COLUMNS = load()  # the shipped columns

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
WHEN = dt.datetime(2024, 11, 20, 2, 30, tzinfo=dt.UTC)  # 10:30 in Shanghai
QINGSHAN = UnitView("qingshan", "青山县经济和信息化局", "county", "http://qingshan.example.gov.cn")
PHOTO = PhotoView(web="photos/7/abc-0-web.jpg", thumb="photos/7/abc-0-thumb.jpg", width=1200,
                  height=900, thumb_width=400, thumb_height=300, caption="会议现场")


def item(n: int = 7, **changes: object) -> ItemView:
    fields: dict[str, object] = dict(
        id=n, title=f"青山县召开工业经济运行分析会{n}", column="county", kind="article",
        unit=QINGSHAN, informant_name="王晓明", published_at=WHEN, updated_at=WHEN,
        timezone="Asia/Shanghai", body="前三季度全县工业增加值增长8.2%。\n会议要求狠抓落实。",
        photos=(PHOTO,))
    fields.update(changes)
    return ItemView(**fields)  # type: ignore[arg-type]


@pytest.fixture
def renderer() -> Renderer:
    return Renderer("市经济和信息化委员会", "https://jxw.example.gov.cn/site/", columns=COLUMNS)


def valid_html(page: bytes) -> str:
    text = page.decode("utf-8")
    html5lib.HTMLParser(strict=True).parse(text)  # raises on any parse error
    return text


def test_an_article_page_shows_everything_a_reader_needs(renderer: Renderer) -> None:
    page = valid_html(renderer.article(item(), COLUMNS["county"], older=item(3, title="较早一篇"),
                                       newer=None))
    assert '<html lang="zh-CN">' in page
    for text in ("青山县召开工业经济运行分析会7", "来源：", "青山县经济和信息化局",
                 "信息员：王晓明", "2024-11-20 10:30", "<p>前三季度全县工业增加值增长8.2%。</p>",
                 "<figcaption>会议现场</figcaption>", "较早一篇", "下一篇：<span>没有了</span>"):
        assert text in page, text
    assert 'href="../articles/3.html" rel="prev"' in page
    assert 'href="../units/qingshan/index.html"' in page
    assert 'srcset="../photos/7/abc-0-thumb.jpg 400w, ../photos/7/abc-0-web.jpg 1200w"' in page
    assert 'width="1200" height="900"' in page
    assert '<link rel="canonical" href="https://jxw.example.gov.cn/site/articles/7.html">' in page
    assert "<script" not in page and "http://fonts" not in page and "cdn" not in page.lower()


def test_an_html_body_is_sanitised_and_plain_text_becomes_paragraphs() -> None:
    dirty = '<p onclick="x()">好<script>alert(1)</script><a href="http://ad.example">广告</a></p>'
    cleaned = str(body_html(dirty))
    assert "<script" not in cleaned and "onclick" not in cleaned and "href" not in cleaned
    assert str(body_html("第一段 1<2\n\n第二段<b>重点</b>")) == \
        "<p>第一段 1&lt;2</p><p>第二段<b>重点</b></p>"
    assert "\x00" not in str(body_html("坏\x00字符\ud800"))


def test_a_summary_is_the_first_words_as_plain_text() -> None:
    assert summary("<p>一&amp;二</p><p>三</p>") == "一&二 三"
    assert summary("长" * 200).endswith("…") and len(summary("长" * 200)) == 111


def test_listing_pages_link_their_pages_relatively(renderer: Renderer) -> None:
    column = Listing("column", "county", "县区动态", "各县（市、区）的工作信息")
    links = Paging(20).archive_links(3, last_page=9)
    page = valid_html(renderer.listing(column, [item(9), item(8)], links, page=3))
    assert '<a href="../../articles/9.html">' in page
    assert 'href="page-4.html" rel="prev"' in page and 'href="index.html">最新' in page
    assert "第3页" in page
    empty = valid_html(renderer.listing(column, [], [], page=None))
    assert "本栏目正在更新" in empty


def test_the_art_gallery_shows_works_whole(renderer: Renderer) -> None:
    culture = Listing("column", "culture", "企业文化", "书法、绘画、摄影",
                      column=COLUMNS["culture"])
    page = valid_html(renderer.listing(culture, [item(5, column="culture")], [], page=None))
    assert 'class="gallery gallery-art"' in page
    assert 'src="../../photos/7/abc-0-thumb.jpg"' in page


def test_the_home_page_has_lead_strip_columns_and_unit_sites(renderer: Renderer) -> None:
    blocks = [HomeBlock(c, [item(1)] if c.id == "county" else []) for c in COLUMNS]
    page = valid_html(renderer.home(item(1, title="头条新闻"), blocks, [item(2)],
                                    [("县（市、区）经信局网站", [QINGSHAN])]))
    assert '<section class="lead">' in page and "头条新闻" in page
    assert 'href="http://qingshan.example.gov.cn" rel="external noopener"' in page
    assert page.count('class="block"') == len(COLUMNS)
    assert 'href="articles/1.html"' in page


def test_the_404_page_links_from_the_site_path_so_it_works_at_any_depth(
        renderer: Renderer) -> None:
    page = valid_html(renderer.not_found("/site/"))
    assert 'href="/site/index.html"' in page and 'href="/site/assets/site-' in page


def test_an_atom_feed_is_well_formed_with_absolute_links(renderer: Renderer) -> None:
    feed = ET.fromstring(renderer.feed("columns/county/feed.atom", "县区动态 <&>",
                                       "columns/county/index.html", [item(7), item(6)], WHEN))
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "县区动态 <&>"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        "https://jxw.example.gov.cn/site/articles/7.html",
        "https://jxw.example.gov.cn/site/articles/6.html"]
    assert entries[0].findtext(f"{ATOM}published") == "2024-11-20T10:30:00+08:00"
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == "https://jxw.example.gov.cn/site/columns/county/feed.atom"


def test_sitemaps_list_absolute_addresses(renderer: Renderer) -> None:
    urlset = ET.fromstring(renderer.sitemap([("articles/1.html", "2024-11-20"), ("", None)]))
    locs = [u.findtext(f"{SITEMAP}loc") for u in urlset.findall(f"{SITEMAP}url")]
    assert locs == ["https://jxw.example.gov.cn/site/articles/1.html",
                    "https://jxw.example.gov.cn/site/"]
    index = ET.fromstring(renderer.sitemap_index([("sitemaps/articles-0.xml", "2024-11-20")]))
    assert index.tag == f"{SITEMAP}sitemapindex"


def test_the_stylesheet_is_named_by_its_content(renderer: Renderer) -> None:
    assert renderer.stylesheet_key.startswith("assets/site-")
    other = Renderer("别的标题", "http://x/", columns=COLUMNS)
    assert renderer.stylesheet_key == other.stylesheet_key
    css = renderer.stylesheet().decode()
    assert "@import" not in css and "url(" not in css  # nothing fetched from elsewhere
