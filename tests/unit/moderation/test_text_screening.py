"""Text screening against the default lexicon: disguises caught, honest prose left alone, words
that only straddle two real words not hit, and every finding pointing at what was written."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from moderation.lexicon import read_file
from moderation.text import Finding, LexiconEntry, TextScreener, verdict
from services.settings import Settings

PROSE = Path(__file__).resolve().parents[2] / "fixtures" / "prose"
ZW = "\u200b"  # zero-width space
ZWJ, ZWNJ, BOM, SHY = "\u200d", "\u200c", "\ufeff", "\u00ad"


@cache
def default_screener() -> TextScreener:
    parsed = read_file(Settings(_env_file=None).lexicon_path)  # type: ignore[call-arg]
    assert parsed.refused == []
    return TextScreener(parsed.entries, version="default")


def lexicon_hits(text: str) -> list[Finding]:
    return [f for f in default_screener().screen_field("body", text) if f.rule == "lexicon"]


# --- evasions: (what was written, the listed word it hides) ---------------------------------------

EVASIONS = [
    ("本站提供代开发票服务", "代开发票"),  # plain, for reference
    ("本站提供代 开 发 票服务", "代开发票"),  # spaces
    ("本站提供代\u3000开\u3000发\u3000票服务", "代开发票"),  # ideographic spaces
    ("本站提供代*开-发.票服务", "代开发票"),  # symbols
    ("本站提供代★开☆发♥票服务", "代开发票"),  # decorative symbols
    ("本站提供代_开/发|票服务", "代开发票"),
    (f"本站提供代{ZW}开{ZWNJ}发{ZWJ}票服务", "代开发票"),  # zero-width characters
    (f"本站提供代{BOM}开{SHY}发票服务", "代开发票"),  # BOM, soft hyphen
    ("本站提供代開發票服務", "代开发票"),  # traditional characters
    ("歡迎訪問賭博網站註冊", "赌博网站"),
    (f"歡迎訪問賭 博{ZW}網·站註冊", "赌博网站"),  # traditional, space, zero-width, symbol
    ("線上賭場，真人荷官", "线上赌场"),
    ("真人荷官在线发牌", "真人荷官"),
    ("百 家 乐 官方平台", "百家乐"),
    ("百、家、乐官方平台", "百家乐"),
    ("六合彩！开奖结果", "六合彩"),
    ("六|合|彩 开奖结果", "六合彩"),
    ("夜晚寂寞？來 裸·聊 吧", "裸聊"),
    ("免费看成 人 视 频", "成人视频"),
    ("最新色 情网站地址", "色情网站"),
    ("信用卡套\u200b现，当天到账", "信用卡套现"),
    ("日 赚 千 元不是梦", "日赚千元"),
    ("轻松日賺千圓", None),  # 圓 is not 元: a different word, nothing to find
    ("据可靠消息，明天全城停水", "据可靠消息"),
    ("紧~急~扩~散！", "紧急扩散"),
    ("不转不是中国人!!!", "不转不是中国人"),
    ("看完速刪", "看完速删"),
    ("注冊送彩金，首存送彩金", "注册送彩金"),
    ("扫 码 进 群领取", "扫码进群"),
    ("考 试 包 过", "考试包过"),
]


@pytest.mark.parametrize(("text", "word"), EVASIONS, ids=[t for t, _ in EVASIONS])
def test_disguised_listed_words_are_caught_at_the_span_written(text: str, word: str | None) \
        -> None:
    hits = lexicon_hits(text)
    if word is None:
        assert hits == []
        return
    hit = next((h for h in hits if h.entry == word), None)
    assert hit is not None, f"{word} not found in {text!r}: {hits}"
    written = text[hit.start:hit.end]
    assert hit.match == written
    # the span runs from the word's first character to its last, as the informant wrote it
    assert written[0] in (word[0], _traditional(word[0])) or written[0].lower() == word[0]
    assert hit.excerpt.replace("…", "") in text and written in hit.excerpt
    assert hit.normalised_only == (written != word)


def _traditional(char: str) -> str:
    return {"赌": "賭", "线": "線", "据": "據", "紧": "緊", "注": "註", "看": "看"}.get(char, char)


@pytest.mark.parametrize("text", ["ＶＰＮ下载", "Vpn下载", "v p n 下载", "ｖ·ｐ·ｎ下载"])
def test_full_width_letters_and_case_do_not_hide_a_latin_word(text: str) -> None:
    screener = TextScreener([LexiconEntry("vpn", "politics", "block")])
    hits = [f for f in screener.screen_field("body", text) if f.rule == "lexicon"]
    assert len(hits) == 1
    assert hits[0].normalised_only and hits[0].action == "flag"
    assert text[hits[0].start:hits[0].end].replace(" ", "").replace("·", "")[0] in "ＶVvｖ"


def test_a_disguised_word_goes_to_a_moderator_even_where_the_plain_word_blocks() -> None:
    plain = lexicon_hits("本站提供代开发票服务")
    disguised = lexicon_hits("本站提供代 开 发 票服务")
    assert [(h.action, h.normalised_only) for h in plain] == [("block", False)]
    assert [(h.action, h.normalised_only) for h in disguised] == [("flag", True)]
    assert verdict([h.to_dict() for h in plain]) == "rejected"
    assert verdict([h.to_dict() for h in disguised]) == "flagged"


def test_offsets_count_code_points_beyond_the_basic_plane() -> None:
    text = "𠀀𠀁表情😀后面是代开发票"
    [hit] = lexicon_hits(text)
    assert text[hit.start:hit.end] == "代开发票"
    assert hit.start == text.index("代")


def test_a_word_beyond_the_basic_plane_is_found_at_the_span_written() -> None:
    # 𠮷 is beyond the BMP (a surrogate pair in UTF-16): to the automaton one character as any
    screener = TextScreener([LexiconEntry("𠮷野家", "test", "flag")])
    text = "😀前面𠀀是𠮷野家，后面"
    [hit] = screener.screen_field("body", text)
    assert (hit.start, hit.end, hit.match) == (text.index("𠮷"), text.index("，"), "𠮷野家")


def test_bytes_that_spell_a_word_across_two_characters_are_no_hit() -> None:
    # 中文 is the bytes 2d 4e 87 65 in UTF-16; ⶫ蝎챥 holds them from its second byte on (the
    # automaton reads two bytes a character of an alphabet whose halves never look alike)
    screener = TextScreener([LexiconEntry("中文", "test", "flag")])
    assert "\u2dab\u874e\ucc65".encode("utf-16-le")[1:5] == "中文".encode("utf-16-le")
    assert screener.screen_field("body", "\u2dab\u874e\ucc65") == []
    assert screener.candidates("\u2dab\u874e\ucc65") == 0
    assert [h.match for h in screener.screen_field("body", "他说中文。")] == ["中文"]


def test_a_finding_names_its_entry_category_action_span_excerpt_and_lexicon_version() -> None:
    text = ("前面是一段很长很长的正文内容，" * 3 + "本站长期提供代开发票服务，"
            + "后面还有很多正文内容。" * 3)
    [hit] = lexicon_hits(text)
    data = hit.to_dict()
    assert data["rule"] == "lexicon" and data["entry"] == "代开发票"
    assert data["category"] == "fraud" and data["action"] == "block"
    assert text[data["start"]:data["end"]] == "代开发票"  # type: ignore[misc]
    start, end = text.index("代开发票"), text.index("代开发票") + 4
    assert data["excerpt"] == "…" + text[start - 20:end + 20] + "…"  # 20 characters each side
    assert data["lexicon_version"] == "default"


# --- honest prose: none of it gives a finding -----------------------------------------------------

def _prose() -> list[tuple[str, str]]:
    cases = []
    for path in sorted(PROSE.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        sentences = [line for line in lines if line and not line.startswith("#")]
        cases += [(f"{path.stem}:{n}", s) for n, s in enumerate(sentences, start=1)]
    return cases


PROSE_CASES = _prose()


def test_the_honest_prose_table_has_several_hundred_sentences() -> None:
    assert len(PROSE_CASES) >= 300
    assert {case.split(":")[0] for case, _ in PROSE_CASES} == {
        "speeches", "notices", "enterprise", "county"}


@pytest.mark.parametrize("sentence", [s for _, s in PROSE_CASES],
                         ids=[case for case, _ in PROSE_CASES])
def test_honest_government_prose_gives_no_finding(sentence: str) -> None:
    assert default_screener().screen_field("body", sentence) == []


def test_honest_prose_as_one_long_article_gives_no_finding() -> None:
    """Joined, sentences meet across punctuation (the normaliser drops it): still nothing."""
    article = "".join(s for _, s in PROSE_CASES)
    assert default_screener().screen("工作动态", article) == []


# --- boundary cases: a listed word's characters, but not the word ---------------------------------

BOUNDARY = [
    ("学校开展特色情景教学", "色情"),
    ("他的表现十分出色情况良好", "色情"),
    ("这组作品运用了浓郁的风情色彩", "情色"),
    ("我们和尚未签约的客户保持联系", "和尚"),
    ("今年成人高考报名即将开始", "成人"),
    ("鼓励职工参加成人教育", "成人"),
    ("培训中心每年培养成人才近千人次", "成人"),
    ("完善配套现代物流体系", "套现"),
    ("提供一套现代化的管理服务", "套现"),
    ("公司增加微信公众号推送频次", "加微信"),
    ("为支援交通建设保障供应", "援交"),
    ("破除人才成长中的纸老虎机制障碍", "老虎机"),
    ("厂里一夜情况就变了", "一夜情"),
    ("承接软件代开发票务系统项目", "代开发票"),
    ("严厉打击网络赌博违法犯罪活动", "网络赌博"),
    ("坚决清理淫秽色情等有害信息", "色情"),
    ("刷单返利类诈骗占比居高不下", "刷单返利"),
]


@pytest.mark.parametrize(("text", "word"), BOUNDARY, ids=[t for t, _ in BOUNDARY])
def test_a_word_that_only_straddles_two_real_words_or_sits_in_an_allowed_one_is_no_hit(
        text: str, word: str) -> None:
    assert word in text  # the characters are there…
    assert lexicon_hits(text) == []  # …the word is not


def test_the_same_word_standing_alone_is_a_hit() -> None:
    assert [h.entry for h in lexicon_hits("网站含有色情内容")] == ["色情"]
    assert [h.entry for h in lexicon_hits("专营成人用品")] == ["成人"]
    assert [h.entry for h in lexicon_hits("帮人信用卡套现")] == ["信用卡套现", "套现"]


def test_an_allow_list_entry_covers_only_the_hits_inside_it() -> None:
    screener = TextScreener([LexiconEntry("成人", "pornography", "flag"),
                             LexiconEntry("成人高考", "benign", "allow")])
    text = "成人高考报名，另售成人用品"
    hits = screener.screen_field("body", text)
    assert [(h.match, h.start) for h in hits] == [("成人", text.rindex("成人"))]


def test_listed_words_within_one_sentence_are_all_found() -> None:
    text = "百家乐、六合彩、时时彩应有尽有"
    assert sorted(h.entry for h in lexicon_hits(text)) == ["六合彩", "时时彩", "百家乐"]


def test_an_empty_lexicon_finds_nothing_but_contact_details() -> None:
    screener = TextScreener([])
    assert screener.screen("标题", "正文") == []
    assert [f.rule for f in screener.screen("", "电话13812345678")] == ["pattern:mobile"]


def test_the_verdict_is_the_strongest_action() -> None:
    assert verdict([]) == "approved"
    assert verdict([{"action": "flag"}]) == "flagged"
    assert verdict([{"action": "flag"}, {"action": "block"}]) == "rejected"


def test_a_text_of_nothing_but_listed_words_gives_a_bounded_list_of_findings() -> None:
    screener = TextScreener([LexiconEntry("代开发票", "fraud", "block")], max_findings=5)
    findings = screener.screen_field("body", "代开发票，" * 1000 + "电话13812345678")
    assert len(findings) == 6
    assert [f.rule for f in findings[:5]] == ["lexicon"] * 5
    assert findings[-1].rule == "limit:findings" and findings[-1].action == "flag"
    assert "5" in findings[-1].to_dict()["message"]  # type: ignore[operator]
    assert verdict([f.to_dict() for f in findings]) == "rejected"


def test_a_lexicon_of_many_characters_is_written_seven_bits_a_byte() -> None:
    """Past 4,095 characters in its keys the automaton's alphabet widens; past 16,383 the
    lexicon is refused with a message, not matched wrongly."""
    chars = [chr(0x4E00 + i) for i in range(5000)]
    words = ["".join(chars[i:i + 2]) for i in range(0, 5000, 2)]
    screener = TextScreener([LexiconEntry(w, "test", "flag") for w in words])
    text = f"前言{words[1234]}，后文"
    [hit] = screener.screen_field("body", text)
    assert hit.match == words[1234] and hit.start == 2
    # (traditional characters fold to simplified ones: more than 16,383 are left of these)
    many = [chr(0x4E00 + i) + chr(0x4E00 + i + 1) for i in range(0, 20900, 2)]
    with pytest.raises(ValueError, match="词库用字"):
        TextScreener([LexiconEntry(w, "test", "flag") for w in many])
