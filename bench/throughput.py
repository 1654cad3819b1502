"""Throughput under an informants' rush, on the embedded default and on the distributed mode.

An open-loop generator offers distinct items (articles of about 500 characters and 1600×1200
photo items, half and half) at a fixed rate for a few seconds, then a higher rate, and so on.
For each rate it reports how many were accepted, and upload → published: from the moment each
request was due to the moment the publisher recorded the item as on the site (read from the
database afterwards, so that nobody polls while the clock runs), as p50, p99 and the slowest.
The knee is the highest offered rate at which every item was published with a p99 under 2 s.

The same run says what each stage cost per item: the CPU time each process (distributed) or
each named thread (embedded: our threads carry their names down to the kernel) used while the
rates up to the knee were offered, divided by the items. Their sum is what one item costs the
machine; the cores divided by it is the limit no scheduling could beat, and the knee is given
as a ratio to that limit.

Upload acceptance, closed loop with 8 clients and the same items, is compared with a bare
FastAPI endpoint taking the same multipart upload (``bench/_bare.py``) in the same run.

On the distributed mode, the publisher (the stage that costs most an item) then drains the same
backlog of approved items with one process and with two, and their rates are compared.

Settings: BAOSONG_BENCH_RATES (default "5,10,20,30,40,50,60,70,80,100"),
BAOSONG_BENCH_STEP_SECONDS (8), BAOSONG_BENCH_MODES ("embedded,distributed"),
BAOSONG_BENCH_SCALE_ITEMS (160, the backlog each publisher count drains).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from bench import _cpu
from bench._load import Clients, Item, closed_loop, make_items, open_loop, wait_for
from services.db import Database
from services.identity import add_unit, add_user
from tests.e2e.processes import Baosong, wait_for_http
from tests.support import free_port, postgres_database, rabbitmq_vhost

RATES = [float(r) for r in os.environ.get("BAOSONG_BENCH_RATES",
                                          "5,10,20,30,40,50,60,70,80,100").split(",")]
STEP_SECONDS = float(os.environ.get("BAOSONG_BENCH_STEP_SECONDS", "8"))
MODES = os.environ.get("BAOSONG_BENCH_MODES", "embedded,distributed").split(",")
P99_LIMIT = 2.0  # seconds, upload → published
INGEST_ITEMS = 160
INGEST_CLIENTS = 8
COUNTIES, ENTERPRISES = 6, 6


class ItemPool:
    """Items drawn as they are first needed, and kept for the next mode."""

    def __init__(self) -> None:
        self.items: list[Item] = []

    def take(self, first: int, count: int) -> list[Item]:
        if first + count > len(self.items):
            self.items += make_items(len(self.items), first + count - len(self.items))
        return self.items[first:first + count]


@dataclass
class Step:
    rate: float
    offered: int
    accepted: int
    published: int
    held: int  # flagged or rejected by screening: never published, so not timed
    latencies: list[float]
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage in the step
    # embedded: seconds each holder kept the SQLite file's one write turn, and the step's wall
    # seconds (from the first request to the last item settled)
    lock: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("inf")

    @property
    def p99(self) -> float:
        if len(self.latencies) < 2:
            return self.p50
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[98]

    @property
    def ok(self) -> bool:
        return (self.accepted == self.offered and self.published + self.held == self.accepted
                and self.p99 < P99_LIMIT)


class Deployment:
    """A running Baosong: where it answers, its database, and how to read each stage's CPU."""

    def __init__(self, name: str, app: Baosong, base_url: str, database_url: str) -> None:
        self.name = name
        self.app = app
        self.base_url = base_url
        self.db = Database(database_url)
        self.tokens: list[str] = []

    def people(self) -> None:
        """Units and an informant each, as a city has them (written straight to the database:
        a ``users add`` process a person would take seconds to start)."""
        with self.db.transaction() as session:
            for n in range(COUNTIES + ENTERPRISES):
                kind = "county" if n < COUNTIES else "enterprise"
                slug = f"{kind}{n}"
                add_unit(session, slug, f"第{n}报送单位", kind)
                self.tokens.append(add_user(session, f"信息员{n}", "informant", slug)[1])

    def cpu(self) -> dict[str, float]:
        raise NotImplementedError

    def write_lock(self) -> dict[str, float]:
        """Seconds each holder has held the SQLite write lock so far (none but embedded)."""
        return {}

    def outcome(self, ids: Sequence[int]) -> tuple[dict[int, float], int]:
        """When each item was published (wall clock), and how many screening held back."""
        published: dict[int, float] = {}
        held = 0
        with self.db.session() as session:
            for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
                rows = session.execute(sa.text(
                    "SELECT submission_id, published_at FROM published_items "
                    "WHERE submission_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
                    {"ids": list(chunk)}).all()
                for sid, at in rows:
                    if isinstance(at, str):
                        at = dt.datetime.fromisoformat(at)
                    published[int(sid)] = at.replace(tzinfo=dt.UTC).timestamp()
                held += session.scalar(sa.text(
                    "SELECT count(*) FROM submissions WHERE id IN :ids "
                    "AND status IN ('flagged', 'rejected', 'returned')").bindparams(
                        sa.bindparam("ids", expanding=True)), {"ids": list(chunk)}) or 0
        return published, held


class Embedded(Deployment):
    def __init__(self, workdir: Path) -> None:
        port = free_port()
        app = Baosong(workdir, port=port, log_level="WARNING")
        app.run("migrate")
        super().__init__("embedded", app, f"http://127.0.0.1:{port}",
                         f"sqlite:///{workdir / 'var' / 'baosong.db'}")
        self.people()
        self.process = app.start("up", "up")
        wait_for_http(self.base_url)

    def cpu(self) -> dict[str, float]:
        """Each stage's threads, in up and in the helpers it started (its session)."""
        stages: dict[str, float] = {}
        for pid in _cpu.session_members(os.getsid(self.process.pid)):
            for thread, seconds in _cpu.by_thread(pid).items():
                stage = _embedded_stage(thread)
                stages[stage] = stages.get(stage, 0.0) + seconds
        return stages

    def write_lock(self) -> dict[str, float]:
        """From up's own /metrics, which sums its helpers' too."""
        text = httpx.get(f"{self.base_url}/metrics", timeout=10).text
        held: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            if family.name != "baosong_sqlite_write_lock_seconds":
                continue
            for sample in family.samples:
                if sample.name.endswith("_sum") and sample.labels.get("phase") == "held":
                    holder = sample.labels["holder"]
                    held[holder] = held.get(holder, 0.0) + sample.value
        return held


def _embedded_stage(thread: str) -> str:
    for prefix, stage in (("q:moderation", "screening"), ("p:moderation", "screening"),
                          ("q:publisher", "publisher"), ("p:publisher", "publisher"),
                          ("q:scoring", "scoring"), ("q:ingest", "status tracker"),
                          ("outbox-relay", "relay"), ("jobs", "jobs")):
        if thread.startswith(prefix):
            return stage
    return "api (HTTP, ingest)"  # the event loop and its worker threads


class Distributed(Deployment):
    """Each stage a process of its own; PostgreSQL, RabbitMQ and an S3 server (moto's, in a
    process of its own so that it takes no time from this one)."""

    PROCESSES = ("api", "worker", "publisher", "scoring")

    def __init__(self, workdir: Path, stack: ExitStack) -> None:
        pg = stack.enter_context(postgres_database())
        amqp = stack.enter_context(rabbitmq_vhost())
        s3, moto_pid = stack.enter_context(_moto(workdir))
        port = free_port()
        tag = uuid.uuid4().hex[:8]
        app = Baosong(workdir, port=port, database_url=pg, broker_url=amqp, s3_endpoint=s3,
                      s3_access_key="bench", s3_secret_key="bench", uploads_bucket=f"u-{tag}",
                      site_bucket=f"s-{tag}", log_level="WARNING")
        stack.callback(app.stop_all)
        app.run("migrate")
        super().__init__("distributed", app, f"http://127.0.0.1:{port}", pg)
        self.moto_session = os.getsid(moto_pid)
        self.people()
        self.sessions: dict[str, int] = {}

    def start(self, *names: str) -> None:
        """Start each process; ``publisher1`` is a second process of the publisher."""
        for name in names:
            command = name.rstrip("0123456789")
            self.sessions[name] = os.getsid(self.app.start(name, command).pid)
        if "api" in names:
            wait_for_http(self.base_url)

    def stop(self, name: str) -> None:
        self.app.kill(name, signal.SIGTERM)
        del self.sessions[name]

    def cpu(self) -> dict[str, float]:
        sessions = _cpu.by_session()
        stages = {name: sessions.get(sid, 0.0) for name, sid in self.sessions.items()}
        stages["S3 server"] = sessions.get(self.moto_session, 0.0)
        infra = _cpu.by_name(("postgres", "beam.smp"))
        stages["PostgreSQL"] = infra["postgres"]
        stages["RabbitMQ"] = infra["beam.smp"]
        return stages


@contextlib.contextmanager
def _moto(workdir: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / "moto.log").open("ab")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_http_path(f"http://127.0.0.1:{port}/moto-api/")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def wait_for_http_path(url: str) -> None:
    import httpx

    def answers() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code < 500
        except httpx.HTTPError:
            return False

    if not wait_for(answers, timeout=60, every=0.2):
        raise RuntimeError(f"{url} did not answer")


# --- the ladder of rates ---------------------------------------------------------------------

def step(deploy: Deployment, clients: Clients, items: Sequence[Item], rate: float) -> Step:
    before, own_before = deploy.cpu(), time.process_time()
    lock_before, began = deploy.write_lock(), time.perf_counter()
    sent = open_loop(clients, items, rate)
    accepted = {s.submission: s for s in sent if s.submission is not None}
    ids = list(accepted)
    state: dict[str, object] = {}

    def settled() -> bool:
        published, held = deploy.outcome(ids)
        state["published"], state["held"] = published, held
        return len(published) + held >= len(ids)

    wait_for(settled, timeout=30 + len(items) / 5, every=0.5)
    wall = time.perf_counter() - began
    cpu = _cpu.difference(deploy.cpu(), before)
    lock = _cpu.difference(deploy.write_lock(), lock_before)
    cpu["load generator"] = time.process_time() - own_before
    published: dict[int, float] = state["published"]  # type: ignore[assignment]
    latencies = [published[i] - accepted[i].due for i in ids if i in published]
    held: int = state["held"]  # type: ignore[assignment]
    return Step(rate=rate, offered=len(items), accepted=len(ids), published=len(published),
                held=held, latencies=latencies, cpu=cpu, lock=lock, wall=wall)


def ladder(deploy: Deployment, pool: ItemPool) -> list[Step]:
    clients = Clients(deploy.base_url, deploy.tokens)
    # warm up: imports, jieba's dictionary, connections, the site's fixed pages
    step(deploy, clients, pool.take(0, 10), 5)
    cursor, steps = 10, []
    for rate in RATES:
        n = max(1, int(rate * STEP_SECONDS))
        items = pool.take(cursor, n)
        cursor += n
        result = step(deploy, clients, items, rate)
        steps.append(result)
        print(f"  {deploy.name}: {rate:5.0f}/s offered, {result.accepted}/{result.offered} "
              f"accepted, {result.published} published, {result.held} held; "
              f"p50 {result.p50:.2f} s, p99 {result.p99:.2f} s", flush=True)
        if not result.ok:
            break
    return steps


def report(mode: str, steps: list[Step]) -> dict[str, float]:
    good = [s for s in steps if s.ok]
    knee = max((s.rate for s in good), default=0.0)
    print(f"\n{mode}: knee {knee:.0f} items/s (p99 upload → published under {P99_LIMIT:.0f} s)")
    print(f"  {'offered/s':>10}{'p50 s':>8}{'p99 s':>8}{'max s':>8}{'published':>11}")
    for s in steps:
        print(f"  {s.rate:>10.0f}{s.p50:>8.2f}{s.p99:>8.2f}"
              f"{max(s.latencies, default=float('nan')):>8.2f}{s.published:>6}/{s.offered:<4}"
              + ("" if s.ok else "  ← past the knee"))
    counted = good or steps[:1]
    items = sum(s.published for s in counted) or 1
    stages: dict[str, float] = {}
    for s in counted:
        for stage, seconds in s.cpu.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    generator = stages.pop("load generator", 0.0)
    total = sum(stages.values())
    print(f"  CPU per item, rates up to the knee ({items} items):")
    for stage, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"    {stage:22}{1000 * seconds / items:8.2f} ms")
    print(f"    {'sum of the stages':22}{1000 * total / items:8.2f} ms"
          f"   (the load generator: {1000 * generator / items:.2f} ms more)")
    cores = os.cpu_count() or 1
    limit = cores * items / total if total else float("inf")
    print(f"  the limit on {cores} cores: {limit:.0f} items/s; the knee is {knee / limit:.2f}× it")
    _report_lock(steps, counted, items)
    return {"knee": knee, "limit": limit,
            **{f"p99@{s.rate:.0f}": s.p99 for s in steps}, **{f"p50@{s.rate:.0f}": s.p50
                                                             for s in steps}}


def _report_lock(steps: list[Step], counted: list[Step], items: int) -> None:
    """Embedded: the SQLite file takes one writer at a time, so the seconds its write turn was
    held for each item set a limit of their own, whatever the cores: printed beside the CPU's,
    with how busy the turn was in each step (near 100 %: the file is the bottleneck)."""
    if not any(s.lock for s in steps):
        return
    held: dict[str, float] = {}
    for s in counted:
        for holder, seconds in s.lock.items():
            held[holder] = held.get(holder, 0.0) + seconds
    total = sum(held.values())
    print(f"  SQLite write lock held per item, rates up to the knee ({items} items):")
    for holder, seconds in sorted(held.items(), key=lambda kv: -kv[1])[:8]:
        print(f"    {holder:22}{1000 * seconds / items:8.2f} ms")
    print(f"    {'sum (one at a time)':22}{1000 * total / items:8.2f} ms: a limit of "
          f"{items / total if total else float('inf'):.0f} items/s")
    print("  the write lock busy, by step: " + ", ".join(
        f"{s.rate:.0f}/s {sum(s.lock.values()) / s.wall:.0%}" for s in steps if s.wall))


# --- upload acceptance against a bare endpoint -------------------------------------------------

def acceptance(base_url: str, tokens: Sequence[str], items: Sequence[Item]) -> float:
    clients = Clients(base_url, tokens)
    closed_loop(clients, items[:16], INGEST_CLIENTS)  # warm up
    per_s, sent = closed_loop(clients, items[16:], INGEST_CLIENTS)
    refused = [s for s in sent if s.status != 202]
    if refused:
        raise RuntimeError(f"{len(refused)} uploads refused: {refused[0].error}")
    return per_s


@contextlib.contextmanager
def bare_endpoint(workdir: Path) -> Iterator[str]:
    port = free_port()
    log = (workdir / "bare.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench._bare:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=Path(__file__).resolve().parent.parent, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(30)
        log.close()


# --- the two modes ---------------------------------------------------------------------------

def run_embedded(workdir: Path, pool: ItemPool, ingest_items: Sequence[Item]
                 ) -> tuple[dict[str, float], float]:
    deploy = Embedded(workdir)
    try:
        # acceptance first, on a fresh process, the pipeline working through it meanwhile
        accepted = acceptance(deploy.base_url, deploy.tokens, ingest_items)
        wait_for(lambda: _drained(deploy), timeout=300, every=1)
        return report("embedded", ladder(deploy, pool)), accepted
    finally:
        deploy.app.stop_all()


def run_distributed(workdir: Path, pool: ItemPool, ingest_items: Sequence[Item]
                    ) -> tuple[dict[str, float], float]:
    with ExitStack() as stack:
        deploy = Distributed(workdir, stack)
        deploy.start("api")
        # acceptance on the API process alone; the other stages start afterwards
        accepted = acceptance(deploy.base_url, deploy.tokens, ingest_items)
        deploy.start("worker", "publisher", "scoring")
        wait_for(lambda: _drained(deploy), timeout=300, every=1)
        figures = report("distributed", ladder(deploy, pool))
        rates = scale_out(deploy, pool, len(pool.items))
        figures["scale"] = rates[2] / rates[1] if rates[1] else 0.0
        print(f"  two publisher processes: {figures['scale']:.2f}× one")
        return figures, accepted


# --- the bottleneck stage, one process against two ---------------------------------------------

SCALE_ITEMS = int(os.environ.get("BAOSONG_BENCH_SCALE_ITEMS", "160"))


def scale_out(deploy: Distributed, pool: ItemPool, first: int) -> dict[int, float]:
    """The publisher (the stage that costs most an item) draining the same backlog of approved
    items with one process and then with two: items published a second, from the first item
    published to the last (so that a process's start is not counted)."""
    clients = Clients(deploy.base_url, deploy.tokens)
    rates: dict[int, float] = {}
    for count in (1, 2):
        for name in [n for n in deploy.sessions if n.startswith("publisher")]:
            deploy.stop(name)
        items = pool.take(first, SCALE_ITEMS)
        first += SCALE_ITEMS
        _, sent = closed_loop(clients, items, INGEST_CLIENTS)
        ids = [s.submission for s in sent if s.submission is not None]
        wait_for(functools.partial(_all_in, deploy, ids, ("approved", "flagged", "rejected")),
                 timeout=300, every=0.5)
        deploy.start(*[f"publisher{n}" if n else "publisher" for n in range(count)])
        wait_for(functools.partial(_all_in, deploy, ids, ("published", "flagged", "rejected")),
                 timeout=300, every=0.5)
        published, _ = deploy.outcome(ids)
        times = sorted(published.values())
        rates[count] = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        print(f"  distributed, {count} publisher process{'es' if count > 1 else ''}: "
              f"{rates[count]:.1f} items/s draining {len(ids)} approved items", flush=True)
    return rates


def _all_in(deploy: Deployment, ids: Sequence[int], statuses: tuple[str, ...]) -> bool:
    with deploy.db.session() as session:
        done = session.scalar(sa.text(
            "SELECT count(*) FROM submissions WHERE id IN :ids AND status IN :statuses")
            .bindparams(sa.bindparam("ids", expanding=True),
                        sa.bindparam("statuses", expanding=True)),
            {"ids": list(ids), "statuses": list(statuses)})
    return done == len(ids)


def _drained(deploy: Deployment) -> bool:
    with deploy.db.session() as session:
        waiting = session.scalar(sa.text(
            "SELECT count(*) FROM submissions WHERE status IN ('received', 'screening', "
            "'approved')"))
    return waiting == 0


def main() -> None:
    print(f"cores: {os.cpu_count()}; rates {', '.join(f'{r:g}' for r in RATES)} items/s, "
          f"{STEP_SECONDS:g} s each; half articles (~500 characters), half 1600×1200 photos")
    pool = ItemPool()
    # the acceptance items come from far above what the ladder takes: new content in each mode
    ingest_items = make_items(1_000_000, INGEST_ITEMS)
    results: dict[str, tuple[dict[str, float], float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        with bare_endpoint(Path(tmp)) as bare:
            bare_rate = acceptance(bare, ["bare"], ingest_items)
        for mode in MODES:
            run = run_embedded if mode == "embedded" else run_distributed
            results[mode] = run(Path(tmp) / mode, pool, ingest_items)
    print(f"\nupload acceptance, closed loop, {INGEST_CLIENTS} clients, the same items "
          f"(half with a photo):")
    print(f"  bare FastAPI endpoint: {bare_rate:.1f}/s")
    for mode, (_, accepted) in results.items():
        print(f"  {mode}: {accepted:.1f}/s, {accepted / bare_rate:.2f}× the bare endpoint")
    for mode, (figures, _) in results.items():
        ratio = figures["knee"] / figures["limit"]
        print(f"{mode}: knee {figures['knee']:.0f} items/s, {ratio:.2f}× the limit of "
              f"{figures['limit']:.0f}/s the stages' CPU sets")
        if "scale" in figures:
            print(f"{mode}: two processes of the bottleneck stage (the publisher) "
                  f"{figures['scale']:.2f}× one")


if __name__ == "__main__":
    main()
