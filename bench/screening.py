"""Screening throughput against the bare automaton, and photo checks against a naive decode.

Text: 10 KB articles made of the tests' honest government prose, screened with a 5,000-entry
lexicon (the default lexicon plus words drawn from jieba's dictionary, so some of them do occur
in the prose and the straddle check runs). The baseline is the bare ``ahocorasick_rs`` automaton
over the same lexicon scanning the same raw text in the same run: no normalisation, no offsets,
no straddle check, no contact patterns. A second round plants three disguised listed words in
every article (spaced out, traditional, zero-width), the worst case for the per-hit work.

Photos: a 12-megapixel JPEG (4000×3000, quality 90) and a 2-megapixel one. The baseline is a
naive full decode (``Image.open(...).load()``); the header check is what refuses bombs and wrong
formats; the full check is the whole photo screening (header, draft decode, perceptual hash,
QR and barcode scan).

A further round lays the ordinary articles out in HTML (paragraphs, emphasis, character
references): screening then reads them through the sanitiser and maps its spans back. The
honest-prose table's false hits with the default lexicon are printed at the end of the text part.

Run: ``python -m bench screening``.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import random
import time
from collections.abc import Callable
from pathlib import Path

import ahocorasick_rs
import jieba
import numpy as np
from PIL import Image, ImageDraw

from bench import duplicates
from moderation.lexicon import read_file
from moderation.normalise import normalise_word
from moderation.photos import PhotoLimits, check_photo
from moderation.text import LexiconEntry, TextScreener, compile_entries
from services.images import ImageLimits, probe
from services.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PROSE = ROOT / "tests" / "fixtures" / "prose"
ARTICLE_BYTES = 10_000
ARTICLES = 300
LEXICON_SIZE = 5_000
ROUNDS = 7


def _sentences() -> list[str]:
    out = []
    for path in sorted(PROSE.glob("*.txt")):
        out += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    return out


def articles(rng: random.Random, sentences: list[str]) -> list[str]:
    made = []
    for _ in range(ARTICLES):
        parts: list[str] = []
        size = 0
        while size < ARTICLE_BYTES:
            sentence = rng.choice(sentences)
            parts.append(sentence)
            size += len(sentence.encode())
        made.append("".join(parts))
    return made


def ordinary(sentences: list[str]) -> list[str]:
    """The sentences that hold no default-lexicon word's characters: the prose table was also
    written to hold listed words across word boundaries (特色情景, 配套现代 …), far more often
    than real prose does."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    default = TextScreener(read_file(settings.lexicon_path).entries)
    return [s for s in sentences if not default.candidates(s)]


def lexicon(rng: random.Random, *, straddling: bool) -> list[LexiconEntry]:
    """The default lexicon topped up to 5,000 listed entries with words of jieba's dictionary.

    Like the default lexicon's words, the added ones are no words of honest prose (a lexicon
    that flagged every tenth sentence of a speech would not be used). ``straddling=False`` also
    leaves out words whose characters occur in the prose at all, so that hits are as rare as
    with a real lexicon; ``straddling=True`` keeps them: the prose then holds several of them per
    article across word boundaries, and each costs a straddle check (the stress case)."""
    entries = read_file(Settings(_env_file=None).lexicon_path).entries  # type: ignore[call-arg]
    dictionary = Path(jieba.__file__).parent / "dict.txt"
    words = [line.split(" ", 1)[0] for line in dictionary.read_text(encoding="utf-8").splitlines()]
    listed = sum(e.action != "allow" for e in entries)
    sentences = _sentences()
    prose_words = {w for s in sentences for w in jieba.cut(s, HMM=False)}
    prose = "".join(sentences) if not straddling else ""
    pool = [w for w in rng.sample(words, 60_000)
            if 2 <= len(w) <= 6 and w not in prose_words and w not in prose]
    for word in pool[: LEXICON_SIZE - listed]:
        entries.append(LexiconEntry(word, "bench", "flag"))
    return entries


DISGUISES = ("赌 博 网 站", "代\u200b开\u200b发\u200b票", "線上賭場", "百*家*乐", "六|合|彩")


def plant(article: str, rng: random.Random) -> str:
    for disguise in rng.sample(DISGUISES, 3):
        at = rng.randrange(len(article))
        article = article[:at] + "，" + disguise + "，" + article[at:]
    return article


def laid_out(article: str, rng: random.Random) -> str:
    """The article as an informant pasting from a web page sends it: a paragraph a sentence,
    some emphasis, some character references (the sanitiser's path, and the mapping back)."""
    sentences = [s + "。" for s in article.split("。") if s]
    parts = []
    for sentence in sentences:
        referenced, emphasised = rng.random() < 0.2, rng.random() < 0.2
        # the emphasis first, so that it never cuts a reference in two (&#</b>65292;)
        if emphasised:
            sentence = "<b>" + sentence[:4] + "</b>" + sentence[4:]
        if referenced:
            sentence = sentence.replace("，", "&#65292;", 1)
        parts.append(f"<p>{sentence}</p>")
    return "\n".join(parts)


def honest_findings(sentences: list[str]) -> None:
    """The false hits of the default lexicon and every pattern on the honest-prose table (the
    tests hold it at zero; printed so that the figure is measured where speed is), with the
    entries' sound and shape marks and without them."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    entries = read_file(settings.lexicon_path).entries
    unmarked = [dataclasses.replace(e, marks=frozenset()) for e in entries]
    marked = sum(bool(e.marks) for e in entries)
    for label, chosen in ((f"with the marks of {marked} entries", entries),
                          ("without marks", unmarked)):
        screener = TextScreener(chosen)
        one_by_one = sum(len(screener.screen_field("body", s)) for s in sentences)
        together = len(screener.screen_field("body", "".join(sentences)))
        print(f"honest prose, default lexicon {label}: {len(sentences)} sentences, "
              f"{one_by_one} findings one by one, {together} as one article")


def best_of(runs: dict[str, Callable[[list[str]], object]], texts: list[str]) -> dict[str, float]:
    """The best time of each run over a few rounds, the runs taking turns within a round (the
    machine is shared: a busy spell then hurts both alike). Each run gets fresh copies of the
    texts: a str caches its UTF-8 form when the automaton first reads it, and a real article
    is screened once, not many times. Times are the process's CPU time: on a shared machine the
    wall clock also counts the spells another process held the core."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(ROUNDS):
        for name, run in runs.items():
            fresh = [t.encode().decode() for t in texts]
            started = time.process_time()
            run(fresh)
            best[name] = min(best[name], time.process_time() - started)
    return best


def text_round(name: str, texts: list[str], entries: list[LexiconEntry]) -> float:
    screener = TextScreener(entries, version="bench")
    screener.screen_field("body", texts[0])
    keys = list(compile_entries(e for e in entries if e.action != "allow"))
    assert all(normalise_word(k) == k for k in keys)
    automaton = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.Standard)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    timed = best_of({
        "bare": lambda batch: [automaton.find_matches_as_indexes(t, overlapping=True)
                               for t in batch],
        "screened": lambda batch: [screener.screen_field("body", t) for t in batch],
    }, texts)
    bare, screened = timed["bare"], timed["screened"]
    hits = sum(screener.candidates(t) for t in texts)
    findings = sum(len(screener.screen_field("body", t)) for t in texts)
    print(f"### {name}")
    print(f"{len(texts)} articles, {megabytes:.2f} MB, {screener.entry_count} listed entries; "
          f"per article {hits / len(texts):.1f} automaton hits on the normalised text, "
          f"{findings / len(texts):.1f} findings")
    print(f"bare automaton     {megabytes / bare:8.1f} MB/s  {len(texts) / bare:9.0f} articles/s")
    print(f"screening          {megabytes / screened:8.1f} MB/s  {len(texts) / screened:9.0f} "
          f"articles/s  ({screened / len(texts) * 1e3:.3f} ms per article)")
    print(f"ratio screening / bare automaton: {bare / screened:.2f}  (target: >= 0.50)")
    return bare / screened


def bench_text() -> None:
    rng = random.Random(20241120)
    started = time.perf_counter()
    TextScreener([]).screen_field("body", "预热")  # once per process: fold table, jieba
    print(f"first screener in the process ready in {time.perf_counter() - started:.2f} s "
          f"(fold table, jieba's dictionary)")
    sentences = _sentences()
    plain = articles(rng, ordinary(sentences))
    every = articles(rng, sentences)
    clean = lexicon(rng, straddling=False)
    ratios = {
        "ordinary": text_round("ordinary 10 KB articles (honest prose)", plain, clean),
        "planted": text_round("the same with three disguised listed words planted in each",
                              [plant(t, rng) for t in plain], clean),
        "boundary traps": text_round("articles of the whole prose table, boundary traps included",
                                     every, clean),
        "stress": text_round("stress: the whole table, lexicon words that straddle in the prose",
                             every, lexicon(rng, straddling=True)),
        "HTML": text_round("ordinary articles laid out in HTML (paragraphs, emphasis, references)",
                           [laid_out(t, rng) for t in plain], clean),
    }
    print("### every step on (reader's text, NFKC styles, number styles, contact words, sound "
          "and shape), as a ratio to the bare automaton of the same run")
    print("  ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items()))
    honest_findings(sentences)
    duplicate_check()


def duplicate_check() -> None:
    """The text duplicate check as screening runs it, on its table of pairs (``bench
    duplicates`` gives each method alone)."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    distance, bands = settings.duplicate_text_distance, settings.duplicate_text_min_bands
    rows = duplicates.pairs()
    precision, recall, _ = duplicates.score(duplicates.pipeline_says(distance, bands), rows)
    print(f"duplicate check (SimHash <= {distance} bits or >= {bands} MinHash bands) on "
          f"{len(rows)} pairs: precision {precision:.3f}, recall {recall:.3f}")


def _jpeg(size: tuple[int, int], seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    width, height = size
    ramp = np.add.outer(np.linspace(0, 180, height), np.linspace(0, 60, width))
    pixels = (ramp[..., None] + rng.normal(0, 10, (height, width, 3))).clip(0, 255)
    image = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = int(rng.integers(0, width - 200)), int(rng.integers(0, height - 200))
        draw.rectangle((x, y, x + int(rng.integers(50, 800)), y + int(rng.integers(50, 800))),
                       outline=tuple(int(c) for c in rng.integers(0, 255, 3)), width=12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _per_second(run: Callable[[], object], times: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(times):
            run()
        best = min(best, time.perf_counter() - started)
    return times / best


def _probe(data: bytes, limits: ImageLimits) -> None:
    probe(io.BytesIO(data), limits)


def _naive_decode(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()


def bench_photos() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    image_limits = ImageLimits(formats=settings.photo_formats,
                               max_pixels=settings.max_photo_pixels,
                               max_side=settings.max_photo_side)
    limits = PhotoLimits(image=image_limits, max_bytes=settings.max_photo_bytes,
                         min_side=settings.min_photo_side)
    for label, size, repeat in (("12 MP JPEG 4000×3000", (4000, 3000), 8),
                                ("2 MP JPEG 1600×1200", (1600, 1200), 30)):
        data = _jpeg(size, seed=size[0])
        report = check_photo(data, 0, "bench.jpg", limits)
        assert report.findings == [] and report.phash is not None

        naive = _per_second(functools.partial(_naive_decode, data), repeat)
        header = _per_second(functools.partial(_probe, data, image_limits), repeat * 200)
        full = _per_second(functools.partial(check_photo, data, 0, "bench.jpg", limits), repeat)
        print(f"### {label}, {len(data) / 1e6:.2f} MB")
        print(f"naive full decode  {naive:9.1f} photos/s")
        print(f"header check       {header:9.1f} photos/s  ratio {header / naive:8.1f}")
        print(f"full check         {full:9.1f} photos/s  ratio {full / naive:8.2f}  "
              f"(header, decode of every byte, perceptual hash, QR and barcode scan)")


def main() -> None:
    bench_text()
    bench_photos()


if __name__ == "__main__":
    main()
