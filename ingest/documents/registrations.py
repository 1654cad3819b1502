"""Meeting registration (报名): an invited unit's informant names who attends, until the
deadline; the organiser reads the list and exports it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ingest.documents.forms import clean_text
from ingest.documents.models import Document, DocumentStatus, Registration
from services.clock import utcnow
from services.identity import Principal, Unit, user_names
from services.refusals import Conflict, Forbidden, Invalid, NotFound

MAX_NAME_CHARS = 50


def open_notice(session: Session, document_id: int, *, lock: bool = False) -> Document:
    document = session.get(Document, document_id, with_for_update=lock)
    if document is None or document.kind != "notice" or \
            document.status != DocumentStatus.PUBLISHED:
        raise NotFound.of("会议通知")
    return document


def clean_names(names: list[str], limit: int) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        name = clean_text(name)
        if not name:
            continue
        if len(name) > MAX_NAME_CHARS:
            raise Invalid(f"姓名不能超过 {MAX_NAME_CHARS} 字 (name too long)")
        if name not in cleaned:
            cleaned.append(name)
    if not cleaned:
        raise Invalid("请至少填写一名参会人员 (name at least one attendee)")
    if len(cleaned) > limit:
        raise Invalid(f"每个单位最多报名 {limit} 人 (at most {limit} attendees a unit)")
    return cleaned


def register(session: Session, principal: Principal, document_id: int, names: list[str],
             limit: int, now: dt.datetime | None = None) -> dict[str, Any]:
    document = open_notice(session, document_id, lock=True)
    if principal.unit is None or principal.unit not in document.units:
        raise Forbidden("贵单位不在本次会议的邀请名单中 (your unit is not invited)")
    now = now or utcnow()
    if document.register_by is None or now > document.register_by:
        raise Conflict("报名已截止 (registration has closed)")
    if document.repealed is not None:
        raise Conflict("该通知已废止，不再报名 (the notice is repealed)")
    cleaned = clean_names(names, limit)
    row = session.scalar(sa.select(Registration).where(
        Registration.document_id == document_id, Registration.unit_slug == principal.unit))
    if row is None:
        row = Registration(document_id=document_id, unit_slug=principal.unit)
        session.add(row)
    row.names, row.registered_by, row.registered_at = cleaned, principal.id, now
    session.flush()
    return {"document": document_id, "unit": principal.unit, "names": cleaned,
            "registered_at": now.isoformat()}


def listing(session: Session, document_id: int) -> dict[str, Any]:
    document = open_notice(session, document_id)
    rows = session.scalars(sa.select(Registration).where(
        Registration.document_id == document_id).order_by(Registration.registered_at)).all()
    units = {u.slug: u.name for u in session.scalars(sa.select(Unit))}
    people = user_names(session)
    registered = {r.unit_slug for r in rows}
    return {
        "document": document.id, "title": document.title,
        "register_by": document.register_by.isoformat() if document.register_by else None,
        "registrations": [
            {"unit": r.unit_slug, "unit_name": units.get(r.unit_slug, r.unit_slug),
             "names": r.names, "registered_by": people.get(r.registered_by, ""),
             "registered_at": r.registered_at.isoformat()} for r in rows],
        "missing": [{"unit": s, "unit_name": units.get(s, s)}
                    for s in document.units if s not in registered],
        "attendees": sum(len(r.names) for r in rows),
    }


def to_xlsx(data: dict[str, Any], timezone: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报名名单"
    sheet.append([data["title"]])
    sheet.append(["序号", "单位", "参会人员", "报名人", "报名时间"])
    zone = ZoneInfo(timezone)
    n = 0
    for row in data["registrations"]:
        at = dt.datetime.fromisoformat(row["registered_at"]).astimezone(zone)
        for name in row["names"]:
            n += 1
            sheet.append([n, row["unit_name"], name, row["registered_by"],
                          at.strftime("%Y-%m-%d %H:%M")])
    for row in data["missing"]:
        sheet.append(["", row["unit_name"], "（未报名）", "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
