"""Checking an attachment by what it is, not by what it is called.

A file is taken only if its bytes are the format its name says: a PDF starts with ``%PDF-``; a
DOCX or XLSX is a ZIP package holding the parts Office writes for that kind (and no macros).
Packages are opened only to read their table of contents, never unpacked, and one whose parts
would unpack past a limit (a zip bomb) is refused. Nothing here executes or renders anything.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from services.refusals import Invalid, TooLarge, Unsupported

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_NAMES = {"pdf": "PDF", "docx": "Word（DOCX）", "xlsx": "Excel（XLSX）"}
# the part each Office kind cannot be without
_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_MAX_PARTS = 10_000
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class Checked:
    format: str
    content_type: str
    filename: str


def safe_filename(filename: str, fmt: str) -> str:
    """A name to download the file as: no folders, no control or reserved characters, not
    hidden, not too long, ending in the extension of what the file really is."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    stem = _UNSAFE_NAME.sub("_", name.rsplit(".", 1)[0] if "." in name else name).strip(" ._")
    return f"{(stem or '附件')[:MAX_NAME_CHARS]}.{fmt}"


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _check_package(path: Path, fmt: str, max_unpacked: int, filename: str) -> None:
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
            names = {p.filename for p in parts}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unsupported(f"附件「{filename}」不是有效的 {FORMAT_NAMES[fmt]} 文件 "
                          f"(not a valid {fmt.upper()} package)") from exc
    if "[Content_Types].xml" not in names or _MAIN_PART[fmt] not in names:
        raise Unsupported(f"附件「{filename}」的内容不是 {FORMAT_NAMES[fmt]} 文件 "
                          f"(the content is not {fmt.upper()})")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Unsupported(f"附件「{filename}」含有宏，不予接收 (macros are not accepted)")
    if len(parts) > _MAX_PARTS or sum(p.file_size for p in parts) > max_unpacked:
        raise TooLarge(f"附件「{filename}」解压后过大 (the package unpacks too large)")


def check_attachment(path: Path, filename: str, size: int, *, max_bytes: int,
                     max_unpacked: int) -> Checked:
    """What the file at ``path`` (named ``filename`` by the sender) is; a refusal if it is not
    a PDF, DOCX or XLSX that its name says it is."""
    fmt = _extension(filename)
    if fmt not in CONTENT_TYPES:
        raise Unsupported(f"附件「{filename}」的类型不支持，只接收 PDF、DOCX、XLSX "
                          f"(only PDF, DOCX and XLSX are accepted)")
    if size > max_bytes:
        raise TooLarge(f"附件「{filename}」超过 {max_bytes // (1024 * 1024)} MB "
                       f"(attachment too large)")
    if size == 0:
        raise Invalid(f"附件「{filename}」是空文件 (empty attachment)")
    with path.open("rb") as stream:
        head = stream.read(8)
    if fmt == "pdf":
        if not head.startswith(b"%PDF-"):
            raise Unsupported(f"附件「{filename}」的内容不是 PDF 文件 (the content is not a PDF)")
    else:
        if not head.startswith(b"PK\x03\x04"):
            raise Unsupported(f"附件「{filename}」的内容不是 {FORMAT_NAMES[fmt]} 文件 "
                              f"(the content is not {fmt.upper()})")
        _check_package(path, fmt, max_unpacked, filename)
    return Checked(format=fmt, content_type=CONTENT_TYPES[fmt],
                   filename=safe_filename(filename, fmt))
