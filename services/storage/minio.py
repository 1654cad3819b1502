"""MinIO (or any S3) through the MinIO Python client. Every call uses keyword arguments, which
both the 7.x releases and the keyword-only 8.x API accept.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import urlsplit

from minio import Minio
from minio.error import S3Error

from services.storage import ObjectInfo

_MISSING = {"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"}
PART_SIZE = 10 * 1024 * 1024


def make_client(endpoint: str, access_key: str, secret_key: str, *, secure: bool,
                region: str) -> Minio:
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        endpoint, secure = parts.netloc, parts.scheme == "https"
    return Minio(endpoint=endpoint, access_key=access_key, secret_key=secret_key,
                 secure=secure, region=region)


class MinioStore:
    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def _missing(self, exc: S3Error, key: str) -> Exception:
        return FileNotFoundError(key) if exc.code in _MISSING else exc

    def ensure(self) -> None:
        if not self.client.bucket_exists(bucket_name=self.bucket):
            try:
                self.client.make_bucket(bucket_name=self.bucket)
            except S3Error as exc:  # another process made it first
                if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise

    def put_stream(self, key: str, stream: BinaryIO, length: int, content_type: str) -> None:
        self.client.put_object(bucket_name=self.bucket, object_name=key, data=stream,
                               length=length, content_type=content_type,
                               part_size=PART_SIZE if length < 0 else 0)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.put_stream(key, io.BytesIO(data), len(data), content_type)

    def get_bytes(self, key: str) -> bytes:
        return b"".join(self.iter_chunks(key))

    def iter_chunks(self, key: str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        try:
            response = self.client.get_object(bucket_name=self.bucket, object_name=key)
        except S3Error as exc:
            raise self._missing(exc, key) from exc

        def chunks() -> Iterator[bytes]:
            try:
                yield from response.stream(chunk_size)
            finally:
                response.close()
                response.release_conn()

        return chunks()

    def stat(self, key: str) -> ObjectInfo:
        try:
            st = self.client.stat_object(bucket_name=self.bucket, object_name=key)
        except S3Error as exc:
            raise self._missing(exc, key) from exc
        assert st.last_modified is not None
        return ObjectInfo(key=key, size=st.size or 0, etag=(st.etag or "").strip('"'),
                          content_type=st.content_type or "application/octet-stream",
                          modified=st.last_modified)

    def delete(self, key: str) -> None:
        self.client.remove_object(bucket_name=self.bucket, object_name=key)

    def list(self, prefix: str = "") -> Iterator[str]:
        for obj in self.client.list_objects(bucket_name=self.bucket, prefix=prefix,
                                            recursive=True):
            if obj.object_name is not None:
                yield obj.object_name

    def ping(self) -> None:
        self.client.bucket_exists(bucket_name=self.bucket)
