"""``baosong scores``: export rankings, the monthly bulletin, rebuild totals, close a month."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import typer

from scoring import facts, jobs, queries, reports
from scoring.closing import close_month, has_ended
from scoring.ledger import rebuild_totals
from scoring.models import LedgerLine, Total
from scoring.replay import replay, replayed_totals
from scoring.review import outputs, render
from scoring.review.period import BadPeriod, months_of
from scoring.rules import Rules, RulesError, load_rules
from scoring.totals import Tally, TotalKey
from scoring.world import all_topics
from services.component import cli_context

app = typer.Typer(help="积分 (scores)", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def _rules(path: Path) -> Rules:
    try:
        return load_rules(path)
    except RulesError as exc:
        raise _fail(str(exc)) from exc


@app.command("export")
def export(ctx: typer.Context,
           period: str = typer.Option(..., "--period", help="YYYY、YYYY-MM 或 all"),
           fmt: str = typer.Option("xlsx", "--format", help="xlsx 或 csv"),
           output: Path = typer.Option(..., "-o", "--output")) -> None:
    """导出排名表，每个榜单一页 (export the ranking tables, one sheet per board)."""
    if not queries.valid_period(period):
        raise _fail("period 须为 YYYY、YYYY-MM 或 all (period must be YYYY, YYYY-MM or all)")
    if fmt not in ("xlsx", "csv"):
        raise _fail("format 须为 xlsx 或 csv (format must be xlsx or csv)")
    context = cli_context(ctx)
    with context.db.session() as session:
        tables = reports.ranking_tables(session, period)
    office = context.settings.report_office
    output.write_bytes(reports.write_xlsx(tables, period, office) if fmt == "xlsx"
                       else reports.write_csv(tables))
    typer.echo(f"已导出 {output} (exported)")


@app.command("bulletin")
def bulletin(ctx: typer.Context, month: str,
             output: Path = typer.Option(..., "-o", "--output"),
             fmt: str = typer.Option("html", "--format", help="html、docx 或 json")) -> None:
    """生成月度信息报送通报 (the monthly bulletin, as a page or as Word)."""
    if not queries.valid_month(month):
        raise _fail("月份须为 YYYY-MM (month must be YYYY-MM)")
    context = cli_context(ctx)
    rules = _rules(context.settings.rules_path)
    with context.db.session() as session:
        settings = context.settings
        data = reports.bulletin(session, month, rules, settings.timezone, settings.site_title,
                                office=settings.report_office, cc=settings.report_cc)
    if fmt == "json":
        output.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    elif fmt == "docx":
        output.write_bytes(render.bulletin_document(data, outputs.office_of(settings)))
    else:
        output.write_text(reports.render_bulletin(data), encoding="utf-8")
    typer.echo(f"已生成 {output} (written)")


def _review(ctx: typer.Context, period: str, fmt: str, formats: tuple[str, ...]) -> Any:
    try:
        months_of(period)
    except BadPeriod as exc:
        raise _fail(str(exc)) from exc
    if fmt not in formats:
        raise _fail(f"format 须为 {'、'.join(formats)} "
                    f"(format must be one of {', '.join(formats)})")
    return cli_context(ctx)


@app.command("report")
def period_report(ctx: typer.Context,
                  period: str = typer.Option(..., "--period", help="YYYY、YYYY-H1 或 YYYY-H2"),
                  fmt: str = typer.Option("docx", "--format",
                                          help="html、pdf、docx、xlsx 或 json"),
                  output: Path = typer.Option(..., "-o", "--output")) -> None:
    """年终（半年）信息报送工作情况 (the period report for the review meeting)."""
    context = _review(ctx, period, fmt, outputs.REPORT_FORMATS)
    rules = _rules(context.settings.rules_path)
    with context.db.session() as session:
        try:
            body = outputs.report(session, period, rules, context.settings, fmt)
        except outputs.NoConverter as exc:
            raise _fail(str(exc)) from exc
    output.write_bytes(body)
    typer.echo(f"已生成 {output} (written)")


@app.command("commendations")
def commendation_list(ctx: typer.Context,
                      period: str = typer.Option(..., "--period",
                                                 help="YYYY、YYYY-H1 或 YYYY-H2"),
                      fmt: str = typer.Option("docx", "--format", help="docx、xlsx 或 json"),
                      output: Path = typer.Option(..., "-o", "--output")) -> None:
    """表彰名单：按规则文件 [commendation] 的规则，附未列入者的原因 (the commendation list)."""
    context = _review(ctx, period, fmt, outputs.COMMENDATION_FORMATS)
    rules = _rules(context.settings.rules_path)
    with context.db.session() as session:
        body = outputs.commendation_list(session, period, rules, context.settings, fmt)
    output.write_bytes(body)
    typer.echo(f"已生成 {output} (written)")


def _differences(live: dict[TotalKey, Total], expected: dict[TotalKey, Tally]) \
        -> list[tuple[TotalKey, int, int]]:
    out = []
    for key in sorted(set(live) | set(expected)):
        was = live[key].points if key in live else 0
        should = expected[key].points if key in expected else 0
        reached_differs = (key in live and key in expected
                           and live[key].reached_at != expected[key].reached_at)
        if was != should or reached_differs or (key in live) != (key in expected):
            out.append((key, was, should))
    return out


@app.command("rebuild")
def rebuild(ctx: typer.Context,
            rules_file: Path | None = typer.Option(
                None, "--rules", help="另一份规则：按它重算全部事实（须与 --dry-run 同用）"),
            dry_run: bool = typer.Option(False, "--dry-run", help="只比较，不写入"),
            repair: bool = typer.Option(False, "--repair", help="把不一致的合计改为重算的值"))\
        -> None:
    """由积分明细重算全部合计，须与现有合计一致 (recompute every total from the ledger; they
    must be equal: exit 1 if not, --repair fixes them); --rules FILE --dry-run 显示另一份规则
    会得出的合计 (what another rule set would have given)."""
    context = cli_context(ctx)
    tz = context.settings.timezone
    if rules_file is not None:
        if not dry_run:
            raise _fail("换规则不改写已记的积分：--rules 须与 --dry-run 同用 "
                        "(changing the rules never rewrites the ledger: use --dry-run)")
        other = _rules(rules_file)
        with context.db.session() as session:
            lines = replay(facts.every_fact(session), all_topics(session), other, tz)
            expected = replayed_totals(lines, tz)
            live = {(t.scope, t.key, t.period): t for t in session.scalars(sa.select(Total))}
        differences = _differences(live, expected)
        for (scope, key, period), was, would in differences:
            if was != would:
                typer.echo(f"{scope}\t{key}\t{period}\t{was}\t-> {would}")
        changed = sum(1 for _, was, would in differences if was != would)
        typer.echo(f"规则 {other.version}：{len(lines)} 笔明细，{changed} 项合计会不同 "
                   f"(rules {other.version}: {len(lines)} lines, {changed} totals would differ)")
        return
    with context.db.transaction() as session:
        expected = rebuild_totals(session.scalars(sa.select(LedgerLine)
                                                  .order_by(LedgerLine.seq)), tz)
        live = {(t.scope, t.key, t.period): t for t in session.scalars(sa.select(Total))}
        differences = _differences(live, expected)
        for (scope, key, period), was, should in differences:
            typer.echo(f"{scope}\t{key}\t{period}\t{was}\t-> {should}")
        fix = repair and not dry_run
        if differences and fix:
            for total_key, _, _ in differences:
                tally = expected.get(total_key)
                if tally is None:
                    session.delete(live[total_key])
                elif total_key in live:
                    row = live[total_key]
                    row.points, row.reached_at = tally.points, tally.reached_at
                    row.last_seq = tally.last_seq
                else:
                    scope, key, period = total_key
                    session.add(Total(scope=scope, key=key, period=period,
                                      points=tally.points, reached_at=tally.reached_at,
                                      last_seq=tally.last_seq))
        repaired = bool(differences) and fix
        typer.echo(f"{len(expected)} 项合计，{len(differences)} 项不一致"
                   f"{'，已修复' if repaired else ''} ({len(expected)} totals, "
                   f"{len(differences)} differ{', repaired' if repaired else ''})")
    if differences and not repaired:
        typer.echo("用 --repair 修复 (run with --repair to fix them)", err=True)
        raise typer.Exit(1)


@app.command("close-month")
def close(ctx: typer.Context, month: str,
          force: bool = typer.Option(False, "--force", help="月份未结束也结算")) -> None:
    """结算一个月的报送任务奖惩；重复运行不会重复记分 (book a month's quota results)."""
    if not queries.valid_month(month):
        raise _fail("月份须为 YYYY-MM (month must be YYYY-MM)")
    context = cli_context(ctx)
    tz = context.settings.timezone
    if not force and not has_ended(month, tz):
        raise _fail(f"{month} 尚未结束；提前结算请加 --force (the month has not ended)")
    rules = _rules(context.settings.rules_path)
    with context.db.transaction() as session:
        booked = close_month(session, month, rules, tz)
    for line in booked:
        typer.echo(f"{line['unit']}\t{line['rule']}\t{line['points']:+d}")
    typer.echo(f"{month}: 新记 {len(booked)} 笔 (booked {len(booked)} lines)")


@app.command("check-deadlines")
def check_deadlines(ctx: typer.Context) -> None:
    """处理已过截止时间的约稿：未报送的单位扣分 (penalise units that missed a 约稿)."""
    context = cli_context(ctx)
    rules = _rules(context.settings.rules_path)
    penalised = jobs.penalise_missed_deadlines(context, rules, dt.datetime.now(dt.UTC))
    for topic, unit in penalised:
        typer.echo(f"约稿 {topic}\t{unit}\t{rules.commission_penalty:+d}")
    typer.echo(f"新扣分 {len(penalised)} 个单位 (penalised {len(penalised)})")
