"""LibreOffice headless, as the office would open a file: convert to PDF, count its pages and
read its text. Installed by ``make office`` (Debian's libreoffice-writer/calc-nogui and
poppler-utils for ``pdftotext``)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


def to_pdf(document: Path) -> bytes:
    """The PDF LibreOffice prints of ``document`` (its own profile, so runs never share one)."""
    out = document.parent / "pdf"
    profile = document.parent / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(document)],
                   check=True, capture_output=True, timeout=120)
    return (out / f"{document.stem}.pdf").read_bytes()


def pages(pdf: bytes) -> int:
    """Pages of a PDF as LibreOffice writes it (each page object says /Type /Page)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def text(pdf: bytes, where: Path) -> str:
    """The PDF's text, through poppler's pdftotext (its page breaks are form feeds)."""
    path = where / "read.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, timeout=60)
    return done.stdout.decode("utf-8")
