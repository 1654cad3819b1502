"""One place that turns a review period into each format, for the command line and the API."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from scoring.review import render
from scoring.review.commendations import commendations
from scoring.review.period import period_report
from scoring.rules import Rules
from services.clock import office_date
from services.settings import Settings

MEDIA = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
REPORT_FORMATS = ("json", "html", "docx", "xlsx", "pdf")
COMMENDATION_FORMATS = ("json", "docx", "xlsx")


class NoConverter(RuntimeError):
    """PDF asked for where LibreOffice is not installed."""


def office_of(settings: Settings, now: dt.datetime | None = None) -> render.Office:
    local = (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(settings.timezone))
    return render.Office(settings.report_office, settings.report_number_prefix,
                         settings.report_cc, office_date(local.date()))


def docx_to_pdf(docx: bytes) -> bytes:
    """The Word document printed to PDF by LibreOffice headless (``make office`` installs it)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise NoConverter("未安装 LibreOffice，无法生成 PDF (LibreOffice is not installed)")
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "report.docx"
        path.write_bytes(docx)
        subprocess.run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless",
                        "--convert-to", "pdf", "--outdir", work, str(path)],
                       check=True, capture_output=True, timeout=180)
        return (Path(work) / "report.pdf").read_bytes()


def report_data(session: Session, period: str, rules: Rules) -> dict[str, Any]:
    return period_report(session, period, rules).to_dict(rules)


def commendation_data(session: Session, period: str, rules: Rules) -> dict[str, Any]:
    return commendations(period_report(session, period, rules), rules.commendation)


def report(session: Session, period: str, rules: Rules, settings: Settings,
           fmt: str) -> bytes:
    data = report_data(session, period, rules)
    office = office_of(settings)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2).encode()
    if fmt == "html":
        return render.report_html(data, rules, office).encode()
    if fmt == "xlsx":
        return render.report_xlsx(data, rules, office.name)
    document = render.report_document(data, rules, office)
    return docx_to_pdf(document) if fmt == "pdf" else document


def commendation_list(session: Session, period: str, rules: Rules, settings: Settings,
                      fmt: str) -> bytes:
    data = commendation_data(session, period, rules)
    office = office_of(settings)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2).encode()
    if fmt == "xlsx":
        return render.commendation_xlsx(data, office.name)
    return render.commendation_document(data, office)
