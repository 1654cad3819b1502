"""Text screening: lexicon words, however disguised, and contact details used as advertising.

What is screened is what a reader will see: a body as the publisher renders it (markup taken
out, character references decoded: ``services.sanitise``), a title or a caption as the page
shows it; every span is then mapped back to what the informant sent. Entries marked ``sound``
or ``shape`` are also looked for written with homophones, in pinyin or with split characters
(``sound``): such hits go to a moderator.

Pure logic: no database, no broker. The lexicon is matched with one Aho-Corasick automaton
(``ahocorasick_rs``, Rust) on the normalised view of the text (see ``normalise``), which keeps a
map back to the original offsets, so a finding names the exact span the informant wrote.

Precision, in three steps taken only where the automaton found something:

- an allow-listed word (action ``allow``) that covers the hit makes it no hit (成人高考 holds 成人);
- a hit that only straddles two real words (特色情景 holds 色情, 我们和尚未 holds 和尚) is
  dropped: jieba's model reads the sentence around it (never the whole text) and the hit must
  start and end where jieba puts word boundaries, or nearly as likely could (``segment``);
- a hit that is there only after normalisation (spaced out, traditional, full-width …) goes to a
  moderator even where the plain word would block.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick_rs
import numpy as np
import numpy.typing as npt

from moderation.contacts import CATEGORY as CONTACT_CATEGORY
from moderation.contacts import character_classes, find_contacts
from moderation.normalise import (
    CODE_POINTS,
    NOISE_CATEGORIES,
    Codes,
    Normalised,
    code_points,
    fold_table,
    normalise,
    normalise_mapped,
    normalise_word,
)
from moderation.segment import Segmenter, shared_segmenter
from moderation.sound import SHAPE, SOUND, SoundMatcher, readable, split_forms
from services.sanitise import UNWRITABLE, Readable, readable_body, readable_line

EXCERPT_CHARS = 20
ACTIONS = ("block", "flag", "allow")
SEVERITY = {"allow": 0, "flag": 1, "block": 2}
# the jieba check reads this many normalised characters on each side of a hit, within the
# sentence (it stops at 。！？；and line breaks)
CONTEXT_CHARS = 6
_SENTENCE_END = re.compile("[。！？；!?;\n]")
# a hit is a word of the sentence when jieba, made to put word boundaries at its two ends, reads
# the sentence at most e^1.2 ≈ 3.3 times less likely than it would otherwise (natural log): a
# word really there costs 0 to 1, one that straddles two words 1.6 to 19 in the tests' tables
STRADDLE_MARGIN = 1.2


@dataclass(frozen=True)
class LexiconEntry:
    word: str
    category: str
    action: str  # "block", "flag", or "allow" (a benign word that holds a listed one)
    # "sound" (also found by homophones and pinyin), "shape" (also with split characters)
    marks: frozenset[str] = frozenset()


@dataclass(slots=True)
class Finding:
    rule: str  # "lexicon" or "pattern:<name>"
    category: str
    action: str
    field: str  # "title", "body" or "captions[i]"
    start: int  # the span in the original text, in code points
    end: int
    match: str
    excerpt: str
    entry: str = ""
    normalised_only: bool = False  # found only once the text was normalised (a disguise)
    lexicon_version: str = ""
    message: str = ""
    # what a reader sees there, where it is not what was written (``&#36172;&#22330;`` is read
    # 赌场, ``在线<b></b>赌场`` 在线赌场)
    read: str = ""

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "rule": self.rule, "entry": self.entry, "category": self.category,
            "action": self.action, "field": self.field, "start": self.start, "end": self.end,
            "match": self.match, "excerpt": self.excerpt,
            "normalised_only": self.normalised_only, "lexicon_version": self.lexicon_version,
        }
        if self.message:
            data["message"] = self.message
        if self.read:
            data["read"] = self.read
        return data


def excerpt(text: str, start: int, end: int, width: int = EXCERPT_CHARS) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


Hit = tuple[int, int, int]  # a key's index, and its span in the normalised text


class _Automaton:
    """The lexicon's keys, matched against the normalised text with each character written as
    two bytes of a small alphabet of the lexicon's own.

    Every character that occurs in a key gets a number (a 5,000-entry lexicon has about 2,800
    such characters), written as a low byte of 0–63 then a high byte of 64–127 (7 bits each
    past 4,095 characters); every other character is number 0, which no key holds. The DFA
    (built once per lexicon version) then tells apart half as many byte values as over UTF-16,
    so it takes half the memory (11 against 22 MB for 5,000 keys, this table included) and
    stays in the processor's cache better: a 10 KB article is scanned a fifth faster (20
    against 26 µs). The two halves never look alike, so a match always starts on a character,
    and one look-up per character (a table of two bytes for every code point) writes the text,
    characters beyond the BMP included."""

    def __init__(self, keys: list[str]) -> None:
        chars = sorted({c for key in keys for c in key})
        bits = 6 if len(chars) < 1 << 12 else 7
        if len(chars) >= 1 << (2 * bits):
            raise ValueError(f"词库用字 {len(chars)} 个，超过 {(1 << 14) - 1} 个 "
                             f"(the lexicon's keys use too many characters)")
        numbers = np.arange(len(chars) + 1, dtype=np.uint32)
        low, high = numbers & ((1 << bits) - 1), (numbers >> bits) | (1 << bits)
        pairs = (low | (high << 8)).astype("<u2")
        self._table = np.full(CODE_POINTS, pairs[0], dtype="<u2")
        self._table[[ord(c) for c in chars]] = pairs[1:]
        self._automaton = ahocorasick_rs.BytesAhoCorasick(
            [self._table[[ord(c) for c in key]].tobytes() for key in keys],
            matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.DFA)

    def find(self, codes: npt.NDArray[np.uint32]) -> list[Hit]:
        """Every match (overlapping), as key index and span of the code points."""
        if not len(codes):
            return []
        written = np.take(self._table, codes).tobytes()
        return [(index, start >> 1, end >> 1) for index, start, end
                in self._automaton.find_matches_as_indexes(written, overlapping=True)]


@dataclass
class _Compiled:
    """What the automaton's pattern indexes stand for."""

    keys: list[str] = field(default_factory=list)
    entries: list[LexiconEntry] = field(default_factory=list)


def compile_entries(entries: Iterable[LexiconEntry]) -> dict[str, LexiconEntry]:
    """Entries by normalised key; where two entries fold to one key the stronger action wins.
    Entries whose key is shorter than two characters are left out (the lexicon refuses them)."""
    by_key: dict[str, LexiconEntry] = {}
    for entry in entries:
        key = normalise_word(entry.word)
        if len(key) < 2:
            continue
        held = by_key.get(key)
        if held is None or SEVERITY[entry.action] > SEVERITY[held.action]:
            by_key[key] = entry
    return by_key


class TextScreener:
    """Finds lexicon words and contact patterns in a title, a body or a caption."""

    def __init__(self, entries: Iterable[LexiconEntry], version: str = "",
                 segmenter: Segmenter | None = None, max_findings: int = 100) -> None:
        self.version = version
        # a text made of nothing but listed words or phone numbers would otherwise give
        # thousands of findings (megabytes in every event): the first ones are enough to act on
        self.max_findings = max_findings
        self.version_stamp = ""  # what the lexicon's sources looked like when this was built
        self._segmenter = segmenter or shared_segmenter()
        by_key = compile_entries(entries)
        # listed words first, allowed words after: an index tells which is which
        listed = sorted(k for k, e in by_key.items() if e.action != "allow")
        allowed = sorted(k for k, e in by_key.items() if e.action == "allow")
        # the split forms of the entries marked for shape are more keys of the listed part
        shapes: dict[str, LexiconEntry] = {}
        for key in listed:
            if SHAPE in by_key[key].marks:
                for form in split_forms(key):
                    if len(form) >= 2 and form not in by_key:
                        shapes.setdefault(form, by_key[key])
        self._keys = listed + list(shapes) + allowed
        self._entries = [by_key[k] for k in listed] + list(shapes.values()) + \
            [by_key[k] for k in allowed]
        self._shape_from = len(listed)  # indexes from here to _listed are split forms
        self._listed = len(listed) + len(shapes)
        sounding = [k for k in listed if SOUND in by_key[k].marks and readable(k)]
        self._sound = SoundMatcher(sounding) if sounding else None
        self._sound_entries = [by_key[k] for k in sounding]
        # each as its code points' bytes, to tell the word itself without making the text
        self._sound_keys = [k.encode("utf-32-le") for k in sounding]
        # jieba is told the allowed words (a benign word is a word), never the listed ones:
        # a listed word made a dictionary word is one jieba prefers, which defeats asking it
        # whether the sentence holds that word (软件代开发票务 would read 代开发票 / 务)
        self.words = frozenset(allowed)
        self._automaton = _Automaton(self._keys) if self._keys else None

    @property
    def entry_count(self) -> int:
        return self._shape_from

    def candidates(self, text: str) -> int:
        """How many times the automaton hits the normalised text, before the precision steps
        (allow-list, straddle check) sort the hits out."""
        if self._automaton is None:
            return 0
        return len(self._automaton.find(normalise(text).codes))

    def screen(self, title: str, body: str) -> list[Finding]:
        return self.screen_field("title", title) + self.screen_field("body", body)

    def screen_field(self, field: str, text: str) -> list[Finding]:
        """Screens the words a reader will see of the field (a body as the publisher renders it,
        a title or a caption as the page shows it); spans are spans of ``text`` itself."""
        if not text:
            return []
        if field == "body" and ("<" in text or "&" in text):  # markup: the sanitiser's say
            return self._screen_view(field, text, readable_body(text))
        codes = code_points(text)
        # the fold, the contact class and whether the sanitiser has a say, in one look-up (see
        # _lookup_table)
        looked_up = np.take(_lookup_table(), codes)  # (take: faster than indexing)
        # no markup, no line break, nothing the sanitiser cleans out and no space at either end
        # (most texts): the page shows the text as it is written (a character that is not
        # printable, a zero-width space say, is shown too), and the sanitiser need not be asked
        if looked_up.max() >= _SANITISED << _FLAG_SHIFT or text[0].isspace() or \
                text[-1].isspace():
            view = readable_body(text) if field == "body" else readable_line(text)
            if not view.identical:
                return self._screen_view(field, text, view)
        return self._screen_text(field, text, codes, looked_up)

    def _screen_view(self, field: str, text: str, view: Readable) -> list[Finding]:
        """Screens what a reader sees of ``text``; spans are mapped back to ``text``."""
        findings = self._screen_text(field, view.text)
        if not view.identical:
            for finding in findings:
                _written_span(finding, view, text)
        return findings

    def _screen_text(self, field: str, text: str, codes: Codes | None = None,
                     looked_up: Codes | None = None) -> list[Finding]:
        if codes is None or looked_up is None:
            codes = code_points(text)
            looked_up = np.take(_lookup_table(), codes)
        mapped = looked_up & _FOLD
        classes = ((looked_up >> _CLASS_SHIFT) & _CLASS).astype(np.uint8)
        norm = normalise_mapped(mapped)
        hits = self._automaton.find(norm.codes) if self._automaton is not None else []
        # listed words, then the allowed words that cover them
        allowed = [(start, end) for index, start, end in hits if index >= self._listed]
        findings = self._lexicon_hits(field, text, norm, hits, allowed) if hits else []
        if self._sound is not None and len(norm.codes):
            findings += self._sound_hits(field, text, norm, findings, allowed)
        for contact in find_contacts(text, codes, classes):
            if len(findings) > self.max_findings:
                break
            findings.append(Finding(
                rule=f"pattern:{contact.name}", entry=contact.name, category=CONTACT_CATEGORY,
                action="flag", field=field, start=contact.start, end=contact.end,
                match=text[contact.start:contact.end],
                excerpt=excerpt(text, contact.start, contact.end),
                lexicon_version=self.version))
        if len(findings) > self.max_findings:
            del findings[self.max_findings:]
            findings.append(Finding(
                rule="limit:findings", entry="max_findings", category="limit", action="flag",
                field=field, start=0, end=0, match="", excerpt="", lexicon_version=self.version,
                message=f"发现过多，只列出前 {self.max_findings} 处 "
                        f"(too many findings: the first {self.max_findings} are listed)"))
        return findings

    def _lexicon_hits(self, field: str, text: str, norm: Normalised, hits: list[Hit],
                      allowed: list[tuple[int, int]]) -> list[Finding]:
        findings: list[Finding] = []
        for index, start, end in hits:
            if len(findings) > self.max_findings:
                break  # one more than the limit: enough to tell the caller there were more
            if index >= self._listed:
                continue
            if any(a_start <= start and end <= a_end for a_start, a_end in allowed):
                continue
            o_start, o_end = norm.span(start, end)
            if not self._whole_words(text, norm, start, end, o_start, o_end):
                continue
            entry = self._entries[index]
            written = text[o_start:o_end]
            exact = written == entry.word
            findings.append(Finding(
                rule="lexicon", entry=entry.word, category=entry.category,
                # a disguised hit goes to a person even where the plain word would block
                action=entry.action if exact else "flag",
                field=field, start=o_start, end=o_end, match=written,
                excerpt=excerpt(text, o_start, o_end), normalised_only=not exact,
                lexicon_version=self.version,
                message=(f"拆字写法：「{entry.word}」 (written with split characters)"
                         if index >= self._shape_from else "")))
        return findings

    def _sound_hits(self, field: str, text: str, norm: Normalised, found: list[Finding],
                    allowed: list[tuple[int, int]]) -> list[Finding]:
        """Marked words written by their sound: to a moderator, never more."""
        assert self._sound is not None
        hits = [h for h in self._sound.find(norm)
                # the word itself is the lexicon's business (and its straddle check's)
                if norm.codes[h.start:h.end].tobytes() != self._sound_keys[h.index]]
        if not hits:
            return []
        findings: list[Finding] = []
        for hit in hits:
            entry = self._sound_entries[hit.index]
            o_start, o_end = norm.span(hit.start, hit.end)
            if any(f.start < o_end and o_start < f.end for f in found + findings):
                continue
            if any(a <= hit.start and hit.end <= b for a, b in allowed):
                continue
            if not self._whole_words(text, norm, hit.start, hit.end, o_start, o_end):
                continue
            how = "同音字" if hit.how == "homophone" else "拼音"
            findings.append(Finding(
                rule="lexicon", entry=entry.word, category=entry.category, action="flag",
                field=field, start=o_start, end=o_end, match=text[o_start:o_end],
                excerpt=excerpt(text, o_start, o_end), normalised_only=True,
                lexicon_version=self.version,
                message=f"{how}写法：「{entry.word}」 (written by its sound: {hit.how})"))
        return findings

    def _whole_words(self, text: str, norm: Normalised, start: int, end: int, o_start: int,
                     o_end: int) -> bool:
        """Whether the hit is a word of the text, not the end of one word and the start of the
        next. Set off by punctuation or space on both sides it is; otherwise jieba decides,
        reading the sentence around the hit."""
        before = text[o_start - 1] if o_start > 0 else " "
        after = text[o_end] if o_end < len(text) else " "
        if _is_break(before) and _is_break(after):
            return True
        left, right = self._sentence(text, norm, start, end, o_start, o_end)
        cost = self._segmenter.straddle_cost(self.words, norm.text[left:right], start - left,
                                             end - left)
        return cost <= STRADDLE_MARGIN

    @staticmethod
    def _sentence(text: str, norm: Normalised, start: int, end: int, o_start: int,
                  o_end: int) -> tuple[int, int]:
        """The normalised window around a hit: up to CONTEXT_CHARS each side, not past the end
        of the sentence it is in."""
        left = max(0, start - CONTEXT_CHARS)
        right = min(len(norm.text), end + CONTEXT_CHARS)
        offsets = norm.offsets
        reach_left = int(offsets[left])
        stop = -1
        for stop_match in _SENTENCE_END.finditer(text, reach_left, o_start):
            stop = stop_match.start()
        if stop != -1:
            left = max(left, int(np.searchsorted(offsets, stop, side="right")))
        reach_right = int(offsets[right - 1]) + 1
        after = _SENTENCE_END.search(text, o_end, reach_right)
        if after is not None:
            right = min(right, int(np.searchsorted(offsets, after.start())))
        return left, right


def _written_span(finding: Finding, view: Readable, written: str) -> None:
    """From the span of what a reader sees to the span of what the informant wrote."""
    if finding.end <= finding.start:
        return
    read = view.text[finding.start:finding.end]
    finding.start, finding.end = view.span(finding.start, finding.end)
    finding.match = written[finding.start:finding.end]
    if finding.match != read:
        finding.read = read
        if finding.rule == "lexicon":  # hidden in markup: a disguise, for a person to see
            finding.normalised_only = True
            if finding.action == "block":
                finding.action = "flag"


# a look-up table entry: the folded code point (21 bits), the contact class (4), the flag (2)
_FOLD = np.uint32((1 << 21) - 1)
_CLASS_SHIFT, _CLASS = np.uint32(21), np.uint32(0xF)
_FLAG_SHIFT = 25


@functools.cache
def _lookup_table() -> Codes:
    """The fold table, the contact classes and the sanitiser's flag in one table of 32 bits an
    entry (one look-up per character, not three, in 4 MB that the processor's caches hold
    better than twice as much)."""
    classes = character_classes().astype("<u4")
    assert int(classes.max()) <= _CLASS and int(fold_table().max()) <= _FOLD
    table: Codes = fold_table() | (classes << _CLASS_SHIFT) | (
        _sanitiser_has_a_say().astype("<u4") << np.uint32(_FLAG_SHIFT))
    table.setflags(write=False)
    return table


# what the look-up table says of a character: printable; not printable but shown as it is inside
# a line (a zero-width space, an ideographic space); or the sanitiser has a say (markup, a
# reference, a line break, what it cleans out)
_PRINTABLE, _SHOWN, _SANITISED = 0, 1, 2


def _sanitiser_has_a_say() -> npt.NDArray[np.uint8]:
    every = "".join(map(chr, range(CODE_POINTS)))  # (about 0.2 s, once a process)
    flags = np.where(np.fromiter(map(str.isprintable, every), dtype=bool, count=CODE_POINTS),
                     _PRINTABLE, _SHOWN).astype(np.uint8)
    flags[[ord("<"), ord("&"), ord("\n")]] = _SANITISED
    for first, last in UNWRITABLE:
        flags[first:last + 1] = _SANITISED
    return flags


def _is_break(char: str) -> bool:
    """Punctuation, a symbol or a space: a word cannot run across it unnoticed (a zero-width
    character, though dropped too, is no break: it is how a word is hidden)."""
    return unicodedata.category(char)[0] in NOISE_CATEGORIES and char not in _INVISIBLE


_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


def verdict(findings: Iterable[dict[str, object]]) -> str:
    """``rejected`` if anything blocks, ``flagged`` if anything needs a person, else approved."""
    actions = {f.get("action") for f in findings}
    if "block" in actions:
        return "rejected"
    if "flag" in actions:
        return "flagged"
    return "approved"
