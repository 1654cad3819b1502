"""One contract, two object stores: the local folder and MinIO's client against an S3 server
(moto's, standing in for MinIO, which cannot be installed here)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.storage import ObjectStore
from services.storage.folder import FolderStore
from services.storage.minio import MinioStore, make_client


@pytest.fixture(params=["folder", "minio"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    if request.param == "folder":
        folder = FolderStore(tmp_path / "bucket")
        folder.ensure()
        yield folder
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    client = make_client(endpoint, "testing", "testing", secure=False, region="us-east-1")
    minio = MinioStore(client, f"contract-{uuid.uuid4().hex[:10]}")
    minio.ensure()
    minio.ensure()  # a second call finds the bucket there
    yield minio


def test_what_is_put_comes_back_with_its_size_and_type(store: ObjectStore) -> None:
    data = "青山县经信局".encode() * 1000
    store.put_stream("submissions/2026/11/a.jpg", io.BytesIO(data), len(data), "image/jpeg")
    assert store.get_bytes("submissions/2026/11/a.jpg") == data
    assert b"".join(store.iter_chunks("submissions/2026/11/a.jpg", 4096)) == data
    info = store.stat("submissions/2026/11/a.jpg")
    assert info.size == len(data)
    assert info.content_type == "image/jpeg"
    assert info.etag


def test_a_put_replaces_and_changes_the_etag(store: ObjectStore) -> None:
    store.put_bytes("index.html", b"<p>one</p>", "text/html")
    first = store.stat("index.html").etag
    store.put_bytes("index.html", b"<p>two, longer</p>", "text/html")
    assert store.get_bytes("index.html") == b"<p>two, longer</p>"
    assert store.stat("index.html").etag != first


def test_missing_objects_are_file_not_found(store: ObjectStore) -> None:
    with pytest.raises(FileNotFoundError):
        store.get_bytes("nope.html")
    with pytest.raises(FileNotFoundError):
        store.stat("nope.html")
    with pytest.raises(FileNotFoundError):
        store.iter_chunks("nope.html")
    store.delete("nope.html")  # deleting what is not there is no error


def test_list_and_delete(store: ObjectStore) -> None:
    for key in ("photos/1/0-web.jpg", "photos/1/0-thumb.jpg", "articles/1.html"):
        store.put_bytes(key, b"x", "application/octet-stream")
    assert sorted(store.list("photos/")) == ["photos/1/0-thumb.jpg", "photos/1/0-web.jpg"]
    store.delete("photos/1/0-web.jpg")
    assert sorted(store.list()) == ["articles/1.html", "photos/1/0-thumb.jpg"]
    store.ping()


def test_unknown_length_streams_in_parts(store: ObjectStore) -> None:
    data = bytes(range(256)) * 50_000  # 12.8 MB: more than one 10 MB part
    store.put_stream("big.bin", io.BytesIO(data), -1, "application/octet-stream")
    assert store.stat("big.bin").size == len(data)
    assert store.get_bytes("big.bin") == data


def test_the_folder_store_refuses_keys_outside_its_folder(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "bucket")
    store.ensure()
    with pytest.raises(FileNotFoundError):
        store.put_bytes("../escape.txt", b"x", "text/plain")
    assert not (tmp_path / "escape.txt").exists()
