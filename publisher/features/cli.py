"""``baosong features import``: a year's list from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from publisher.features.routes import import_file
from publisher.govsite import portal
from services.component import cli_context
from services.refusals import Refusal

app = typer.Typer(help="重点企业专题 (featured enterprises)", no_args_is_help=True)


@app.command("import")
def import_list(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="XLSX 或 CSV"),
    list_: str = typer.Option(..., "--list",
                              help="top50（工业五十强）或 contributors（突出贡献企业）"),
    year: int = typer.Option(..., "--year", min=2000, max=2100),
) -> None:
    """导入一年的名单并发布专题页面 (import a year's list and publish its pages)."""
    if list_ not in ("top50", "contributors"):
        raise typer.BadParameter("须为 top50 或 contributors", param_hint="--list")
    context = cli_context(ctx)
    try:
        url = import_file(portal(context), list_, year, file.read_bytes(), file.name)
    except Refusal as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    typer.echo(url)
