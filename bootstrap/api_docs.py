"""``/docs``: Swagger UI from files shipped in a Python package (``fastapi-offline``, which
carries Swagger UI 5, the first to read OpenAPI 3.1), not a public CDN, so that it works on a
closed network (a government intranet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse

from services.refusals import NotFound

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
SERVED = {  # the only files /docs needs, with their types
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}


def install(app: FastAPI) -> None:
    """Call with an app made with ``docs_url=None, redoc_url=None`` (ReDoc has no local copy)."""
    install_openapi(app)

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon.png")

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def swagger_asset(name: str) -> FileResponse:
        if name not in SERVED:
            raise NotFound.of("文件")
        return FileResponse(ASSETS / name, media_type=SERVED[name],
                            headers={"Cache-Control": "public, max-age=86400",
                                     "X-Content-Type-Options": "nosniff"})


# --- the OpenAPI document, true to what the API answers ------------------------------------

REFUSAL = {"type": "object", "required": ["detail"],
           "properties": {"detail": {"type": "string", "description": "中文说明 (English)"}}}
VALIDATION = {  # what services.http sends for a 422 from validation, not FastAPI's default
    "type": "object", "required": ["detail"],
    "properties": {"detail": {"oneOf": [
        {"type": "string"},
        {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}]}}}
ERRORS = {
    "400": "请求无法读取 (malformed request)",
    "401": "缺少或无效的 API 令牌 (missing or invalid token)",
    "403": "无权进行该操作 (forbidden)",
    "404": "没有找到 (not found)",
    "409": "与当前状态冲突 (conflict)",
    "413": "超过上限 (too large)",
    "415": "不接受的内容类型 (unsupported media type)",
    "422": "数据无效 (invalid data)",
    "429": "请求过于频繁 (too many requests)",
    "503": "数据库暂时无法访问，稍后重试 (unavailable: see Retry-After)",
}


def install_openapi(app: FastAPI) -> None:
    """The document declares the error answers each operation may give, in the shape they are
    sent (which operations need the bearer token, services.http declares)."""

    def document() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version,
                             description=app.description, routes=app.routes)
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas["Refusal"] = REFUSAL
        schemas["HTTPValidationError"] = VALIDATION
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                codes = ["422", "503"]
                if operation.get("security"):  # from the HTTPBearer of services.http
                    codes += ["401", "403"]
                if "{" in path:
                    codes.append("404")
                if method in ("post", "put", "patch", "delete"):
                    codes += ["400", "409", "413", "415", "429"]
                responses = operation.setdefault("responses", {})
                for code in codes:
                    ref = "HTTPValidationError" if code == "422" else "Refusal"
                    responses.setdefault(code, {"description": ERRORS[code], "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}})
        app.openapi_schema = schema
        return schema

    app.openapi = document  # type: ignore[method-assign]
