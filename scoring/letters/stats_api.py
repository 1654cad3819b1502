"""``GET /api/letters/stats?month=YYYY-MM``: the mailbox figures per handling unit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter

from scoring.letters.stats import month_stats
from services.clock import utcnow
from services.http import ContextDep, CurrentUser, MonthQuery
from services.refusals import Invalid

router = APIRouter(prefix="/api/letters", tags=["mailbox"])
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def today_in(timezone: str) -> dt.date:
    return utcnow().astimezone(ZoneInfo(timezone)).date()


@router.get("/stats", summary="来信办理统计：每个办理单位的按期办结率、回复率、满意率、发回重办率")
def stats(ctx: ContextDep, user: CurrentUser,
          month: MonthQuery = None) -> dict[str, Any]:
    today = today_in(ctx.settings.timezone)
    month = month or f"{today:%Y-%m}"
    if not MONTH_RE.match(month):
        raise Invalid("月份格式应为 YYYY-MM (month must be YYYY-MM)")
    with ctx.db.session() as session:
        return month_stats(session, month, today)
