"""The ways advertisers write the words of contact phrases (❤信 for 微信, ☎ for 电话, 扣扣 for QQ),
read from a table that is data (``data/contact_words.tsv``), turned into the parts of the contact
patterns that look for those words.

A character's entries stand for it in every pattern word that holds it; a word's entries stand
for the whole word. Letters are folded as the contact view folds them (NFKC, lower case), and a
space may stand between two characters of a word (v x, 微 信).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CONTACT_WORDS = Path(__file__).resolve().parent / "data" / "contact_words.tsv"
# what an emoji may carry after it (a variation selector asking for the picture)
_PRESENTATION = "[\ufe0e\ufe0f]?"


def _fold(written: str) -> str:
    return unicodedata.normalize("NFKC", written).lower()


def _is_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _is_symbol(form: str) -> bool:
    """A form with no letter, digit or ideograph in it: a picture (☎, 📞)."""
    return not any(unicodedata.category(c)[0] in "LN" for c in form)


class ContactWordsError(ValueError):
    pass


@dataclass(frozen=True)
class ContactWords:
    written: dict[str, tuple[str, ...]]  # a character or word: the other ways it is written

    def _char(self, char: str) -> str:
        others = self.written.get(char, ())
        if not others:
            return re.escape(char) + (_PRESENTATION if _is_symbol(char) else "")
        forms = sorted({char, *others}, key=lambda f: (-len(f), f))
        return "(?:" + "|".join(re.escape(f) + (_PRESENTATION if _is_symbol(f) else "")
                                for f in forms) + ")"

    def _form(self, form: str) -> str:
        parts = []
        for i, char in enumerate(form):
            if i:
                parts.append(r"\s?")
            parts.append(self._char(char))
        regex = "".join(parts)
        return ("(?<![a-z])" + regex) if _is_letter(form[0]) else regex

    def forms(self, word: str) -> list[str]:
        """The word and every way written for it as a whole, longest first."""
        return sorted({_fold(word), *self.written.get(word, ())}, key=lambda f: (-len(f), f))

    def regex(self, word: str) -> str:
        """A regular expression (for the contact view) that matches the word however written."""
        if len(word) == 1:
            return self._char(word)
        return "(?:" + "|".join(self._form(f) for f in self.forms(word)) + ")"

    def symbols(self, *words: str) -> list[str]:
        """The ways of writing the words that are pictures only (☎ for 电话)."""
        return sorted({f for w in words for f in self.written.get(w, ()) if _is_symbol(f)})

    def firsts(self, word: str, skip: Iterable[str] = ()) -> tuple[set[str], set[str]]:
        """The characters a written form of the word may begin with, and those that may come
        second, over the forms with none of ``skip`` in them (the gates find those otherwise)."""
        first: set[str] = set()
        second: set[str] = set()
        for form in self.forms(word):
            if len(form) < 2 or any(s in form for s in skip):
                continue
            first.update(self._variants(form[0]))
            second.update(self._variants(form[1]))
        return first, second

    def _variants(self, char: str) -> set[str]:
        return {f[0] for f in (char, *self.written.get(char, ()))}


def read_contact_words(path: Path = CONTACT_WORDS) -> ContactWords:
    written: dict[str, list[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
            raise ContactWordsError(f"{path}:{number}: expected WORD<TAB>WRITTEN, got {line!r}")
        word, form = parts[0].strip(), _fold(parts[1].strip())
        if form != _fold(word):
            written.setdefault(word, []).append(form)
    return ContactWords({w: tuple(dict.fromkeys(f)) for w, f in written.items()})


@functools.cache
def contact_words() -> ContactWords:
    """The shipped table, read once per process."""
    return read_contact_words()
