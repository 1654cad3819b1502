"""Documents as the templates see them (pure: no database, no store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from markupsafe import Markup

from publisher.documents import addresses
from publisher.render import body_html
from services import clock
from services.sanitise import clean_text, summary

KIND_NAMES = {"document": "文件", "form": "表格", "notice": "会议通知"}


def office_date(day: dt.date | None) -> str:
    """A date as an office writes it (2025年12月2日), or nothing."""
    return clock.office_date(day) if day else ""


def office_time(moment: dt.datetime | None, timezone: str) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{office_date(local.date())} {local:%H:%M}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@dataclass(frozen=True)
class FileView:
    key: str
    filename: str
    format: str
    bytes: int

    @property
    def href(self) -> str:
        return addresses.href(self.key)

    @property
    def label(self) -> str:
        return addresses.FORMAT_LABELS.get(self.format, self.format.upper())

    @property
    def size(self) -> str:
        return human_size(self.bytes)


@dataclass(frozen=True)
class DocumentView:
    id: int
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
    repealed: dt.date | None
    repeal_reason: str
    published_at: dt.datetime
    timezone: str
    files: Sequence[FileView] = field(default_factory=tuple)

    @property
    def path(self) -> str:
        return addresses.document(self.id)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def column_path(self) -> str:
        return addresses.column(self.kind)

    @property
    def column_name(self) -> str:
        return addresses.COLUMN_NAMES[addresses.KIND_COLUMNS[self.kind]]

    @property
    def in_force(self) -> bool:
        return self.repealed is None

    @property
    def status_label(self) -> str:
        return "有效" if self.in_force else "已废止"

    @property
    def issued_text(self) -> str:
        return office_date(self.issued)

    @property
    def effective_text(self) -> str:
        return office_date(self.effective)

    @property
    def repealed_text(self) -> str:
        return office_date(self.repealed)

    @property
    def starts_text(self) -> str:
        return office_time(self.starts, self.timezone)

    @property
    def register_by_text(self) -> str:
        return office_time(self.register_by, self.timezone)

    @property
    def date(self) -> str:
        return office_date(self.issued or self.published_at.astimezone(
            ZoneInfo(self.timezone)).date())

    @property
    def iso(self) -> str:
        return self.published_at.astimezone(ZoneInfo(self.timezone)).isoformat(
            timespec="seconds")

    @property
    def summary(self) -> str:
        return summary(self.body) or clean_text(self.title)

    @property
    def body_html(self) -> Markup:
        return body_html(self.body)
