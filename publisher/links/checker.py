"""Checks every unit's website with a bounded timeout and records the outcome.

A site is alive when it answers with a status below 400 (redirects followed). Anything else (an
error status, a refused connection, a timeout) counts one more failure in a row; the link stays
on the portal, the admin decides.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from publisher.links.models import LinkCheck, LinkStatus
from services.context import Context
from services.db import utcnow
from services.identity import Unit


def probe(url: str, timeout: float) -> tuple[bool, str]:
    """(alive, what happened) for one address."""
    request = urllib.request.Request(url, method="GET",
                                     headers={"User-Agent": "baosong-link-check"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status < 400, f"HTTP {response.status}"
    except urllib.error.HTTPError as e:
        return False, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        return False, f"连接失败 ({reason})"[:200]


def check_all(ctx: Context) -> int:
    """Checks each unit with a website; returns how many were checked."""
    with ctx.db.session() as session:
        sites = [(u.slug, u.site_url) for u in
                 session.scalars(sa.select(Unit).where(Unit.site_url.is_not(None))) if u.site_url]
    timeout = ctx.settings.link_check_timeout_seconds
    # side by side, outside any transaction: the embedded mode runs every job on one thread, so
    # the whole check takes about one timeout however many sites are down
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda site: probe(site[1], timeout), sites))
    checked = 0
    for (slug, url), (alive, detail) in zip(sites, outcomes, strict=True):
        with ctx.db.transaction() as session:
            row = session.get(LinkCheck, slug)
            if row is None:
                row = LinkCheck(unit_slug=slug, failures=0)
                session.add(row)
            if row.url != url:
                row.failures = 0  # a new address starts afresh
            row.url = url
            row.status = LinkStatus.ALIVE if alive else LinkStatus.DEAD
            row.detail = detail
            row.failures = 0 if alive else (row.failures or 0) + 1
            row.checked_at = utcnow()
            row.dead_since = None if alive else (
                row.checked_at if row.failures == 1 else row.dead_since or row.checked_at)
        checked += 1
    return checked


def report(ctx: Context) -> list[dict[str, object]]:
    with ctx.db.session() as session:
        rows = session.scalars(sa.select(LinkCheck).order_by(LinkCheck.unit_slug)).all()
        return [{"unit": r.unit_slug, "url": r.url, "status": r.status, "detail": r.detail,
                 "failures": r.failures, "checked_at": r.checked_at.isoformat(),
                 "dead_since": r.dead_since.isoformat() if r.dead_since else None}
                for r in rows]
