"""The informants' rush, as a load generator: distinct items (articles of about 500 characters,
and 1600×1200 photo items), each a ready multipart body, offered at a fixed rate (open loop: a
slow answer never delays the next request) or by a fixed number of clients (closed loop).

Latency is counted from the moment a request was due, not from when a client got round to
sending it, so a generator that falls behind does not hide the server's delay (coordinated
omission). The bodies are encoded before the clock starts, so the generator spends its time on
the wire, not on encoding.
"""

from __future__ import annotations

import io
import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from PIL import Image

from tests.support import article

PHOTO_SIZE = (1600, 1200)


@dataclass(frozen=True)
class Item:
    """One upload: its multipart body and the content type that names the boundary."""

    kind: str
    body: bytes
    content_type: str


@dataclass
class Sent:
    item: int
    due: float  # wall clock (time.time()) when the request was due
    status: int = 0
    answered: float = 0.0  # wall clock when the answer came
    submission: int | None = None
    error: str = ""


def bench_photo(seed: int) -> bytes:
    """A 1600×1200 JPEG of about 300 KB: random blocks of colour (so that every seed is a
    different photo to the perceptual hash) under sensor-like noise (so that it weighs what a
    photo weighs)."""
    rng = random.Random(seed)
    grid = Image.new("RGB", (8, 6))
    grid.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                  for _ in range(48)])
    image = grid.resize(PHOTO_SIZE, Image.Resampling.BICUBIC)
    noise = Image.effect_noise(PHOTO_SIZE, 40).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _multipart(fields: Sequence[tuple[str, str]], photos: Sequence[bytes]) -> tuple[bytes, str]:
    boundary = f"baosong-bench-{uuid.uuid4().hex}"
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                  .encode())
        out.write(value.encode())
        out.write(b"\r\n")
    for index, data in enumerate(photos):
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
                  f'filename="photo-{index}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode())
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _item(n: int) -> Item:
    """Item ``n``: even ones are articles, odd ones photo items; every one is new content."""
    if n % 2 == 0:
        body, ctype = _multipart([("kind", "article"), ("title", f"产业动态第{n}期"),
                                  ("body", article(n, sentences=16))], [])
        return Item("article", body, ctype)
    body, ctype = _multipart([("kind", "photo"), ("title", f"项目现场图片{n}"),
                              ("captions", f"重点项目建设现场（{n}）")], [bench_photo(n)])
    return Item("photo", body, ctype)


def make_items(first: int, count: int, workers: int = 2) -> list[Item]:
    """Items ``first`` … ``first + count - 1``, drawn on every core."""
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_item, range(first, first + count), chunksize=16))


@dataclass
class Clients:
    """One HTTP client per thread, each with a token taken in turn from ``tokens``."""

    base_url: str
    tokens: Sequence[str]
    _local: threading.local = field(default_factory=threading.local)
    _count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            with self._lock:
                token = self.tokens[self._count % len(self.tokens)]
                self._count += 1
            client = httpx.Client(base_url=self.base_url, timeout=120,
                                  headers={"Authorization": f"Bearer {token}"})
            self._local.client = client
        return client


def send(clients: Clients, path: str, item: Item, sent: Sent) -> Sent:
    try:
        response = clients.get().post(path, content=item.body,
                                      headers={"Content-Type": item.content_type})
        sent.status = response.status_code
        if response.status_code == 202:
            sent.submission = int(response.json()["id"])
        else:
            sent.error = response.text[:200]
    except httpx.HTTPError as exc:
        sent.error = repr(exc)
    sent.answered = time.time()
    return sent


def open_loop(clients: Clients, items: Sequence[Item], rate: float, *,
              path: str = "/api/submissions", threads: int = 96) -> list[Sent]:
    """Offer ``items`` at ``rate`` a second, whatever the answers; wait for every answer."""
    interval = 1.0 / rate
    results = [Sent(item=i, due=0.0) for i in range(len(items))]
    start_mono, start_wall = time.monotonic() + 0.05, time.time() + 0.05
    with ThreadPoolExecutor(threads) as pool:
        futures = []
        for i, item in enumerate(items):
            due = start_mono + i * interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            results[i].due = start_wall + i * interval
            futures.append(pool.submit(send, clients, path, item, results[i]))
        for future in futures:
            future.result()
    return results


def closed_loop(clients: Clients, items: Sequence[Item], concurrency: int, *,
                path: str = "/api/submissions") -> tuple[float, list[Sent]]:
    """Each of ``concurrency`` clients sends its next item when the last is answered; returns
    requests answered a second and what each got."""
    results = [Sent(item=i, due=0.0) for i in range(len(items))]

    def one(i: int) -> Sent:
        results[i].due = time.time()
        return send(clients, path, items[i], results[i])

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(len(items))))
    return len(items) / (time.perf_counter() - started), results


def wait_for(check: Callable[[], bool], timeout: float, every: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()
