"""Figures other capabilities lend the year-end review, beside each unit's points.

The review (scoring) reports on what scoring counts; the public mailbox (按期办结率, 满意率) and
the evaluations (网上评议) live in other components, which never import scoring. Each registers
a provider here when it is wired; the review asks every provider for the period's figures per
unit. Until a capability is on main, its figures are absent and the report says 暂无.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

# (session, the period's months YYYY-MM) -> unit slug -> figure name -> value
Provider = Callable[[Session, Sequence[str]], dict[str, dict[str, Any]]]


@dataclass(frozen=True)
class Figure:
    key: str  # e.g. "mailbox.on_time_rate"
    label: str  # the column's heading: 按期办结率
    percent: bool = False


# What the review shows a column for, provided or not: the hooks the mailbox and the surveys fill.
EXPECTED = (Figure("mailbox.on_time_rate", "信箱按期办结率", percent=True),
            Figure("mailbox.satisfied_rate", "信箱满意率", percent=True),
            Figure("evaluation.result", "网上评议结果"))

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """A component lends its figures (``name`` is its capability: mailbox, evaluation)."""
    _providers[name] = provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def gather(session: Session, months: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Every provider's figures, merged per unit."""
    out: dict[str, dict[str, Any]] = {}
    for provider in list(_providers.values()):
        for unit, figures in provider(session, months).items():
            out.setdefault(unit, {}).update(figures)
    return out
