"""The text duplicate check's precision and recall on the table of pairs in
``tests/fixtures/near_copies.tsv``: edited copies of ~300-character articles (two numbers
changed, one sentence repeated) that must be caught, and honest look-alikes (a shared standard
opening, two units' reports of the same meeting) that must not.

Today's check (SimHash over 3-character shingles, near within ``duplicate_text_distance`` bits)
is measured beside MinHash with LSH over the same shingles (datasketch), so the figures say
whether the second is worth adding.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from moderation.fingerprints import LSH_BANDS, SHINGLE, distance, minhash_bands, simhash
from moderation.normalise import normalise
from services.settings import Settings

TABLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "near_copies.tsv"
NUM_PERM = 128
LSH_THRESHOLD = 0.5


def pairs() -> list[tuple[bool, str, str, str]]:
    """(is a copy, kind, a, b) for every row of the table."""
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            label, kind, a, b = line.split("\t")
            rows.append((label == "copy", kind, a, b))
    return rows


def minhash(text: str) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([text[i:i + SHINGLE].encode() for i in range(len(text) - SHINGLE + 1)])
    return m


def simhash_says(max_distance: int) -> Callable[[str, str], bool]:
    return lambda a, b: distance(simhash(a), simhash(b)) <= max_distance


def lsh_says(a: str, b: str) -> bool:
    """Whether b, indexed alone in an LSH table, comes back as a candidate for a."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    lsh.insert("b", minhash(b))
    return bool(lsh.query(minhash(a)))


def pipeline_says(max_distance: int, min_bands: int) -> Callable[[str, str], bool]:
    """What screening does now: SimHash near, or enough MinHash band keys shared."""
    def check(a: str, b: str) -> bool:
        shared = sum(x == y for x, y in zip(minhash_bands(a), minhash_bands(b), strict=True))
        return simhash_says(max_distance)(a, b) or shared >= min_bands
    return check


def score(check: Callable[[str, str], bool],
          rows: list[tuple[bool, str, str, str]]) -> tuple[float, float, dict[str, int]]:
    tp = fp = fn = 0
    misses: dict[str, int] = {}
    for is_copy, kind, a, b in rows:
        said = check(normalise(a).text, normalise(b).text)
        tp += said and is_copy
        fp += said and not is_copy
        fn += is_copy and not said
        if said != is_copy:
            misses[kind] = misses.get(kind, 0) + 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, misses


def main() -> None:
    rows = pairs()
    copies = sum(r[0] for r in rows)
    print(f"{len(rows)} pairs: {copies} edited copies, {len(rows) - copies} honest look-alikes")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    d, bands = settings.duplicate_text_distance, settings.duplicate_text_min_bands
    for name, check in ((f"SimHash, distance <= {d}", simhash_says(d)),
                        (f"MinHash LSH, {NUM_PERM} perms, threshold {LSH_THRESHOLD}", lsh_says),
                        (f"screening: SimHash or >= {bands}/{LSH_BANDS} bands",
                         pipeline_says(d, bands))):
        precision, recall, misses = score(check, rows)
        wrong = ", ".join(f"{k} {v}" for k, v in sorted(misses.items())) or "none"
        print(f"{name:42} precision {precision:.3f}  recall {recall:.3f}  (wrong: {wrong})")
    bits = {kind: [distance(simhash(normalise(a).text), simhash(normalise(b).text))
                   for is_copy, k, a, b in rows if k == kind] for kind in {r[1] for r in rows}}
    print("SimHash bits apart, min-max by kind: " + ", ".join(
        f"{kind} {min(v)}-{max(v)}" for kind, v in sorted(bits.items())))


if __name__ == "__main__":
    main()
