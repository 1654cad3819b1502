"""The informants' guide (报送须知): the quotas, the columns and how points are counted, written
from the same rules file scoring reads (``Settings.rules_path``) and from the column settings, so
the page can never disagree with scoring.

The publisher never imports scoring: it reads the few numbers it shows from the TOML itself, and
a number missing from the file is left off the page rather than guessed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from publisher import addresses
from publisher.pages import Pages, Rendering
from services.identity import UNIT_KIND_LABELS

GUIDE = "guide.html"

KIND_NAMES = {"article": "文章", "photo": "图片新闻"}
LEVEL_NAMES = {"portal": "门户网站", "city": "市级", "provincial": "省级", "national": "国家级"}


@dataclass(frozen=True)
class GuideRules:
    """What the guide shows of the rules, each as a (label, number) row."""

    version: str
    quotas: list[tuple[str, int, int, int | None]] = field(default_factory=list)
    points: list[tuple[str, int]] = field(default_factory=list)
    bonuses: list[tuple[str, int]] = field(default_factory=list)


def _ints(table: Any) -> dict[str, int]:
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if isinstance(v, int) and not isinstance(v, bool)}


def read_rules(raw: dict[str, Any]) -> GuideRules:
    """The guide's rows from the parsed rules file (pure)."""
    quota = raw.get("quota", {}) if isinstance(raw.get("quota"), dict) else {}
    quotas = []
    for kind, label in UNIT_KIND_LABELS.items():
        q = _ints(quota.get(kind))
        if q.get("articles", 0) or q.get("photos", 0):
            quotas.append((label, q.get("articles", 0), q.get("photos", 0), q.get("photos_cap")))
    points = [(f"{KIND_NAMES.get(k, k)}在门户网站采用", v)
              for k, v in _ints(raw.get("points")).items()]
    lead = _ints(raw.get("lead")).get("multiplier")
    if lead is not None:
        points.append(("被选为头条：采用积分乘以", lead))
    points += [(f"被{LEVEL_NAMES.get(k, k)}媒体采用（只计最高一级）", v)
               for k, v in _ints(raw.get("adoption")).items()]
    points += [(f"获{LEVEL_NAMES.get(k, k)}领导批示", v)
               for k, v in _ints(raw.get("instruction")).items()]
    commission, q = _ints(raw.get("commission")), _ints(quota)
    labels = [("约稿按期报送并采用，另加", commission.get("delivered_bonus")),
              ("约稿逾期未报送", commission.get("missed_penalty")),
              ("完成当月任务", q.get("met_bonus")), ("未完成当月任务", q.get("missed_penalty"))]
    return GuideRules(version=str(raw.get("version", "")), quotas=quotas, points=points,
                      bonuses=[(label, v) for label, v in labels if v is not None])


def load(path: Path) -> GuideRules:
    with path.open("rb") as f:
        return read_rules(tomllib.load(f))


def writer(pages: Pages, rules_path: Path) -> Callable[[Session, Rendering], None]:
    """Read when the page is written: a changed rules file shows at the next rebuild."""

    def write_guide(session: Session, done: Rendering) -> None:
        # not ``columns``: the base template's navigation already takes that name
        links = [(addresses.column(c.id), c) for c in pages.columns]
        page = pages.renderer.page(GUIDE, GUIDE, rules=load(rules_path), guide_columns=links)
        pages.put(GUIDE, page, done)

    return write_guide
