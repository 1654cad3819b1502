"""Fingerprints for finding the same or nearly the same item sent again: a 64-bit SimHash of an
article's normalised text and a 64-bit perceptual hash (pHash) of each photo.

Pure logic. Two fingerprints are near when few of their 64 bits differ (the Hamming distance).
To find near ones without comparing against the whole archive, a fingerprint is cut into four
16-bit bands and each band is stored in an indexed column (multi-index hashing): if two
fingerprints differ in at most ``d`` bits, then in at least one band they differ in at most
``d // 4`` bits (else they would differ in ``4 * (d // 4 + 1) > d``), so looking up, for each band,
the band itself and its values within ``d // 4`` bits finds every candidate; the exact distance
is then counted for those few.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import imagehash
import numpy as np
from PIL import Image

from moderation.normalise import code_points

BITS = 64
BANDS = 4
BAND_BITS = BITS // BANDS
SHINGLE = 3  # characters per shingle: short enough that an edit disturbs few of them
_MASK64 = (1 << 64) - 1


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, vectorised: spreads every input bit over the whole word."""
    x = values.astype(np.uint64)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def simhash(normalised: str) -> int:
    """The SimHash of a normalised text over its distinct character shingles (stable across
    processes and machines: no use of Python's salted ``hash``)."""
    codes = code_points(normalised).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), dtype=np.uint64)])
    shingles = codes[: len(codes) - SHINGLE + 1].copy()
    for k in range(1, SHINGLE):
        shingles = _mix(shingles) ^ codes[k: len(codes) - SHINGLE + 1 + k]
    hashes = np.unique(_mix(shingles))
    bits = (hashes[:, None] >> np.arange(BITS, dtype=np.uint64)) & np.uint64(1)
    ones = bits.sum(axis=0, dtype=np.int64)
    chosen = np.flatnonzero(ones * 2 > len(hashes))
    return sum(1 << int(bit) for bit in chosen)


def _grey(image: Image.Image) -> Image.Image:
    """An 8-bit grey image for any mode a photo arrives in (16-bit, CMYK, palette, alpha)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        array = np.asarray(image, dtype=np.uint32)
        scale = 256 if array.max(initial=0) > 255 else 1
        return Image.fromarray((array // scale).astype(np.uint8))
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("L")


def photo_hash(image: Image.Image) -> int:
    """The 64-bit DCT perceptual hash of a decoded image: a resized or re-compressed copy keeps
    (nearly) the same one."""
    value = imagehash.phash(_grey(image))
    return int(str(value), 16)


def distance(a: int, b: int) -> int:
    return ((a ^ b) & _MASK64).bit_count()


def bands(value: int) -> tuple[int, ...]:
    mask = (1 << BAND_BITS) - 1
    return tuple((value >> (BAND_BITS * i)) & mask for i in range(BANDS))


def band_radius(max_distance: int) -> int:
    return max_distance // BANDS


def near_band_values(band: int, radius: int) -> Iterator[int]:
    """The band value and every value within ``radius`` bits of it."""
    for flips in range(radius + 1):
        for bits in itertools.combinations(range(BAND_BITS), flips):
            value = band
            for bit in bits:
                value ^= 1 << bit
            yield value


def to_signed(value: int) -> int:
    """A 64-bit fingerprint as a signed 64-bit integer (what a BIGINT column holds)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def from_signed(value: int) -> int:
    return value & _MASK64


# --- MinHash bands (LSH) --------------------------------------------------------------------
# SimHash reads a text as one 64-bit vote, so an edit that adds many shingles (a sentence
# repeated and two numbers changed) can push a copy past the bit limit (bench/duplicates.py:
# 2 of 132 edited copies missed). MinHash estimates the share of shingles two texts have in
# common; cut into ``LSH_BANDS`` bands of ``LSH_ROWS`` values, two texts share a band with
# probability J**LSH_ROWS, so the count of shared bands estimates the overlap J and a lookup by
# band key reads only texts that share one.
LSH_BANDS, LSH_ROWS = 32, 4
NUM_PERM = LSH_BANDS * LSH_ROWS


def minhash_bands(normalised: str) -> tuple[int, ...]:
    """One signed 63-bit key per band (the band's index is hashed in, so keys of different
    bands never collide), stable across processes (datasketch's seeded SHA-1 permutations)."""
    from datasketch import MinHash  # imported on use: scipy behind it costs a second to load

    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([normalised[i:i + SHINGLE].encode()
                    for i in range(max(1, len(normalised) - SHINGLE + 1))])
    values = np.asarray(m.hashvalues, dtype=np.uint64).reshape(LSH_BANDS, LSH_ROWS)
    keys = np.arange(LSH_BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for column in range(LSH_ROWS):
        keys = _mix(keys ^ values[:, column])
    return tuple(int(k >> np.uint64(1)) for k in keys)  # 63 bits: fits a signed BIGINT
