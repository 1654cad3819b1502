"""The ``baosong`` command line."""

from __future__ import annotations

import logging
import signal
import threading

import typer
import uvicorn

from services import app as composition
from services.component import CliState, cli_context
from services.context import Context
from services.identity import IdentityError, add_unit, add_user
from services.runtime import Runtime
from services.settings import Settings

cli = typer.Typer(help="报送 Baosong: 信息报送流水线 (the submission pipeline)",
                  no_args_is_help=True, add_completion=False)
units_cli = typer.Typer(help="单位 (units)", no_args_is_help=True)
users_cli = typer.Typer(help="用户 (users)", no_args_is_help=True)
cli.add_typer(units_cli, name="units")
cli.add_typer(users_cli, name="users")
for name, group in composition.COMMANDS.items():
    cli.add_typer(group, name=name)

log = logging.getLogger("baosong")


@cli.callback()
def root(ctx: typer.Context) -> None:
    settings = Settings()
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = CliState(lambda: composition.build_context(settings))


def _listen_on(ctx: Context, host: str | None, port: int | None) -> None:
    """Options given on the command line win over the settings (and so shape base_url)."""
    if host:
        ctx.settings.host = host
    if port:
        ctx.settings.port = port


def _serve(ctx: Context, runtime: Runtime,
           before_serving: list[threading.Thread] | None = None) -> None:
    components = runtime.components
    app = composition.create_app(ctx, components)
    try:
        for thread in before_serving or []:
            thread.start()
        uvicorn.run(app, host=ctx.settings.host, port=ctx.settings.port,
                    log_level=ctx.settings.log_level.lower(), timeout_graceful_shutdown=3)
    finally:
        runtime.stop()


@cli.command()
def up(ctx: typer.Context, host: str | None = typer.Option(None, help="监听地址"),
       port: int | None = typer.Option(None, help="端口"),
       demo: bool = typer.Option(False, "--demo", help="生成演示数据并打印令牌")) -> None:
    """整条流水线在一个进程中运行 (the whole pipeline in one process)."""
    context = cli_context(ctx)
    _listen_on(context, host, port)
    composition.prepare(context)
    components = composition.build_components(context)
    runtime = Runtime(context, components)
    if context.settings.embedded_bus:
        runtime.start_embedded()
    else:
        topology = composition.topology(context, components)
        runtime.start_relay(topology)
        runtime.start_amqp_consumers(topology, [s for c in components for s in c.subscriptions])
    runtime.start_jobs()
    seeders = []
    if demo:
        from services import demo as demo_data

        tokens = demo_data.seed_people(context)
        url = f"http://{context.settings.host}:{context.settings.port}"
        seeders.append(threading.Thread(target=demo_data.seed_submissions,
                                        args=(url, tokens), daemon=True))
    _serve(context, runtime, seeders)


def _component(ctx: typer.Context, process: str) -> tuple[Context, Runtime]:
    context = cli_context(ctx)
    composition.prepare(context)
    components = composition.build_components(context)
    mine = [c for c in components if c.name == composition.PROCESS_COMPONENT[process]]
    runtime = Runtime(context, components)
    if context.settings.embedded_bus:  # several processes can share the embedded queue too
        runtime.start_embedded(consume=[s for c in mine for s in c.subscriptions])
        runtime.start_jobs([job for c in mine for job in c.jobs])
    # distributed, the jobs run where Celery beat sends them (``baosong beat``)
    return context, runtime


def _wait_for_signal(runtime: Runtime) -> None:
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    runtime.stop()


@cli.command()
def api(ctx: typer.Context, host: str | None = typer.Option(None),
        port: int | None = typer.Option(None)) -> None:
    """HTTP 接口（分布式部署）(the API process)."""
    context, runtime = _component(ctx, "api")
    _listen_on(context, host, port)
    if not context.settings.embedded_bus:
        topology = composition.topology(context, runtime.components)
        runtime.start_relay(topology)
        runtime.start_amqp_consumers(topology, composition.consumers_of(runtime.components,
                                                                         "ingest"))
    _serve(context, runtime)


def _celery(ctx: typer.Context, process: str) -> None:
    context, runtime = _component(ctx, process)
    if context.settings.embedded_bus:
        _wait_for_signal(runtime)
        return
    worker = composition.celery_worker(context, runtime.components,
                                       composition.PROCESS_COMPONENT[process])
    context.db.dispose()  # the pool forks: no child may inherit this process's connections
    worker.worker_main(["worker", "--loglevel", context.settings.log_level,
                        "--hostname", f"{process}@%h",
                        "--concurrency", str(context.settings.worker_concurrency),
                        "--without-gossip", "--without-mingle"])


@cli.command()
def worker(ctx: typer.Context) -> None:
    """审核筛查 Celery worker (the moderation worker)."""
    _celery(ctx, "worker")


@cli.command("publisher")
def publisher_process(ctx: typer.Context) -> None:
    """发布 Celery worker (the publisher)."""
    _celery(ctx, "publisher")


@cli.command("scoring")
def scoring_process(ctx: typer.Context) -> None:
    """积分服务 (the scoring consumer)."""
    context, runtime = _component(ctx, "scoring")
    if not context.settings.embedded_bus:
        topology = composition.topology(context, runtime.components)
        runtime.start_relay(topology)
        runtime.start_amqp_consumers(topology, composition.consumers_of(runtime.components,
                                                                         "scoring"))
    _wait_for_signal(runtime)


@cli.command()
def check(ctx: typer.Context) -> None:
    """检查数据库、消息队列和对象存储是否可用；不可用时退出码为 1 (readiness check)."""
    checks = composition.readiness(cli_context(ctx))
    for name, state in checks.items():
        typer.echo(f"{name}: {state}")
    if not all(state.startswith("ok") for state in checks.values()):
        raise typer.Exit(1)


@cli.command()
def beat(ctx: typer.Context) -> None:
    """定时任务（分布式部署，Celery beat）(the scheduled jobs: missed 约稿, closing months)."""
    from services.bus.beat import beat_argv, make_beat

    context = cli_context(ctx)
    if context.settings.embedded_bus:
        typer.echo("嵌入模式下定时任务随 up / scoring 运行；beat 需要 BAOSONG_BROKER_URL "
                   "(embedded: the jobs run inside up or scoring; beat needs a broker)", err=True)
        raise typer.Exit(2)
    composition.prepare(context)
    components = composition.build_components(context)
    jobs = [job for component in components for job in component.jobs]
    app = make_beat(context.settings, jobs, lambda: context)
    app.worker_main(beat_argv(context.settings, context.settings.data_dir / "celerybeat-schedule"))


@cli.command()
def migrate(ctx: typer.Context) -> None:
    """更新数据库结构 (bring the database schema up to date)."""
    context = cli_context(ctx)
    composition.prepare(context)
    typer.echo("数据库已是最新 (database is up to date)")


@units_cli.command("add")
def units_add(ctx: typer.Context, slug: str,
              name: str = typer.Option(..., "--name", help="单位名称"),
              kind: str = typer.Option(..., "--kind", help="county、enterprise 或 department"),
              site: str | None = typer.Option(None, "--site", help="单位网站")) -> None:
    """登记一个单位 (register a unit)."""
    context = cli_context(ctx)
    composition.prepare(context)
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
    context = cli_context(ctx)
    composition.prepare(context)
    try:
        with context.db.transaction() as session:
            user, token = add_user(session, name, role, unit)
    except IdentityError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"已登记用户 (user added): #{user.id} {user.name} {user.role} "
               f"{user.unit_slug or ''}")
    typer.echo("API 令牌只显示这一次，请妥善保存 (the token is shown once):")
    typer.echo(token)


def main() -> None:
    cli()
