"""What changed between a returned item and its revision, for the moderator's item view.

Pure logic. Chinese runs without spaces, so texts are compared sentence by sentence first
(cheap even for long articles), then character by character inside each changed run of
sentences, so that a corrected number or name stands out rather than its whole sentence.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

# a sentence: up to and including its closing punctuation (and closing quotes), or a line break
_SENTENCE = re.compile(r"[^。！？；!?;\n]+(?:[。！？；!?;]+[”’」』）)]*)?|[。！？；!?;]+|\n+")
# character-level comparison is quadratic: above this many character pairs, a changed run is
# shown as deleted and inserted as a whole
CHAR_DIFF_LIMIT = 400_000

Op = tuple[str, str]  # ("equal" | "insert" | "delete", text)


def sentences(text: str) -> list[str]:
    """The text cut into sentences; joined again they give the text back exactly."""
    return _SENTENCE.findall(text)


def _append(ops: list[Op], tag: str, text: str) -> None:
    if not text:
        return
    if ops and ops[-1][0] == tag:
        ops[-1] = (tag, ops[-1][1] + text)
    else:
        ops.append((tag, text))


def _characters(ops: list[Op], old: str, new: str) -> None:
    if len(old) * len(new) > CHAR_DIFF_LIMIT:
        _append(ops, "delete", old)
        _append(ops, "insert", new)
        return
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(ops, "equal", old[i1:i2])
        else:
            _append(ops, "delete", old[i1:i2])
            _append(ops, "insert", new[j1:j2])


def diff_text(old: str, new: str) -> list[Op]:
    """``old`` turned into ``new`` as runs of kept, deleted and inserted text."""
    a, b = sentences(old), sentences(new)
    ops: list[Op] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_run, new_run = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            _append(ops, "equal", old_run)
        elif tag == "replace":
            _characters(ops, old_run, new_run)
        else:
            _append(ops, "delete", old_run)
            _append(ops, "insert", new_run)
    return ops


def changed_chars(ops: Sequence[Op]) -> dict[str, int]:
    return {"deleted": sum(len(t) for tag, t in ops if tag == "delete"),
            "inserted": sum(len(t) for tag, t in ops if tag == "insert")}


def photo_changes(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]) \
        -> list[dict[str, Any]]:
    """For each photo of the revision: kept from the original (by its bytes) or new, with how
    its caption changed; then each original photo that was dropped."""
    old_by_hash = {p.get("sha256"): i for i, p in enumerate(old) if p.get("sha256")}
    rows: list[dict[str, Any]] = []
    kept = set()
    for index, photo in enumerate(new):
        was = old_by_hash.get(photo.get("sha256"))
        row: dict[str, Any] = {"photo": index, "change": "kept" if was is not None else "added",
                               "original": was}
        if was is not None:
            kept.add(was)
            before, after = old[was].get("caption", ""), photo.get("caption", "")
            if before != after:
                row["caption"] = diff_text(before, after)
        rows.append(row)
    for index, photo in enumerate(old):
        if index not in kept:
            rows.append({"photo": None, "change": "removed", "original": index,
                         "filename": photo.get("filename", "")})
    return rows
