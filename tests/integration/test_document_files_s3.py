"""A document's files in the S3 stand-in (moto), the distributed store: copied from the uploads
bucket to the site bucket, and served from there as downloads under their Chinese names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from services.settings import Settings
from tests.documents_support import POLICY, docx_bytes, pdf_bytes, send_document
from tests.support import Pipeline, s3_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def s3_pipeline(tmp_path: Path, s3_endpoint: str) -> Iterator[Pipeline]:
    settings = Settings(data_dir=tmp_path / "var", _env_file=None,  # type: ignore[call-arg]
                        **s3_settings(s3_endpoint))
    p = Pipeline(settings)
    yield p
    p.close()


def test_files_are_served_from_the_site_bucket_as_downloads(s3_pipeline: Pipeline) -> None:
    p = s3_pipeline
    admin = p.user("孙伟", role="admin")
    big = pdf_bytes("x" * 2_000_000)  # past one body: streamed from the bucket
    response = send_document(p, admin, POLICY, [("技术改造专项资金管理办法.pdf", big),
                                                ("项目申报表.docx", docx_bytes())])
    assert response.status_code == 202, response.text
    p.settle()
    keys = sorted(p.ctx.site.list("files/"), key=lambda k: k.endswith(".docx"))
    assert len(keys) == 2 and keys[0].endswith("/技术改造专项资金管理办法.pdf")
    assert p.ctx.site.stat(keys[0]).content_type == "application/pdf"

    page = p.client.get(f"/site/documents/{response.json()['id']}.html").text
    link = re.search(r'href="\.\./(files/[^"]+\.pdf)"', page)
    assert link is not None and quote("技术改造", safe="") in link.group(1)
    download = p.client.get(f"/site/{link.group(1)}")
    assert download.status_code == 200 and download.content == big
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-length"] == str(len(big))
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].endswith(
        "filename*=UTF-8''" + quote("技术改造专项资金管理办法.pdf", safe=""))
    head = p.client.head(f"/site/{link.group(1)}")
    assert head.status_code == 200 and head.headers["content-disposition"].startswith("attachment")
    again = p.client.get(f"/site/{link.group(1)}",
                         headers={"If-None-Match": download.headers["etag"]})
    assert again.status_code == 304
