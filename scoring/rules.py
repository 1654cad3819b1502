"""The scoring rules as data: every number comes from the rules file, and every rule set has a
version that each ledger line records. Pure: no database."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class Quota:
    articles: int = 0
    photos: int = 0
    photos_cap: int | None = None

    def counted_photos(self, photos: int) -> int:
        return min(photos, self.photos_cap) if self.photos_cap is not None else photos

    def met(self, articles: int, photos: int) -> bool:
        return articles >= self.articles and self.counted_photos(photos) >= self.photos

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"articles": self.articles, "photos": self.photos}
        if self.photos_cap is not None:
            out["photos_cap"] = self.photos_cap
        return out


@dataclass(frozen=True)
class Rules:
    version: str
    points: dict[str, int]
    lead_multiplier: int = 2
    adoption: dict[str, int] = field(default_factory=dict)
    instruction: dict[str, int] = field(default_factory=dict)
    commission_bonus: int = 3
    commission_penalty: int = -5
    quota_bonus: int = 2
    quota_penalty: int = -2
    quotas: dict[str, Quota] = field(default_factory=dict)

    def published_points(self, kind: str) -> int:
        return self.points.get(kind, 0)

    def quota(self, unit_kind: str) -> Quota:
        return self.quotas.get(unit_kind, Quota())


def _int(table: dict[str, Any], key: str, where: str) -> int:
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RulesError(f"规则文件 {where}.{key} 须为整数 (must be an integer)")
    return value


def parse_rules(raw: dict[str, Any]) -> Rules:
    try:
        version = str(raw["version"])
        points = {k: _int(raw["points"], k, "points") for k in raw["points"]}
        quota = raw.get("quota", {})
        quotas = {
            kind: Quota(articles=_int(q, "articles", f"quota.{kind}"),
                        photos=_int(q, "photos", f"quota.{kind}"),
                        photos_cap=q.get("photos_cap"))
            for kind, q in quota.items() if isinstance(q, dict)
        }
        return Rules(
            version=version,
            points=points,
            lead_multiplier=_int(raw.get("lead", {"multiplier": 2}), "multiplier", "lead"),
            adoption={k: _int(raw["adoption"], k, "adoption") for k in raw.get("adoption", {})},
            instruction={k: _int(raw["instruction"], k, "instruction")
                         for k in raw.get("instruction", {})},
            commission_bonus=_int(raw.get("commission", {}), "delivered_bonus", "commission"),
            commission_penalty=_int(raw.get("commission", {}), "missed_penalty", "commission"),
            quota_bonus=_int(quota, "met_bonus", "quota"),
            quota_penalty=_int(quota, "missed_penalty", "quota"),
            quotas=quotas,
        )
    except KeyError as exc:
        raise RulesError(f"规则文件缺少 {exc} (missing key)") from exc


def load_rules(path: Path) -> Rules:
    try:
        with path.open("rb") as handle:
            return parse_rules(tomllib.load(handle))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"无法读取规则文件 {path}: {exc}") from exc
