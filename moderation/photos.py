"""Photo screening: format by content, bytes, pixels, sides, a real decode, a perceptual hash.

Pure logic on bytes. Cheap checks come first and stop early: the byte count, then the header,
which tells the format (only the allowed ones are even tried) and the size without decoding, so
a decompression bomb is refused there. Only then is the image decoded, because ``verify()``
checks nothing in a JPEG and a truncated file fails only on decode. A JPEG is decoded with
``draft``, which lets libjpeg scale by 1/8 as it reads: every byte of the entropy-coded data is
still read and checked (a truncated file fails the same way), at less than half the cost of a
full-size decode. The scale stops at about ``CODE_SCAN_SIDE`` so that a QR code or barcode
pasted into the photo is still readable there (``moderation.codes``); the perceptual hash reads
32×32 of the same image.

CMYK, 16-bit, palette and transparent images decode like any other; the hash is taken from an
8-bit grey version (``fingerprints.photo_hash``).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from moderation.codes import find_codes
from moderation.fingerprints import photo_hash
from services.images import ImageLimits, ImageRejected, probe

CODE_SCAN_SIDE = 512  # the decoded size a JPEG is scaled toward (codes stay readable there)


@dataclass(frozen=True)
class PhotoLimits:
    image: ImageLimits
    max_bytes: int
    min_side: int


@dataclass
class PhotoReport:
    index: int
    filename: str
    format: str = ""
    width: int = 0
    height: int = 0
    mode: str = ""
    phash: int | None = None  # None when the photo could not be decoded
    findings: list[dict[str, Any]] = field(default_factory=list)

    def finding(self, rule: str, action: str, message: str, **details: Any) -> None:
        self.findings.append({
            "rule": f"photo:{rule}", "entry": rule, "category": "photo", "action": action,
            "field": "photos", "photo": self.index, "filename": self.filename,
            "message": f"照片 {self.filename}：{message}", **details,
        })

    def summary(self) -> dict[str, Any]:
        return {"format": self.format, "width": self.width, "height": self.height}


_KIND = {"QRCode": "二维码", "MicroQRCode": "二维码", "RMQRCode": "二维码"}


def apply_pillow_limits(limits: ImageLimits) -> None:
    """Pillow's own bomb check at our pixel cap: it then fires inside ``Image.open``. The cap is
    process-wide in Pillow; every component reads the same setting, so setting it is idempotent."""
    Image.MAX_IMAGE_PIXELS = limits.max_pixels


def _decode(data: bytes, fmt: str) -> Image.Image:
    """Decode all of the image (JPEG scaled down as it is read); raise OSError if it is broken."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            if image.format == "JPEG":
                image.draft("L", (CODE_SCAN_SIDE, CODE_SCAN_SIDE))
            image.load()
            if image.mode == "1":
                return _bilevel_for_hash(image)
            return image.copy()


HASH_SOURCE_SIDE = 256  # a bilevel image is box-averaged toward this before hashing


def _bilevel_for_hash(image: Image.Image) -> Image.Image:
    """A 1-bit image, small and grey: a 40-megapixel bilevel PNG is a few kilobytes and decodes
    at once, but its full-size grey copy and the hash's resampling took ~1.5 s each, so twenty
    of them held the queue up for half a minute. Box-averaging blocks down toward the hash's
    source size keeps the picture the hash sees."""
    factor = max(1, max(image.size) // HASH_SOURCE_SIDE)
    grey = image.convert("L")
    return grey.reduce(factor) if factor > 1 else grey


def check_photo(data: bytes, index: int, filename: str, limits: PhotoLimits) -> PhotoReport:
    report = PhotoReport(index=index, filename=filename)
    if len(data) > limits.max_bytes:
        report.finding("max_bytes", "block",
                       f"文件 {len(data):,} 字节，超过 {limits.max_bytes:,} 字节上限 (too large)",
                       limit=limits.max_bytes, value=len(data))
        return report
    try:
        header = probe(io.BytesIO(data), limits.image)
    except ImageRejected as exc:
        report.finding(exc.limit, "block", str(exc))
        return report
    report.format, report.width, report.height = header.format, header.width, header.height
    report.mode = header.mode
    try:
        decoded = _decode(data, header.format)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        report.finding("integrity", "block", f"图片文件不完整或已损坏 (corrupt image: {exc})")
        return report
    report.phash = photo_hash(decoded)
    for code in find_codes(decoded, (header.width, header.height)):
        kind = _KIND.get(code.format, "条码")
        report.finding("code", "flag",
                       f"{code.where(header.width, header.height)}有{kind}"
                       f"（{code.format}），内容：{code.text} (a code in the picture)",
                       format=code.format, text=code.text, box=list(code.box))
    if min(header.width, header.height) < limits.min_side:
        report.finding("min_side", "flag",
                       f"{header.width}×{header.height}，短边不足 {limits.min_side} 像素，"
                       f"可能不宜发布 (too small to publish)",
                       limit=limits.min_side, value=min(header.width, header.height))
    return report
