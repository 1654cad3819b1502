"""An informant's own original photos, so that "revise and resend" can start from them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.responses import Response, StreamingResponse

from ingest.models import Submission
from services.http import IMAGES, ContextDep, CurrentUser, RowId, answers
from services.refusals import NotFound

router = APIRouter(tags=["submissions"])


@router.get("/api/submissions/{submission_id}/photos/{index}", response_class=Response,
            responses=answers(media=IMAGES),
            summary="稿件的原始照片（本单位、审核员） (an original photo of a submission)")
def original_photo(submission_id: RowId, index: Annotated[int, Path(ge=0, le=1000)],
                   ctx: ContextDep, user: CurrentUser) -> StreamingResponse:
    with ctx.db.session() as session:
        submission = session.get(Submission, submission_id)
        if submission is None or (not user.is_staff() and submission.unit_slug != user.unit):
            raise NotFound.of("稿件")
        photo = next((p for p in submission.photos if p.position == index), None)
        if photo is None:
            raise NotFound.of("照片")
        key, content_type, filename = photo.object_key, photo.content_type, photo.filename
    try:
        chunks = ctx.uploads.iter_chunks(key)
    except FileNotFoundError as exc:
        raise NotFound.of("照片") from exc
    return StreamingResponse(chunks, media_type=content_type, headers={
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename, safe='')}"})
