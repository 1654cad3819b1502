"""How a document's file is served: as a download (never shown or run by the browser) under its
Chinese name, written both ways RFC 6266 allows (an ASCII fallback and RFC 5987's UTF-8)."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from publisher.documents.addresses import file_type

_NOT_ASCII_TOKEN = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str) -> str:
    stem, ext = posixpath.splitext(filename)
    fallback = (_NOT_ASCII_TOKEN.sub("_", stem).strip("_") or "download") + ext
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_headers(key: str) -> tuple[str, dict[str, str]]:
    """The media type and the headers for the file at ``key``."""
    return file_type(key), {
        "Content-Disposition": content_disposition(posixpath.basename(key)),
        "X-Content-Type-Options": "nosniff",
        # a PDF opened anyway runs in a sandbox with nothing allowed
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
