"""Component logic runs from plain Python, as a command or a job would run it: it decides,
refuses in refusals, and never loads the web framework."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import City

FLAGGED_BODY = "青山县举办招商推介会，详情咨询电话：0571-88776655。"

# Run in a fresh interpreter, so that nothing the test process imported counts.
JOB = textwrap.dedent("""
    import json, sys
    from pathlib import Path

    from ingest.uploads import FormReader, UploadLimits
    from moderation import decisions
    from services import refusals
    from services.context import Context
    from services.db import Database
    from services.identity import authenticate
    from services.settings import Settings
    from services.storage.folder import FolderStore

    data_dir, token, first, second = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    settings = Settings(data_dir=Path(data_dir), _env_file=None)
    objects = settings.data_dir / "objects"
    ctx = Context(settings=settings, db=Database(settings.database_url),
                  uploads=FolderStore(objects / settings.uploads_bucket),
                  site=FolderStore(objects / settings.site_bucket))
    with ctx.db.session() as session:
        moderator = authenticate(session, token)

    out = {}
    outcomes = decisions.decide_many(
        ctx, moderator, [(first, "not-what-was-screened"), (2_000_000, None), (second, None)],
        "reject", "与本栏目无关")
    out["bulk"] = [[o.submission, o.ok, type(o.refusal).__name__ if o.refusal else None]
                   for o in outcomes]
    try:
        decisions.decide(ctx, moderator, first, decisions.Decision("publish"))
    except refusals.Refusal as refusal:
        out["single"] = [type(refusal).__name__, refusal.message]
    limits = UploadLimits(max_file_bytes=10, max_files=1, max_request_bytes=100, max_fields=5,
                          max_field_chars=50)
    reader = FormReader("multipart/form-data; boundary=b", None, limits, settings.data_dir / "t")
    try:
        reader.feed(b"--b\\r\\n" + b"x" * 200)
    except refusals.Refusal as refusal:
        out["upload"] = type(refusal).__name__
    out["web"] = sorted(m for m in sys.modules if m.split(".")[0] in
                        ("fastapi", "starlette", "sse_starlette")
                        or m.startswith(("services.http", "services.web_")))
    print(json.dumps(out, ensure_ascii=False))
""")


def flagged(city: City, title: str) -> int:
    p = city.pipeline
    sid: int = p.upload(city.informant, title=title, body=FLAGGED_BODY).json()["id"]
    p.settle()
    assert p.get(f"/api/submissions/{sid}", city.admin).json()["status"] == "flagged"
    return sid


def test_a_bulk_decision_from_a_job_refuses_in_refusals_without_the_web(city: City) -> None:
    p = city.pipeline
    first, second = flagged(city, "招商推介会"), flagged(city, "项目推介会")
    done = subprocess.run(
        [sys.executable, "-c", JOB, str(p.ctx.settings.data_dir), city.moderator, str(first),
         str(second)],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2], check=True)
    out = json.loads(done.stdout)

    assert out["bulk"] == [[first, False, "Conflict"], [2_000_000, False, "NotFound"],
                           [second, True, None]]
    assert out["single"][0] == "Invalid" and "action" in out["single"][1]
    assert out["upload"] == "TooLarge"
    assert out["web"] == []

    # what the job decided goes down the pipeline like a decision made on the queue page
    p.settle()
    assert p.get(f"/api/submissions/{second}", city.admin).json()["status"] == "rejected"
    assert p.get(f"/api/moderation/{first}", city.admin).json()["state"] == "flagged"
