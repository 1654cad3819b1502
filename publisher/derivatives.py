"""Web-size photos: decoded once, turned upright, made RGB, re-encoded without EXIF or GPS.

Pure logic on bytes. For JPEG, ``draft`` lets the decoder scale down by 1/2, 1/4 or 1/8 as it
reads, which is most of the speed; the thumbnail is made from the web size, not the original.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Derivative:
    name: str
    width: int
    height: int
    data: bytes


def to_rgb(image: Image.Image) -> Image.Image:
    """RGB for any mode a photo arrives in: CMYK, 16-bit, palette, with or without alpha."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 256 if image.mode != "I" else v).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # no exif= argument: nothing of the original's EXIF (camera, GPS) is written
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def make_derivatives(data: bytes, web: int = 1200, thumb: int = 400,
                     formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")) -> list[Derivative]:
    with Image.open(io.BytesIO(data), formats=list(formats)) as original:
        if original.format == "JPEG":
            original.draft("RGB", (web, web))
        upright = ImageOps.exif_transpose(original)
        image = to_rgb(upright)
        image.thumbnail((web, web), Image.Resampling.LANCZOS)
        small = image.copy()
        small.thumbnail((thumb, thumb), Image.Resampling.LANCZOS)
        return [
            Derivative("web", image.width, image.height, _jpeg(image, 85)),
            Derivative("thumb", small.width, small.height, _jpeg(small, 80)),
        ]
