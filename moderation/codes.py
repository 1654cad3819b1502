"""QR codes and barcodes in a photo: what each one encodes and where it sits in the picture.

Pure logic on a decoded image (no I/O). An advertiser who cannot write a WeChat id or a URL in
the text can still paste its QR code into a photo; the decoder (zxing-cpp) reads every 1-D and
2-D symbology it knows, so a shop barcode counts too. The image is scanned at a bounded size:
a code small enough to vanish at ``max_side`` is too small for a reader's phone as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import zxingcpp
from PIL import Image

MAX_TEXT = 500  # what a finding keeps of the encoded text; a QR code holds up to ~3 KB


@dataclass(frozen=True)
class Code:
    format: str  # "QRCode", "EAN13", ...
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom in the submitted photo's pixels

    def where(self, width: int, height: int) -> str:
        """Where in the picture, as an editor would say it (左上, 中部, 右下...)."""
        cx, cy = (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2
        row = "上" if cy < height / 3 else "下" if cy > 2 * height / 3 else "中"
        col = "左" if cx < width / 3 else "右" if cx > 2 * width / 3 else ""
        return f"{col}{row}" if col else ("中部" if row == "中" else f"{row}部")


def find_codes(image: Image.Image, full_size: tuple[int, int]) -> list[Code]:
    """Every code zxing-cpp finds in ``image``, with boxes scaled to ``full_size`` (the
    photo's own size, since ``image`` may have been decoded smaller)."""
    grey = image if image.mode == "L" else image.convert("L")
    sx, sy = full_size[0] / grey.width, full_size[1] / grey.height
    found: list[Code] = []
    # no inverted (light-on-dark) pass and no downscaled pass: a pasted code is dark on light,
    # and the image is already at scanning size; together they cost 55% of the scan
    for barcode in zxingcpp.read_barcodes(grey, try_invert=False, try_downscale=False):
        p = barcode.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        box = (round(min(xs) * sx), round(min(ys) * sy), round(max(xs) * sx),
               round(max(ys) * sy))
        found.append(Code(format=barcode.format.name, text=barcode.text[:MAX_TEXT], box=box))
    return found
