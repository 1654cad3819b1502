"""The normalised view: one rule at a time, and always a map back to the original offsets."""

from __future__ import annotations

import pytest

from moderation.normalise import fold_table, normalise, normalise_word, read_t2s


@pytest.mark.parametrize(("text", "expected"), [
    ("赌 博", "赌博"),  # spaces
    ("赌\u3000博\t网\n站", "赌博网站"),  # ideographic space, tab, line break
    ("赌*博-网.站", "赌博网站"),  # punctuation and symbols
    ("赌★博♥网→站", "赌博网站"),
    ("赌\u200b博\u200c网\u200d站\u2060\ufeff", "赌博网站"),  # zero-width and BOM
    ("赌\u00ad博", "赌博"),  # soft hyphen
    ("e\u0301", "e"),  # combining accent
    ("ＶＰＮ", "vpn"),  # full-width letters, case
    ("ＡｂＣ１２３", "abc123"),
    ("VPN", "vpn"),
    ("賭博網站", "赌博网站"),  # traditional characters
    ("發票", "发票"),
    ("①②③", "123"),  # circled digits (NFKC)
    ("ﬁ", "ﬁ"),  # a ligature that NFKC would make two characters stays as it is
])
def test_each_rule_of_the_normaliser(text: str, expected: str) -> None:
    assert normalise(text).text == expected


def test_every_character_of_the_view_maps_back_to_the_one_it_came_from() -> None:
    text = "前言：賭 博\u200b網站，ＶＰＮ！😀𠀀结束"
    view = normalise(text)
    assert len(view.offsets) == len(view.text)
    for char, offset in zip(view.text, view.offsets, strict=True):
        assert normalise_word(text[offset]) == char
    start = view.text.index("赌博网站")
    assert view.span(start, start + 4) == (text.index("賭"), text.index("站") + 1)


def test_lone_surrogates_and_empty_text_do_not_raise() -> None:
    assert normalise("").text == ""
    assert normalise("a\ud800b").text == "ab"


def test_simplified_text_is_left_as_written() -> None:
    sentence = "著名企业家表示，要坚持高质量发展，推进新型工业化。"
    assert normalise(sentence).text == "著名企业家表示要坚持高质量发展推进新型工业化"


def test_the_traditional_table_maps_one_character_to_one() -> None:
    table = read_t2s()
    assert len(table) > 3000
    assert all(len(t) == 1 and len(s) == 1 and t != s for t, s in table.items())
    assert table["網"] == "网" and table["發"] == "发" and "著" not in table


def test_the_fold_table_covers_every_code_point_and_is_read_only() -> None:
    table = fold_table()
    assert len(table) == 0x110000
    assert not table.flags.writeable
