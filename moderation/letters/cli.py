"""``baosong letters``: the mailbox's deadline job by hand (what the scheduler runs)."""

from __future__ import annotations

import typer

from moderation.letters import deadlines, setup
from services.component import cli_context

app = typer.Typer(help="公共信箱 (the public mailbox)", no_args_is_help=True)


@app.callback()
def letters() -> None:
    """公共信箱 (the public mailbox)."""


@app.command("check-deadlines")
def check_deadlines(ctx: typer.Context) -> None:
    """督办超期来信，逾期未评价的答复按满意办结 (escalate overdue letters, close unrated ones)."""
    done = deadlines.check(setup.desk(cli_context(ctx)))
    typer.echo(f"督办 (escalated): {len(done['escalated'])}  "
               f"按满意办结 (closed unrated): {len(done['closed'])}")
