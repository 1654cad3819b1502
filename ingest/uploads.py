"""Reading an upload form as it streams in, within limits.

Starlette's form parser keeps no per-file byte limit, so a 10 GB "photo" would fill the disk
before anything could say no. :class:`FormReader` feeds python-multipart chunk by chunk, hashes
each file as it arrives, spools it to a temporary file (never to memory), and refuses
(:class:`~services.refusals.TooLarge`) the moment a file, the whole body, the number of files or
a text field goes past its limit.

It knows no web framework: it is handed the body's media type, its announced length and its
bytes, chunk by chunk, so a command or a test can read a form from a file just as the upload
route reads it from the request stream (:func:`parse_form`, the async loop over those chunks).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from services.refusals import Malformed, TooLarge, Unsupported


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    max_files: int
    max_request_bytes: int
    max_fields: int
    max_field_chars: int


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str
    path: Path
    size: int = 0
    sha256: str = ""


@dataclass
class ParsedForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def discard(self) -> None:
        for upload in self.files:
            upload.path.unlink(missing_ok=True)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


class _Collector:
    """The parser's callbacks: collect text fields, write file parts to temporary files."""

    def __init__(self, limits: UploadLimits, spool_dir: Path) -> None:
        self.limits = limits
        self.spool_dir = spool_dir
        self.form = ParsedForm()
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._data = bytearray()
        self._file: UploadedFile | None = None
        self._handle: IO[bytes] | None = None
        self._hash = hashlib.sha256()
        self._fields = 0

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }

    def on_part_begin(self) -> None:
        self._headers = {}
        self._data = bytearray()
        self._file = None
        self._handle = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = b""
        self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise Malformed("表单格式错误：分段缺少字段名 (multipart part without a name)")
        self._name = options[b"name"].decode("utf-8", "replace")
        if b"filename" not in options:
            self._fields += 1
            if self._fields > self.limits.max_fields:
                raise TooLarge(f"表单字段过多，最多 {self.limits.max_fields} 个 "
                               f"(too many fields)", reason="too_many_fields")
            return
        if len(self.form.files) >= self.limits.max_files:
            raise TooLarge(f"照片过多，每次最多 {self.limits.max_files} 张 (too many files)",
                           reason="too_many_files")
        filename = os.path.basename(options[b"filename"].decode("utf-8", "replace"))[:200]
        content_type = self._headers.get(b"content-type", b"application/octet-stream")
        fd, path = tempfile.mkstemp(dir=self.spool_dir, prefix="upload-")
        self._handle = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._file = UploadedFile(field=self._name, filename=filename,
                                  content_type=content_type.decode("latin-1"), path=Path(path))
        self.form.files.append(self._file)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._file is None:
            self._data.extend(chunk)
            # UTF-8 needs at most 4 bytes a character, so this bounds the text before decoding
            if len(self._data) > self.limits.max_field_chars * 4:
                raise TooLarge(f"字段 {self._name} 太长 (field too long)",
                               reason="field_too_long")
            return
        assert self._handle is not None
        self._file.size += len(chunk)
        if self._file.size > self.limits.max_file_bytes:
            raise TooLarge(f"照片 {self._file.filename} 超过 {_mb(self.limits.max_file_bytes)} "
                           f"上限 (file too large)", reason="file_too_large")
        self._hash.update(chunk)
        self._handle.write(chunk)

    def on_part_end(self) -> None:
        if self._file is None:
            try:
                text = codecs.decode(bytes(self._data), "utf-8")
            except UnicodeDecodeError as exc:
                raise Malformed(f"字段 {self._name} 不是 UTF-8 文本 (field is not UTF-8)") \
                    from exc
            self.form.fields.setdefault(self._name, []).append(text)
            return
        assert self._handle is not None
        self._handle.close()
        self._handle = None
        self._file.sha256 = self._hash.hexdigest()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def _urlencoded(body: bytes, limits: UploadLimits) -> ParsedForm:
    """A form without files, as a plain HTML form or ``curl -d`` sends it."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                          max_num_fields=limits.max_fields)
    except UnicodeDecodeError as exc:
        raise Malformed("表单不是 UTF-8 文本 (form is not UTF-8)") from exc
    except ValueError as exc:
        raise TooLarge(f"表单字段过多，最多 {limits.max_fields} 个 (too many fields)",
                       reason="too_many_fields") from exc
    form = ParsedForm()
    for name, value in pairs:
        form.fields.setdefault(name, []).append(value)
    return form


class FormReader:
    """One form body, fed as it arrives: ``feed`` each chunk, then ``finish``; ``abort`` (or any
    refusal on the way) leaves no spooled file behind.

    A multipart body streams its files to ``spool_dir``; a urlencoded one (no files) is held in
    memory, bounded by the longest text field allowed.
    """

    def __init__(self, content_type: str, content_length: str | None, limits: UploadLimits,
                 spool_dir: Path) -> None:
        media, params = parse_options_header(content_type)
        if content_length and content_length.isdigit() \
                and int(content_length) > limits.max_request_bytes:
            raise TooLarge(f"请求超过 {_mb(limits.max_request_bytes)} 上限 (request too large)",
                           reason="request_too_large")
        self.limits = limits
        self._received = 0
        self._body: bytearray | None = None
        self._collector: _Collector | None = None
        self._write: Callable[[bytes], object] = self._feed_multipart
        if media == b"application/x-www-form-urlencoded":
            self._body = bytearray()
            self._write = self._feed_urlencoded
            return
        if media != b"multipart/form-data":
            raise Unsupported("请用 multipart/form-data 上传 (expected multipart/form-data)",
                              reason="not_a_form")
        boundary = params.get(b"boundary")
        if not boundary:
            raise Malformed("表单格式错误：缺少 boundary (missing multipart boundary)")
        spool_dir.mkdir(parents=True, exist_ok=True)
        self._collector = _Collector(limits, spool_dir)
        self._parser = MultipartParser(boundary, self._collector.callbacks())  # type: ignore[arg-type]

    def feed(self, chunk: bytes) -> None:
        try:
            self._write(chunk)
        except BaseException:
            self.abort()
            raise

    def finish(self) -> ParsedForm:
        if self._body is not None:
            return _urlencoded(bytes(self._body), self.limits)
        assert self._collector is not None
        try:
            self._parser.finalize()
        except FormParserError as exc:
            self.abort()
            raise Malformed("表单格式错误 (malformed multipart body)") from exc
        except BaseException:
            self.abort()
            raise
        form = self._collector.form
        for upload in form.files:
            if not upload.sha256:  # a file part the body ended in the middle of
                form.discard()
                raise Malformed("表单不完整：上传被截断 (truncated multipart body)")
        return form

    def abort(self) -> None:
        if self._collector is not None:
            self._collector.close()
            self._collector.form.discard()

    def _feed_urlencoded(self, chunk: bytes) -> None:
        assert self._body is not None
        self._body.extend(chunk)
        if len(self._body) > self.limits.max_field_chars * 4 + 64 * 1024:
            raise TooLarge("表单过大 (form too large)", reason="request_too_large")

    def _feed_multipart(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received > self.limits.max_request_bytes:
            raise TooLarge(f"请求超过 {_mb(self.limits.max_request_bytes)} 上限 "
                           f"(request too large)", reason="request_too_large")
        try:
            self._parser.write(chunk)
        except FormParserError as exc:
            raise Malformed("表单格式错误 (malformed multipart body)") from exc


async def parse_form(
    content_type: str, content_length: str | None, stream: AsyncIterator[bytes],
    limits: UploadLimits, spool_dir: Path,
) -> ParsedForm:
    """Read a form body as it streams in; a refusal (4xx) on anything out of bounds."""
    reader = FormReader(content_type, content_length, limits, spool_dir)
    try:
        async for chunk in stream:
            reader.feed(chunk)
    except BaseException:
        reader.abort()
        raise
    return reader.finish()
