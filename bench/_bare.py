"""The baseline for upload acceptance: a bare FastAPI endpoint that takes the same multipart
upload (Starlette's own form parser, every file read to its end) and keeps nothing. Run by
uvicorn as ``baosong up`` runs the API: ``python -m uvicorn bench._bare:app``."""

from __future__ import annotations

import itertools

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

app = FastAPI()
_ids = itertools.count(1)


@app.post("/api/submissions", status_code=202)
async def accept(request: Request) -> JSONResponse:
    form = await request.form(max_files=100, max_fields=100)
    for value in form.values():
        if isinstance(value, UploadFile):
            while await value.read(256 * 1024):
                pass
    return JSONResponse({"id": next(_ids), "status": "received"}, status_code=202)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
