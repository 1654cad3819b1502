"""Publishing: seconds to publish one item with 100 and with 10,000 items already on the site,
against a full rebuild of the same site, and photos per second for the derivatives.

Everything runs on the embedded default (SQLite, the site in a folder, every file fsynced), the
way ``baosong up`` runs it. An item is published through the publisher's real consumer: the
inbox, the site lock, the pages, the outbox. The baselines are measured in the same run:

- the full rebuild (``baosong site rebuild``) writes every page from the database, which is
  what a generator without incremental publishing does for each new item;
- the naive derivative pipeline decodes every photo in full (no ``draft``), turns the full-size
  image upright and resizes both sizes from it.

Sizes can be changed with BAOSONG_BENCH_SITES (default "100,10000") and BAOSONG_BENCH_PHOTOS.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PIL import Image, ImageOps

from bootstrap import bootstrap
from publisher.derivatives import Sizes, make_derivatives
from publisher.models import PublishedItem
from publisher.rebuild import rebuild
from publisher.site import Site
from services.columns import load as load_columns
from services.contracts.submissions import Approved, ApprovedPhoto, SubmissionId
from services.db import utcnow
from services.identity import add_unit, add_user
from services.inbox import Subscription, deliver
from services.settings import Settings

UNITS = 24  # counties and enterprises sending in
PUBLISHES = 21  # articles published, one at a time, on each site


# --- photos -----------------------------------------------------------------------------------

def phone_photo(seed: int = 0, size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A 12-megapixel JPEG that compresses like a phone photo (gradients, sensor noise, edges),
    lying on its side (EXIF orientation 6) and carrying GPS, as phones send them."""
    width, height = size
    base = Image.merge("RGB", [
        Image.linear_gradient("L").resize(size),
        Image.linear_gradient("L").rotate(90).resize(size),
        Image.radial_gradient("L").resize(size),
    ])
    noise = Image.effect_noise(size, 24).convert("RGB")
    image = Image.blend(base, noise, 0.18)
    rng = random.Random(seed)
    for _ in range(40):  # hard edges
        x, y = rng.randrange(width), rng.randrange(height)
        image.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)),
                    (x, y, min(width, x + rng.randrange(50, 600)),
                     min(height, y + rng.randrange(50, 400))))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneCam"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 14.0, 0.0), "E", (121.0, 28.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def naive_derivatives(data: bytes, sizes: Sizes = Sizes()) -> list[bytes]:
    """The obvious way: decode everything, rotate the full image, resize each size from it."""
    with Image.open(io.BytesIO(data)) as original:
        upright = ImageOps.exif_transpose(original).convert("RGB")
    out = []
    for side, quality in ((sizes.web, sizes.web_quality), (sizes.thumb, sizes.thumb_quality)):
        copy = upright.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=None)
        buffer = io.BytesIO()
        copy.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        out.append(buffer.getvalue())
    return out


def _derive(data: bytes) -> int:
    return len(make_derivatives(data))


def photos_per_second(work: Callable[[bytes], Any], photos: list[bytes], rounds: int = 2
                      ) -> tuple[float, float]:
    """Photos per second of wall time, and milliseconds of CPU per photo (the figure that does
    not depend on what else the machine is doing), best of ``rounds``."""
    best, cpu = float("inf"), float("inf")
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        for data in photos:
            work(data)
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return len(photos) / best, 1000 * cpu / len(photos)


def bench_derivatives(count: int) -> None:
    photos = [phone_photo(seed) for seed in range(count)]
    mb = statistics.mean(len(p) for p in photos) / 1e6
    print(f"\nderivatives of {count} photos, 4000×3000 JPEG q90 ({mb:.1f} MB each, "
          f"EXIF orientation 6 and GPS): web 1200 px + thumbnail 400 px")
    ours, ours_cpu = photos_per_second(make_derivatives, photos)
    naive, naive_cpu = photos_per_second(naive_derivatives, photos)
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_derive, photos[:2]))  # start the workers
        started = time.perf_counter()
        list(pool.map(_derive, photos))
        two = count / (time.perf_counter() - started)
    print(f"  draft, resize, then rotate (ours), 1 process: {ours:6.1f} photos/s "
          f"({ours_cpu:4.0f} ms CPU each)")
    print(f"  full decode and rotate (naive),      1 process: {naive:6.1f} photos/s "
          f"({naive_cpu:4.0f} ms CPU each)")
    print(f"  ours, 2 processes:                              {two:6.1f} photos/s "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  ratio ours / naive: {ours / naive:.2f}× faster, {naive_cpu / ours_cpu:.2f}× less CPU")


# --- publishing -------------------------------------------------------------------------------

class Portal:
    """A site of ``size`` published items on a fresh embedded installation."""

    def __init__(self, root: Path, size: int) -> None:
        settings = Settings(data_dir=root, _env_file=None)  # type: ignore[call-arg]
        self.runtime = bootstrap(settings, "publisher")
        self.ctx = self.runtime.ctx
        self.subscription: Subscription = self.runtime.subscription("publisher")
        self.site = Site(self.ctx)
        self.informant = 0
        self._fill(size)

    def _fill(self, size: int) -> None:
        with self.ctx.db.transaction() as session:
            for n in range(UNITS):
                kind = "county" if n % 2 == 0 else "enterprise"
                add_unit(session, f"unit-{n}", f"第{n}号{'县经信局' if n % 2 == 0 else '企业'}",
                         kind, f"http://unit-{n}.example.gov.cn")
            user, _ = add_user(session, "信息员", "informant", "unit-0")
            self.informant = user.id
        body = "本月以来，全县工业经济稳中有进，重点项目建设加快推进。" * 12
        now = utcnow()
        rows: list[dict[str, Any]] = []
        columns = list(load_columns())
        column_seq = dict.fromkeys((c.id for c in columns), 0)
        unit_seq = dict.fromkeys((f"unit-{n}" for n in range(UNITS)), 0)
        for n in range(1, size + 1):
            column, unit = columns[n % len(columns)].id, f"unit-{n % UNITS}"
            column_seq[column] += 1
            unit_seq[unit] += 1
            rows.append({
                "submission_id": n, "state": "published", "kind": "article", "column": column,
                "title": f"全市工业经济运行情况通报（第{n}期）", "body": body, "unit_slug": unit,
                "informant_id": self.informant, "informant_name": "信息员", "photos": [],
                "photo_count": 0, "identity": {"submission": n}, "url": f"/site/articles/{n}.html",
                "lead": False, "column_seq": column_seq[column], "unit_seq": unit_seq[unit],
                "published_at": now, "updated_at": now})
        with self.ctx.db.transaction() as session:
            for start in range(0, len(rows), 1000):
                session.execute(sa.insert(PublishedItem), rows[start:start + 1000])

    def rebuild(self) -> tuple[float, int]:
        started = time.perf_counter()
        done = rebuild(self.site, self.ctx.db)
        return time.perf_counter() - started, len(done.written)

    def publish(self, submission_id: int, photos: list[ApprovedPhoto] | None = None) -> float:
        """Seconds for the publisher to handle one approval: derive, write, commit."""
        content_hash = uuid.uuid4().hex
        event = Approved(
            submission=SubmissionId(submission_id), kind="article", unit="unit-3",
            unit_kind="enterprise", informant=self.informant, topic=None, revision_of=None,
            content_hash=content_hash, by="screening", reason="", findings=[],
            duplicate_of=None, duplicate_distance=None, approved_hash=content_hash,
            title=f"新发布的稿件 {submission_id}", body="新的一期工作动态。" * 30,
            column="enterprise", informant_name="信息员", photos=photos or []).event()
        started = time.perf_counter()
        assert deliver(self.ctx.db, self.subscription, event)
        return time.perf_counter() - started

    def written_per_publish(self, submission_id: int) -> int:
        before = {p: p.stat().st_mtime_ns for p in self._files()}
        self.publish(submission_id)
        return sum(1 for p in self._files() if before.get(p) != p.stat().st_mtime_ns)

    def _files(self) -> list[Path]:
        root = self.ctx.settings.data_dir / "objects" / self.ctx.settings.site_bucket
        return [p for p in root.rglob("*") if p.is_file()]

    def close(self) -> None:
        self.runtime.close()


def bench_publishing(sizes: list[int]) -> None:
    """Each site is built and rebuilt in full first; then items are published on the sites in
    turn (one on each, round after round), so that whatever else the machine is doing weighs on
    every size alike."""
    photo = [{"key": "bench/photo.jpg", "caption": "现场"}]
    with contextlib.ExitStack() as stack:
        portals = {}
        rebuilds = {}
        for size in sizes:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="baosong-bench-"))
            portals[size] = Portal(Path(tmp), size)
            stack.callback(portals[size].close)
            rebuilds[size] = portals[size].rebuild()
            portals[size].ctx.uploads.put_bytes("bench/photo.jpg", phone_photo(99), "image/jpeg")
        articles: dict[int, list[float]] = {size: [] for size in sizes}
        with_photo: dict[int, list[float]] = {size: [] for size in sizes}
        next_id = max(sizes) + 1
        for round_ in range(PUBLISHES):
            for size in sizes:
                articles[size].append(portals[size].publish(next_id))
                next_id += 1
                if round_ % 3 == 0:
                    with_photo[size].append(portals[size].publish(next_id, photo))
                    next_id += 1
        touched = {size: portals[size].written_per_publish(next_id + n)
                   for n, size in enumerate(sizes)}
    results = {}
    for size in sizes:
        one = statistics.median(articles[size])
        results[size] = one
        seconds, files = rebuilds[size]
        print(f"\nsite of {size:,} published items ({files:,} files after a full rebuild)")
        print(f"  publish one article (median of {PUBLISHES}):   {one:8.4f} s, "
              f"{touched[size]} files written")
        print(f"  publish one item with a 12 MP photo:        "
              f"{statistics.median(with_photo[size]):8.4f} s")
        print(f"  full rebuild of the site (baseline):        {seconds:8.2f} s")
        print(f"  ratio rebuild / incremental publish:        {seconds / one:8.0f}×")
    if len(results) > 1:
        small, large = min(results), max(results)
        print(f"\npublish time at {large:,} vs at {small:,} items: "
              f"{results[large] / results[small]:.2f}× (1.00× = does not grow with the site)")


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BAOSONG_BENCH_SITES", "100,10000").split(",")]
    bench_derivatives(int(os.environ.get("BAOSONG_BENCH_PHOTOS", "12")))
    bench_publishing(sizes)


if __name__ == "__main__":
    main()
