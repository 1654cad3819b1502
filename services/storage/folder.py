"""The embedded object store: a folder. Writes go to a temporary file that is fsynced and then
renamed over the target, so a crash leaves either the old object or the new one, never half.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import mimetypes
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from services.storage import ObjectInfo

mimetypes.add_type("application/atom+xml", ".atom")
mimetypes.add_type("image/webp", ".webp")


class FolderStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not key or not path.is_relative_to(self.root) or path == self.root:
            raise FileNotFoundError(key)
        return path

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def put_stream(self, key: str, stream: BinaryIO, length: int, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stream, out, 256 * 1024)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        import io

        self.put_stream(key, io.BytesIO(data), len(data), content_type)

    def get_bytes(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def iter_chunks(self, key: str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        handle = self._path(key).open("rb")  # raises FileNotFoundError before iteration starts

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(chunk_size):
                    yield chunk

        return chunks()

    def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        st = path.stat()
        if not path.is_file():
            raise FileNotFoundError(key)
        etag = hashlib.md5(f"{st.st_size}:{st.st_mtime_ns}".encode(), usedforsecurity=False)
        return ObjectInfo(
            key=key,
            size=st.st_size,
            etag=etag.hexdigest(),
            content_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            modified=dt.datetime.fromtimestamp(st.st_mtime, dt.UTC),
        )

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def list(self, prefix: str = "") -> Iterator[str]:
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def ping(self) -> None:
        if not self.root.is_dir():
            raise FileNotFoundError(self.root)
