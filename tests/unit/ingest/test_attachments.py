"""An attachment is what its bytes are, not what its name says."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ingest.documents.attachments import check_attachment, safe_filename
from services.refusals import Refusal, TooLarge, Unsupported
from tests.documents_support import docx_bytes, pdf_bytes, xlsx_bytes

LIMITS = {"max_bytes": 1024 * 1024, "max_unpacked": 10 * 1024 * 1024}


def check(tmp_path: Path, name: str, data: bytes, **limits: int) -> str:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return check_attachment(path, name, len(data), **{**LIMITS, **limits}).format


def test_real_files_are_taken_for_what_they_are(tmp_path: Path) -> None:
    assert check(tmp_path, "办法.pdf", pdf_bytes()) == "pdf"
    assert check(tmp_path, "申报表.DOCX", docx_bytes()) == "docx"
    assert check(tmp_path, "统计表.xlsx", xlsx_bytes([["产值", 1]])) == "xlsx"


@pytest.mark.parametrize(("name", "data"), [
    ("办法.pdf", b"<!doctype html><script>alert(1)</script>"),
    ("办法.pdf", b"MZ\x90\x00\x03"),
    ("申报表.docx", pdf_bytes()),
    ("申报表.docx", b"PK\x03\x04broken"),
    ("统计表.xlsx", docx_bytes()),
    ("页面.html", b"<html></html>"),
    ("无扩展名", pdf_bytes()),
])
def test_a_file_that_is_not_what_its_name_says_is_refused(tmp_path: Path, name: str,
                                                          data: bytes) -> None:
    with pytest.raises(Unsupported):
        check(tmp_path, name, data)


def test_a_macro_workbook_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO(xlsx_bytes([["a"]]))
    with zipfile.ZipFile(out, "a") as package:
        package.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(Unsupported, match="宏"):
        check(tmp_path, "统计表.xlsx", out.getvalue())


def test_a_package_that_unpacks_too_large_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w/>" + " " * 5_000_000)  # compresses to little
    with pytest.raises(TooLarge):
        check(tmp_path, "申报表.docx", out.getvalue(), max_unpacked=1_000_000)


def test_a_file_past_the_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Refusal):
        check(tmp_path, "办法.pdf", pdf_bytes(), max_bytes=100)


def test_download_names_keep_chinese_and_lose_paths_and_controls() -> None:
    assert safe_filename("技术改造专项资金管理办法.pdf", "pdf") == "技术改造专项资金管理办法.pdf"
    assert safe_filename("..\\..\\windows\\系统.PDF", "pdf") == "系统.pdf"
    assert safe_filename("a/b/申报\x00表?.docx", "docx") == "申报_表.docx"
    assert safe_filename(".hidden.pdf", "pdf") == "hidden.pdf"
    assert safe_filename("", "xlsx") == "附件.xlsx"
    assert len(safe_filename("长" * 500 + ".pdf", "pdf")) == 124
