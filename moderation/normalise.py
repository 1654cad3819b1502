"""The normalised view of a text that the lexicon is matched against, with a map back.

One vectorised pass over the text's code points through a lookup table:

- format characters (zero-width spaces and joiners, BOM, soft hyphen), spaces, punctuation,
  symbols and combining marks are dropped, so that characters put between the characters of a
  word do not hide it;
- full-width letters and digits become half-width, and compatibility forms their plain form
  (NFKC, where that is one letter, digit or ideograph once the brackets or full stop of a style
  are taken away): circled, parenthesised and full-stop letters and digits (Ⓥ, ⒱, ⑴, ⒈),
  superscripts and subscripts, mathematical alphanumerics (𝐕, 𝓿), Roman numerals (Ⅴ), circled
  ideographs (㊥); such a character is kept even where its own category is a symbol;
- case is folded;
- traditional characters become simplified, one character for one, by a table taken from
  OpenCC (``data/t2s.tsv``, made by ``scripts/make_t2s_table.py``).

Every kept character maps to exactly one character, so the view keeps, for each of its
characters, the offset of the character it came from: a finding names the exact span the
informant wrote. The table has one entry per code point (4 MB) and is built once per process
(about 0.3 s); after that a 10 KB article is normalised in tens of microseconds.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import numpy as np
import numpy.typing as npt

T2S_TABLE = Path(__file__).resolve().parent / "data" / "t2s.tsv"
CODE_POINTS = 0x110000
DROPPED = 0  # the table's value for a character that is dropped (U+0000 is never kept)

# Unicode general categories whose characters are noise between the characters of a word:
# punctuation, symbols, separators (spaces), other (control, format, surrogate, private use,
# unassigned) and marks (combining accents, variation selectors)
NOISE_CATEGORIES = frozenset("PSZCM")

Codes = npt.NDArray[np.uint32]


def read_t2s(path: Path = T2S_TABLE) -> dict[str, str]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, simplified = line.split("\t")
            table[traditional] = simplified
    return table


# what NFKC puts around a letter or digit written in a style (⑴ → "(1)", ⒈ → "1.", ㈠ → "(一)"):
# taken away, the letter or digit is left
_STYLE_MARKS = frozenset("().,")


def compatibility_form(char: str) -> str:
    """The one letter, digit or ideograph ``char`` is a compatibility form of (NFKC), without
    the brackets or full stop a style puts round it: Ⓐ, ⓐ, ⒜, 🄰 → A / a; ①, ⑴, ⒈, ¹, ₁, 𝟏 → 1;
    𝐀, 𝓪 → A / a; ㈠, ㊀ → 一; Ⅰ → I. '' where it is no such form (℃ is a degree sign and a C,
    ㎡ two characters: they stay what they are)."""
    folded = unicodedata.normalize("NFKC", char)
    if folded == char:
        return ""
    core = "".join(c for c in folded if c not in _STYLE_MARKS)
    if len(core) != 1 or unicodedata.category(core)[0] in NOISE_CATEGORIES:
        return ""
    return core


def fold_char(char: str, t2s: dict[str, str]) -> str:
    """The character as matched, or '' where it is noise. One character in, at most one out."""
    folded = compatibility_form(char)
    if not folded:
        if unicodedata.category(char)[0] in NOISE_CATEGORIES:
            return ""
        folded = char
    lower = folded.lower()
    if len(lower) == 1:
        folded = lower
    return t2s.get(folded, folded)


@functools.cache
def fold_table() -> Codes:
    """For every code point, the code point it is matched as (``DROPPED`` for noise)."""
    t2s = read_t2s()
    table = np.arange(CODE_POINTS, dtype="<u4")
    for code in range(CODE_POINTS):
        char = chr(code)
        folded = fold_char(char, t2s)
        if folded != char:
            table[code] = ord(folded) if folded else DROPPED
    table[0] = DROPPED
    table.setflags(write=False)
    return table


def code_points(text: str) -> Codes:
    """The text as an array of code points (lone surrogates included, so nothing raises)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def from_code_points(codes: Codes) -> str:
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


class Normalised:
    """The normalised text, and for each of its characters the offset in the original (worked
    out only when asked for: most texts have no hit, and need no offsets; the lexicon is
    matched against the code points, so most need no text either)."""

    __slots__ = ("_kept", "_offsets", "_text", "codes")

    def __init__(self, kept: npt.NDArray[np.bool_], codes: Codes, text: str | None = None) -> None:
        self.codes = codes  # the normalised text's code points
        self._kept = kept
        self._text = text
        self._offsets: npt.NDArray[np.intp] | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = from_code_points(self.codes)
        return self._text

    @property
    def offsets(self) -> npt.NDArray[np.intp]:
        if self._offsets is None:
            self._offsets = np.flatnonzero(self._kept)
        return self._offsets

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text that ``text[start:end]`` came from."""
        offsets = self.offsets
        return int(offsets[start]), int(offsets[end - 1]) + 1


def normalise_mapped(mapped: Codes) -> Normalised:
    """From the text's code points already looked up in the fold table."""
    kept = mapped != DROPPED
    return Normalised(kept, mapped[kept])


def normalise_codes(codes: Codes) -> Normalised:
    return normalise_mapped(fold_table()[codes])


def normalise(text: str) -> Normalised:
    return normalise_codes(code_points(text))


def normalise_word(word: str) -> str:
    """A lexicon entry's key: the entry normalised the same way as the texts it is matched in."""
    return normalise(word).text
