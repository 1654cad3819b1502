"""``baosong site``: the published portal from the command line."""

from __future__ import annotations

import time

import typer

from publisher.govsite import portal
from publisher.rebuild import rebuild as rebuild_site
from services.component import cli_context

app = typer.Typer(help="门户网站 (the published portal)", no_args_is_help=True)


@app.command()
def rebuild(ctx: typer.Context) -> None:
    """重新生成整个网站，并清除已撤稿件的残留页面和照片 (write every page again)."""
    context = cli_context(ctx)
    started = time.perf_counter()
    done = rebuild_site(portal(context), context.db)
    typer.echo(f"已写入 {len(done.written)} 个文件，删除 {len(done.removed)} 个，"
               f"用时 {time.perf_counter() - started:.1f} 秒 "
               f"(wrote {len(done.written)}, removed {len(done.removed)})")
