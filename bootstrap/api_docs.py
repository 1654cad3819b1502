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

from services.http import NO_NUL, NUL_CLEANED, error_answer
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
INVALID = {  # a 422: a refusal's sentence, or services.http's list for a request that fails
    # validation (not FastAPI's HTTPValidationError, which is never sent)
    "type": "object", "required": ["detail"],
    "properties": {"detail": {"oneOf": [
        {"type": "string"},
        {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}]}}}
WRITES = ("post", "put", "patch", "delete")


def common_errors(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error answers an operation can give by what it is: any request can fail validation
    (422) or meet a database outage (503); one that needs a token can be refused one (401) or
    the role (403); a path that names a thing may name none (404); a write may clash with the
    state things are in (409) or be a body the server cannot read (400)."""
    codes = [422, 503]
    if operation.get("security"):  # from the HTTPBearer of services.http
        codes += [401, 403]
    if "{" in path:
        codes.append(404)
    if method in WRITES:
        codes += [400, 409]
    if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
        codes += [413, 415]  # uploads: the limits of settings, the file types taken
    return codes


def _no_nul(schema: dict[str, Any]) -> None:
    """A text parameter holds no NUL (services.http.refuse_nul refuses one everywhere)."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string" and "pattern" not in option \
                and "enum" not in option and "format" not in option:
            option["pattern"] = NO_NUL


def install_openapi(app: FastAPI) -> None:
    """The document declares the error answers each operation may give, in the shape they are
    sent; a route declares its own beyond these with ``services.http.answers``."""

    def document() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version,
                             description=app.description, routes=app.routes)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Refusal"] = REFUSAL
        schemas["Invalid"] = INVALID
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                for parameter in operation.get("parameters", []):
                    if path not in NUL_CLEANED:
                        _no_nul(parameter.get("schema", {}))
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)  # FastAPI's HTTPValidationError
                for code in common_errors(path, method, operation):
                    responses.setdefault(str(code), error_answer(code))
        app.openapi_schema = schema
        return schema

    app.openapi = document  # type: ignore[method-assign]
