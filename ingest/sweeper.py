"""Collecting orphans: photos stored by an upload whose transaction never committed (the process
died in between), and spool files of uploads cut off by a crash. Harmless while they wait, so
this runs rarely and leaves anything younger than the grace period alone."""

from __future__ import annotations

import datetime as dt
import logging
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ingest.letters.models import Letter
from ingest.models import Photo
from services.context import Context
from services.db import utcnow

log = logging.getLogger(__name__)
GRACE = dt.timedelta(hours=1)


def _referenced(session: Session, key: str) -> bool:
    if key.startswith("letters/"):  # a letter's attachments are listed in its row
        return session.scalar(sa.select(Letter.id).where(
            sa.cast(Letter.attachments, sa.Text).contains(key))) is not None
    return session.scalar(sa.select(Photo.id).where(Photo.object_key == key)) is not None


def sweep(ctx: Context) -> int:
    """Delete orphaned upload objects and stale spool files; return how many went."""
    removed = 0
    cutoff = utcnow() - GRACE
    for prefix in ("submissions/", "letters/"):
        for key in ctx.uploads.list(prefix):
            try:
                if ctx.uploads.stat(key).modified > cutoff:
                    continue
            except FileNotFoundError:
                continue
            with ctx.db.session() as session:
                referenced = _referenced(session, key)
            if not referenced:
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
