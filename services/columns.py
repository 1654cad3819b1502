"""The portal's columns (栏目): fixed ids that clients rely on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    id: str
    name: str
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("work", "工作动态", "市经信委和各部门的工作动态"),
    Column("county", "县区动态", "各县（市、区）经信局报送的工作信息"),
    Column("enterprise", "企业风采", "重点企业的新闻、产品和发展"),
    Column("policy", "政策解读", "产业政策的解读与宣传"),
    Column("culture", "企业文化", "企业书法、绘画、摄影等艺术作品"),
    Column("photo", "图片新闻", "以图片为主的新闻"),
)
COLUMN_IDS = frozenset(c.id for c in COLUMNS)
BY_ID = {c.id: c for c in COLUMNS}


def default_column(kind: str, unit_kind: str) -> str:
    """Where an item goes when the informant names no column."""
    if kind == "photo":
        return "photo"
    return {"county": "county", "enterprise": "enterprise"}.get(unit_kind, "work")
