"""The ``baosong`` command line: every process starts through ``bootstrap()``, as its row of
the process table says; the other commands need only the context."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.orm import Session

from bootstrap import COMMANDS, NeedsBroker, Runtime, bootstrap, build_context, prepare, readiness
from bootstrap.components import build_components
from entrypoints.helpers import stop_with
from entrypoints.run import run
from services.address_secrets import install_log_redaction
from services.bus.amqp import QueueMismatch, Topology
from services.bus.dead_letters import (
    AmqpDeadLetters,
    Dead,
    LocalDeadLetters,
    NoSuchQueue,
    selection,
)
from services.clock import office_day
from services.columns import ColumnsError
from services.component import CliState, cli_context
from services.context import Context
from services.identity import (
    IdentityError,
    add_unit,
    add_user,
    issue_token,
    revoke_token,
    token_expires,
    user_named,
)
from services.settings import Settings
from services.web_session import store as web_sessions

cli = typer.Typer(help="报送 Baosong: 信息报送流水线 (the submission pipeline)",
                  no_args_is_help=True, add_completion=False)
units_cli = typer.Typer(help="单位 (units)", no_args_is_help=True)
users_cli = typer.Typer(help="用户 (users)", no_args_is_help=True)
dead_cli = typer.Typer(help="死信：多次处理失败的消息 (dead letters)", no_args_is_help=True)
cli.add_typer(units_cli, name="units")
cli.add_typer(users_cli, name="users")
cli.add_typer(dead_cli, name="dead")
for name, group in COMMANDS.items():
    cli.add_typer(group, name=name)

log = logging.getLogger("baosong")


class CommandLine(CliState):
    """The settings of this invocation, and the context built from them on first use."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(lambda: build_context(settings))
        self.settings = settings


@cli.callback()
def root(ctx: typer.Context) -> None:
    settings = Settings()
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    ctx.obj = CommandLine(settings)


def _bootstrap(ctx: typer.Context, process: str, host: str | None = None,
               port: int | None = None, *, prepare: bool = True) -> Runtime:
    state: CommandLine = ctx.find_root().obj
    settings = state.settings
    if host:  # options given on the command line win over the settings (and so shape base_url)
        settings.host = host
    if port:
        settings.port = port
    return bootstrap(settings, process, prepare=prepare)


@cli.command()
def up(ctx: typer.Context, host: str | None = typer.Option(None, help="监听地址"),
       port: int | None = typer.Option(None, help="端口"),
       demo: bool = typer.Option(False, "--demo", help="生成演示数据并打印令牌")) -> None:
    """整条流水线在本机运行：一核一个进程，多核时另起流水线进程 (the whole pipeline on this machine:
    in one process on one core, with a pipeline process per core beside it on more)."""
    state: CommandLine = ctx.find_root().obj
    settings = state.settings
    helpers = (settings.pipeline_processes or os.cpu_count() or 1) \
        if settings.embedded_bus else 1
    helpers = 0 if helpers == 1 else helpers  # one process does it all on one core
    runtime = _bootstrap(ctx, "front" if helpers else "up", host, port)
    seeders = []
    if demo:
        from entrypoints import demo as demo_data

        tokens = demo_data.seed_people(runtime.ctx)
        url = f"http://{runtime.ctx.settings.host}:{runtime.ctx.settings.port}"
        seeders.append(threading.Thread(target=demo_data.seed_submissions,
                                        args=(url, tokens), daemon=True))
    run(runtime, while_serving=seeders, helpers=helpers)


@cli.command()
def pipeline(ctx: typer.Context, beside: int | None = typer.Option(
        None, "--beside", hidden=True, help="started by this up: stop when it is gone")) -> None:
    """每个消费者都运行、不提供 HTTP 的进程；嵌入模式下 up 按核数启动 (every consumer, no HTTP:
    up starts one for each further core on the embedded queue)."""
    runtime = _bootstrap(ctx, "pipeline", prepare=beside is None)  # up has prepared the schema
    if beside is not None:
        stop_with(beside)
    run(runtime, helper=beside is not None)


@cli.command()
def api(ctx: typer.Context, host: str | None = typer.Option(None),
        port: int | None = typer.Option(None)) -> None:
    """HTTP 接口（分布式部署）(the API process)."""
    run(_bootstrap(ctx, "api", host, port))


@cli.command()
def worker(ctx: typer.Context) -> None:
    """审核筛查 Celery worker (the moderation worker)."""
    run(_bootstrap(ctx, "worker"))


@cli.command("publisher")
def publisher_process(ctx: typer.Context) -> None:
    """发布 Celery worker (the publisher)."""
    run(_bootstrap(ctx, "publisher"))


@cli.command("scoring")
def scoring_process(ctx: typer.Context) -> None:
    """积分服务 (the scoring consumer)."""
    run(_bootstrap(ctx, "scoring"))


@cli.command()
def beat(ctx: typer.Context) -> None:
    """定时任务（分布式部署，Celery beat）(the scheduled jobs: missed 约稿, closing months)."""
    try:
        runtime = _bootstrap(ctx, "beat")
    except NeedsBroker:
        typer.echo("嵌入模式下定时任务随 up / scoring 运行；beat 需要 BAOSONG_BROKER_URL "
                   "(embedded: the jobs run inside up or scoring; beat needs a broker)", err=True)
        raise typer.Exit(2) from None
    run(runtime)


@cli.command()
def check(ctx: typer.Context) -> None:
    """检查数据库、消息队列和对象存储是否可用；不可用时退出码为 1 (readiness check)."""
    checks = readiness(cli_context(ctx))
    for name, state in checks.items():
        typer.echo(f"{name}: {state}")
    if not all(state.startswith("ok") for state in checks.values()):
        raise typer.Exit(1)


def _prepare_quietly(context: Context) -> None:
    """Bring the schema up to date without a line per migration: a command whose answer is a
    token must not bury it under Alembic's progress (warnings and errors still show)."""
    alembic = logging.getLogger("alembic")
    level = alembic.level
    alembic.setLevel(max(logging.WARNING, level))
    try:
        prepare(context)
    finally:
        alembic.setLevel(level)


@cli.command()
def migrate(ctx: typer.Context) -> None:
    """更新数据库结构 (bring the database schema up to date)."""
    context = cli_context(ctx)
    prepare(context)
    typer.echo("数据库已是最新 (database is up to date)")


@units_cli.command("add")
def units_add(ctx: typer.Context, slug: str,
              name: str = typer.Option(..., "--name", help="单位名称"),
              kind: str = typer.Option(..., "--kind", help="county、enterprise 或 department"),
              site: str | None = typer.Option(None, "--site", help="单位网站")) -> None:
    """登记一个单位 (register a unit)."""
    context = cli_context(ctx)
    _prepare_quietly(context)
    try:
        with context.db.transaction() as session:
            unit = add_unit(session, slug, name, kind, site)
    except IdentityError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"已登记单位 (unit added): {unit.slug} {unit.name} {unit.kind}")


@users_cli.command("add")
def users_add(ctx: typer.Context, name: str,
              role: str = typer.Option(..., "--role", help="informant、moderator、admin、handler"),
              unit: str | None = typer.Option(None, "--unit", help="所属单位代号")) -> None:
    """登记一个用户；最后一行是 API 令牌，只显示一次 (the last line is the API token)."""
    with _users_transaction(ctx) as (context, session):
        user, token = add_user(session, name, role, unit)
        expires = token_expires(user, context.settings.token_days)
    typer.echo(f"已登记用户 (user added): #{user.id} {user.name} {user.role} "
               f"{user.unit_slug or ''}")
    typer.echo(f"{_valid_until(expires, context.settings.timezone)}；只显示这一次，请妥善保存 "
               f"(the token is shown once):")
    typer.echo(token)


@contextlib.contextmanager
def _users_transaction(ctx: typer.Context) -> Iterator[tuple[Context, Session]]:
    """The schema ready, one transaction; a refusal of the user's (no such name, a bad role)
    is said in one line and exit status 2, not a traceback."""
    context = cli_context(ctx)
    _prepare_quietly(context)
    try:
        with context.db.transaction() as session:
            yield context, session
    except IdentityError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def _valid_until(expires: dt.datetime, timezone: str) -> str:
    local = expires.astimezone(ZoneInfo(timezone))
    return f"有效期至 {office_day(expires, timezone)} (valid until {local:%Y-%m-%d})"


_WHO = typer.Argument(..., help="用户姓名（重名时用 #编号）(the user's name, or #id)")


@users_cli.command("revoke")
def users_revoke(ctx: typer.Context, name: str = _WHO) -> None:
    """吊销用户的 API 令牌，并结束其全部浏览器登录 (revoke the token, end its sessions)."""
    with _users_transaction(ctx) as (_, session):
        user = user_named(session, name)
        revoke_token(user)
        ended = web_sessions.end_all(session, user.id)
        label = f"#{user.id} {user.name}"
    typer.echo(f"已吊销 {label} 的令牌，结束 {ended} 个登录 (token revoked, sessions ended); "
               f"用 baosong users rotate 发放新令牌 (issue a new one with rotate)")


@users_cli.command("rotate")
def users_rotate(ctx: typer.Context, name: str = _WHO) -> None:
    """发放新的 API 令牌，旧令牌和旧登录立即失效；最后一行是新令牌 (the last line is the new
    token)."""
    with _users_transaction(ctx) as (context, session):
        user = user_named(session, name)
        token = issue_token(user)
        ended = web_sessions.end_all(session, user.id)
        label = f"#{user.id} {user.name}"
        expires = token_expires(user, context.settings.token_days)
    typer.echo(f"已为 {label} 更换令牌，旧令牌已失效，结束 {ended} 个登录 "
               f"(new token; the old one and its sessions no longer work)")
    typer.echo(f"{_valid_until(expires, context.settings.timezone)}；只显示这一次 (shown once):")
    typer.echo(token)


def _dead_letters(ctx: typer.Context) -> tuple[AmqpDeadLetters | LocalDeadLetters, list[str]]:
    context = cli_context(ctx)
    s = context.settings
    _prepare_quietly(context)  # the components read their tables as they are built
    subscriptions = [sub for c in build_components(context) for sub in c.subscriptions]
    consumers = [sub.consumer for sub in subscriptions]
    if s.embedded_bus:
        return LocalDeadLetters(context.db, s.delivery_limit), consumers
    return AmqpDeadLetters(s, Topology(s, subscriptions)), consumers


def _when(dead: Dead, zone: str) -> str:
    if dead.when is None:
        return ""
    local = dead.when.astimezone(ZoneInfo(zone))
    return f"{local.month}月{local.day}日 {local:%H:%M:%S}"


@dead_cli.command("list")
def dead_list(ctx: typer.Context,
              as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出死信：队列、事件、首次失败原因、次数、时间 (list the dead letters)."""
    store, _ = _dead_letters(ctx)
    try:
        found = store.read_all()
    except QueueMismatch as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps([d.public() for d in found], ensure_ascii=False, indent=1))
        return
    if not found:
        typer.echo("没有死信 (no dead letters)")
        return
    zone = cli_context(ctx).settings.timezone
    typer.echo("\t".join(("队列", "事件编号", "类型", "主题", "首次原因", "次数", "时间")))
    for d in found:
        typer.echo("\t".join((d.queue, d.event_id, d.type, d.subject, d.reason, str(d.times),
                              _when(d, zone))))
    typer.echo(f"共 {len(found)} 条 (dead letters)")


@dead_cli.command("replay")
def dead_replay(ctx: typer.Context,
                event: str | None = typer.Argument(None, help="事件编号（同 --id）"),
                event_id: str | None = typer.Option(None, "--id", help="只重放这个事件"),
                every: bool = typer.Option(False, "--all", help="重放全部（或 --queue 的全部）"),
                queue: str | None = typer.Option(None, "--queue", help="只重放这个消费者队列的")
                ) -> None:
    """把死信送回其消费者的队列，确认后才删除死信 (send dead letters back to their queue)."""
    wanted_id = event_id or event
    if (wanted_id is None) == (not every):
        typer.echo("请给出一个事件编号 (--id ID) 或 --all (an event id, or --all)", err=True)
        raise typer.Exit(2)
    store, consumers = _dead_letters(ctx)
    try:
        done = store.replay(selection(consumers, queue, wanted_id,
                                      cli_context(ctx).settings.queue_prefix))
    except NoSuchQueue as exc:
        typer.echo(f"没有这个队列 (no such queue): {exc}；可选: {', '.join(consumers)}", err=True)
        raise typer.Exit(2) from exc
    except QueueMismatch as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    for d in done:
        typer.echo(f"已重放 (replayed): {d.queue} {d.event_id} {d.type}")
    if wanted_id is not None and not done:
        typer.echo(f"没有找到这条死信 (no dead letter with that id): {wanted_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"共重放 {len(done)} 条 (replayed)")


def main() -> None:
    try:
        cli()
    except ColumnsError as e:  # a mistake in the columns file: say what, not a traceback
        typer.echo(f"无法启动：{e}", err=True)
        raise SystemExit(2) from None
