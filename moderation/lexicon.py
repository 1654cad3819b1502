"""The screening lexicon: a file (``word<TAB>category<TAB>action``) plus the edits admins make
through the API or the command line, kept in the database.

Every worker process asks, before it screens, whether the lexicon changed (the file's stamp and
the newest edit's revision); if so it builds a new screener. An edit therefore takes effect for
the next screening in every process, without a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from moderation.text import LexiconEntry, TextScreener, normalise
from services.db import Base, Database, UTCDateTime, utcnow

ACTIONS = ("block", "flag")


class LexiconError(ValueError):
    pass


class LexiconEdit(Base):
    """An admin's word: added (or changed) or removed, overriding the file."""

    __tablename__ = "lexicon_edits"

    word: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(32))
    action: Mapped[str] = mapped_column(sa.String(8))
    removed: Mapped[bool] = mapped_column(default=False)
    revision: Mapped[int] = mapped_column(index=True)
    edited_by: Mapped[str] = mapped_column(sa.String(100), default="")
    edited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def check_entry(word: str, category: str, action: str) -> LexiconEntry:
    word, category = word.strip(), category.strip()
    if action not in ACTIONS:
        raise LexiconError(f"动作须为 block 或 flag (action must be block or flag): {action!r}")
    if not category or len(category) > 32:
        raise LexiconError(f"类别不能为空且不超过 32 字 (invalid category): {category!r}")
    key, _ = normalise(word)
    if len(key) < 2:
        raise LexiconError(f"词条 {word!r} 太短：单字词误伤太多，不予收录 "
                           f"(single-character entries are refused)")
    if len(word) > 100:
        raise LexiconError("词条不能超过 100 字 (entry too long)")
    return LexiconEntry(word=word, category=category, action=action)


def parse(text: str, source: str = "lexicon") -> list[LexiconEntry]:
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) != 3:
            raise LexiconError(f"{source} 第 {number} 行：应为 词<TAB>类别<TAB>动作 "
                               f"(line {number}: expected word<TAB>category<TAB>action)")
        try:
            entries.append(check_entry(*parts))
        except LexiconError as exc:
            raise LexiconError(f"{source} 第 {number} 行 (line {number}): {exc}") from exc
    return entries


def read_file(path: Path) -> list[LexiconEntry]:
    return parse(path.read_text(encoding="utf-8"), source=str(path))


def effective(file_entries: Iterable[LexiconEntry], edits: Iterable[LexiconEdit]) -> \
        list[LexiconEntry]:
    words = {e.word: e for e in file_entries}
    for edit in edits:
        if edit.removed:
            words.pop(edit.word, None)
        else:
            words[edit.word] = LexiconEntry(edit.word, edit.category, edit.action)
    return sorted(words.values(), key=lambda e: (e.category, e.word))


def _next_revision(session: Session) -> int:
    return (session.scalar(sa.select(sa.func.max(LexiconEdit.revision))) or 0) + 1


def add(session: Session, entry: LexiconEntry, by: str) -> None:
    edit = session.get(LexiconEdit, entry.word) or LexiconEdit(word=entry.word)
    edit.category, edit.action, edit.removed = entry.category, entry.action, False
    edit.revision, edit.edited_by, edit.edited_at = _next_revision(session), by, utcnow()
    session.add(edit)


def remove(session: Session, word: str, by: str, current: Iterable[LexiconEntry]) -> bool:
    entry = next((e for e in current if e.word == word), None)
    if entry is None:
        return False
    edit = session.get(LexiconEdit, word) or LexiconEdit(word=word)
    edit.category, edit.action, edit.removed = entry.category, entry.action, True
    edit.revision, edit.edited_by, edit.edited_at = _next_revision(session), by, utcnow()
    session.add(edit)
    return True


class Lexicon:
    """The current lexicon and a screener built for it, rebuilt whenever either source changes."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path
        self._lock = threading.Lock()
        self._screener: TextScreener | None = None

    def _stamp(self, session: Session) -> str:
        st = self.path.stat()
        revision = session.scalar(sa.select(sa.func.max(LexiconEdit.revision))) or 0
        return f"{st.st_mtime_ns}:{st.st_size}:{revision}"

    def entries(self, session: Session) -> list[LexiconEntry]:
        return effective(read_file(self.path), session.scalars(sa.select(LexiconEdit)))

    def screener(self) -> TextScreener:
        with self.db.session() as session:
            stamp = self._stamp(session)
            with self._lock:
                current = self._screener
                if current is None or current.version_stamp != stamp:
                    entries = self.entries(session)
                    digest = hashlib.sha256(
                        "\n".join(f"{e.word}\t{e.category}\t{e.action}" for e in entries).encode()
                    ).hexdigest()[:12]
                    current = TextScreener(entries, version=digest)
                    current.version_stamp = stamp
                    self._screener = current
                return current
