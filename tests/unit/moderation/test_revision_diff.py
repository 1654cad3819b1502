"""Comparing a revision with the returned original: sentences first, then characters."""

from __future__ import annotations

import pytest

from moderation.diffing import changed_chars, diff_text, photo_changes, sentences


def _apply(ops: list[tuple[str, str]], side: str) -> str:
    keep = {"old": ("equal", "delete"), "new": ("equal", "insert")}[side]
    return "".join(text for tag, text in ops if tag in keep)


@pytest.mark.parametrize("text", [
    "", "没有标点的一句话", "第一句。第二句！第三句？", "他说：“好。”然后走了。\n\n第二段；完。",
    "数字 8.2% 和 2026 年", "结尾没有句号", "。。。", "\n\n",
])
def test_sentences_give_the_text_back(text: str) -> None:
    assert "".join(sentences(text)) == text


def test_a_corrected_number_is_marked_by_its_characters_not_its_sentence() -> None:
    old = "会议在青山县召开。前三季度工业增加值同比增长8.2%。请拨打13812345678咨询。"
    new = "会议在青山县召开。前三季度工业增加值同比增长8.5%。"
    ops = diff_text(old, new)
    assert _apply(ops, "old") == old and _apply(ops, "new") == new
    assert ("delete", "2") in ops and ("insert", "5") in ops
    assert ("delete", "请拨打13812345678咨询。") in ops
    assert ops[0] == ("equal", "会议在青山县召开。前三季度工业增加值同比增长8.")


def test_unchanged_text_is_one_equal_run() -> None:
    assert diff_text("同一篇稿件。", "同一篇稿件。") == [("equal", "同一篇稿件。")]
    assert changed_chars(diff_text("同一篇稿件。", "同一篇稿件。")) == {"deleted": 0, "inserted": 0}


def test_long_rewritten_runs_stay_fast_and_exact() -> None:
    old = "旧" * 3000 + "。"
    new = "新" * 3000 + "。"
    ops = diff_text(old, new)  # past the character limit: deleted and inserted whole
    assert _apply(ops, "old") == old and _apply(ops, "new") == new
    assert changed_chars(ops) == {"deleted": 3001, "inserted": 3001}


def test_photo_changes_follow_the_bytes_not_the_position() -> None:
    old = [{"sha256": "a", "caption": "会议现场", "filename": "a.jpg"},
           {"sha256": "b", "caption": "项目工地", "filename": "b.jpg"}]
    new = [{"sha256": "b", "caption": "项目工地全景"}, {"sha256": "c", "caption": "新照片"}]
    rows = photo_changes(old, new)
    assert rows[0]["change"] == "kept" and rows[0]["original"] == 1
    assert ("insert", "全景") in rows[0]["caption"]
    assert rows[1] == {"photo": 1, "change": "added", "original": None}
    assert rows[2] == {"photo": None, "change": "removed", "original": 0, "filename": "a.jpg"}
