"""PostgreSQL out of reach (cut by a proxy in front of the shared server): the API answers 503
with Retry-After, never 500, and the pollers log one line per retry, not a traceback (issue 15,
item 7)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.polling import poll_until_stopped
from services.settings import Settings
from tests.outage_proxy import OutageProxy
from tests.support import Pipeline


@pytest.fixture
def proxy() -> Iterator[OutageProxy]:
    cut = OutageProxy("127.0.0.1", 5432)
    yield cut
    cut.close()


def test_an_outage_is_a_503_with_retry_after_and_one_line_per_retry(
        pg_url: str, proxy: OutageProxy, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    url = pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    assert url != pg_url
    p = Pipeline(Settings(data_dir=tmp_path / "var", database_url=url,  # type: ignore[call-arg]
                          _env_file=None))
    try:
        p.unit("qingshan", "青山县经济和信息化局", "county")
        informant = p.user("王晓明", unit="qingshan")
        assert p.get("/api/submissions", informant).status_code == 200

        proxy.cut()
        for answer in (p.get("/api/submissions", informant),
                       p.upload(informant, title="停电时报送", body="正文" * 40)):
            assert answer.status_code == 503, answer.text
            assert answer.headers["Retry-After"] == "5"
            assert "数据库" in answer.json()["detail"]

        caplog.clear()
        stop, wake = threading.Event(), threading.Event()
        relay = threading.Thread(target=poll_until_stopped, args=(p.relay.drain,), kwargs=dict(
            stop=stop, wake=wake, poll_seconds=0.1, name="relay"))
        with caplog.at_level(logging.WARNING, logger="services.polling"):
            relay.start()
            stop.wait(1.2)
            stop.set()
            relay.join(5)
        retries = [r for r in caplog.records if r.name == "services.polling"]
        assert retries and all(r.exc_info is None and r.levelno == logging.WARNING
                               for r in retries)
        assert "OperationalError" in retries[0].getMessage()

        proxy.restore()
        assert p.get("/api/submissions", informant).status_code == 200
    finally:
        p.close()


def test_an_unexpected_failure_in_a_poller_still_gets_its_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    stop, wake = threading.Event(), threading.Event()

    def broken() -> int:
        stop.set()
        raise ValueError("a bug")

    with caplog.at_level(logging.WARNING, logger="services.polling"):
        poll_until_stopped(broken, stop=stop, wake=wake, poll_seconds=0.1, name="broken")
    assert caplog.records[0].exc_info is not None and caplog.records[0].levelno == logging.ERROR
