"""Object storage: one port, two adapters (a local folder, and MinIO or any S3 through the MinIO
client). Vendor errors are mapped to built-in ones: a missing object is ``FileNotFoundError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str
    content_type: str
    modified: dt.datetime


class ObjectStore(Protocol):
    """A bucket of objects addressed by ``/``-separated keys."""

    def ensure(self) -> None:
        """Create the bucket (or folder) if it is not there yet."""

    def put_stream(self, key: str, stream: BinaryIO, length: int, content_type: str) -> None:
        """Store ``length`` bytes read from ``stream`` under ``key``, replacing what was there."""

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...

    def get_bytes(self, key: str) -> bytes: ...

    def iter_chunks(self, key: str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        """The object's bytes in chunks; raises ``FileNotFoundError`` before the first chunk."""

    def stat(self, key: str) -> ObjectInfo: ...

    def delete(self, key: str) -> None:
        """Remove ``key``; a key that is not there is no error."""

    def list(self, prefix: str = "") -> Iterator[str]: ...

    def ping(self) -> None:
        """Raise if the store cannot be reached."""
