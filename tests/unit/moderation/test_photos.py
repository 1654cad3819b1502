"""Photo checks: formats by content, caps from the header, a real decode, too small to publish;
CMYK, 16-bit and palette images handled; each finding names the photo and the limit."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from moderation.fingerprints import distance
from moderation.photos import (
    HASH_SOURCE_SIDE,
    PhotoLimits,
    _decode,
    apply_pillow_limits,
    check_photo,
)
from services.images import ImageLimits
from tests.support import huge_png_header, photo

LIMITS = PhotoLimits(image=ImageLimits(max_pixels=40_000_000, max_side=12_000),
                     max_bytes=20 * 1024 * 1024, min_side=600)


def _png(image: Image.Image, **kwargs: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **kwargs)
    return out.getvalue()


def sixteen_bit_png() -> bytes:
    ramp = np.linspace(0, 65535, 1200 * 900).reshape(900, 1200).astype(np.uint16)
    return _png(Image.fromarray(ramp))


def palette_png_with_transparency() -> bytes:
    rgb = Image.open(io.BytesIO(photo((1000, 800), seed=4))).convert("RGB")
    return _png(rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=64), transparency=0)


def webp() -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(photo(seed=6))).save(out, "WEBP", quality=80)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "mode"), [
    ("cmyk.jpg", photo(mode="CMYK", seed=2), "CMYK"),
    ("grey16.png", sixteen_bit_png(), "I;16"),
    ("palette.png", palette_png_with_transparency(), "P"),
    ("photo.webp", webp(), "RGB"),
    ("rgb.jpg", photo(seed=1), "RGB"),
])
def test_cmyk_sixteen_bit_palette_and_webp_photos_pass_with_a_hash(name: str, data: bytes,
                                                                   mode: str) -> None:
    report = check_photo(data, 0, name, LIMITS)
    assert report.findings == []
    assert report.mode == mode
    assert report.phash is not None and report.phash.bit_length() > 32


def _only(report_findings: list[dict[str, object]]) -> dict[str, object]:
    assert len(report_findings) == 1, report_findings
    return report_findings[0]


def test_a_text_file_named_jpg_is_refused_by_its_content() -> None:
    finding = _only(check_photo("这不是图片".encode() * 50, 2, "会议现场.jpg", LIMITS).findings)
    assert finding["rule"] == "photo:format" and finding["action"] == "block"
    assert finding["photo"] == 2 and "会议现场.jpg" in str(finding["message"])


def test_a_gif_is_not_an_allowed_format() -> None:
    out = io.BytesIO()
    Image.new("RGB", (800, 800), (1, 2, 3)).save(out, "GIF")
    assert _only(check_photo(out.getvalue(), 0, "a.gif", LIMITS).findings)["rule"] == \
        "photo:format"


def test_a_truncated_jpeg_fails_the_decode() -> None:
    whole = photo(seed=3)
    finding = _only(check_photo(whole[: len(whole) // 2], 0, "half.jpg", LIMITS).findings)
    assert finding["rule"] == "photo:integrity" and finding["action"] == "block"
    assert "half.jpg" in str(finding["message"])


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    apply_pillow_limits(LIMITS.image)
    finding = _only(check_photo(huge_png_header(), 0, "bomb.png", LIMITS).findings)
    assert finding["rule"] == "photo:max_pixels"
    assert LIMITS.image.max_pixels == Image.MAX_IMAGE_PIXELS


def test_a_side_too_long_is_refused_from_its_header() -> None:
    finding = _only(check_photo(huge_png_header(13_000, 100), 0, "strip.png", LIMITS).findings)
    assert finding["rule"] == "photo:max_side"


def test_too_many_bytes_is_refused_before_anything_is_read() -> None:
    limits = PhotoLimits(image=LIMITS.image, max_bytes=1000, min_side=600)
    finding = _only(check_photo(photo(seed=1), 0, "big.jpg", limits).findings)
    assert finding["rule"] == "photo:max_bytes" and finding["limit"] == 1000


def test_a_photo_too_small_to_publish_is_a_finding_for_a_person() -> None:
    report = check_photo(photo((800, 500), seed=2), 1, "small.jpg", LIMITS)
    finding = _only(report.findings)
    assert finding["rule"] == "photo:min_side" and finding["action"] == "flag"
    assert finding["limit"] == 600 and finding["value"] == 500
    assert "small.jpg" in str(finding["message"]) and "600" in str(finding["message"])
    assert report.phash is not None


def test_a_resized_and_recompressed_copy_keeps_nearly_the_same_hash() -> None:
    original = photo((2400, 1800), seed=7)
    image = Image.open(io.BytesIO(original)).resize((1000, 750))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=45)
    first = check_photo(original, 0, "a.jpg", LIMITS).phash
    copy = check_photo(out.getvalue(), 0, "b.jpg", LIMITS).phash
    other = check_photo(photo((2400, 1800), seed=8), 0, "c.jpg", LIMITS).phash
    assert first is not None and copy is not None and other is not None
    assert distance(first, copy) <= 2
    assert distance(first, other) > 12


def test_a_bilevel_photo_is_hashed_from_a_small_grey_copy() -> None:
    # a 40-megapixel 1-bit PNG: decoded small, so twenty of them no longer hold the queue up
    sheet = Image.new("1", (8000, 5000), 1)
    sheet.paste(0, (1000, 1000, 3000, 3000))
    decoded = _decode(_png(sheet), "PNG")
    assert decoded.mode == "L" and max(decoded.size) <= 2 * HASH_SOURCE_SIDE
    report = check_photo(_png(sheet), 0, "scan.png", LIMITS)
    assert report.findings == [] and report.phash is not None and report.mode == "1"


def test_a_qr_code_pasted_into_a_photo_is_a_finding_with_its_text_and_place() -> None:
    from tests.support import photo_with_code

    data = photo_with_code("weixin://contacts/profile/shop888", at=(1250, 850), seed=3)
    report = check_photo(data, 0, "厂区.jpg", LIMITS)
    [finding] = report.findings
    assert finding["rule"] == "photo:code" and finding["action"] == "flag"
    assert finding["format"] == "QRCode"
    assert finding["text"] == "weixin://contacts/profile/shop888"
    left, top, right, bottom = finding["box"]
    assert abs(left - 1250) < 40 and abs(top - 850) < 40
    assert abs(right - 1550) < 40 and abs(bottom - 1150) < 40
    assert "右下有二维码" in finding["message"]


def test_a_photo_without_a_code_has_no_code_finding() -> None:
    assert check_photo(photo(seed=3), 0, "厂区.jpg", LIMITS).findings == []
