"""Photos stored by an upload that never committed are collected once they are old enough."""

from __future__ import annotations

import datetime as dt
import os

from ingest import sweeper
from tests.conftest import City
from tests.support import photo


def test_orphaned_upload_objects_are_swept_and_referenced_ones_kept(city: City) -> None:
    p = city.pipeline
    kept = p.upload(city.informant, kind="photo", title="保留", photos=[photo()]).json()["id"]
    # what a crash between storing the photo and committing the row leaves behind
    p.ctx.uploads.put_bytes("submissions/2026/11/orphan.jpg", photo(seed=5), "image/jpeg")
    spool = p.ctx.settings.data_dir / "tmp"
    spool.mkdir(parents=True, exist_ok=True)
    stale = spool / "upload-stale"
    stale.write_bytes(b"half an upload")

    assert sweeper.sweep(p.ctx) == 0  # younger than the grace period: left alone
    old = (dt.datetime.now() - dt.timedelta(hours=2)).timestamp()
    for path in (p.ctx.settings.data_dir / "objects").rglob("*.jpg"):
        os.utime(path, (old, old))
    os.utime(stale, (old, old))

    assert sweeper.sweep(p.ctx) == 2
    remaining = list(p.ctx.uploads.list())
    assert len(remaining) == 1 and "orphan" not in remaining[0]
    assert not stale.exists()
    assert p.get(f"/api/submissions/{kept}", city.informant).status_code == 200


def test_a_letters_attachments_are_kept_and_its_orphans_swept(city: City) -> None:
    p = city.pipeline
    written = p.client.post("/api/letters", data={
        "type": "consult", "subject": "附件", "body": "请看附件。", "name": "王芳",
        "phone": "13800001111"}, files=[("attachments", ("a.jpg", photo(seed=8), "image/jpeg"))])
    assert written.status_code == 201
    p.ctx.uploads.put_bytes("letters/2026/11/orphan.jpg", photo(seed=9), "image/jpeg")
    old = (dt.datetime.now() - dt.timedelta(hours=2)).timestamp()
    for path in (p.ctx.settings.data_dir / "objects").rglob("*.jpg"):
        os.utime(path, (old, old))
    assert sweeper.sweep(p.ctx) == 1
    (kept,) = p.ctx.uploads.list("letters/")
    assert "orphan" not in kept
