"""Documents, forms and meeting notices through the whole pipeline: received by ingest,
screened by moderation, written by the publisher; files served for download under their
Chinese names; a repealed document stays online marked 已废止."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from tests.conftest import City
from tests.documents_support import POLICY, docx_bytes, pdf_bytes, send_document, xlsx_bytes
from tests.support import Pipeline

PDF_NAME = "技术改造专项资金管理办法.pdf"
DOCX_NAME = "项目申报表.docx"


def publish_policy(p: Pipeline, admin: str) -> tuple[int, str]:
    response = send_document(p, admin, POLICY, [(PDF_NAME, pdf_bytes()),
                                                (DOCX_NAME, docx_bytes())])
    assert response.status_code == 202, response.text
    document_id = response.json()["id"]
    p.settle()
    body = p.get(f"/api/documents/{document_id}", admin).json()
    assert body["status"] == "published", body
    return document_id, body["url"]


def test_a_document_is_published_with_its_page_and_files(city: City) -> None:
    p = city.pipeline
    document_id, url = publish_policy(p, city.admin)
    assert url.endswith(f"/site/documents/{document_id}.html")
    page = p.client.get(f"/site/documents/{document_id}.html").text
    for expected in ("市经信发〔2025〕12号", "市经济和信息化委员会", "2025年3月12日",
                     "2025年4月1日", "有效", "附件下载", PDF_NAME, DOCX_NAME, "PDF", "DOCX"):
        assert expected in page, expected
    column = p.client.get("/site/columns/documents/").text
    assert POLICY["title"] in column and "市经信发〔2025〕12号" in column

    link = re.search(r'href="\.\./(files/[^"]+\.pdf)"', page)
    assert link is not None
    download = p.client.get(f"/site/{link.group(1)}")
    assert download.status_code == 200
    assert download.content == pdf_bytes()
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(PDF_NAME, safe='')}" in disposition
    assert unquote(disposition.split("''", 1)[1]) == PDF_NAME
    assert "sandbox" in download.headers["content-security-policy"]
    docx_link = re.search(r'href="\.\./(files/[^"]+\.docx)"', page)
    assert docx_link is not None
    docx = p.client.get(f"/site/{docx_link.group(1)}")
    assert docx.headers["content-type"].endswith("wordprocessingml.document")


def test_a_repealed_document_stays_online_marked(city: City) -> None:
    p = city.pipeline
    document_id, _ = publish_policy(p, city.admin)
    response = p.post(f"/api/documents/{document_id}/repeal", city.admin,
                      {"reason": "已被新办法替代"})
    assert response.status_code == 200, response.text
    assert response.json()["in_force"] is False
    p.settle()
    page = p.client.get(f"/site/documents/{document_id}.html")
    assert page.status_code == 200
    assert "已废止" in page.text and "已被新办法替代" in page.text
    assert "有效</td>" not in page.text
    assert "已废止" in p.client.get("/site/columns/documents/").text
    again = p.post(f"/api/documents/{document_id}/repeal", city.admin, {"reason": "再次"})
    assert again.status_code == 409
    hits = p.client.get("/api/search", params={"q": "技术改造"}).json()["results"]
    assert hits and hits[0]["repealed"] is True


def test_only_an_admin_publishes_and_repeals(city: City) -> None:
    p = city.pipeline
    assert send_document(p, city.informant, POLICY).status_code == 403
    document_id, _ = publish_policy(p, city.admin)
    assert p.post(f"/api/documents/{document_id}/repeal", city.moderator, {}).status_code == 403


def test_a_file_whose_content_is_not_its_name_is_refused(city: City) -> None:
    p = city.pipeline
    cases = [
        ("办法.pdf", b"<html><script>alert(1)</script></html>", 415),  # HTML called a PDF
        ("申报表.docx", pdf_bytes(), 415),  # a PDF called a Word file
        ("统计表.xlsx", docx_bytes(), 415),  # a Word package called a workbook
        ("程序.exe", b"MZ\x90\x00", 415),
        ("空.pdf", b"", 422),
    ]
    for name, data, status in cases:
        response = send_document(p, city.admin, {**POLICY, "kind": "form", "title": "表格"},
                                 [(name, data)])
        assert response.status_code == status, (name, response.text)
        assert "附件" in response.json()["detail"]
    with p.ctx.db.session() as session:
        from ingest.documents.models import Document

        assert session.query(Document).count() == 0  # nothing was kept
    assert list(p.ctx.uploads.list("documents/")) == []


def test_an_attachment_past_the_size_limit_is_refused(city: City) -> None:
    p = city.pipeline
    p.ctx.settings.max_attachment_bytes = 1000
    big = pdf_bytes() + b"%" * 2000
    response = send_document(p, city.admin, POLICY, [(PDF_NAME, big)])
    assert response.status_code == 413


def test_a_form_offers_its_workbook_for_download(city: City) -> None:
    p = city.pipeline
    data = xlsx_bytes([["企业名称", "产值"], ["华远机械", 12.5]])
    response = send_document(p, city.admin, {"kind": "form", "title": "2025年工业统计报表"},
                             [("工业统计报表.xlsx", data)])
    assert response.status_code == 202, response.text
    p.settle()
    column = p.client.get("/site/columns/forms/").text
    assert "2025年工业统计报表" in column and "XLSX" in column


def test_a_flagged_document_waits_for_a_moderator_when_admins_do_not_skip(city: City) -> None:
    p = city.pipeline
    p.ctx.settings.documents_skip_moderator = False
    fields = {**POLICY, "body": POLICY["body"] + "咨询请加微信 abc12345678 或致电 13912345678。"}
    document_id = send_document(p, city.admin, fields).json()["id"]
    p.settle()
    assert p.get(f"/api/documents/{document_id}", city.admin).json()["status"] == "flagged"
    queue = p.get("/api/moderation/documents", city.moderator).json()["items"]
    assert [i["document"] for i in queue] == [document_id]
    decided = p.post(f"/api/moderation/documents/{document_id}/decision", city.moderator,
                     {"action": "approve", "reason": ""})
    assert decided.status_code == 200, decided.text
    p.settle()
    assert p.get(f"/api/documents/{document_id}", city.admin).json()["status"] == "published"
