"""The admin's view of the linked websites' last checks."""

from __future__ import annotations

from fastapi import APIRouter

from publisher.links import checker
from services.http import ContextDep, CurrentUser
from services.identity import Role, require_role

router = APIRouter(tags=["publisher"])


@router.get("/api/admin/links", summary="外链检测 (the linked websites' last checks, admins only)")
def link_checks(ctx: ContextDep, user: CurrentUser) -> list[dict[str, object]]:
    require_role(user, Role.ADMIN)
    return checker.report(ctx)
