"""Reading a document form (``POST /api/documents``) into a draft, or a clear refusal."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ingest.forms import clean_text
from ingest.uploads import ParsedForm, UploadedFile
from services.refusals import Invalid, TooLarge
from services.settings import Settings

KINDS = ("document", "form", "notice")
KIND_NAMES = {"document": "文件", "form": "表格", "notice": "会议通知"}
SHORT_FIELDS = {"number": 100, "issuer": 200, "place": 300, "attendees": 1000}


@dataclass(frozen=True)
class DocumentDraft:
    kind: str
    title: str
    body: str
    number: str
    issuer: str
    issued: dt.date | None
    effective: dt.date | None
    starts: dt.datetime | None
    place: str
    attendees: str
    register_by: dt.datetime | None
    units: tuple[str, ...]
    files: tuple[UploadedFile, ...]

    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for part in (self.kind, self.title, self.body, self.number,
                     *(f.sha256 for f in self.files)):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()


def _one(form: ParsedForm, name: str) -> str:
    values = form.fields.get(name, [])
    if len(values) > 1:
        raise Invalid(f"字段 {name} 只能有一个 (field {name} given more than once)")
    return clean_text(values[0]) if values else ""


def _date(form: ParsedForm, name: str, label: str) -> dt.date | None:
    value = _one(form, name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{label}格式应为 YYYY-MM-DD ({name} must be YYYY-MM-DD)") from exc


def _moment(form: ParsedForm, name: str, label: str, timezone: str) -> dt.datetime | None:
    """A time as an office writes it, in the commission's zone unless it names its own."""
    value = _one(form, name)
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{label}格式应为 YYYY-MM-DDTHH:MM ({name} must be a date and time)") \
            from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(dt.UTC)


def _units(form: ParsedForm) -> tuple[str, ...]:
    slugs: list[str] = []
    for value in form.fields.get("units", []):
        for slug in value.replace("，", ",").split(","):
            slug = slug.strip()
            if slug and slug not in slugs:
                slugs.append(slug)
    if any(len(s) > 64 for s in slugs):
        raise Invalid("单位代号过长 (unit slug too long)")
    return tuple(slugs)


def read_document(form: ParsedForm, settings: Settings) -> DocumentDraft:
    kind = _one(form, "kind")
    if kind not in KINDS:
        raise Invalid("kind 须为 document（文件）、form（表格）或 notice（会议通知） "
                      "(kind must be document, form or notice)")
    title = _one(form, "title")
    if not title:
        raise Invalid("标题不能为空 (title is required)")
    if len(title) > settings.max_title_chars:
        raise Invalid(f"标题不能超过 {settings.max_title_chars} 字 (title too long)")
    body = _one(form, "body")
    if len(body) > settings.max_body_chars:
        raise TooLarge(f"正文不能超过 {settings.max_body_chars} 字 (body too long)")
    short = {name: _one(form, name) for name in SHORT_FIELDS}
    for name, limit in SHORT_FIELDS.items():
        if len(short[name]) > limit:
            raise Invalid(f"字段 {name} 不能超过 {limit} 字 ({name} too long)")
    stray = [f.field for f in form.files if f.field != "attachments"]
    if stray:
        raise Invalid(f"文件须放在 attachments 字段中 (files must be sent as 'attachments', "
                      f"got {stray[0]!r})")
    tz = settings.timezone
    draft = DocumentDraft(
        kind=kind, title=title, body=body, number=short["number"], issuer=short["issuer"],
        issued=_date(form, "issued", "成文日期"), effective=_date(form, "effective", "施行日期"),
        starts=_moment(form, "starts", "会议时间", tz), place=short["place"],
        attendees=short["attendees"], register_by=_moment(form, "register_by", "报名截止时间", tz),
        units=_units(form), files=tuple(form.files))
    _check_kind(draft)
    return draft


def _check_kind(d: DocumentDraft) -> None:
    if d.kind == "document":
        if not d.issuer or d.issued is None:
            raise Invalid("文件须写明发文机关（issuer）和成文日期（issued） "
                          "(a document needs its issuer and date of issue)")
        if not d.body and not d.files:
            raise Invalid("文件须有正文或附件 (a document needs a body or an attachment)")
    if d.effective is not None and d.issued is not None and d.effective < d.issued:
        raise Invalid("施行日期不能早于成文日期 (date of effect before the date of issue)")
    if d.kind == "form" and not d.files:
        raise Invalid("表格下载至少要有一个附件 (a form needs at least one attachment)")
    if d.kind == "notice":
        if d.starts is None or not d.place:
            raise Invalid("会议通知须写明会议时间（starts）和地点（place） "
                          "(a notice needs its time and place)")
        if d.units and d.register_by is None:
            raise Invalid("邀请单位报名的会议通知须有报名截止时间（register_by） "
                          "(a notice that asks units to register needs a deadline)")
        if d.register_by is not None and d.register_by > d.starts:
            raise Invalid("报名截止时间不能晚于会议时间 (registration closes after the meeting "
                          "starts)")
    elif d.units or d.register_by or d.starts:
        raise Invalid("只有会议通知才有会议时间、报名单位和截止时间 "
                      "(only a notice has a meeting time, invited units and a deadline)")
