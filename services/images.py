"""A cheap look at an image's header, shared by ingest (an answer at once) and screening.

Only the allowed formats are even tried (``formats=``), and the pixel and side caps are checked
from the header, before anything is decoded: a 74-byte file claiming 30000×30000 costs nothing.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError


@dataclass(frozen=True)
class ImageLimits:
    formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
    max_pixels: int = 40_000_000
    max_side: int = 12_000


@dataclass(frozen=True)
class ImageHeader:
    format: str
    width: int
    height: int
    mode: str


class ImageRejected(ValueError):
    """An image refused from its header; ``limit`` names the rule it broke."""

    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message)
        self.limit = limit


def probe(source: str | Path | BinaryIO, limits: ImageLimits) -> ImageHeader:
    """Read the header of ``source`` and check it against ``limits``; raise ImageRejected."""
    names = "、".join(limits.formats)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=list(limits.formats)) as image:
                header = ImageHeader(format=image.format or "?", width=image.width,
                                     height=image.height, mode=image.mode)
    except (UnidentifiedImageError, SyntaxError, EOFError) as exc:
        raise ImageRejected(f"不是可接受的图片格式（只收 {names}）(not a {names} image)",
                            "format") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(
            f"图片像素过多，超过 {limits.max_pixels:,} 像素上限 (too many pixels)", "max_pixels"
        ) from exc
    except (OSError, ValueError) as exc:
        raise ImageRejected(f"图片文件已损坏 (broken image: {exc})", "integrity") from exc
    if header.width * header.height > limits.max_pixels:
        raise ImageRejected(
            f"图片 {header.width}×{header.height} 超过 {limits.max_pixels:,} 像素上限 "
            f"(too many pixels)", "max_pixels")
    if max(header.width, header.height) > limits.max_side:
        raise ImageRejected(
            f"图片边长 {max(header.width, header.height)} 超过 {limits.max_side} 像素上限 "
            f"(side too long)", "max_side")
    return header
