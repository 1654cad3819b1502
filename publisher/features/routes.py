"""``POST /api/features``: an admin imports a year's 工业五十强 or 年度突出贡献企业 list."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool

from publisher.features.pages import FeaturePages, list_page
from publisher.features.sheet import read_rows
from publisher.site import Site
from services.http import ContextDep, CurrentUser
from services.identity import Role, require_role
from services.refusals import TooLarge

MAX_FILE_BYTES = 5 * 1024 * 1024  # a list of a few hundred rows is far smaller


def import_file(site: Site, name: str, year: int, data: bytes, filename: str) -> str:
    rows = read_rows(data, filename)
    with site.ctx.db.transaction() as session:
        FeaturePages(site.ctx, site).import_list(session, name, year, rows)
    return site.ctx.settings.portal_url + list_page(name, year)


def build_router(site: Site) -> APIRouter:
    router = APIRouter(prefix="/api/features", tags=["features"])

    @router.post("", summary="导入年度工业五十强或突出贡献企业名单 (import a year's list)")
    async def import_list(
        ctx: ContextDep, user: CurrentUser,
        list: Annotated[Literal["top50", "contributors"], Form()],
        year: Annotated[int, Form(ge=2000, le=2100)],
        file: Annotated[UploadFile, File()],
    ) -> dict[str, Any]:
        require_role(user, Role.ADMIN)
        data = await file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise TooLarge("名单文件不能超过 5 MB (file too large)")
        url = await run_in_threadpool(import_file, site, list, year, data, file.filename or "")
        return {"url": url}

    return router
