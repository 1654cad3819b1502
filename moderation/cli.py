"""``baosong lexicon``: edit the screening lexicon; edits take effect without a restart."""

from __future__ import annotations

from pathlib import Path

import typer

from moderation.lexicon import Lexicon, LexiconError, read_file
from services.component import cli_context

app = typer.Typer(help="筛查词库 (the screening lexicon)", no_args_is_help=True)
BY = "cli"


def _lexicon(ctx: typer.Context) -> Lexicon:
    context = cli_context(ctx)
    return Lexicon(context.db, context.settings.lexicon_path)


@app.command("add")
def add(ctx: typer.Context, word: str,
        category: str = typer.Option(..., "--category", help="类别，如 advertising"),
        action: str = typer.Option(..., "--action", help="block、flag 或 allow（白名单）")) -> None:
    """添加或修改一个词条 (add or change an entry)."""
    lexicon = _lexicon(ctx)
    try:
        entry = lexicon.check(word, category, action)
    except LexiconError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    with lexicon.db.transaction() as session:
        lexicon.add(session, entry, by=BY)
    typer.echo(f"已添加 (added): {entry.word}\t{entry.category}\t{entry.action}")


@app.command("remove")
def remove(ctx: typer.Context, word: str) -> None:
    """删除一个词条 (remove an entry)."""
    lexicon = _lexicon(ctx)
    with lexicon.db.transaction() as session:
        removed = lexicon.remove(session, word, by=BY)
    if not removed:
        typer.echo(f"词库中没有 {word} (not in the lexicon)", err=True)
        raise typer.Exit(1)
    typer.echo(f"已删除 (removed): {word}")


@app.command("list")
def list_entries(ctx: typer.Context) -> None:
    """列出当前生效的词条 (list the entries in effect)."""
    lexicon = _lexicon(ctx)
    with lexicon.db.session() as session:
        entries = lexicon.entries(session)
    for entry in entries:
        typer.echo(f"{entry.word}\t{entry.category}\t{entry.action}")
    for message in lexicon.refused:
        typer.echo(f"未采用 (refused): {message}", err=True)


@app.command("import")
def import_file(ctx: typer.Context, file: Path) -> None:
    """从文件导入词条，格式同词库文件 (import entries from a lexicon file)."""
    lexicon = _lexicon(ctx)
    try:
        parsed = read_file(file)
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"无法读取 {file} (cannot read the file): {exc}", err=True)
        raise typer.Exit(2) from exc
    if parsed.refused:  # all or nothing: a half-imported file is harder to reason about
        for message in parsed.refused:
            typer.echo(message, err=True)
        typer.echo(f"未导入：{len(parsed.refused)} 行有误 (nothing imported: "
                   f"{len(parsed.refused)} bad lines)", err=True)
        raise typer.Exit(2)
    entries = parsed.entries
    with lexicon.db.transaction() as session:
        for entry in entries:
            lexicon.add(session, entry, by=BY)
    typer.echo(f"已导入 {len(entries)} 个词条 (imported {len(entries)} entries)")
