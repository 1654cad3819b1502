"""The streaming form parser stops at each limit as the bytes arrive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ingest.uploads import ParsedForm, UploadLimits, parse_form
from services.http import status_of
from services.refusals import Refusal

LIMITS = UploadLimits(max_file_bytes=1000, max_files=2, max_request_bytes=10_000, max_fields=5,
                      max_field_chars=50)
BOUNDARY = "b0undary"


def body(*parts: tuple[str, str | bytes, str | None]) -> bytes:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename
                                                     else "")
        content = value.encode() if isinstance(value, str) else value
        out += (f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
                + content + b"\r\n")
    return out + f"--{BOUNDARY}--\r\n".encode()


async def chunks(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def parse(data: bytes, tmp_path: Path, content_type: str | None = None) -> ParsedForm:
    return asyncio.run(parse_form(content_type or f"multipart/form-data; boundary={BOUNDARY}",
                                  str(len(data)), chunks(data), LIMITS, tmp_path))


def test_fields_and_files_arrive_whole_with_their_hashes(tmp_path: Path) -> None:
    form = parse(body(("title", "标题", None), ("photos", b"\xff\xd8abc", "图.jpg"),
                      ("captions", "说明", None)), tmp_path)
    assert form.fields == {"title": ["标题"], "captions": ["说明"]}
    [upload] = form.files
    assert upload.filename == "图.jpg" and upload.size == 5
    assert upload.path.read_bytes() == b"\xff\xd8abc"
    assert len(upload.sha256) == 64
    form.discard()
    assert not upload.path.exists()


@pytest.mark.parametrize(("parts", "status"), [
    ([("photos", b"x" * 1001, "a.jpg")], 413),  # a file past its limit
    ([("photos", b"x", "a.jpg")] * 3, 413),  # too many files
    ([("f", "v", None)] * 6, 413),  # too many fields
    ([("body", "字" * 70, None)], 413),  # a field past its byte bound (4 bytes a character)
    ([("title", b"\xff\xfe", None)], 400),  # not UTF-8
])
def test_each_limit_is_a_clear_error_and_leaves_no_file_behind(
        tmp_path: Path, parts: list[tuple[str, bytes | str, str | None]], status: int) -> None:
    with pytest.raises(Refusal) as error:
        parse(body(*parts), tmp_path)
    assert status_of(error.value) == status
    assert list(tmp_path.iterdir()) == []


def test_a_body_cut_off_in_a_file_is_refused(tmp_path: Path) -> None:
    data = body(("photos", b"y" * 500, "a.jpg"))
    with pytest.raises(Refusal) as error:
        parse(data[:300], tmp_path)
    assert status_of(error.value) == 400
    assert list(tmp_path.iterdir()) == []


def test_a_plain_form_without_files_is_accepted(tmp_path: Path) -> None:
    form = parse(b"kind=article&title=%E6%A0%87%E9%A2%98", tmp_path,
                 "application/x-www-form-urlencoded")
    assert form.fields == {"kind": ["article"], "title": ["标题"]}


def test_other_content_types_are_unsupported(tmp_path: Path) -> None:
    with pytest.raises(Refusal) as error:
        parse(b"{}", tmp_path, "application/json")
    assert status_of(error.value) == 415
