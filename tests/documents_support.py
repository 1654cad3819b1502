"""Real attachment files for the document tests (a PDF, a DOCX and an XLSX made here), and a
helper that publishes a document through the whole pipeline."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import Workbook

from tests.support import Pipeline


def pdf_bytes(text: str = "Baosong") -> bytes:
    """A small but well-formed one-page PDF."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(text: str = "申报表") -> bytes:
    """A minimal Word document: the parts Word itself needs to open it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>'))
        package.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'))
        package.writestr("word/document.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            f'{text}</w:t></w:r></w:p></w:body></w:document>'))
    return out.getvalue()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def send_document(p: Pipeline, token: str, fields: dict[str, Any],
                  files: list[tuple[str, bytes]] | None = None) -> Any:
    uploads = [("attachments", (name, data, "application/octet-stream"))
               for name, data in files or []]
    return p.client.post("/api/documents", data=fields, files=uploads or None,
                         headers={"Authorization": f"Bearer {token}"})


POLICY = {"kind": "document", "title": "关于印发《市级工业企业技术改造专项资金管理办法》的通知",
          "number": "市经信发〔2025〕12号", "issuer": "市经济和信息化委员会",
          "issued": "2025-03-12", "effective": "2025-04-01",
          "body": "各县（市、区）经信局，各有关企业：现将《市级工业企业技术改造专项资金管理办法》"
                  "印发给你们，请认真贯彻执行。"}
