"""Screening reads what a reader will see: words hidden in markup or character references are
found, at the span the informant wrote."""

from __future__ import annotations

import functools

import pytest

from moderation.lexicon import read_file
from moderation.text import TextScreener
from services.settings import Settings


@functools.cache
def screener() -> TextScreener:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return TextScreener(read_file(settings.lexicon_path).entries)


# (body as sent, the finding's rule, what a reader reads there)
HIDDEN_IN_BODIES = [
    ("&#22312;&#32447;&#36172;&#22330;", "lexicon", "在线赌场"),
    ("欢迎光临&#x5728;&#x7EBF;&#x8D4C;&#x573A;。", "lexicon", "在线赌场"),
    ("在线<b></b>赌场", "lexicon", "在线赌场"),
    ("在线<!-- -->赌场", "lexicon", "在线赌场"),
    ("本公司可以<span>代开</span>发票。", "lexicon", "代开发票"),
    ("<p>在线<script>var a;</script>赌场</p>", "lexicon", "在线赌场"),
    ("<p>代开&#21457;票，价格从优</p>", "lexicon", "代开发票"),
    ("在线&shy;赌场", "lexicon", "在线\u00ad赌场"),
    ("详询138<!-- -->12345678", "pattern:mobile", "13812345678"),
    ("<p>电话 138<i></i>1234<b></b>5678</p>", "pattern:mobile", "13812345678"),
    ("QQ：&#49;&#50;&#51;&#52;&#53;&#54;&#55;&#56;", "pattern:qq", "QQ：12345678"),
    ("<p>访问 www<b></b>.dubo<i></i>.com</p>", "pattern:link", "www.dubo.com"),
]


@pytest.mark.parametrize(("body", "rule", "read"), HIDDEN_IN_BODIES)
def test_a_word_hidden_in_markup_is_found_where_it_was_written(body: str, rule: str,
                                                               read: str) -> None:
    [finding] = [f for f in screener().screen_field("body", body) if f.rule == rule]
    assert finding.read == read
    assert body[finding.start:finding.end] == finding.match
    assert finding.match != read  # the span is of what was sent, markup and all
    if rule == "lexicon":  # hidden: a disguise, for a moderator even where the word blocks
        assert finding.normalised_only and finding.action == "flag"


def test_the_same_words_in_plain_text_still_block() -> None:
    [finding] = screener().screen_field("body", "在线赌场")
    assert finding.action == "block" and finding.read == "" and finding.match == "在线赌场"


# a title or a caption is shown escaped: what is on the page is what was sent
@pytest.mark.parametrize("field", ["title", "captions[0]"])
def test_a_title_or_caption_is_screened_as_the_page_shows_it(field: str) -> None:
    # a reference in a title is shown as it is written, never decoded: nothing is hidden
    assert screener().screen_field(field, "&#22312;&#32447;&#36172;&#22330;") == []
    [plain] = screener().screen_field(field, "在线赌场")
    assert plain.action == "block"
    # a character the page cannot show is not there for the reader: the number is whole
    [phone] = screener().screen_field(field, "热线138\x0012345678")
    assert phone.rule == "pattern:mobile" and (phone.start, phone.end) == (2, 14)
    assert phone.read == "13812345678"


HONEST_HTML = [
    "<p>11月20日，青山县召开全县工业经济运行分析会。</p><p>会议要求狠抓落实。</p>",
    "前三季度全县工业增加值同比增长8.2%&nbsp;，高于全市平均水平。",
    "<table><tr><td>规上工业产值</td><td>128.6亿元</td></tr><tr><td>增长</td><td>8.2%</td></tr></table>",
    "<p>会议由副局长<b>张伟</b>主持，<em>各科室</em>负责人参加。</p>",
    "“&ldquo;专精特新&rdquo;企业”培育工作稳步推进<!-- 图片待补 -->。",
    "文号：青经信〔2024〕12号<br>发布日期：2024年11月20日",
]


@pytest.mark.parametrize("body", HONEST_HTML)
def test_honest_bodies_laid_out_in_html_give_no_finding(body: str) -> None:
    assert screener().screen_field("body", body) == []
