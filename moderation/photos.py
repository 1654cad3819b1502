"""Photo screening: format by content, bytes, pixels, sides, and a full decode for integrity.

Pure logic on bytes. Cheap checks come first and stop early: the header tells the format and the
size without decoding (a decompression bomb is refused there); only then is the image decoded in
full, because ``verify()`` checks nothing in a JPEG and a truncated file fails only on decode.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from services.images import ImageLimits, ImageRejected, probe


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
    findings: list[dict[str, Any]] = field(default_factory=list)

    def finding(self, limit: str, action: str, message: str) -> None:
        self.findings.append({
            "rule": f"photo:{limit}", "entry": limit, "category": "photo", "action": action,
            "field": "photos", "photo": self.index, "filename": self.filename,
            "message": f"照片 {self.filename}：{message}",
        })


def check_photo(data: bytes, index: int, filename: str, limits: PhotoLimits) -> PhotoReport:
    report = PhotoReport(index=index, filename=filename)
    if len(data) > limits.max_bytes:
        report.finding("max_bytes", "block",
                       f"文件 {len(data):,} 字节，超过 {limits.max_bytes:,} 字节上限 (too large)")
        return report
    try:
        header = probe(io.BytesIO(data), limits.image)
    except ImageRejected as exc:
        report.finding(exc.limit, "block", str(exc))
        return report
    report.format, report.width, report.height = header.format, header.width, header.height
    try:
        with Image.open(io.BytesIO(data), formats=[header.format]) as image:
            image.load()  # the integrity check: a truncated or corrupt file fails here
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        report.finding("integrity", "block", f"图片文件不完整或已损坏 (corrupt image: {exc})")
        return report
    if min(header.width, header.height) < limits.min_side:
        report.finding("min_side", "flag",
                       f"{header.width}×{header.height}，短边不足 {limits.min_side} 像素，"
                       f"可能不宜发布 (too small to publish)")
    return report
