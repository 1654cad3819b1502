"""Keeping each rule set's text by its version, and refusing a version that changed."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from scoring.models import RuleSet
from scoring.rules import Rules, RulesError
from services.db import Database


def register(db: Database, rules: Rules) -> None:
    """Keep ``rules`` under its version; raise if that version was kept with other numbers."""
    for _ in range(2):
        try:
            with db.transaction() as session:
                kept = session.get(RuleSet, rules.version)
                if kept is None:
                    session.add(RuleSet(version=rules.version, digest=rules.digest,
                                        text=rules.text))
                    return
                if kept.digest != rules.digest:
                    raise RulesError(
                        f"规则版本 {rules.version} 已用于另一份规则；修改规则须改版本号 "
                        f"(rules version {rules.version} was used with other numbers: "
                        f"give the changed rules a new version)")
                return
        except IntegrityError:
            continue  # another process kept it a moment ago: compare with that
