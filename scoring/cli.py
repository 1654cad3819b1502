"""``baosong scores``: export rankings, rebuild totals from the ledger, close a month."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
import typer

from scoring import queries
from scoring.closing import close_month
from scoring.ledger import rebuild_totals
from scoring.models import LedgerLine, Total
from scoring.rules import load_rules
from services.component import cli_context

app = typer.Typer(help="积分 (scores)", no_args_is_help=True)

KIND_NAMES = {"county": "县区", "enterprise": "企业", "department": "部门"}
HEADERS = ["名次", "单位代号", "单位名称", "类型", "积分"]


def _rows(data: dict[str, object]) -> list[list[object]]:
    return [[u["rank"], u["unit"], u["name"], KIND_NAMES.get(u["kind"], u["kind"]), u["points"]]
            for u in data["units"]]  # type: ignore[attr-defined]


@app.command("export")
def export(ctx: typer.Context,
           period: str = typer.Option(..., "--period", help="YYYY 或 YYYY-MM"),
           fmt: str = typer.Option("xlsx", "--format", help="xlsx 或 csv"),
           output: Path = typer.Option(..., "-o", "--output")) -> None:
    """导出排名表 (export the ranking for a month or a year)."""
    if not queries.valid_period(period) or period == "all":
        typer.echo("period 须为 YYYY 或 YYYY-MM", err=True)
        raise typer.Exit(2)
    context = cli_context(ctx)
    boards = {}
    with context.db.session() as session:
        for kind, title in (("county", "县区"), ("enterprise", "企业"), (None, "全部单位")):
            boards[title] = queries.scores(session, period, kind)
    if fmt == "csv":
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["榜单", *HEADERS])
            for title, data in boards.items():
                for row in _rows(data):
                    writer.writerow([title, *row])
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        book.remove(book.active)
        for title, data in boards.items():
            sheet = book.create_sheet(title)
            sheet.append(HEADERS)
            for row in _rows(data):
                sheet.append(row)
            sheet.freeze_panes = "A2"
            for column, width in zip("ABCDE", (8, 20, 30, 10, 10), strict=True):
                sheet.column_dimensions[column].width = width
        book.save(output)
    else:
        typer.echo("format 须为 xlsx 或 csv", err=True)
        raise typer.Exit(2)
    typer.echo(f"已导出 {output} (exported)")


@app.command("rebuild")
def rebuild(ctx: typer.Context,
            dry_run: bool = typer.Option(False, "--dry-run", help="只比较，不写入")) -> None:
    """由积分明细重算全部合计 (recompute every total from the ledger)."""
    context = cli_context(ctx)
    with context.db.transaction() as session:
        lines = session.scalars(sa.select(LedgerLine).order_by(LedgerLine.seq)).all()
        expected = rebuild_totals(lines, context.settings.timezone)
        live = {(t.scope, t.key, t.period): t for t in session.scalars(sa.select(Total))}
        differences = sorted(
            (key, live[key].points if key in live else 0, points)
            for key, points in expected.items()
            if (live[key].points if key in live else 0) != points
        ) + sorted((key, total.points, 0) for key, total in live.items()
                   if key not in expected and total.points)
        for (scope, key, period), was, should in differences:
            typer.echo(f"{scope} {key} {period}: {was} -> {should}")
        if differences and not dry_run:
            for (scope, key, period), _, should in differences:
                if (scope, key, period) in live:
                    live[(scope, key, period)].points = should
        typer.echo(f"{len(expected)} 项合计，{len(differences)} 项不一致 "
                   f"({len(expected)} totals, {len(differences)} differ)")
    if differences and dry_run:
        raise typer.Exit(1)


@app.command("close-month")
def close(ctx: typer.Context, month: str) -> None:
    """结算一个月的报送任务奖惩；重复运行不会重复记分 (book a month's quota results)."""
    if len(month) != 7 or not queries.valid_period(month):
        typer.echo("月份须为 YYYY-MM", err=True)
        raise typer.Exit(2)
    context = cli_context(ctx)
    rules = load_rules(context.settings.rules_path)
    with context.db.transaction() as session:
        booked = close_month(session, month, rules, context.settings.timezone)
    for line in booked:
        typer.echo(f"{line['unit']}\t{line['rule']}\t{line['points']:+d}")
    typer.echo(f"{month}: 新记 {len(booked)} 笔 (booked {len(booked)} lines)")
