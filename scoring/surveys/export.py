"""The results as an xlsx workbook the office prints: a summary, each question's figures, the
rated units' scores and the texts (only for admins: texts are not screened for the public)."""

from __future__ import annotations

import io
from typing import Any


def _question_rows(questions: list[dict[str, Any]], prefix: list[Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for n, q in enumerate(questions, 1):
        title = f"{n}. {q['text']}"
        if "counts" in q:
            for label, count in q["counts"].items():
                rows.append([*prefix, title, label, count, q["percents"][label] / 100])
        if q.get("mean") is not None:
            rows.append([*prefix, title, "平均值", q["mean"], None])
        if q["type"] in ("number", "text"):
            rows.append([*prefix, title, "作答数", q["answered"], None])
    return rows


def write_xlsx(results: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="A61B1B")

    def sheet_of(title: str, headers: list[str], rows: list[list[Any]],
                 widths: list[int]) -> None:
        sheet = book.create_sheet(title)
        sheet.append([results["title"]])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(headers)
        for cell in sheet[2]:
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            sheet.append(row)
        for index, width in enumerate(widths):
            sheet.column_dimensions[sheet.cell(row=2, column=index + 1).column_letter].width = width
        for column, header in enumerate(headers, 1):
            if header == "百分比":
                for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
                    cell.number_format = "0.0%"
        sheet.print_title_rows = "2:2"
        sheet.page_setup.fitToWidth = 1
        sheet.freeze_panes = "A3"

    book.remove(book.active)
    summary = [["调查类型", "网上评议" if results["kind"] == "evaluation" else "网上调查"],
               ["有效答卷", results["ballots"]],
               ["来自重复地址的答卷", results["repeat_address"]],
               ["来自同一浏览器的重复答卷", results["repeat_browser"]]]
    sheet_of("汇总", ["项目", "数值"], summary, [28, 16])
    if results["kind"] == "evaluation":
        units = [[u.get("rank", ""), u["name"], u["ballots"], u["rated"],
                  u["score"] if u["score"] is not None else "无有效评价"]
                 for u in sorted(results["units"], key=lambda u: u.get("rank", 10**6))]
        sheet_of("评议得分", ["名次", "被评议单位", "答卷数", "有效评价数", "得分"], units,
                 [8, 36, 10, 12, 10])
        rows = []
        for u in results["units"]:
            rows += _question_rows(u["questions"], [u["name"]])
        sheet_of("各单位各题", ["被评议单位", "题目", "选项", "票数", "百分比"], rows,
                 [30, 40, 16, 10, 10])
    else:
        sheet_of("各题统计", ["题目", "选项", "票数", "百分比"],
                 _question_rows(results["questions"], []), [44, 18, 10, 10])
    states = {"clean": "", "held": "筛查命中，仅管理员可见", "pending": "待筛查"}
    texts = []
    for q in results["questions"]:
        for text in q.get("texts", []):
            texts.append([q["text"], text["text"], states.get(text["state"], text["state"])])
    if texts:
        sheet_of("文字意见", ["题目", "意见", "筛查"], texts, [36, 80, 20])
    book.properties.title = results["title"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
