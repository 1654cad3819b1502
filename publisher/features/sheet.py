"""Reading a year's list from XLSX or CSV (pure: bytes in, rows out, or a refusal).

The first row names the columns, in Chinese or English: 排名 (rank), 企业 / 企业名称
(enterprise: a name or a unit's slug), 单位代号 (unit, optional), 简介 / 推荐理由 (citation),
网站 (website, optional). Every other column is a figure (产值（亿元）, 税收（万元）…), shown
with its heading and the value as the file writes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from services.refusals import Invalid, Unsupported

HEADINGS = {
    "rank": {"排名", "名次", "序号", "rank"},
    "name": {"企业", "企业名称", "单位名称", "enterprise", "name"},
    "unit": {"单位代号", "代号", "unit", "slug"},
    "citation": {"简介", "推荐理由", "事迹", "事迹简介", "citation"},
    "website": {"网站", "网址", "website"},
}
MAX_ROWS = 500
MAX_CELL_CHARS = 2000


@dataclass(frozen=True)
class Row:
    rank: int
    name: str
    unit: str
    citation: str
    website: str
    figures: tuple[tuple[str, str], ...]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()[:10]
    text = str(value).strip()
    if len(text) > MAX_CELL_CHARS:
        raise Invalid(f"单元格内容过长（{text[:10]}…） (cell too long)")
    return text


def _rows_of_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Unsupported("文件不是有效的 XLSX 表格 (not a valid XLSX workbook)") from exc
    sheet = book.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2):
        rows.append([_text(v) for v in values])
    book.close()
    return rows


def _rows_of_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):  # what Excel saves a Chinese CSV as
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Unsupported("CSV 文件须为 UTF-8 或 GB18030 编码 (CSV must be UTF-8 or GB18030)")
    # newline="" lets the reader see a lone carriage return (an old Mac's line end) as a line end
    # rather than as a character inside a field, which it refuses
    try:
        return [[_text(v) for v in row]
                for row in csv.reader(io.StringIO(text, newline=""))][:MAX_ROWS + 2]
    except csv.Error as exc:
        raise Invalid(f"CSV 文件无法读取：{exc} (the CSV cannot be read)") from exc


def read_rows(data: bytes, filename: str) -> list[Row]:
    if data.startswith(b"PK\x03\x04"):
        raw = _rows_of_xlsx(data)
    elif filename.lower().endswith(".xlsx"):
        raise Unsupported("文件不是有效的 XLSX 表格 (not a valid XLSX workbook)")
    else:
        raw = _rows_of_csv(data)
    raw = [r for r in raw if any(r)]
    if not raw:
        raise Invalid("表格是空的 (the sheet is empty)")
    header = [h.strip().lower() for h in raw[0]]
    where: dict[str, int] = {}
    for field, names in HEADINGS.items():
        for i, heading in enumerate(header):
            if heading in names and field not in where:
                where[field] = i
    if "rank" not in where or "name" not in where:
        raise Invalid("表格第一行须有「排名」和「企业」两列 (the first row must name the rank "
                      "and enterprise columns)")
    figure_columns = [i for i, h in enumerate(raw[0]) if i not in where.values() and h]
    rows: list[Row] = []
    seen: set[int] = set()
    for number, values in enumerate(raw[1:], start=2):
        values = values + [""] * (len(header) - len(values))

        def cell(field: str, values: list[str] = values) -> str:
            return values[where[field]] if field in where else ""

        try:
            rank = int(float(cell("rank")))
        except ValueError as exc:
            raise Invalid(f"第 {number} 行的排名不是数字 (rank on row {number} is not a number)") \
                from exc
        if rank < 1 or rank in seen:
            raise Invalid(f"第 {number} 行的排名无效或重复 (rank on row {number} is invalid or "
                          f"repeated)")
        seen.add(rank)
        if not cell("name"):
            raise Invalid(f"第 {number} 行缺少企业名称 (row {number} names no enterprise)")
        website = cell("website")
        if website and not website.startswith(("http://", "https://")):
            website = ""  # only a web address becomes a link
        rows.append(Row(rank=rank, name=cell("name"), unit=cell("unit"),
                        citation=cell("citation"), website=website,
                        figures=tuple((raw[0][i].strip(), values[i]) for i in figure_columns)))
    if len(rows) > MAX_ROWS:
        raise Invalid(f"一份名单最多 {MAX_ROWS} 行 (at most {MAX_ROWS} rows)")
    return sorted(rows, key=lambda r: r.rank)
