"""The review's figures as the office reads them: Word documents, a workbook, a page."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from scoring.reports import Table, period_label, write_xlsx
from scoring.review import enterprise, lent
from scoring.review.documents import DocTable, OfficialDocument, number_line, write_docx
from scoring.rules import LEVEL_NAMES, Rules

_templates = Environment(loader=PackageLoader("scoring", "templates"),
                         autoescape=select_autoescape(["html"]))




class Office:
    """Who issues the documents: the settings' report_office, report_number_prefix, report_cc."""

    def __init__(self, name: str, prefix: str, cc: str, date: str) -> None:
        self.name, self.prefix, self.cc, self.date = name, prefix, cc, date


def _percent(value: Any) -> str:
    return "暂无" if value is None else f"{float(value) * 100:.1f}%"


def _figure(value: Any, percent: bool) -> str:
    if value is None:
        return "暂无"
    return _percent(value) if percent else str(value)


def _enterprise_figure(value: Any) -> Any:
    return "—" if value is None or value == "" else value  # nothing of it on the site


def report_headers(rules: Rules) -> list[str]:
    return ["名次", "单位", "积分", "报送", "门户采用",
            *[f"{LEVEL_NAMES.get(level, level)}采用" for level in rules.adoption],
            "领导批示", "完成任务月数", *[f.label for f in (*lent.FIGURES, *enterprise.FIGURES)]]


def report_rows(board: dict[str, Any], rules: Rules) -> list[list[Any]]:
    return [[u["rank"], u["name"], u["points"], u["sent"], u["published"],
             *[u["adopted"].get(level, 0) for level in rules.adoption], u["instructed"],
             u["quota_months_met"],
             *[_figure(u.get(f.key), f.percent) for f in lent.FIGURES],
             *[_enterprise_figure(u.get(f.key)) for f in enterprise.FIGURES]]
            for u in board["units"]]


def _month_names(months: list[str]) -> str:
    return "、".join(f"{int(m[5:])}月" for m in months)


def report_document(data: dict[str, Any], rules: Rules, office: Office,
                    number: int | None = None) -> bytes:
    label = period_label(data["period"])
    doc = OfficialDocument(header=office.name, number=number_line(office.prefix,
                                                                  data["period"][:4], number),
                           title=f"关于{label}信息报送工作情况的通报", date=office.date,
                           office=office.name, cc=office.cc, landscape=True)
    doc.para(f"现将{label}全市信息报送、采用情况通报如下。积分依据计分规则 "
             f"{data['rules_version']} 版，逐笔明细可在积分明细中查询。")
    for n, board in enumerate(data["boards"], start=1):
        doc.heading(f"{'一二三四五'[n - 1]}、{board['title']}报送情况")
        doc.table(DocTable("", report_headers(rules), report_rows(board, rules)))
    doc.heading(f"{'一二三四五'[len(data['boards'])]}、信息员积分排名")
    doc.table(DocTable("", ["名次", "信息员", "所属单位", "积分", "门户采用"],
                       [[i["rank"], i["name"], i["unit_name"], i["points"], i["published"]]
                        for i in data["informants"]]))
    if data["missing"]:
        doc.para("以下单位有月份未完成报送任务：" + "；".join(
            f"{m['name']}（{_month_names(m['months'])}）" for m in data["missing"]) + "。")
    return write_docx(doc)


def report_xlsx(data: dict[str, Any], rules: Rules, office: str) -> bytes:
    tables = [Table(f"{b['title']}排名", report_headers(rules), report_rows(b, rules))
              for b in data["boards"]]
    tables.append(Table("信息员排名", ["名次", "信息员", "所属单位", "积分", "门户采用"],
                        [[i["rank"], i["name"], i["unit_name"], i["points"], i["published"]]
                         for i in data["informants"]]))
    return write_xlsx(tables, data["period"], office)


def report_html(data: dict[str, Any], rules: Rules, office: Office) -> str:
    return _templates.get_template("review.html").render(
        data=data, label=period_label(data["period"]), office=office,
        headers=report_headers(rules),
        boards=[(b["title"], report_rows(b, rules)) for b in data["boards"]],
        month_names=_month_names)


COMMENDATION_HEADERS = ["榜单", "名次", "名称", "积分", "表彰依据"]
LEFT_OUT_HEADERS = ["榜单", "名次", "名称", "积分", "未列入原因"]


def commendation_rows(entries: list[dict[str, Any]]) -> list[list[Any]]:
    return [[e["board"], e["rank"], e["name"], e["points"], e["why"]] for e in entries]


def commendation_document(data: dict[str, Any], office: Office,
                          number: int | None = None) -> bytes:
    label = period_label(data["period"])
    doc = OfficialDocument(header=office.name,
                           number=number_line(office.prefix, data["period"][:4], number),
                           title=f"关于表彰{label}信息报送工作先进单位和优秀信息员的通报",
                           date=office.date, office=office.name, cc=office.cc)
    r = data["rules"]
    doc.para(f"根据{label}信息报送积分排名，按照各榜单前 {r['top']} 名单位、前 "
             f"{r['top_informants']} 名信息员，积分不低于 {r['min_points']} 分、全年至少 "
             f"{r['min_quota_months']} 个月完成报送任务、无因内容失实被撤稿件的条件，"
             f"决定对以下单位和个人予以通报表彰。")
    doc.heading("一、表彰名单")
    doc.table(DocTable("", COMMENDATION_HEADERS, commendation_rows(data["commended"])))
    if data["left_out"]:
        doc.heading("二、排名靠前但未列入表彰的单位和个人")
        doc.table(DocTable("", LEFT_OUT_HEADERS, commendation_rows(data["left_out"])))
    return write_docx(doc)


def commendation_xlsx(data: dict[str, Any], office: str) -> bytes:
    return write_xlsx([Table("表彰名单", COMMENDATION_HEADERS,
                             commendation_rows(data["commended"])),
                       Table("未列入表彰", LEFT_OUT_HEADERS, commendation_rows(data["left_out"]))],
                      data["period"], office)


def bulletin_document(data: dict[str, Any], office: Office) -> bytes:
    doc = OfficialDocument(header=office.name,
                           number=number_line(office.prefix, data["year"], data["mon"]),
                           title=f"{data['year']}年{data['mon']}月信息报送情况通报",
                           date=data["issued"], office=office.name, cc=office.cc,
                           issue=data["issue"])
    doc.heading("一、总体情况")
    doc.para(f"{data['year']}年{data['mon']}月，各单位共报送信息 {data['submitted']} 篇（组），"
             f"其中文字信息 {data['articles']} 篇、图片信息 {data['photos']} 组；门户网站采用 "
             f"{data['adopted']} 篇（组），采用率 {data['rate']}。被上级单位采用 {data['higher']} "
             f"篇，获领导批示 {data['instructions']} 次。")
    doc.heading("二、各单位报送情况")
    for n, group in enumerate(data["groups"], start=1):
        doc.table(DocTable(f"{n}. {group['title']}",
                           ["排名", "单位", "报送", "采用", "采用率", "上级采用", "领导批示",
                            "积分", "报送任务"],
                           [[r["rank"], r["name"], r["submitted"], r["adopted"], r["rate"],
                             r["higher"], r["instructions"], r["points"],
                             "已完成" if r["met"] else "未完成"] for r in group["rows"]]))
    doc.heading("三、本月未报送信息的单位")
    doc.para("、".join(data["silent"]) + f"（共 {len(data['silent'])} 个单位）。"
             if data["silent"] else "各单位本月均有信息报送。")
    return write_docx(doc)
