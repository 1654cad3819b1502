"""The portal's columns (栏目), as configuration: a TOML file (the one shipped beside this module,
or ``Settings.columns``) read once at start into a :class:`Columns` that is passed down.

A mistake in the file stops Baosong from starting with a message that says what to fix, rather
than a site that half works: an unknown kind or unit kind, two columns with one id, a default
column that does not take the unit kinds sent to it. Removing a column that items are in is
refused too (:func:`check_in_use`), since their pages would be orphaned.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).resolve().parent / "columns.toml"

# every kind a column of the portal has; informants send only to the first two, the others are
# the portal's own sections (信息公开, 会议通知, 信箱, 专题), written by their own modules
KINDS = {"news": "新闻", "gallery": "图片", "documents": "文件", "notices": "通知",
         "qa": "问答", "features": "专题"}
ITEM_KINDS = frozenset({"news", "gallery"})
UNIT_KINDS = {"county": "县（市、区）", "enterprise": "企业", "department": "委内部门"}
# the addresses the portal's own sections take under columns/
RESERVED_IDS = frozenset({"documents", "forms", "notices", "features", "letters", "mailbox"})
_ID = re.compile(r"[a-z][a-z0-9-]{0,15}")  # the database keeps 16 characters


class ColumnsError(ValueError):
    """The columns file cannot be used as it is; the message says why, in Chinese."""


@dataclass(frozen=True)
class Column:
    id: str
    name: str
    description: str
    kind: str = "news"
    order: int = 0
    senders: frozenset[str] = frozenset(UNIT_KINDS)
    whole: bool = False  # a gallery of works shown whole, never cropped

    @property
    def gallery(self) -> bool:
        return self.kind == "gallery"

    def takes(self, unit_kind: str) -> bool:
        return unit_kind in self.senders

    @property
    def open_to_all(self) -> bool:
        return self.senders == frozenset(UNIT_KINDS)

    @property
    def sender_names(self) -> list[str]:
        return [label for kind, label in UNIT_KINDS.items() if kind in self.senders]


class Columns:
    """The configured columns, in their order, and where an item goes that names none."""

    def __init__(self, columns: Sequence[Column], defaults: Mapping[str, str]) -> None:
        self._columns = tuple(columns)
        self._by_id = {c.id: c for c in self._columns}
        self._defaults = dict(defaults)

    def __iter__(self) -> Iterator[Column]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __contains__(self, column_id: object) -> bool:
        return column_id in self._by_id

    def __getitem__(self, column_id: str) -> Column:
        return self._by_id[column_id]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._by_id)

    def name_of(self, column_id: str) -> str:
        column = self._by_id.get(column_id)
        return column.name if column else ""

    def open_to(self, unit_kind: str) -> list[Column]:
        """The columns a unit of ``unit_kind`` may send to (the desk's picker)."""
        return [c for c in self._columns if c.takes(unit_kind)]

    def default_column(self, kind: str, unit_kind: str) -> str:
        """Where an item goes when the informant names no column."""
        photo = self._defaults.get("photo")
        if kind == "photo" and photo is not None and self._by_id[photo].takes(unit_kind):
            return photo
        return self._defaults.get(unit_kind) or self._defaults["department"]

    def refusal(self, column_id: str, unit_kind: str) -> str | None:
        """Why a unit of ``unit_kind`` may not send to ``column_id`` (None: it may)."""
        column = self._by_id.get(column_id)
        if column is None:
            return (f"没有栏目 {column_id}；可选：{'、'.join(c.id for c in self._columns)} "
                    f"(unknown column)")
        if not column.takes(unit_kind):
            return (f"「{column.name}」栏目只接受{'、'.join(column.sender_names)}报送，"
                    f"{UNIT_KINDS.get(unit_kind, unit_kind)}不能向该栏目报送 "
                    f"(column not open to this unit kind)")
        return None


def load(path: Path | None = None) -> Columns:
    """The columns of ``path`` (None: the shipped file), checked."""
    path = path or DEFAULT_PATH
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except OSError as e:
        raise ColumnsError(f"栏目配置文件 {path} 无法读取：{e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ColumnsError(f"栏目配置文件 {path} 不是有效的 TOML：{e}") from e
    try:
        return parse(raw)
    except ColumnsError as e:
        raise ColumnsError(f"栏目配置文件 {path}：{e}") from e


def parse(raw: Mapping[str, Any]) -> Columns:
    """The columns of a parsed file, checked (pure)."""
    entries = raw.get("column")
    if not isinstance(entries, list) or not entries:
        raise ColumnsError("至少要有一个 [[column]] 栏目")
    columns = [_column(n, entry) for n, entry in enumerate(entries, start=1)]
    seen: dict[str, Column] = {}
    for column in columns:
        if column.id in seen:
            raise ColumnsError(f"栏目 id「{column.id}」重复"
                               f"（{seen[column.id].name}、{column.name}）")
        seen[column.id] = column
    ordered = sorted(columns, key=lambda c: c.order)
    for a, b in itertools.pairwise(ordered):
        if a.order == b.order:
            raise ColumnsError(f"栏目「{a.name}」和「{b.name}」的 order 相同（{a.order}）")
    return Columns(ordered, _defaults(raw.get("defaults"), seen))


def _column(n: int, entry: Any) -> Column:
    where = f"第 {n} 个栏目"
    if not isinstance(entry, dict):
        raise ColumnsError(f"{where}不是一个表")
    unknown = set(entry) - {"id", "order", "name", "description", "kind", "senders", "whole"}
    if unknown:
        raise ColumnsError(f"{where}有不认识的字段：{'、'.join(sorted(unknown))}")
    column_id = entry.get("id")
    if not isinstance(column_id, str) or not _ID.fullmatch(column_id):
        raise ColumnsError(f"{where}的 id {column_id!r} 无效：须为小写字母开头的字母、数字"
                           f"和连字符，至多 16 个")
    where = f"栏目「{column_id}」"
    if column_id in RESERVED_IDS:
        raise ColumnsError(f"{where}的 id 已被网站自带的栏目占用，请换一个")
    name, description = entry.get("name"), entry.get("description", "")
    if not isinstance(name, str) or not name.strip():
        raise ColumnsError(f"{where}缺少中文名称 name")
    if not isinstance(description, str):
        raise ColumnsError(f"{where}的 description 须为文字")
    kind = entry.get("kind", "news")
    if kind not in KINDS:
        raise ColumnsError(f"{where}的类型 kind「{kind}」未知；可选：{'、'.join(KINDS)}")
    if kind not in ITEM_KINDS:
        raise ColumnsError(f"{where}的类型 {kind}（{KINDS[kind]}）是网站自带的栏目，不能在此新建；"
                           f"报送栏目的类型须为 news 或 gallery")
    order = entry.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool):
        raise ColumnsError(f"{where}的 order 须为整数")
    senders = entry.get("senders", list(UNIT_KINDS))
    if not isinstance(senders, list) or not senders:
        raise ColumnsError(f"{where}的 senders 须列出至少一种单位类型：{'、'.join(UNIT_KINDS)}")
    strange = [s for s in senders if s not in UNIT_KINDS]
    if strange:
        raise ColumnsError(f"{where}的 senders 中有未知的单位类型 {strange[0]!r}；"
                           f"可选：{'、'.join(UNIT_KINDS)}")
    whole = entry.get("whole", False)
    if not isinstance(whole, bool) or (whole and kind != "gallery"):
        raise ColumnsError(f"{where}的 whole 须为 true 或 false，且只用于 gallery 栏目")
    return Column(id=column_id, name=name.strip(), description=description.strip(), kind=kind,
                  order=order, senders=frozenset(senders), whole=whole)


def _defaults(raw: Any, by_id: Mapping[str, Column]) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ColumnsError("缺少 [defaults]：未指定栏目的稿件归入哪个栏目")
    strange = set(raw) - {"photo", *UNIT_KINDS}
    if strange:
        raise ColumnsError(f"[defaults] 中有不认识的键：{'、'.join(sorted(strange))}")
    for key, column_id in raw.items():
        if column_id not in by_id:
            raise ColumnsError(f"[defaults] 的 {key} 指向不存在的栏目「{column_id}」")
    for unit_kind, label in UNIT_KINDS.items():
        column_id = raw.get(unit_kind)
        if column_id is None:
            raise ColumnsError(f"[defaults] 缺少 {unit_kind}（{label}的稿件默认栏目）")
        if not by_id[column_id].takes(unit_kind):
            raise ColumnsError(f"[defaults] 的 {unit_kind} 指向的栏目「{by_id[column_id].name}」"
                               f"不接受{label}报送")
    return dict(raw)


def check_in_use(columns: Columns, used: Iterable[str]) -> None:
    """Refuse columns that drop one that items are in: their pages would be orphaned."""
    missing = sorted(set(used) - columns.ids)
    if missing:
        raise ColumnsError(f"栏目 {'、'.join(missing)} 中已有稿件，不能从栏目配置中删除"
                           f"（请把它加回栏目文件；要停用请改名或调整顺序）")
