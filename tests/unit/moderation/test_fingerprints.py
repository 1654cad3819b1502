"""SimHash of texts and the banded lookup that finds near fingerprints."""

from __future__ import annotations

import random
from pathlib import Path

from moderation import fingerprints as fp
from moderation.normalise import normalise
from services.settings import Settings

PROSE = Path(__file__).resolve().parents[2] / "fixtures" / "prose"


def _article(name: str) -> str:
    lines = (PROSE / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return "".join(line for line in lines if line and not line.startswith("#"))


def _hash(text: str) -> int:
    return fp.simhash(normalise(text).text)


def test_the_same_text_in_another_dress_has_the_same_simhash() -> None:
    article = _article("county")
    dressed = article.replace("，", ", ").replace("。", ".\n")
    assert _hash(article) == _hash(dressed)


def test_an_edited_sentence_moves_an_article_by_a_few_bits_and_another_article_by_many() -> None:
    article = _article("enterprise")
    edited = article.replace("同比增长21.3%", "同比增长22.1%").replace("800余个", "900余个")
    assert fp.distance(_hash(article), _hash(edited)) <= Settings(
        _env_file=None).duplicate_text_distance  # type: ignore[call-arg]
    for other in ("speeches", "notices", "county"):
        assert fp.distance(_hash(article), _hash(_article(other))) > 16


def test_the_simhash_is_stable_across_runs() -> None:
    assert _hash("青山县召开全县工业经济运行分析会") == _hash("青山县召开全县工业经济运行分析会")
    assert fp.simhash("") == 0


def test_a_near_fingerprint_shares_a_band_within_the_radius() -> None:
    rng = random.Random(3)
    for max_distance in (3, 6, 7, 11):
        radius = fp.band_radius(max_distance)
        for _ in range(200):
            value = rng.getrandbits(64)
            near = value
            for bit in rng.sample(range(64), rng.randint(0, max_distance)):
                near ^= 1 << bit
            probes = [set(fp.near_band_values(b, radius)) for b in fp.bands(value)]
            assert any(band in probe for band, probe in zip(fp.bands(near), probes, strict=True))


def test_signed_storage_round_trips_every_64_bit_value() -> None:
    for value in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1):
        signed = fp.to_signed(value)
        assert -(1 << 63) <= signed < 1 << 63
        assert fp.from_signed(signed) == value


def test_a_duplicate_finding_tells_the_moderator_in_chinese_alone() -> None:
    """Issue 15 item 12: no "(photo sent before)" left in the moderator's queue."""
    import re

    from moderation.duplicates import PHOTO, TEXT, Match, duplicate_findings

    findings = duplicate_findings([Match(TEXT, 0, 7, 0, 2), Match(PHOTO, 0, 7, 1, 3)],
                                  {7: "青山县工业经济运行分析会"}, ["现场.jpg"])
    messages = [f["message"] for f in findings]
    assert messages[1].startswith("照片 现场.jpg 与稿件 #7《青山县工业经济运行分析会》的第 2 张")
    english = [m for m in messages
               if re.search(r"[A-Za-z]{3,}", m.replace("SimHash", "").replace(".jpg", ""))]
    assert english == []
