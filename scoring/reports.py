"""Reports for the review meeting: the ranking tables (xlsx and csv) and the monthly 通报.

Both read the same figures: per unit what it submitted in the period (a revision and its
original once), how much of it the portal adopted (published and still up, not a duplicate),
the adoptions by higher outlets and leader instructions, its points and its rank.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from scoring import queries, quotas
from scoring.letters.stats import month_stats
from scoring.models import ScoredItem
from scoring.rules import Rules
from scoring.surveys.models import EvaluationResult
from services.clock import office_date
from services.identity import UNIT_KIND_LABELS

_templates = Environment(loader=PackageLoader("scoring", "templates"),
                         autoescape=select_autoescape(["html"]))

BOARDS = (("county", "县区排名"), ("enterprise", "企业排名"), (None, "全部单位"))


@dataclass
class Activity:
    articles: int = 0
    photos: int = 0
    adopted: int = 0
    higher: int = 0  # adoptions by a higher outlet
    instructions: int = 0

    @property
    def submitted(self) -> int:
        return self.articles + self.photos

    @property
    def rate(self) -> float | None:
        return self.adopted / self.submitted if self.submitted else None


def activity(session: Session, period: str) -> dict[str, Activity]:
    """Per unit, what it submitted in ``period`` (YYYY-MM or YYYY) and what came of it."""
    query = sa.select(ScoredItem).where(ScoredItem.superseded.is_(False))
    if len(period) == 7:
        query = query.where(ScoredItem.month == period)
    elif len(period) == 4:
        query = query.where(ScoredItem.month.startswith(period))
    out: dict[str, Activity] = {}
    for item in session.scalars(query):
        a = out.setdefault(item.unit_slug, Activity())
        if item.kind == "photo":
            a.photos += 1
        else:
            a.articles += 1
        if item.status == "published" and item.duplicate_of is None:
            a.adopted += 1
            a.higher += 1 if item.adoptions else 0
            a.instructions += len(item.instructions)
    return out


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


# --- ranking tables ---------------------------------------------------------------------------

UNIT_HEADERS = ["名次", "单位名称", "类型", "积分", "报送稿件", "门户采用", "采用率", "上级采用",
                "领导批示"]
INFORMANT_HEADERS = ["名次", "信息员", "所属单位", "积分"]
RATE_COLUMN = "采用率"  # a fraction in the tables: xlsx shows it in percent, csv and text as 50.0%


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def period_label(period: str) -> str:
    """A period as an office writes it: 2026年12月, 2026年, 2026年上半年, 累计."""
    if period == "all":
        return "累计"
    if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
        return f"{period[:4]}年{int(period[5:])}月"
    if period.endswith(("-H1", "-H2")):
        return f"{period[:4]}年{'上' if period.endswith('H1') else '下'}半年"
    return f"{period}年"


def ranking_tables(session: Session, period: str) -> list[Table]:
    """One table per board: counties, enterprises, every unit, and the informants."""
    acts = activity(session, period)
    tables = []
    for kind, title in BOARDS:
        table = Table(title, UNIT_HEADERS)
        for u in queries.scores(session, period, kind)["units"]:
            a = acts.get(u["unit"], Activity())
            table.rows.append([u["rank"], u["name"], UNIT_KIND_LABELS.get(u["kind"], u["kind"]),
                               u["points"], a.submitted, a.adopted, a.rate, a.higher,
                               a.instructions])
        tables.append(table)
    informants = Table("信息员排名", INFORMANT_HEADERS)
    for i in queries.scores(session, period)["informants"]:
        informants.rows.append([i["rank"], i["name"], i["unit_name"] or i["unit"], i["points"]])
    tables.append(informants)
    evaluations = evaluation_rows(session, period)
    if evaluations:
        table = Table("网上评议", EVALUATION_HEADERS)
        for e in evaluations:
            table.rows.append([e["name"], e["unit"], e["title"],
                               e["score"] if e["score"] is not None else "无有效评价",
                               e["rated"], e["points"]])
        tables.append(table)
    if len(period) == 7:
        tables.append(letter_table(session, period, dt.datetime.now(dt.UTC).date()))
    return tables


EVALUATION_HEADERS = ["被评议单位", "单位代号", "评议", "评议得分", "有效评价数", "积分"]


def evaluation_rows(session: Session, period: str) -> list[dict[str, Any]]:
    """The closed evaluations' results in the period's year (every year for ``all``), each
    beside the unit's points for the period: the two figures the year-end review weighs."""
    query = sa.select(EvaluationResult).order_by(EvaluationResult.year,
                                                 EvaluationResult.survey_id,
                                                 EvaluationResult.score.desc())
    if period != "all":
        query = query.where(EvaluationResult.year == int(period[:4]))
    results = list(session.scalars(query))
    if not results:
        return []
    board = {u["unit"]: u for u in queries.scores(session, period)["units"]}
    return [{"unit": r.unit_slug, "name": board.get(r.unit_slug, {}).get("name", r.unit_slug),
             "title": r.title, "year": r.year, "score": r.score, "rated": r.rated,
             "ballots": r.ballots, "points": board.get(r.unit_slug, {}).get("points", 0)}
            for r in results]


def _display_width(value: Any) -> int:
    if isinstance(value, float):
        value = _percent(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def write_xlsx(tables: list[Table], period: str, office: str) -> bytes:
    """Sheets that print as they are: A4 landscape, one page wide, the header row on every page,
    a title row naming the period and the issuing office, every cell ruled."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.properties import PageSetupProperties

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="A61B1B")
    thin = Side(style="thin", color="444444")
    ruled = Border(left=thin, right=thin, top=thin, bottom=thin)
    for table in tables:
        sheet = book.create_sheet(table.title)
        sheet.append([f"{office}　{period_label(period)}信息报送积分排名（{table.title}）"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(table.headers))
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
        sheet.row_dimensions[1].height = 28
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font, cell.fill, cell.border = bold, fill, ruled
            cell.alignment = Alignment(horizontal="center")
        rate = table.headers.index(RATE_COLUMN) if RATE_COLUMN in table.headers else None
        for row in table.rows:
            sheet.append(["—" if i == rate and v is None else v for i, v in enumerate(row)])
            for i, cell in enumerate(sheet[sheet.max_row]):
                cell.border = ruled
                if i == rate and isinstance(cell.value, float):
                    cell.number_format = "0.0%"
                    cell.alignment = Alignment(horizontal="right")
        sheet.freeze_panes = "A3"  # the title and header rows stay while scrolling
        sheet.print_title_rows = "2:2"  # and the header row is printed on every page
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
        for index, header in enumerate(table.headers):
            widest = max([_display_width(header)] +
                         [_display_width(row[index]) for row in table.rows])
            letter = sheet.cell(row=2, column=index + 1).column_letter
            sheet.column_dimensions[letter].width = min(max(widest + 2, 6), 60)
    book.properties.title = f"信息报送积分排名 {period}"
    book.properties.creator = office
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(tables: list[Table]) -> bytes:
    """One file: each row names its board. UTF-8 with a BOM, so that Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    for table in tables:
        writer.writerow(["榜单", *table.headers])
        for row in table.rows:
            writer.writerow([table.title, *(_percent(v) if isinstance(v, float) else v
                                            for v in row)])
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- the monthly bulletin (通报) ---------------------------------------------------------------

def bulletin(session: Session, month: str, rules: Rules, timezone: str,
             site_title: str, now: dt.datetime | None = None, office: str = "",
             cc: str = "") -> dict[str, Any]:
    """The month's figures for the 通报. Only units that owe a quota are reported on: a
    department with none (the commission's own office, say) neither ranks nor is named as
    having sent nothing."""
    acts = activity(session, month)
    quota = {q["unit"]: q for q in quotas.report(session, month, rules, timezone, now)["units"]}
    groups = []
    silent = []
    for kind, title in (("county", "县区"), ("enterprise", "重点企业"), ("department", "部门")):
        if not rules.quota(kind).owed:
            continue
        board = queries.scores(session, month, kind)["units"]
        rows = []
        for u in board:
            a = acts.get(u["unit"], Activity())
            q = quota[u["unit"]]
            if a.submitted == 0:
                silent.append(u["name"])
            required = q["required"]
            rows.append({
                "rank": u["rank"], "name": u["name"], "articles": a.articles,
                "photos": a.photos, "submitted": a.submitted, "adopted": a.adopted,
                "rate": _percent(a.rate), "higher": a.higher, "instructions": a.instructions,
                "points": u["points"], "owed": q["owed"], "met": q["met"],
                "quota": f"文章 {q['articles']}/{required['articles']}"
                         + (f"，图片 {q['counted_photos']}/{required['photos']}"
                            if required["photos"] else ""),
            })
        if rows:
            groups.append({"kind": kind, "title": title, "rows": rows})
    total = Activity()
    for a in acts.values():
        total.articles += a.articles
        total.photos += a.photos
        total.adopted += a.adopted
        total.higher += a.higher
        total.instructions += a.instructions
    local = (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(timezone))
    return {
        "month": month, "year": int(month[:4]), "mon": int(month[5:]),
        "site_title": site_title, "issued": office_date(local.date()),
        "issue": f"{month[:4]}年第{int(month[5:])}期", "office": office or f"{site_title}办公室",
        "cc": cc,
        "days_left": quotas.days_left(month, timezone, now),
        "closed": quotas.closed_results(session, month) != {},
        "submitted": total.submitted, "articles": total.articles, "photos": total.photos,
        "adopted": total.adopted, "rate": _percent(total.rate), "higher": total.higher,
        "instructions": total.instructions, "groups": groups, "silent": silent,
        "rules_version": rules.version,
        "evaluations": evaluation_rows(session, month[:4]),
        "letters": _letters(session, month, local.date()),
    }


def _letters(session: Session, month: str, today: dt.date) -> dict[str, Any]:
    data = month_stats(session, month, today)
    for unit in data["units"]:
        for rate in ("on_time_rate", "reply_rate", "satisfaction_rate", "reopened_rate"):
            unit[f"{rate}_text"] = _percent(unit[rate])
    return data


LETTER_HEADERS = ["办理单位", "单位代号", "收信", "办结", "按期办结", "超期", "延期", "挂起",
                  "发回重办", "评价", "满意", "按期办结率", "回复率", "满意率", "发回重办率"]


def letter_table(session: Session, month: str, today: dt.date) -> Table:
    """The month's mailbox figures, one row a handling unit (for the export)."""
    table = Table("来信办理", LETTER_HEADERS)
    for u in month_stats(session, month, today)["units"]:
        table.rows.append([u["name"], u["unit"], u["received"], u["answered"], u["on_time"],
                           u["overdue"], u["extended"], u["paused"], u["reopened"], u["rated"],
                           u["satisfied"], _percent(u["on_time_rate"]),
                           _percent(u["reply_rate"]), _percent(u["satisfaction_rate"]),
                           _percent(u["reopened_rate"])])
    return table


def render_bulletin(data: dict[str, Any]) -> str:
    return _templates.get_template("bulletin.html").render(**data)
