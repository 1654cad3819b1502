"""Where documents and their files live in the site store (pure)."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

FILES = "files/"
KIND_COLUMNS = {"document": "documents", "form": "forms", "notice": "notices"}
COLUMN_NAMES = {"documents": "文件公开", "forms": "表格下载", "notices": "会议通知"}
COLUMN_DESCRIPTIONS = {"documents": "市经信委发布的文件，注明文号、发文机关和效力状态",
                       "forms": "办事表格和资料下载", "notices": "会议通知与报名"}
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_LABELS = {"pdf": "PDF", "docx": "DOCX", "xlsx": "XLSX"}


def document(document_id: int) -> str:
    return f"documents/{document_id}.html"


def column(kind: str) -> str:
    return f"columns/{KIND_COLUMNS[kind]}/index.html"


def attachment(document_id: int, sha256: str, filename: str) -> str:
    """The file's key: its content's hash keeps two versions apart, and the last segment is
    the name readers download it as (a browser saving the link names it so too)."""
    return f"{FILES}{document_id}/{sha256[:16]}/{filename}"


def href(key: str) -> str:
    """A key as it goes into a page's link (its Chinese name percent-encoded)."""
    return quote(key, safe="/")


def is_file(key: str) -> bool:
    return key.startswith(FILES)


def file_type(key: str) -> str:
    return FILE_TYPES.get(posixpath.splitext(key)[1].lower(), "application/octet-stream")
