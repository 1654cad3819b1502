"""Web sizes and thumbnails: upright, sRGB, on white, and carrying nothing of the camera."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image, ImageCms, JpegImagePlugin

from publisher.derivatives import Sizes, UnusablePhoto, make_derivatives
from tests.support import gps_exif, photo


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments (APPn, COM, tables), up to the image data."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while at < len(data):
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the pixels follow
            return markers
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        markers.append(marker)
        at += 2 + length
    return markers


def saved(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_derivatives_carry_no_exif_gps_xmp_icc_or_comment() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = saved(decoded(photo(size=(2000, 1500))), "JPEG", exif=gps_exif(),
                     icc_profile=srgb, comment="王晓明 13812345678",
                     xmp=b"<x:xmpmeta>GPS</x:xmpmeta>")
    assert 0xE1 in jpeg_segments(original) and 0xFE in jpeg_segments(original)
    for derivative in make_derivatives(original):
        markers = jpeg_segments(derivative.data)
        assert not {m for m in markers if 0xE1 <= m <= 0xEF or m == 0xFE}, markers
        image = decoded(derivative.data)
        assert image.getexif() == {} and "icc_profile" not in image.info
        assert b"13812345678" not in derivative.data and b"GPS" not in derivative.data


def test_a_photo_lying_on_its_side_comes_out_upright_at_the_right_sizes() -> None:
    on_its_side = photo(size=(2400, 1800), exif=gps_exif(orientation=6))
    web, thumb = make_derivatives(on_its_side, Sizes(web=1200, thumb=400))
    assert (web.width, web.height) == (900, 1200)
    assert (thumb.width, thumb.height) == (300, 400)
    assert decoded(web.data).size == (900, 1200)


@pytest.mark.parametrize(("orientation", "size"), [(1, (1200, 900)), (3, (1200, 900)),
                                                   (5, (900, 1200)), (8, (900, 1200))])
def test_every_exif_orientation_is_applied(orientation: int, size: tuple[int, int]) -> None:
    web, _ = make_derivatives(photo(size=(1600, 1200), exif=gps_exif(orientation=orientation)))
    assert (web.width, web.height) == size


def test_a_small_photo_is_not_blown_up() -> None:
    web, thumb = make_derivatives(photo(size=(640, 480)))
    assert (web.width, web.height) == (640, 480)
    assert (thumb.width, thumb.height) == (400, 300)


def test_a_cmyk_photo_keeps_its_colours() -> None:
    red = Image.new("CMYK", (800, 600), (0, 255, 255, 0))
    web, _ = make_derivatives(saved(red, "JPEG", quality=95))
    r, g, b = decoded(web.data).convert("RGB").getpixel((400, 300))  # type: ignore[misc]
    assert r > 230 and g < 30 and b < 30


def test_transparency_is_laid_on_white_not_black() -> None:
    clear = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    half_blue = Image.new("RGBA", (800, 600), (0, 0, 255, 128))
    palette = Image.new("P", (800, 600), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0])
    cases = [saved(clear, "PNG"), saved(palette, "PNG", transparency=0),
             saved(Image.new("LA", (800, 600), (0, 0)), "PNG")]
    for data in cases:
        web, _ = make_derivatives(data)
        assert min(decoded(web.data).convert("RGB").getpixel((10, 10))) > 245  # type: ignore[arg-type]
    web, _ = make_derivatives(saved(half_blue, "WEBP", lossless=True))
    r, g, b = decoded(web.data).convert("RGB").getpixel((10, 10))  # type: ignore[misc]
    assert b > 245 and 110 < r < 145 and 110 < g < 145


def test_a_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    grey = Image.new("I;16", (800, 600), 32768)
    web, _ = make_derivatives(saved(grey, "PNG"))
    assert 120 < decoded(web.data).convert("L").getpixel((10, 10)) < 135  # type: ignore[operator]


def test_a_broken_colour_profile_falls_back_to_a_plain_conversion() -> None:
    data = saved(Image.new("RGB", (800, 600), (10, 200, 30)), "JPEG", quality=95,
                 icc_profile=b"not a profile at all")
    web, _ = make_derivatives(data)
    r, g, b = decoded(web.data).getpixel((10, 10))  # type: ignore[misc]
    assert g > 180 and r < 40 and b < 60


def test_a_jpeg_is_decoded_once_already_scaled_down(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[tuple[int, int]] = []
    real_load = JpegImagePlugin.JpegImageFile.load

    def counting_load(self: JpegImagePlugin.JpegImageFile) -> object:
        if self.tile:  # a real decode, not a call on pixels already loaded
            loads.append(self.size)
        return real_load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", counting_load)
    make_derivatives(photo(size=(4000, 3000)))
    assert len(loads) == 1
    assert loads[0][0] <= 2400  # the decoder scaled it down (draft) on the way in


def test_a_file_that_is_no_photo_is_refused_as_unusable() -> None:
    with pytest.raises(UnusablePhoto):
        make_derivatives(b"GIF89a not really")
    truncated = photo(size=(1600, 1200))[:4000]
    with pytest.raises(UnusablePhoto):
        make_derivatives(truncated)
