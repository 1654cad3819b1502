"""Separation of duties: nobody acts on an item from their own unit, or one they sent.

The rule holds for every action that decides an item or moves its unit's points: the decision
in the queue, an adoption or a leader instruction, the home page's lead (头条), retraction and
republishing. It lives in the kernel because moderation, scoring and the publisher each apply
it to their own rows, and they never import each other.
"""

from __future__ import annotations

from services.identity import Principal
from services.refusals import Forbidden


def recusal(user: Principal, unit: str | None, informant: int | None) -> str | None:
    """Why ``user`` may not act on an item of ``unit`` sent by ``informant`` (None if they may)."""
    if informant is not None and informant == user.id:
        return "不能处理自己报送的稿件 (you cannot act on an item you sent)"
    if user.unit is not None and unit == user.unit:
        return "不能处理本单位报送的稿件 (you cannot act on an item from your own unit)"
    return None


def refuse_if_recused(user: Principal, unit: str | None, informant: int | None) -> None:
    reason = recusal(user, unit, informant)
    if reason:
        raise Forbidden(reason)
