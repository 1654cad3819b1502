"""No credential reaches a log: token-like query values, bearer and basic credentials and bare
API tokens are redacted, in the message and in each argument of the access log's records."""

from __future__ import annotations

import logging
from pathlib import Path

from uvicorn.logging import AccessFormatter

from services.address_secrets import REDACTED, RedactSecrets, install_log_redaction, redact

TOKEN = "bs_" + "k7Qw-Zx_9" * 5


def test_token_like_query_values_are_redacted_and_the_rest_kept() -> None:
    line = redact(f"GET /dashboard?month=2026-11&token={TOKEN}&x=1 HTTP/1.1")
    assert TOKEN not in line and f"token={REDACTED}&x=1" in line and "month=2026-11" in line
    lookup = redact("/api/letters/lookup?code=AB12CD&secret=s3cr3t-value")
    assert "s3cr3t-value" not in lookup and "code=AB12CD" in lookup
    assert "abc" not in redact("/x?ACCESS_TOKEN=abc")


def test_authorization_values_and_bare_tokens_are_redacted() -> None:
    assert TOKEN not in redact(f"Authorization: Bearer {TOKEN}")
    assert "dXNlcjpwYXNz" not in redact("authorization=Basic dXNlcjpwYXNz")
    assert TOKEN not in redact(f"user pasted {TOKEN} into the title")
    assert redact("nothing secret here: /api/scores?period=2026") == \
        "nothing secret here: /api/scores?period=2026"


def test_the_access_log_written_to_a_file_shows_no_token(tmp_path: Path) -> None:
    """An access record as uvicorn makes it (its arguments unpacked by its formatter), through
    the filter installed on the access logger, read back from the file it was written to."""
    logger = logging.getLogger("uvicorn.access")
    install_log_redaction()
    assert any(isinstance(f, RedactSecrets) for f in logger.filters)
    log_file = tmp_path / "access.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s',
                                         use_colors=False))
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    try:
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                    f"/api/scores/stream?token={TOKEN}", "1.1", 400)
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                    "/api/letters/lookup?code=AB12&secret=writer-secret", "1.1", 200)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()
    written = log_file.read_text(encoding="utf-8")
    assert "/api/scores/stream?token=" in written and "code=AB12" in written
    assert TOKEN not in written and "writer-secret" not in written
    assert written.count(REDACTED) == 2
