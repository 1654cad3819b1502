"""The office's documents as Word (.docx), in the layout of an official document (公文):
the issuing office's red header, the 文号 line and a red rule, the title in 小标宋, the body in
仿宋 (三号), tables ruled on every side, and the 抄送 and 印发 lines at the end between rules.

The fonts are named as an office's Windows machine names them (方正小标宋简体, 仿宋_GB2312
falling back to 仿宋); where they are missing, Word and LibreOffice substitute the closest
installed face (Noto Serif CJK on Debian).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
RED = (0xC0, 0x00, 0x00)
TEXT_WIDTH_CM = 15.6  # A4 less the 公文 margins
WIDE_COLUMNS = ("单位", "名称", "所属单位", "表彰依据", "未列入原因")


@dataclass
class DocTable:
    caption: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class OfficialDocument:
    header: str  # the red header: 市经济和信息化委员会办公室 (文件 is added)
    number: str  # 文号: 经信办〔2026〕12号
    title: str
    date: str  # 2026年12月2日
    office: str  # who issues it (印发)
    cc: str = ""
    issue: str = ""  # 期号, for a periodical 通报: 2026年第12期
    blocks: list[str | DocTable] = field(default_factory=list)  # paragraphs and tables in order
    landscape: bool = False  # wide tables (the period report's dozen columns)

    def heading(self, text: str) -> None:
        self.blocks.append("#" + text)

    def para(self, text: str) -> None:
        self.blocks.append(text)

    def table(self, table: DocTable) -> None:
        self.blocks.append(table)


def _font(run: Any, name: str, size: float, bold: bool = False,
          color: tuple[int, int, int] | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = RGBColor(*color)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)  # the Chinese text's face, not only the Latin one


def _rule(paragraph: Any, where: str, color: str, size: int) -> None:
    """A line above or below a paragraph (the red rule under the 文号, the 抄送 rules)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = paragraph._p.get_or_add_pPr()
    borders = props.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        props.append(borders)
    line = OxmlElement(f"w:{where}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)


def _paragraph(doc: Any, text: str, font: str = BODY_FONT, size: float = 16, *,
               center: bool = False, indent: bool = True, bold: bool = False,
               color: tuple[int, int, int] | None = None) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)  # two characters
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(28)  # about 22 lines a page, as 公文 asks
    _font(p.add_run(text), font, size, bold, color)
    return p


def _table(doc: Any, table: DocTable, width: float) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    if table.caption:
        _paragraph(doc, table.caption, HEADING_FONT, 14, indent=False)
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"  # ruled on every side
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(text)), HEADING_FONT, 10.5, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_header(grid.rows[0])
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)),
                  BODY_FONT, 10.5)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _widths(grid, table.headers, width)


def _widths(grid: Any, headers: Sequence[str], width: float) -> None:
    """A unit's or a person's name gets room for a line of its own; figures share the rest."""
    from docx.shared import Cm

    wide = {i for i, h in enumerate(headers) if h in WIDE_COLUMNS}
    room = width - 4.4 * len(wide)
    narrow = room / max(len(headers) - len(wide), 1)
    grid.autofit = False
    for i, column in enumerate(grid.columns):  # the grid LibreOffice lays out by
        column.width = Cm(4.4 if i in wide else narrow)
    for row in grid.rows:  # and each cell, which Word reads
        for i, cell in enumerate(row.cells):
            cell.width = Cm(4.4 if i in wide else narrow)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def write_docx(document: OfficialDocument) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    width = TEXT_WIDTH_CM
    if document.landscape:
        from docx.enum.section import WD_ORIENT

        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
        width = 29.7 - 2.8 - 2.6
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.title = document.title
    doc.core_properties.author = document.office

    # the red header on one line: about 15.5 cm of text width holds 16 characters of 26 pt
    size = min(30, int((width - 0.1) / 0.0353 / max(len(document.header) + 2, 1)))
    _paragraph(doc, f"{document.header}文件", TITLE_FONT, size, center=True, bold=True,
               color=RED)
    if document.issue:
        _paragraph(doc, document.issue, BODY_FONT, 16, center=True)
    number = _paragraph(doc, document.number, BODY_FONT, 16, center=True)
    _rule(number, "bottom", "C00000", 18)  # the red rule under the 文号
    _paragraph(doc, "", BODY_FONT, 16, center=True)
    _paragraph(doc, document.title, TITLE_FONT, 22, center=True)
    _paragraph(doc, "", BODY_FONT, 16, center=True)
    for block in document.blocks:
        if isinstance(block, DocTable):
            _table(doc, block, width)
        elif block.startswith("#"):
            _paragraph(doc, block[1:], HEADING_FONT, 16)
        else:
            _paragraph(doc, block)
    _paragraph(doc, "", BODY_FONT, 16)
    signed = _paragraph(doc, document.office, BODY_FONT, 16, indent=False)
    signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated = _paragraph(doc, document.date, BODY_FONT, 16, indent=False)
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(doc, "", BODY_FONT, 16)
    if document.cc:
        cc = _paragraph(doc, f"抄送：{document.cc}。", BODY_FONT, 14, indent=False)
        _rule(cc, "top", "000000", 8)
    printed = _paragraph(doc, f"{document.office}　　{document.date}印发", BODY_FONT, 14,
                         indent=False)
    _rule(printed, "top", "000000", 4)
    _rule(printed, "bottom", "000000", 8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def number_line(prefix: str, year: int | str, number: int | None) -> str:
    """经信办〔2026〕12号; without a number, the blank the office fills in when it issues it."""
    return f"{prefix}〔{year}〕{number if number is not None else '　　'}号"


def rows_text(rows: Sequence[Sequence[Any]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]
