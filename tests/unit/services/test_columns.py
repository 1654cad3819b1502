"""The columns file: what the shipped one says, and each mistake refused with its reason."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from services.columns import DEFAULT_PATH, ColumnsError, check_in_use, load, parse


def shipped() -> dict[str, Any]:
    with DEFAULT_PATH.open("rb") as f:
        return tomllib.load(f)


def test_the_shipped_columns_are_the_six_in_their_order_with_their_defaults() -> None:
    columns = load()
    assert [c.id for c in columns] == ["work", "county", "enterprise", "policy", "culture",
                                       "photo"]
    assert [c.id for c in columns if c.gallery] == ["culture", "photo"]
    assert [c.id for c in columns if c.whole] == ["culture"]
    assert columns.default_column("article", "county") == "county"
    assert columns.default_column("article", "enterprise") == "enterprise"
    assert columns.default_column("article", "department") == "work"
    assert columns.default_column("photo", "county") == "photo"
    assert all(c.open_to_all for c in columns)


def test_a_column_open_to_enterprises_only_refuses_a_county_in_chinese() -> None:
    raw = shipped()
    raw["column"].append({"id": "zjtx", "order": 35, "name": "专精特新", "kind": "news",
                          "senders": ["enterprise"]})
    columns = parse(raw)
    assert [c.id for c in columns][2:4] == ["enterprise", "zjtx"]  # by order, not file place
    assert columns.refusal("zjtx", "enterprise") is None
    assert columns.refusal("zjtx", "county") == (
        "「专精特新」栏目只接受企业报送，县（市、区）不能向该栏目报送 "
        "(column not open to this unit kind)")
    assert [c.id for c in columns.open_to("county")] == [
        "work", "county", "enterprise", "policy", "culture", "photo"]
    assert "没有栏目 nope" in (columns.refusal("nope", "county") or "")


def test_a_photo_default_a_unit_may_not_send_to_falls_back_to_its_units_column() -> None:
    raw = shipped()
    next(c for c in raw["column"] if c["id"] == "photo")["senders"] = ["county"]
    columns = parse(raw)
    assert columns.default_column("photo", "county") == "photo"
    assert columns.default_column("photo", "enterprise") == "enterprise"


def _broken(change: str) -> dict[str, Any]:
    raw = shipped()
    first = raw["column"][0]
    if change == "duplicate":
        raw["column"].append({**first, "order": 99})
    elif change == "kind":
        first["kind"] = "video"
    elif change == "sender":
        first["senders"] = ["county", "village"]
    elif change == "id":
        first["id"] = "Work Dynamics"
    elif change == "reserved":
        first["id"] = "documents"
    elif change == "order":
        first["order"] = raw["column"][1]["order"]
    elif change == "builtin":
        first["kind"] = "documents"
    elif change == "default":
        raw["defaults"]["department"] = "culture"
        next(c for c in raw["column"] if c["id"] == "culture")["senders"] = ["enterprise"]
    elif change == "field":
        first["colour"] = "red"
    return raw


@pytest.mark.parametrize(("change", "says"), [
    ("duplicate", "栏目 id「work」重复"),
    ("kind", "栏目「work」的类型 kind「video」未知"),
    ("sender", "senders 中有未知的单位类型 'village'"),
    ("id", "的 id 'Work Dynamics' 无效"),
    ("reserved", "栏目「documents」的 id 已被网站自带的栏目占用"),
    ("order", "的 order 相同（20）"),
    ("builtin", "是网站自带的栏目，不能在此新建"),
    ("default", "[defaults] 的 department 指向的栏目「企业文化」不接受委内部门报送"),
    ("field", "有不认识的字段：colour"),
])
def test_a_broken_columns_file_is_refused_with_its_reason(change: str, says: str) -> None:
    with pytest.raises(ColumnsError) as refused:
        parse(_broken(change))
    assert says in str(refused.value)


def test_columns_that_drop_one_items_are_in_are_refused() -> None:
    check_in_use(load(), ["work", "photo"])
    with pytest.raises(ColumnsError, match="栏目 zjtx 中已有稿件"):
        check_in_use(load(), ["work", "zjtx"])
