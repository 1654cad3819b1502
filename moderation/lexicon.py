"""The screening lexicon: a file (``word<TAB>category<TAB>action``, and an optional fourth column
of marks) plus the edits admins make through the API or the command line, kept in the database.

Marks (``sound``, ``shape``, or both, comma-separated) ask for more than the normalised match:
``sound`` finds the word written with homophones or in pinyin, ``shape`` with split characters
(see ``sound``). Such hits always go to a moderator. An admin's edit of a word keeps the marks
the file gives it.

``action`` is ``block`` (rejected at once), ``flag`` (to a moderator) or ``allow``: a benign word
that holds a listed one (成人高考 holds 成人), so that a hit inside it is no hit.

One :class:`Lexicon` object per process stands for all of it: the routes and the command line
check, add, remove and list entries through it, and read its version without building a
screener. Every worker process asks it, before it screens, whether the lexicon changed (the
file's stamp and a stamp of the edits table, one small query); if so it builds a new screener: a
new automaton (milliseconds) and only the changed words told to the process's one jieba
tokenizer. An edit therefore takes effect for the next screening in every process, without a
restart.

A line of the file that cannot be used (a single character, a bad action) is refused when the
lexicon loads, with a message naming the line; the rest of the lexicon stays in force.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from moderation.normalise import normalise_word
from moderation.segment import Segmenter
from moderation.sound import MARKS
from moderation.text import ACTIONS, LexiconEntry, TextScreener
from services.db import Base, Database, UTCDateTime, utcnow
from services.refusals import Invalid

log = logging.getLogger(__name__)

MAX_WORD_CHARS = 100
MAX_CATEGORY_CHARS = 32


class LexiconError(Invalid):
    """An entry the lexicon does not take (a bad action or category, a single character)."""


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


def check_marks(text: str) -> frozenset[str]:
    marks = frozenset(m.strip() for m in text.split(",") if m.strip())
    if marks - MARKS:
        raise LexiconError(f"标记须为 sound 或 shape (marks must be sound or shape): {text!r}")
    return marks


def check_entry(word: str, category: str, action: str, marks: str = "") -> LexiconEntry:
    word, category, action = word.strip(), category.strip(), action.strip()
    if action not in ACTIONS:
        raise LexiconError(f"动作须为 block、flag 或 allow (action must be block, flag or allow): "
                           f"{action!r}")
    if not category or len(category) > MAX_CATEGORY_CHARS:
        raise LexiconError(f"类别不能为空且不超过 {MAX_CATEGORY_CHARS} 字 (invalid category): "
                           f"{category!r}")
    if len(word) > MAX_WORD_CHARS:
        raise LexiconError(f"词条不能超过 {MAX_WORD_CHARS} 字 (entry too long)")
    if len(normalise_word(word)) < 2:
        raise LexiconError(f"词条 {word!r} 太短：单字词误伤太多，不予收录 "
                           f"(single-character entries are refused)")
    return LexiconEntry(word=word, category=category, action=action, marks=check_marks(marks))


@dataclass(frozen=True)
class Parsed:
    entries: list[LexiconEntry]
    refused: list[str]  # one message per line that could not be used


def parse(text: str, source: str = "lexicon") -> Parsed:
    entries, refused = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) not in (3, 4):
            refused.append(f"{source} 第 {number} 行：应为 词<TAB>类别<TAB>动作[<TAB>标记] "
                           f"(line {number}: expected word<TAB>category<TAB>action[<TAB>marks])")
            continue
        try:
            entries.append(check_entry(*parts))
        except LexiconError as exc:
            refused.append(f"{source} 第 {number} 行 (line {number}): {exc}")
    return Parsed(entries, refused)


def read_file(path: Path) -> Parsed:
    return parse(path.read_text(encoding="utf-8"), source=str(path))


def effective(file_entries: Iterable[LexiconEntry], edits: Iterable[LexiconEdit]) -> \
        list[LexiconEntry]:
    words = {e.word: e for e in file_entries}
    for edit in edits:
        if edit.removed:
            words.pop(edit.word, None)
        else:
            held = words.get(edit.word)
            words[edit.word] = LexiconEntry(edit.word, edit.category, edit.action,
                                            marks=held.marks if held else frozenset())
    return sorted(words.values(), key=lambda e: (e.category, e.word))


def version_of(entries: Iterable[LexiconEntry]) -> str:
    """A short digest of the entries in force: findings name the lexicon they were made with."""
    text = "\n".join(f"{e.word}\t{e.category}\t{e.action}"
                     + (f"\t{','.join(sorted(e.marks))}" if e.marks else "") for e in entries)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _next_revision(session: Session) -> int:
    return (session.scalar(sa.select(sa.func.max(LexiconEdit.revision))) or 0) + 1


def edits_stamp(session: Session) -> str:
    """Changes whenever any edit is made, in any process. Every edit raises its row's revision
    above every revision before it, so the sum rises with each one, even where two processes
    happened to take the same revision number."""
    count, total = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(LexiconEdit.revision), 0))
    ).one()
    return f"{count}:{total}"


class Lexicon:
    """The current lexicon and a screener built for it, rebuilt whenever either source changes.
    One per process; two on one database (two processes) see each other's edits."""

    def __init__(self, db: Database, path: Path, segmenter: Segmenter | None = None,
                 max_findings: int = 100) -> None:
        self.db = db
        self.path = path
        self.segmenter = segmenter
        self.max_findings = max_findings
        self._lock = threading.Lock()
        self._screener: TextScreener | None = None
        self._file_stamp = ""
        self._file: Parsed = Parsed([], [])

    def _read(self) -> tuple[str, Parsed]:
        st = self.path.stat()
        stamp = f"{st.st_mtime_ns}:{st.st_size}"
        if stamp != self._file_stamp:
            parsed = read_file(self.path)
            for message in parsed.refused:
                log.warning("词库中有一行未采用 (lexicon line refused): %s", message)
            self._file_stamp, self._file = stamp, parsed
        return stamp, self._file

    @property
    def refused(self) -> list[str]:
        """The file's lines that were refused when it was loaded, each with the reason."""
        with self._lock:
            return list(self._read()[1].refused)

    def entries(self, session: Session) -> list[LexiconEntry]:
        with self._lock:
            file = self._read()[1]
        return effective(file.entries, session.scalars(sa.select(LexiconEdit)))

    @staticmethod
    def version_of(entries: Iterable[LexiconEntry]) -> str:
        """The version a screener of ``entries`` names in its findings, without building its
        automaton."""
        return version_of(entries)

    @staticmethod
    def check(word: str, category: str, action: str) -> LexiconEntry:
        """The entry, trimmed; or :class:`LexiconError` saying what is wrong with it."""
        return check_entry(word, category, action)

    def add(self, session: Session, entry: LexiconEntry, by: str) -> None:
        """Add or change ``entry``; every process screens with it from its next screening."""
        edit = session.get(LexiconEdit, entry.word) or LexiconEdit(word=entry.word)
        edit.category, edit.action, edit.removed = entry.category, entry.action, False
        edit.revision, edit.edited_by, edit.edited_at = _next_revision(session), by, utcnow()
        session.add(edit)

    def remove(self, session: Session, word: str, by: str) -> bool:
        """Take ``word`` out of the entries in force (False if it is not one of them)."""
        entry = next((e for e in self.entries(session) if e.word == word), None)
        if entry is None:
            return False
        edit = session.get(LexiconEdit, word) or LexiconEdit(word=word)
        edit.category, edit.action, edit.removed = entry.category, entry.action, True
        edit.revision, edit.edited_by, edit.edited_at = _next_revision(session), by, utcnow()
        session.add(edit)
        return True

    def screener(self) -> TextScreener:
        with self.db.session() as session, self._lock:
            file_stamp, file = self._read()
            stamp = f"{file_stamp}:{edits_stamp(session)}"
            current = self._screener
            if current is None or current.version_stamp != stamp:
                entries = effective(file.entries, session.scalars(sa.select(LexiconEdit)))
                current = TextScreener(entries, version=version_of(entries),
                                       segmenter=self.segmenter,
                                       max_findings=self.max_findings)
                current.version_stamp = stamp
                self._screener = current
            return current
