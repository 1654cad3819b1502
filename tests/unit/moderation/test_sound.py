"""Sound and shape for marked lexicon entries: homophones, pinyin (full, initials, mixed with
characters) and split characters are found and go to a moderator; honest text is left alone."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from moderation.lexicon import effective, parse
from moderation.sound import read_split_table, split_forms
from moderation.text import LexiconEntry, TextScreener
from services.settings import Settings


@functools.cache
def screener() -> TextScreener:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return TextScreener(parse(settings.lexicon_path.read_text(encoding="utf-8")).entries)


# (text, the entry found, what was written)
BY_SOUND_OR_SHAPE = [
    ("欢迎访问赌搏网站，注册就送", "赌博网站", "赌搏网站"),  # homophone
    ("本店可代开发飘，价格优惠", "代开发票", "代开发飘"),
    ("正规在线堵场，信誉第一", "在线赌场", "在线堵场"),
    ("最新色晴网站入口", "色情网站", "色晴网站"),
    ("dubo网站欢迎你", "赌博网站", "dubo网站"),  # pinyin mixed with characters
    ("欢迎 du bo wang zhan 注册", "赌博网站", "du bo wang zhan"),  # full pinyin, spaced
    ("DuBoWangZhan 注册送钱", "赌博网站", "DuBoWangZhan"),
    ("zaixian赌场，日赚", "在线赌场", "zaixian赌场"),
    ("认准 dbwz 注册", "赌博网站", "dbwz"),  # initials
    ("可以 shuadanfanli，日结", "刷单返利", "shuadanfanli"),
    ("贝者博网站等你来", "赌博网站", "贝者博网站"),  # a character split into its parts
    ("正规在线赌土汤", "在线赌场", "在线赌土汤"),
    ("代开发西示，量大从优", "代开发票", "代开发西示"),
    ("六合采彡开奖", "六合彩", "六合采彡"),
]


@pytest.mark.parametrize(("text", "entry", "written"), BY_SOUND_OR_SHAPE,
                         ids=[t for t, _, _ in BY_SOUND_OR_SHAPE])
def test_a_marked_word_written_by_sound_or_shape_goes_to_a_moderator(text: str, entry: str,
                                                                      written: str) -> None:
    [finding] = [f for f in screener().screen_field("body", text) if f.rule == "lexicon"]
    assert finding.entry == entry and finding.match == written
    assert text[finding.start:finding.end] == written
    assert finding.action == "flag" and finding.normalised_only and finding.message


NOT_BY_SOUND = [
    "独白网站上线，记录城市声音",  # du bai: not du bo
    "网络独播剧带动文化消费",  # 网络赌博 is marked for shape only: its sound is honest
    "措施实施才能见效",  # 时时彩 likewise
    "xdubowangzhanx",  # inside a longer Latin word
    "数据库 abcdbwzxyz 字段",
    "the dub of the film, wang zhan, was released",  # not on the syllables of one word
    "百家讲坛，千家万户",
    "全市发票管理系统升级，代开增值税专用发票由税务机关办理",
]


@pytest.mark.parametrize("text", NOT_BY_SOUND)
def test_honest_text_does_not_sound_like_a_marked_word(text: str) -> None:
    assert [f for f in screener().screen_field("body", text) if f.message] == []


def test_only_marked_entries_are_read_for_sound_and_shape() -> None:
    plain = TextScreener([LexiconEntry("赌博网站", "gambling", "flag")])
    assert plain.screen_field("body", "赌搏网站 贝者博网站 dubo网站") == []
    marked = TextScreener([LexiconEntry("赌博网站", "gambling", "flag", frozenset({"sound"}))])
    assert [f.match for f in marked.screen_field("body", "赌搏网站，贝者博网站")] == ["赌搏网站"]


def test_marks_are_a_fourth_column_and_an_edit_keeps_them() -> None:
    parsed = parse("赌博网站\tgambling\tflag\tsound,shape\n百家乐\tgambling\tblock\n"
                   "坏标记\tx\tflag\tloud\n")
    assert [e.marks for e in parsed.entries] == [frozenset({"sound", "shape"}), frozenset()]
    assert len(parsed.refused) == 1 and "sound" in parsed.refused[0]

    class Edit:
        word, category, action, removed = "赌博网站", "gambling", "block", False

    [edited] = [e for e in effective(parsed.entries, [Edit()])  # type: ignore[list-item]
                if e.word == "赌博网站"]
    assert edited.action == "block" and edited.marks == frozenset({"sound", "shape"})


def test_split_forms_come_from_the_table(tmp_path: Path) -> None:
    table = {"强": ["弓虽"], "赌": ["贝者"]}
    assert split_forms("强赌", table) == ["弓虽贝者", "弓虽赌", "强贝者"]
    bad = tmp_path / "split.tsv"
    bad.write_text("强\t弓\n", encoding="utf-8")
    with pytest.raises(ValueError, match="CHARACTER<TAB>PARTS"):
        read_split_table(bad)
