"""Collecting orphans: photos stored by an upload whose transaction never committed (the process
died in between), and spool files of uploads cut off by a crash. Harmless while they wait, so
this runs rarely and leaves anything younger than the grace period alone."""

from __future__ import annotations

import datetime as dt
import logging
import time

import sqlalchemy as sa

from ingest.models import Photo
from services.context import Context
from services.db import utcnow

log = logging.getLogger(__name__)
GRACE = dt.timedelta(hours=1)


def sweep(ctx: Context) -> int:
    """Delete orphaned upload objects and stale spool files; return how many went."""
    removed = 0
    cutoff = utcnow() - GRACE
    for key in ctx.uploads.list("submissions/"):
        try:
            if ctx.uploads.stat(key).modified > cutoff:
                continue
        except FileNotFoundError:
            continue
        with ctx.db.session() as session:
            referenced = session.scalar(sa.select(Photo.id).where(Photo.object_key == key))
        if referenced is None:
            ctx.uploads.delete(key)
            removed += 1
    spool = ctx.settings.data_dir / "tmp"
    if spool.is_dir():
        for path in spool.glob("upload-*"):
            if path.stat().st_mtime < time.time() - GRACE.total_seconds():
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        log.info("swept %d orphaned upload objects and spool files", removed)
    return removed
