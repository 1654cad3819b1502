"""Site search: milliseconds a query takes over 10,000 published items, against a bare SQLite
FTS5 query over the same jieba terms in the same run.

The index is the one the publisher keeps (``search_entries`` and ``search_terms``) in an SQLite
file, as ``baosong up`` runs it; it is filled through the same ``index.put`` the publisher
calls. The baseline is an FTS5 table holding the same terms, asked for the same words with the
same newest-first order and limit: what a search engine built into the database does at best.
Queries mix a word most items hold, rarer words, and a 文号 that a single document holds.
Sizes: BAOSONG_BENCH_SEARCH_ITEMS (default 10000).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bootstrap import build_context, prepare
from publisher.search import index
from publisher.search.terms import index_terms, query_terms
from services.settings import Settings

QUERIES = ("工业", "技术改造", "智能制造 机器人", "运行分析会", "专精特新", "市经信发〔2025〕12号")
ROUNDS = 30


def _sentences() -> list[str]:
    prose = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "prose"
    lines = []
    for name in ("county.txt", "enterprise.txt", "speeches.txt"):
        lines += [line.strip() for line in (prose / name).read_text(encoding="utf-8").splitlines()
                  if line.strip() and not line.startswith("#")]
    return lines


def _fill(settings: Settings, items: int) -> list[tuple[int, str]]:
    ctx = build_context(settings)
    prepare(ctx)
    sentences = _sentences()
    rng = random.Random(7)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    texts = []
    with ctx.db.transaction() as session:
        for n in range(items):
            title = rng.choice(sentences)[:40]
            body = "".join(rng.sample(sentences, 6))
            number = "市经信发〔2025〕12号" if n == items // 2 else ""
            index.put(session, f"article:{n}", title=title, key=f"articles/{n}.html",
                      unit="青山县经济和信息化局", column="县区动态",
                      published_at=start + dt.timedelta(minutes=n), texts=(body,), number=number)
            texts.append((n + 1, " ".join(sorted(index_terms(title, number,
                                                             "青山县经济和信息化局", body)))))
    ctx.db.dispose()
    return texts


def _timed(run: object, rounds: int = ROUNDS) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    items = int(os.environ.get("BAOSONG_BENCH_SEARCH_ITEMS", "10000"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "var", _env_file=None)  # type: ignore[call-arg]
        started = time.perf_counter()
        texts = _fill(settings, items)
        print(f"indexed {items} items in {time.perf_counter() - started:.1f}s")
        ctx = build_context(settings)
        fts = sqlite3.connect(":memory:")
        fts.execute("CREATE VIRTUAL TABLE t USING fts5(terms, tokenize='unicode61')")
        fts.executemany("INSERT INTO t(rowid, terms) VALUES (?, ?)", texts)
        print(f"{'query':<24}{'hits':>6}{'index ms':>10}{'bare FTS5 ms':>14}{'ratio':>8}")
        ratios, times = [], []
        for query in QUERIES:
            terms = query_terms(query)
            match = " AND ".join(f'"{t}"' for t in terms)

            def ours(query: str = query) -> int:
                with ctx.db.session() as session:
                    return len(index.search(session, query, 20))

            def bare(match: str = match) -> int:
                return len(fts.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid DESC "
                                       "LIMIT 20", (match,)).fetchall())

            hits = ours()
            assert hits == bare(), query
            mine, base = _timed(ours), _timed(bare)
            ratios.append(mine / base)
            times.append(mine)
            print(f"{query:<24}{hits:>6}{mine * 1000:>10.2f}{base * 1000:>14.2f}"
                  f"{mine / base:>7.1f}×")
        print(f"slowest query {max(times) * 1000:.1f} ms over {items} items; median ratio "
              f"{statistics.median(ratios):.1f}× the bare FTS5 query (in memory, no ORM)")
        ctx.db.dispose()
