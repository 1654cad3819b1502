"""What the tests share: real infrastructure for each run, sample photos, and an embedded
pipeline that the tests drive step by step (no threads, so every test is deterministic)."""

from __future__ import annotations

import atexit
import functools
import io
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image

from bootstrap import Runtime, bootstrap, metadata
from services import migrate
from services.events import Event
from services.identity import add_unit, add_user
from services.inbox import Subscription
from services.outbox import OutboxMessage
from services.settings import Settings

PG_ADMIN_URL = os.environ.get("BAOSONG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
AMQP_HOST = os.environ.get("BAOSONG_TEST_AMQP_HOST", "127.0.0.1:5672")


# --- infrastructure -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the running PostgreSQL, dropped afterwards."""
    name = f"baosong_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rabbitmqctl(*args: str, attempts: int = 3) -> None:
    """rabbitmqctl, tried again after a pause: its CLI node can fail to start on a busy machine
    (a clash of distribution ports with a CLI node still exiting), which is not the broker's
    fault. The last failure is raised with what the command printed."""
    for attempt in range(1, attempts + 1):
        done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode == 0:
            return
        if attempt == attempts:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} exited {done.returncode}: "
                               f"{done.stderr.strip() or done.stdout.strip()}")
        time.sleep(2 * attempt)


@contextmanager
def rabbitmq_vhost() -> Iterator[str]:
    """A vhost of its own on the running RabbitMQ, deleted afterwards."""
    vhost = f"baosong-test-{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        yield f"amqp://guest:guest@{AMQP_HOST}/{vhost}"
    finally:
        _rabbitmqctl("delete_vhost", vhost)


@contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3 server on a loopback port: the stand-in for MinIO."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_settings(endpoint: str) -> dict[str, Any]:
    return {"s3_endpoint": endpoint, "s3_access_key": "testing", "s3_secret_key": "testing",
            "uploads_bucket": f"up-{uuid.uuid4().hex[:8]}",
            "site_bucket": f"site-{uuid.uuid4().hex[:8]}"}


def wait_until(check: Callable[[], Any], timeout: float = 30.0, every: float = 0.1,
               what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


# --- texts --------------------------------------------------------------------------------------

PROSE = Path(__file__).resolve().parent / "fixtures" / "prose"


def _sentences() -> list[str]:
    lines = []
    for name in ("county.txt", "enterprise.txt", "speeches.txt"):
        for line in (PROSE / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                lines.append(line.strip())
    return lines


def article(n: int, sentences: int = 6) -> str:
    """The ``n``-th of many honest articles, each a different draw of sentences: no two are near
    copies (screening marks a resent text as a duplicate, which earns nothing)."""
    return "".join(random.Random(n).sample(_sentences(), sentences))


# --- photos -------------------------------------------------------------------------------------

def photo(size: tuple[int, int] = (1600, 1200), color: tuple[int, int, int] = (30, 120, 200),
          fmt: str = "JPEG", mode: str = "RGB", exif: Image.Exif | None = None,
          seed: int = 0) -> bytes:
    """A photo with some structure: coarse blocks of light and shade drawn from ``seed``, so
    that photos of different seeds are different photos to a perceptual hash too."""
    image = Image.new("RGB", size, color)
    step = max(size) // 8 or 1
    for i in range(0, size[0], step):
        shade = ((i * 37 + seed * 91) % 255, (seed * 53) % 255, (i * 11) % 255)
        image.paste(shade, (i, (seed * 17) % max(1, size[1] // 2), min(size[0], i + step // 2),
                            size[1]))
    blocks = random.Random(seed)
    cell_w, cell_h = max(1, size[0] // 6), max(1, size[1] // 6)
    for x in range(0, size[0], cell_w):
        for y in range(0, size[1], cell_h):
            if blocks.random() < 0.5:
                grey = blocks.randrange(256)
                image.paste((grey, grey, grey), (x, y, x + cell_w // 2, y + cell_h))
    if mode != "RGB":
        image = image.convert(mode)
    out = io.BytesIO()
    kwargs: dict[str, Any] = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def photo_with_code(text: str, at: tuple[int, int], size: tuple[int, int] = (1600, 1200),
                    seed: int = 0, code_side: int = 300) -> bytes:
    """``photo()`` with a QR code of ``text`` pasted at ``at``, as an advertiser would."""
    import segno  # a test dependency only

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=10, border=4)
    code = Image.open(out).convert("RGB").resize((code_side, code_side), Image.Resampling.NEAREST)
    image = Image.open(io.BytesIO(photo(size, seed=seed))).convert("RGB")
    image.paste(code, at)
    result = io.BytesIO()
    image.save(result, "JPEG", quality=85)
    return result.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "TestCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 14.0, 0.0)
    gps[3] = "E"
    gps[4] = (121.0, 28.0, 0.0)
    return exif


def huge_png_header(width: int = 25_000, height: int = 20_000) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


# --- the embedded pipeline, driven step by step ---------------------------------------------------

@functools.cache
def _schema_template() -> Path:
    """A SQLite database brought to the newest schema by the migrations, once a test process."""
    folder = Path(tempfile.mkdtemp(prefix="baosong-schema-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "baosong.db"
    migrate.upgrade(f"sqlite:///{path}", metadata())
    return path


def _from_template(settings: Settings) -> None:
    """A pipeline's fresh SQLite database starts as a copy of the template: its own upgrade
    then finds nothing to do (running the 25 migrations costs a quarter of a second, for each
    of the hundreds of tests that build a pipeline). The migrations themselves are tested on
    empty databases and on databases with rows (``tests/integration/test_migration*.py``)."""
    url = sa.engine.make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    target = Path(url.database)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_schema_template(), target)


class Pipeline:
    """The whole pipeline in this process on the embedded bus, as ``baosong up`` wires it, with
    no background threads: ``settle()`` relays and delivers until nothing moves."""

    def __init__(self, settings: Settings) -> None:
        _from_template(settings)
        self.runtime: Runtime = bootstrap(settings, "up")
        self.ctx = self.runtime.ctx
        self.components = self.runtime.components
        self.relay = self.runtime.relay
        self.consumers = self.runtime.queue_consumers
        self.app = self.runtime.app
        self.client = TestClient(self.app)

    def settle(self, rounds: int = 50) -> None:
        self.runtime.settle(rounds)

    def unit(self, slug: str, name: str, kind: str = "county", site: str | None = None) -> str:
        with self.ctx.db.transaction() as session:
            add_unit(session, slug, name, kind, site)
        return slug

    def user(self, name: str, role: str = "informant", unit: str | None = None) -> str:
        with self.ctx.db.transaction() as session:
            _, token = add_user(session, name, role, unit)
        return token

    def upload(self, token: str, *, kind: str = "article", title: str = "测试标题",
               body: str = "", photos: list[bytes] | None = None,
               captions: list[str] | None = None, key: str | None = None,
               extra: dict[str, str] | None = None, path: str = "/api/submissions",
               filenames: list[str] | None = None) -> Any:
        data: dict[str, Any] = {"kind": kind, "title": title}
        if body:
            data["body"] = body
        if captions:
            data["captions"] = captions
        data.update(extra or {})
        names = filenames or [f"photo-{i}.jpg" for i in range(len(photos or []))]
        files = [("photos", (name, content, "image/jpeg"))
                 for name, content in zip(names, photos or [], strict=True)]
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        return self.client.post(path, data=data, files=files or None, headers=headers)

    def get(self, path: str, token: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})

    def post(self, path: str, token: str, json: Any = None) -> Any:
        return self.client.post(path, json=json, headers={"Authorization": f"Bearer {token}"})

    def pending(self, event_type: str) -> list[Event]:
        """The events of a type in the outbox, not relayed yet, oldest first: for a test to
        hand them to a consumer in another order (``services.inbox.deliver``)."""
        with self.ctx.db.session() as session:
            rows = session.scalars(sa.select(OutboxMessage).where(
                OutboxMessage.type == event_type, OutboxMessage.published_at.is_(None))
                .order_by(OutboxMessage.seq))
            return [Event.from_json(row.payload) for row in rows]

    def subscription(self, consumer: str) -> Subscription:
        (found,) = [s for c in self.components for s in c.subscriptions if s.consumer == consumer]
        return found

    def close(self) -> None:
        self.client.close()
        self.runtime.close()
