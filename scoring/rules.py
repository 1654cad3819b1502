"""The scoring rules as data: every number comes from the rules file, and every rule set has a
version that each ledger line records. Pure: no database.

The file is TOML (``BAOSONG_RULES``; the shipped default is ``default_rules.toml``). Adoption
levels are listed from the lowest to the highest: only the highest level an item reached counts.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PHOTO_COUNTS = ("images", "items")

# Names for the notes on ledger lines; a level the rules add without a name shows its key.
LEVEL_NAMES = {"portal": "门户网站", "city": "市级", "provincial": "省级", "national": "国家级"}


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class Quota:
    """What a unit of one kind must send in a month."""

    articles: int = 0
    photos: int = 0
    photos_cap: int | None = None  # photos beyond this do not count further

    @property
    def owed(self) -> bool:
        return self.articles > 0 or self.photos > 0

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
class CommendationRules:
    """Who the year-end review commends (表彰): ``[commendation]`` in the rules file."""

    top: int = 3  # units commended per board (counties, enterprises)
    top_informants: int = 5
    min_points: int = 10  # a unit's floor of points in the period
    min_points_informant: int = 10
    min_quota_months: int = 10  # months of a year with the quota met (half of it for a half-year)
    false_content_words: tuple[str, ...] = ("失实", "虚假", "不实", "数据有误")

    def quota_months(self, months: int) -> int:
        return -(-self.min_quota_months * months // 12)  # a half-year asks half, rounded up

    def to_dict(self) -> dict[str, Any]:
        return {"top": self.top, "top_informants": self.top_informants,
                "min_points": self.min_points, "min_points_informant": self.min_points_informant,
                "min_quota_months": self.min_quota_months,
                "false_content_words": list(self.false_content_words)}


def _commendation(raw: dict[str, Any]) -> CommendationRules:
    table = _table(raw, "commendation")
    numbers = {k: _int(table, k, "commendation") for k in
               ("top", "top_informants", "min_points", "min_points_informant",
                "min_quota_months") if k in table}
    words = table.get("false_content_words", list(CommendationRules.false_content_words))
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise RulesError("规则文件 commendation.false_content_words 须为字符串列表 "
                         "(commendation.false_content_words must be a list of strings)")
    if any(v < 0 for v in numbers.values()):
        raise RulesError("规则文件 [commendation] 的数量不能为负 "
                         "([commendation]: negative numbers)")
    return CommendationRules(**numbers, false_content_words=tuple(words))


@dataclass(frozen=True)
class Rules:
    version: str
    points: dict[str, int]
    lead_multiplier: int = 2
    adoption: dict[str, int] = field(default_factory=dict)  # lowest level first
    # the portal's own publication is the lowest level: an item adopted higher up holds the
    # adoption's points instead of its portal points, not both (only the highest counts)
    portal_is_lowest: bool = False
    instruction: dict[str, int] = field(default_factory=dict)
    commission_bonus: int = 3
    commission_penalty: int = -5
    quota_bonus: int = 2
    quota_penalty: int = -2
    quotas: dict[str, Quota] = field(default_factory=dict)
    photos_count: str = "images"  # what "photos" in a quota counts: images, or photo items
    # 网上评议: (floor, points), highest floor first; a rated unit whose score reaches a floor
    # gets its points when the evaluation closes. Empty (the default): evaluations add nothing.
    evaluation_bands: tuple[tuple[float, int], ...] = ()
    # the mailbox, to the handling unit: [letters] on_time (an answer by the deadline) and
    # overdue (a letter escalated past it, a negative number); absent, no points at all
    letter_points: dict[str, int] = field(default_factory=dict)
    commendation: CommendationRules = field(default_factory=CommendationRules)
    digest: str = ""  # of the file's text: the same version must always mean the same rules
    text: str = ""

    def published_points(self, kind: str) -> int:
        return self.points.get(kind, 0)

    def quota(self, unit_kind: str) -> Quota:
        return self.quotas.get(unit_kind, Quota())

    def highest_adoption(self, levels: Collection[str]) -> str | None:
        """Of the levels an item was adopted at, the one that counts (the highest known)."""
        known = [level for level in self.adoption if level in levels]
        return known[-1] if known else None

    def evaluation_points(self, score: float | None) -> int:
        if score is None:
            return 0
        for floor, points in self.evaluation_bands:
            if score >= floor:
                return points
        return 0

    def quota_photos(self, photo_items: int, photo_images: int) -> int:
        return photo_images if self.photos_count == "images" else photo_items


def _int(table: dict[str, Any], key: str, where: str) -> int:
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RulesError(f"规则文件 {where}.{key} 须为整数 ({where}.{key} must be an integer)")
    return value


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise RulesError(f"规则文件 [{key}] 须为表 ([{key}] must be a table)")
    return value


def _ints(raw: dict[str, Any], key: str) -> dict[str, int]:
    table = _table(raw, key)
    return {k: _int(table, k, key) for k in table}


def _quota(kind: str, q: dict[str, Any]) -> Quota:
    cap = q.get("photos_cap")
    if cap is not None:
        cap = _int(q, "photos_cap", f"quota.{kind}")
    quota = Quota(articles=_int(q, "articles", f"quota.{kind}"),
                  photos=_int(q, "photos", f"quota.{kind}"), photos_cap=cap)
    if quota.articles < 0 or quota.photos < 0 or (cap is not None and cap < quota.photos):
        raise RulesError(f"规则文件 quota.{kind} 的数量无效 (quota.{kind}: invalid numbers)")
    return quota


def _bands(raw: dict[str, Any]) -> tuple[tuple[float, int], ...]:
    bands = _table(raw, "evaluation").get("bands", [])
    problem = RulesError("规则文件 evaluation.bands 须为 [[分数下限, 积分], …]，分数下限从高到低 "
                         "(evaluation.bands must be [[floor, points], …], highest floor first)")
    if not isinstance(bands, list):
        raise problem
    out = []
    for band in bands:
        if not (isinstance(band, list) and len(band) == 2
                and isinstance(band[0], int | float) and not isinstance(band[0], bool)
                and isinstance(band[1], int) and not isinstance(band[1], bool)):
            raise problem
        out.append((float(band[0]), band[1]))
    if [f for f, _ in out] != sorted((f for f, _ in out), reverse=True):
        raise problem
    return tuple(out)


LETTER_RULES = ("on_time", "overdue")


def _letter_points(raw: dict[str, Any]) -> dict[str, int]:
    points = _ints(raw, "letters")
    unknown = set(points) - set(LETTER_RULES)
    if unknown:
        raise RulesError(f"规则文件 [letters] 只能有 on_time 和 overdue "
                         f"([letters] knows only on_time and overdue, not {sorted(unknown)})")
    return points


def parse_rules(raw: dict[str, Any], text: str = "") -> Rules:
    if "version" not in raw or not str(raw["version"]).strip():
        raise RulesError("规则文件缺少 version (missing version)")
    if "points" not in raw:
        raise RulesError("规则文件缺少 [points] (missing [points])")
    quota = _table(raw, "quota")
    commission = _table(raw, "commission")
    photos_count = quota.get("photos_count", "images")
    if photos_count not in PHOTO_COUNTS:
        raise RulesError("规则文件 quota.photos_count 须为 images 或 items "
                         "(quota.photos_count must be images or items)")
    lead = _table(raw, "lead")
    adoption = dict(_table(raw, "adoption"))
    portal_is_lowest = adoption.pop("portal_is_lowest", False)
    if not isinstance(portal_is_lowest, bool):
        raise RulesError("规则文件 adoption.portal_is_lowest 须为 true 或 false "
                         "(adoption.portal_is_lowest must be a boolean)")
    return Rules(
        version=str(raw["version"]).strip(),
        points=_ints(raw, "points"),
        lead_multiplier=_int(lead, "multiplier", "lead") if "multiplier" in lead else 2,
        adoption={k: _int(adoption, k, "adoption") for k in adoption},
        portal_is_lowest=portal_is_lowest,
        instruction=_ints(raw, "instruction"),
        commission_bonus=_int(commission, "delivered_bonus", "commission"),
        commission_penalty=_int(commission, "missed_penalty", "commission"),
        quota_bonus=_int(quota, "met_bonus", "quota"),
        quota_penalty=_int(quota, "missed_penalty", "quota"),
        quotas={kind: _quota(kind, q) for kind, q in quota.items() if isinstance(q, dict)},
        photos_count=photos_count,
        evaluation_bands=_bands(raw),
        letter_points=_letter_points(raw),
        commendation=_commendation(raw),
        digest=hashlib.sha256(text.encode()).hexdigest() if text else "",
        text=text,
    )


def rules_from_text(text: str) -> Rules:
    try:
        return parse_rules(tomllib.loads(text), text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"规则文件不是有效的 TOML (not valid TOML): {exc}") from exc


def load_rules(path: Path) -> Rules:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"无法读取规则文件 {path} (cannot read the rules file): {exc}") from exc
    return rules_from_text(text)
