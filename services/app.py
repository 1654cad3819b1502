"""The composition root: the one module that knows every component.

It builds the context from the settings, asks each component for its consumers and routes, and
assembles the web app and the runtimes. Everything else receives what it needs from here.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse, RedirectResponse

import ingest.component
import moderation.cli
import moderation.component
import publisher.cli
import publisher.component
import scoring.cli
import scoring.component
from services import audit, migrate, web_session
from services.bus.amqp import AmqpTransport, Topology
from services.bus.celery_worker import WorkerRuntime, make_celery
from services.component import Component
from services.context import Context
from services.db import Base, Database
from services.http import ContextDep, CurrentUser, install_error_handlers, require_role
from services.identity import Role
from services.inbox import Subscription
from services.outbox import Relay
from services.runtime import subscriptions_of
from services.settings import Settings
from services.storage import ObjectStore
from services.storage.folder import FolderStore

if TYPE_CHECKING:
    import typer
    from celery import Celery

log = logging.getLogger(__name__)

COMPONENTS = (ingest.component, moderation.component, publisher.component, scoring.component)

COMMANDS: dict[str, typer.Typer] = {"scores": scoring.cli.app, "lexicon": moderation.cli.app,
                                    "site": publisher.cli.app}

# The distributed processes, by command, and the component whose consumers each one runs.
PROCESS_COMPONENT = {"api": "ingest", "worker": "moderation", "publisher": "publisher",
                     "scoring": "scoring"}


def metadata() -> sa.MetaData:
    """Every table of every component (their models are imported with the components)."""
    import ingest.letters.models
    import ingest.models
    import ingest.topics  # noqa: F401
    import moderation.duplicates
    import moderation.letters.models
    import moderation.lexicon
    import moderation.models
    import moderation.reasons  # noqa: F401
    import publisher.letters.models
    import publisher.models  # noqa: F401
    import scoring.letters.models
    import scoring.models  # noqa: F401
    import services.audit
    import services.bus.local
    import services.identity
    import services.inbox
    import services.outbox  # noqa: F401

    return Base.metadata


def _stores(settings: Settings) -> tuple[ObjectStore, ObjectStore]:
    if settings.embedded_store:
        root = settings.data_dir / "objects"
        return FolderStore(root / settings.uploads_bucket), FolderStore(root / settings.site_bucket)
    from services.storage.minio import MinioStore, make_client

    client = make_client(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key,
                         secure=settings.s3_secure, region=settings.s3_region)
    return MinioStore(client, settings.uploads_bucket), MinioStore(client, settings.site_bucket)


def build_context(settings: Settings | None = None) -> Context:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    uploads, site = _stores(settings)
    return Context(settings=settings, db=Database(settings.database_url), uploads=uploads,
                   site=site)


def prepare(ctx: Context) -> None:
    """Schema up to date, buckets there: what every process needs before it serves."""
    migrate.upgrade(ctx.settings.database_url, metadata())
    ctx.uploads.ensure()
    ctx.site.ensure()


def build_components(ctx: Context) -> list[Component]:
    return [module.build(ctx) for module in COMPONENTS]


def topology(ctx: Context, components: Sequence[Component]) -> Topology:
    return Topology(ctx.settings, subscriptions_of(components))


def consumers_of(components: Sequence[Component], name: str) -> list[Subscription]:
    return [s for c in components if c.name == name for s in c.subscriptions]


def celery_worker(ctx: Context, components: Sequence[Component], name: str) -> Celery:
    """A Celery worker app for the consumers of component ``name``."""

    def build_runtime() -> WorkerRuntime:
        context = build_context(ctx.settings)
        built = build_components(context)
        relay = Relay(context.db, AmqpTransport(context.settings, topology(context, built)),
                      poll_seconds=context.settings.poll_seconds)
        return WorkerRuntime(db=context.db, relay=relay,
                             subscriptions={s.consumer: s for s in subscriptions_of(built)})

    return make_celery(ctx.settings, topology(ctx, components),
                       [s.consumer for s in consumers_of(components, name)], build_runtime)


def readiness(ctx: Context) -> dict[str, str]:
    checks: dict[str, str] = {}
    for name, probe in (("database", ctx.db.ping), ("uploads", ctx.uploads.ping),
                        ("site", ctx.site.ping)):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"error: {exc.__class__.__name__}"
    if ctx.settings.embedded_bus:
        checks["broker"] = "ok (embedded queue)"
    else:
        from kombu import Connection

        try:
            with Connection(ctx.settings.broker_url, connect_timeout=3) as conn:
                conn.ensure_connection(max_retries=1)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {exc.__class__.__name__}"
    return checks


def create_app(ctx: Context, components: Sequence[Component]) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for component in components:
            for start in component.startup:
                await start()
        yield
        for component in components:
            for stop in component.shutdown:
                await stop()

    app = FastAPI(title="报送 Baosong", version="0.1.0", lifespan=lifespan,
                  description="市经信委产业门户的信息报送流水线 (the submission pipeline)")
    app.state.context = ctx
    install_error_handlers(app)
    web_session.install(app, ctx.settings)  # /login, session cookies, CSRF for the pages
    for component in components:
        for router in component.routers:
            app.include_router(router)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz(ctx: ContextDep) -> JSONResponse:
        checks = readiness(ctx)
        ok = all(v.startswith("ok") for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                            status_code=200 if ok else 503)

    @app.get("/api/audit", tags=["audit"], summary="审计日志 (every decision, claim, retraction)")
    def audit_log(ctx: ContextDep, user: CurrentUser,
                  subject: str | None = Query(None, max_length=100),
                  limit: int = Query(200, ge=1, le=2000)) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        query = sa.select(audit.AuditEntry).order_by(audit.AuditEntry.id.desc()).limit(limit)
        if subject:
            query = query.where(audit.AuditEntry.subject == subject)
        with ctx.db.session() as session:
            return {"entries": [audit.to_public(e) for e in session.scalars(query)]}

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/site/index.html")

    return app
