"""The linked websites' check: against servers this test starts on loopback (one alive, one
answering 404, one closed port); a dead one is marked for the admin, its link stays."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from publisher.links import checker
from tests.support import Pipeline


class _Alive(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/" else 404)
        self.end_headers()
        self.wfile.write("青山县".encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Alive)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_dead_sites_are_marked_for_the_admin_and_keep_their_link(pipeline: Pipeline,
                                                                  server: str) -> None:
    p = pipeline
    p.unit("qingshan", "青山县经济和信息化局", "county", server + "/")
    p.unit("linjiang", "临江区经济和信息化局", "county", server + "/gone")
    p.unit("huayuan", "华远机械股份有限公司", "enterprise", f"http://127.0.0.1:{_closed_port()}/")
    p.unit("office", "市经信委办公室", "department")
    admin = p.user("赵刚", role="admin")
    informant = p.user("王晓明", unit="qingshan")
    job = next(j for c in p.components for j in c.jobs if j.name == "publisher.check-links")
    assert job.every_seconds == p.ctx.settings.link_check_seconds
    assert checker.check_all(p.ctx) == 3
    assert job.run(p.ctx) == 3
    checks = {c["unit"]: c for c in p.get("/api/admin/links", admin).json()}
    assert checks["qingshan"]["status"] == "alive" and checks["qingshan"]["failures"] == 0
    assert checks["linjiang"]["status"] == "dead" and checks["linjiang"]["detail"] == "HTTP 404"
    assert checks["linjiang"]["failures"] == 2
    assert checks["huayuan"]["status"] == "dead" and checks["huayuan"]["failures"] == 2
    # dead since the first failed check of the two, alive ones never
    first = checks["huayuan"]["dead_since"]
    assert first is not None and first < checks["huayuan"]["checked_at"]
    assert checks["qingshan"]["dead_since"] is None
    assert "office" not in checks
    assert p.get("/api/admin/links", informant).status_code == 403
    with p.ctx.db.session() as session:  # the links stay: the admin decides
        from services.identity import Unit
        assert session.get(Unit, "linjiang").site_url == server + "/gone"  # type: ignore[union-attr]
