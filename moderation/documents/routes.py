"""A moderator's decision on a flagged document."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from moderation.documents.models import DocumentReview
from moderation.documents.screening import approval
from services import audit, outbox
from services.clock import utcnow
from services.contracts.documents import DocumentRejected
from services.http import ContextDep, CurrentUser, RowId, reason_required
from services.identity import Role, require_role
from services.refusals import Conflict, Invalid, NotFound

router = APIRouter(prefix="/api/moderation/documents", tags=["moderation"])


class Decision(BaseModel):
    model_config = ConfigDict(json_schema_extra=reason_required("reject"))

    action: Literal["approve", "reject"]
    reason: str = Field("", max_length=500)


@router.get("", summary="待审核的文件 (flagged documents)")
def flagged_documents(ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    import sqlalchemy as sa

    with ctx.db.session() as session:
        rows = session.scalars(sa.select(DocumentReview).where(DocumentReview.state == "flagged")
                               .order_by(DocumentReview.screened_at)).all()
        return {"items": [{"document": r.document_id, "title": r.content.get("title"),
                           "findings": r.findings} for r in rows]}


@router.post("/{document_id}/decision", summary="审核一份被标记的文件 (decide a flagged document)")
def decide(document_id: RowId, body: Decision, ctx: ContextDep, user: CurrentUser
           ) -> dict[str, Any]:
    require_role(user, Role.MODERATOR, Role.ADMIN)
    if body.action == "reject" and not body.reason.strip():
        raise Invalid("不予发布须说明理由 (a rejection needs a reason)")
    with ctx.db.transaction() as session:
        review = session.get(DocumentReview, document_id, with_for_update=True)
        if review is None:
            raise NotFound.of("文件")
        if review.state != "flagged":
            raise Conflict(f"该文件已处理（{review.state}） (already decided)")
        review.state = "approved" if body.action == "approve" else "rejected"
        review.decided_by, review.decided_at = user.id, utcnow()
        review.reason = body.reason or None
        if body.action == "approve":
            outbox.emit(session, approval(review.content, f"moderator:{user.id}"))
        else:
            outbox.emit(session, DocumentRejected(document=document_id, reason=body.reason,
                                                  findings=list(review.findings))
                        .event(f"document/{document_id}"))
        audit.record(session, actor=user, action=f"document.{body.action}",
                     subject=f"document/{document_id}", reason=body.reason)
        return {"document": document_id, "state": review.state}
