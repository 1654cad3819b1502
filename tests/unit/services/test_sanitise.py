"""The reader's text of a submitted body: what the sanitised page shows, each character mapped back
to what the informant wrote."""

from __future__ import annotations

import html
import time

import html5lib
import pytest

from services.sanitise import body_html, readable_body, readable_line, summary, visible_text


def page_words(safe_html: str) -> str:
    """The words of the HTML as a browser's parser reads them, whitespace left out."""
    fragment = html5lib.parseFragment(safe_html, namespaceHTMLElements=False)
    return "".join("".join(fragment.itertext()).split())


BODIES = [
    # (what the informant sent, the words a reader sees)
    ("&#22312;&#32447;&#36172;&#22330;", "在线赌场"),
    ("&#x5728;&#x7EBF;&#x8D4C;&#x573A;", "在线赌场"),
    ("在线<!-- -->赌场", "在线赌场"),
    ("在线<!---->赌场，欢迎光临", "在线赌场，欢迎光临"),
    ("在线<b></b>赌场", "在线赌场"),
    ("在线<span class=x>赌</span>场", "在线赌场"),
    ("138<!-- -->12345678", "13812345678"),
    ("<p>代开&#21457;票</p>", "代开发票"),
    ("<p>在线<script>alert(1)</script>赌场</p>", "在线赌场"),
    ("<p>在线<style>p{}</style>赌场</p>", "在线赌场"),
    ("在线&shy;赌场", "在线\u00ad赌场"),
    ("第一段&nbsp;会议\n\n  第二段  ", "第一段会议第二段"),  # a no-break space is space
    ("<p>会议<br>现场</p><div>项目</div><ul><li>一</li><li>二</li></ul>", "会议现场项目一二"),
    ("<table><tr><td>产值</td><td>8.2%</td></tr></table>", "产值8.2%"),
    ("A&B公司 1<2 a<b时", "A&B公司1<2a<b时"),
    ("增长8.2%。\n会议要求狠抓落实。", "增长8.2%。会议要求狠抓落实。"),
    ("<p>未闭合<b>粗体", "未闭合粗体"),
    ("<p>坏\x00字\x0b符</p>", "坏字符"),
]


@pytest.mark.parametrize(("body", "words"), BODIES)
def test_the_reader_text_is_the_words_of_the_sanitised_page(body: str, words: str) -> None:
    view = readable_body(body)
    assert "".join(view.text.split()) == words
    assert page_words(body_html(body)) == words  # as a browser's parser reads the page


@pytest.mark.parametrize(("body", "words"), BODIES)
def test_every_character_read_maps_back_to_what_was_written(body: str, words: str) -> None:
    view = readable_body(body)
    for i, char in enumerate(view.text):
        if char.isspace():
            continue
        start, end = view.span(i, i + 1)
        written = body[start:end]
        assert html.unescape(written) == char, (i, char, written)


def test_a_span_of_the_reader_text_covers_the_markup_inside_it() -> None:
    body = "欢迎<span>代开</span>发票。"
    view = readable_body(body)
    at = view.text.index("代开发票")
    start, end = view.span(at, at + 4)
    assert body[start:end] == "代开</span>发票"


def test_plain_text_without_markup_is_read_as_it_is() -> None:
    body = "前三季度全县工业增加值增长8.2%。\n会议要求狠抓落实。"
    view = readable_body(body)
    assert view.identical and view.text == body and view.span(3, 5) == (3, 5)


def test_a_title_or_caption_is_read_as_the_page_shows_it_escaped() -> None:
    title = "在线&#36172;场<b></b>"
    assert readable_line(title).identical and readable_line(title).text == title
    view = readable_line("138\x0012345678")
    assert view.text == "13812345678" and view.span(0, 11) == (0, 12)


def test_the_summary_is_the_first_words_of_the_reader_text() -> None:
    assert summary("在线<b></b>赌场") == "在线赌场"
    assert summary("<p>一&amp;二</p><p>三</p>") == "一&二 三"
    assert summary("&#22312;&#32447;") == "在线"
    assert visible_text("<p>一</p>\n<p>二</p>") == "一\n二"


@pytest.mark.parametrize("body", [" a b ", "a\n\n b \n", "\u3000青山\u3000", "x\ty",
                                  "前三季度\n会议", "   ", "a\u00a0", "\u00a0a", "行一\r\n行二", "",
                                  "长" * 300])
def test_the_quick_way_for_plain_text_reads_what_the_page_shows(body: str) -> None:
    assert readable_body(body).text == visible_text(body_html(body))


def test_mapping_back_a_text_made_so_that_nothing_matches_stays_quick() -> None:
    # a <title> is shown as text: its tags are on the page as characters, not in the original
    # as text; looking far ahead for each of them would take minutes for a long body
    body = "<p><title>" + "<b>x</b>" * 6000 + "</title>在线赌场</p>"
    view = readable_body(body)
    started = time.perf_counter()
    start, end = view.span(0, len(view.text))
    assert time.perf_counter() - started < 2.0
    assert 0 <= start <= end <= len(body)
