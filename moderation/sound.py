"""Sound and shape for the lexicon entries marked for them: a word written with other characters
of the same sound (赌搏网站 for 赌博网站), in pinyin or its initials in Latin letters, mixed with
characters or not (dubo网站, du bo wang zhan, dbwz), or with a character split into its parts
(贝者博网站, 弓虽 for 强).

Readings come from pypinyin: a listed word is read as a phrase (its reading in context), a
character of the text by its first reading, toneless. The homophone match runs on a *sound view*
of the normalised text, as long as it, where each character that has a reading stands for that
reading (one byte per syllable of the marked words), so offsets need no second map. The pinyin
match reads only the few characters around a run of Latin letters that is a piece of a marked
word's pinyin (dubo, dbwz; not GDP or 5G), turned into their pinyin; a hit must start and end
on a syllable and not inside a longer Latin word.

Split characters come from a table that is data (``data/split_chars.tsv``): each entry marked
``shape`` is also looked for with its characters split as the table says (one at a time and all
at once), by the lexicon's own automaton.

Every such hit goes to a moderator (never blocks), and the honest-prose tests hold it to no
finding on honest text: only entries of three characters or more are read for sound, and
initials only for entries of four.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import ahocorasick_rs
import numpy as np
import numpy.typing as npt

from moderation.normalise import CODE_POINTS, Normalised, normalise_word

SPLIT_TABLE = Path(__file__).resolve().parent / "data" / "split_chars.tsv"
SOUND, SHAPE = "sound", "shape"
MARKS = frozenset({SOUND, SHAPE})
MIN_SOUND_CHARS = 3  # shorter words sound like too much honest text
MIN_INITIALS = 4  # three letters are the initials of too many things
_SYLLABLES_AT = 1  # syllables are numbered from here (0: no reading)
# the bytes the sound view gives the syllables of marked words (not the space, 0x20)
_SOUND_BYTES = bytes([*range(0x01, 0x20), *range(0x21, 0x7F), *range(0xA1, 0x100)])
_LETTER_BYTE = 0x7F  # a Latin letter, in the sound view
_LETTER = bytes((_LETTER_BYTE,))
_LETTER_RUNS = re.compile(b"\x7f\x7f+")  # runs of two letters or more, found at memchr speed
_REACH = 8  # characters read around a Latin run for a mixed word (dubo网站)


# tone marks off, ü as v (as pypinyin's toneless style writes it); a few readings carry a
# combining mark (ê̄), which goes too
_TONELESS = str.maketrans({
    **dict.fromkeys("āáǎà", "a"), **dict.fromkeys("ēéěèê", "e"), **dict.fromkeys("īíǐì", "i"),
    **dict.fromkeys("ōóǒò", "o"), **dict.fromkeys("ūúǔù", "u"), **dict.fromkeys("ǖǘǚǜü", "v"),
    **dict.fromkeys("ńňǹ", "n"), "ḿ": "m", "\u0304": None, "\u030c": None, "\u0300": None,
    "\u0301": None})


@functools.cache
def _readings() -> tuple[dict[str, int], npt.NDArray[np.uint16]]:
    """Every syllable's number, and for every code point the number of its first reading (0
    where it has none)."""
    from pypinyin.pinyin_dict import pinyin_dict

    firsts = {code: readings.split(",", 1)[0].translate(_TONELESS)
              for code, readings in pinyin_dict.items() if code < CODE_POINTS}
    syllables = {s: _SYLLABLES_AT + i for i, s in enumerate(sorted(set(firsts.values())))}
    table = np.zeros(CODE_POINTS, dtype=np.uint16)
    for code, syllable in firsts.items():
        table[code] = syllables[syllable]
    table.setflags(write=False)
    return syllables, table


def readable(word: str) -> bool:
    """Whether every character of the word has a reading that a character of a text can have
    (only such words are read for sound)."""
    syllables, table = _readings()
    return len(word) >= MIN_SOUND_CHARS and all(table[ord(c)] for c in word) and \
        all(s in syllables for s in _read_word(word))


def _read_word(word: str) -> list[str]:
    """The word's syllables as pypinyin reads the phrase, toneless."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(word, style=Style.NORMAL)
    if len(syllables) != len(word):  # not one syllable a character: read them one by one
        syllables = [lazy_pinyin(c, style=Style.NORMAL)[0] for c in word]
    return syllables


@functools.cache
def _names() -> dict[int, str]:
    """Each syllable's code in the sound view: the syllable."""
    return {code: name for name, code in _readings()[0].items()}


def sound_key(word: str) -> list[int]:
    """The word's syllables, as their codes."""
    syllables = _readings()[0]
    return [syllables[s] for s in _read_word(word)]


def latin_keys(word: str) -> list[str]:
    """The word's full pinyin in Latin letters, and its initials where it is long enough."""
    syllables = _read_word(word)
    keys = ["".join(syllables)]
    if len(word) >= MIN_INITIALS:
        keys.append("".join(s[0] for s in syllables if s))
    return keys


@dataclass(frozen=True)
class SoundHit:
    index: int  # which marked word
    start: int  # a span of the normalised text
    end: int
    how: str  # "homophone" or "pinyin"


class SoundMatcher:
    """Finds the marked words by their sound in a normalised text."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        # The sound view spends one byte on a character: the syllables of the marked words get
        # a byte each, every other character is a space (so the automaton reads a third of the
        # bytes the text has); past 220 syllables, the rest share the last byte (a hit on it
        # is checked against the syllables themselves)
        keys = [sound_key(w) for w in words]  # the caller passes readable words only
        used = sorted({s for key in keys for s in key})
        self._byte = np.full(len(_readings()[0]) + _SYLLABLES_AT + 1, 0x20, dtype=np.uint8)
        for i, syllable in enumerate(used):
            self._byte[syllable] = _SOUND_BYTES[min(i, len(_SOUND_BYTES) - 1)]
        self._keys = keys
        self._shared = len(used) > len(_SOUND_BYTES)
        self._view = self._byte[_readings()[1]]  # for every code point, its byte in the view
        self._view[ord("a"):ord("z") + 1] = _LETTER_BYTE  # (the normalised text is lower case)
        # over bytes: the view is one byte a character, so a byte offset is a character offset
        # (no text to decode, and none for the automaton to encode back to UTF-8)
        self._sound = ahocorasick_rs.BytesAhoCorasick(
            [bytes(self._byte[k]) for k in keys]) if keys else None
        latin: dict[str, int] = {}
        for index, word in enumerate(words):
            for key in latin_keys(word):
                if key.isascii() and key.isalpha():
                    latin.setdefault(key, index)
        self._latin_keys = list(latin)
        self._latin_index = list(latin.values())
        # a Latin run can be (part of) a word in pinyin only if it is a piece of one: most runs
        # of honest text (GDP, 5G, ISO) are not, and are not spelled out around
        self._pieces = frozenset(key[i:j].encode() for key in latin for i in range(len(key))
                                 for j in range(i + 2, len(key) + 1))
        self._latin = ahocorasick_rs.AhoCorasick(self._latin_keys) if latin else None

    def find(self, norm: Normalised) -> list[SoundHit]:
        """The hits in a normalised text (its text is made only if it has Latin letters)."""
        hits: list[SoundHit] = []
        codes = norm.codes
        view = np.take(self._view, codes).tobytes()
        if self._sound is not None:
            for index, start, end in self._sound.find_matches_as_indexes(view, overlapping=True):
                if self._shared and \
                        list(_readings()[1][codes[start:end]]) != self._keys[index]:
                    continue
                hits.append(SoundHit(index, start, end, "homophone"))
        if self._latin is not None and _LETTER in view:
            hits += self._pinyin(norm, view)
        return hits

    def _pinyin(self, norm: Normalised, view: bytes) -> list[SoundHit]:
        assert self._latin is not None
        hits = []
        done = 0
        for run in _LETTER_RUNS.finditer(view):
            run_start, run_end = run.span()
            # the run's letters from the code points (the text is made only for a piece)
            if norm.codes[run_start:run_end].astype(np.uint8).tobytes() not in self._pieces:
                continue
            text = norm.text
            lo, hi = max(done, run_start - _REACH), min(len(text), run_end + _REACH)
            if lo >= hi:
                continue
            done = hi
            letters, origin, starts, latin = _spelled(text, lo, hi)
            for key, start, end in self._latin.find_matches_as_indexes(letters, overlapping=True):
                last = end - 1
                if not (starts[start] and (end == len(letters) or starts[end])):
                    continue  # not on syllables
                if not any(latin[start:end]):
                    continue  # all characters: the homophone match's business
                if (start > 0 and latin[start - 1] and latin[start]) or \
                        (end < len(letters) and latin[end] and latin[last]):
                    continue  # inside a longer Latin word
                hits.append(SoundHit(self._latin_index[key], origin[start], origin[last] + 1,
                                     "pinyin"))
        return hits


def _spelled(text: str, lo: int, hi: int) -> tuple[str, list[int], list[bool], list[bool]]:
    """``text[lo:hi]`` with its characters spelled in pinyin: the letters, for each the offset
    of the character it spells, whether it starts a syllable (a Latin letter always does: a
    word in pinyin may be cut anywhere), and whether it was a Latin letter."""
    table = _readings()[1]
    names = _names()
    letters: list[str] = []
    origin: list[int] = []
    starts: list[bool] = []
    latin: list[bool] = []
    for at in range(lo, hi):
        char = text[at]
        sound = int(table[ord(char)])
        spelled = names[sound] if sound else char
        for i, letter in enumerate(spelled):
            letters.append(letter)
            origin.append(at)
            starts.append(i == 0 or not sound)
            latin.append(not sound and char.isascii() and char.isalpha())
    return "".join(letters), origin, starts, latin


# --- shape: split characters -------------------------------------------------------------------

def read_split_table(path: Path = SPLIT_TABLE) -> dict[str, list[str]]:
    """For a character, the ways it is written split into parts (弓虽 for 强)."""
    table: dict[str, list[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) != 2 or len(parts[0]) != 1 or len(parts[1]) < 2:
            raise ValueError(f"{path}:{number}: expected CHARACTER<TAB>PARTS, got {line!r}")
        table.setdefault(parts[0], []).append(parts[1])
    return table


@functools.cache
def split_table() -> dict[str, list[str]]:
    return read_split_table()


def split_forms(word: str, table: dict[str, list[str]] | None = None) -> list[str]:
    """The word with its characters split: each splittable one alone, and all of them at once
    (normalised as lexicon keys are)."""
    table = split_table() if table is None else table
    choices = [[c, *table.get(c, [])] for c in word]
    splittable = [i for i, c in enumerate(choices) if len(c) > 1]
    forms: set[str] = set()
    for i in splittable:  # one character split
        for parts in choices[i][1:]:
            forms.add(word[:i] + parts + word[i + 1:])
    if len(splittable) > 1:  # every character split (the first way of each)
        forms.add("".join(c[1] if len(c) > 1 else c[0] for c in choices))
    forms.discard(word)
    return sorted(normalise_word(f) for f in forms)
