"""The web app: every component's routes, the health checks and the audit log, on one FastAPI."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from bootstrap import api_docs
from services import audit, web_session
from services.address_secrets import RefuseSecretsInAddress, install_log_redaction
from services.component import Component, landing_pages, nav_links
from services.context import Context
from services.http import ContextDep, CurrentUser, install_error_handlers, refuse_nul
from services.identity import Role, require_role
from services.metrics import Exposition


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
                  description="市经信委产业门户的信息报送流水线 (the submission pipeline)",
                  docs_url=None, redoc_url=None, dependencies=[Depends(refuse_nul)])
    app.state.context = ctx
    app.state.metrics = Exposition()  # the process's own, once bootstrap has wired its queues
    install_error_handlers(app)
    api_docs.install(app)  # Swagger UI from the package's own files
    # /login, session cookies, CSRF for the pages; where each role lands, the navigation bar
    web_session.install(app, ctx.settings, landing_pages(components), nav_links(components))
    # no token in an address (refused), none in a log (redacted)
    app.add_middleware(RefuseSecretsInAddress)
    install_log_redaction()
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

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        """For Prometheus (text exposition format); not for the public: the web server in
        front keeps it to the operators' network."""
        exposition: Exposition = request.app.state.metrics
        return Response(exposition.render(), media_type=CONTENT_TYPE_LATEST)

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
