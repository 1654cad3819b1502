"""Text screening: lexicon words (however disguised) and contact details used as advertising.

Pure logic: no database, no broker. The lexicon is matched on a normalised view of the text
(format characters, spaces, punctuation and symbols dropped; full-width folded; case folded;
traditional characters simplified) that keeps a map back to the original offsets, so a finding
names the exact span the informant wrote. A hit that only straddles two real words (特色情景 holds
色情) is dropped after a look at jieba's segmentation of the text around it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick_rs
import jieba

EXCERPT_CHARS = 20


@dataclass(frozen=True)
class LexiconEntry:
    word: str
    category: str
    action: str  # "block" or "flag"


@dataclass(frozen=True)
class Finding:
    rule: str  # "lexicon" or "pattern:<name>"
    category: str
    action: str
    field: str  # "title" or "body"
    start: int
    end: int
    match: str
    excerpt: str
    entry: str = ""
    normalised_only: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule, "entry": self.entry, "category": self.category,
            "action": self.action, "field": self.field, "start": self.start, "end": self.end,
            "match": self.match, "excerpt": self.excerpt,
            "normalised_only": self.normalised_only,
        }


@functools.cache
def _traditional_to_simplified() -> dict[str, str]:
    """One character to one character, from OpenCC's t2s table (so offsets never shift)."""
    import opencc

    converter = opencc.OpenCC("t2s")
    table = {}
    for codepoint in range(0x3400, 0xA000):
        char = chr(codepoint)
        simple = converter.convert(char)
        if simple != char and len(simple) == 1:
            table[char] = simple
    return table


@functools.cache
def _fold(char: str) -> str:
    """The character as matched: '' if it is noise put between characters, else its folded form."""
    category = unicodedata.category(char)
    if category[0] in "PSZC":  # punctuation, symbols, separators, control and format (zero-width)
        return ""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        folded = char
    folded = folded.lower()
    return _traditional_to_simplified().get(folded, folded)


def normalise(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the offset it came from."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = _fold(char)
        if folded:
            chars.append(folded)
            offsets.append(index)
    return "".join(chars), offsets


def excerpt(text: str, start: int, end: int, width: int = EXCERPT_CHARS) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


# --- contact details and advertising ----------------------------------------------------------

_DIGIT_SEP = r"[\s\-－—.·]?"
PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("qq", "advertising", re.compile(
        r"(?:[QqＱｑ]{2}|扣扣|[QqＱｑ]\s*号|企鹅号)\s*(?:号码|号)?\s*[:：]?\s*[1-9]\d{4,11}(?!\d)")),
    ("mobile", "advertising", re.compile(
        rf"(?<![\d〔\[（(])1[3-9]\d{_DIGIT_SEP}\d{{4}}{_DIGIT_SEP}\d{{4}}(?![\d%万亿元])")),
    ("landline", "advertising", re.compile(
        r"(?<![\d〔\[])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}-)\d{7,8}(?![\d%万亿元])")),
    ("wechat", "advertising", re.compile(
        r"(?:微信|威信|薇信|[Vv]信|[Vv][Xx]|[Ww][Xx]|weixin|wechat)\s*(?:号)?\s*[:：]?\s*"
        r"[a-zA-Z][-_a-zA-Z0-9]{5,19}(?![-_a-zA-Z0-9])", re.IGNORECASE)),
    ("email", "advertising", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("link", "advertising", re.compile(
        r"(?:https?://|www\.)[^\s，。、“”<>]+|[a-z0-9-]+\.(?:com|cn|net|top|xyz|vip|cc)\b",
        re.IGNORECASE)),
    ("solicit", "advertising", re.compile(
        r"(?:加微信|加我|联系电话|联系方式|咨询电话|详情咨询|欢迎咨询|咨询热线)\s*[:：]?\s*\d[\d\s-]{5,}")),
)


class TextScreener:
    """Finds lexicon words and contact patterns in a title and a body."""

    def __init__(self, entries: Iterable[LexiconEntry], version: str = "") -> None:
        self.version = version
        self.version_stamp = ""  # what the lexicon's sources looked like when this was built
        self.entries: dict[str, LexiconEntry] = {}
        for entry in entries:
            key, _ = normalise(entry.word)
            if len(key) >= 2:
                self.entries[key] = entry
        self._words = list(self.entries)
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self._words, matchkind=ahocorasick_rs.MatchKind.Standard)
            if self._words else None
        )
        self._tokenizer = jieba.Tokenizer()
        for word in self._words:
            self._tokenizer.add_word(word)

    def screen(self, title: str, body: str) -> list[Finding]:
        findings: list[Finding] = []
        for field, text in (("title", title), ("body", body)):
            findings.extend(self._lexicon_hits(field, text))
            findings.extend(self._pattern_hits(field, text))
        return findings

    def _lexicon_hits(self, field: str, text: str) -> list[Finding]:
        if self._automaton is None or not text:
            return []
        norm, offsets = normalise(text)
        findings = []
        for word_index, start, end in self._automaton.find_matches_as_indexes(
                norm, overlapping=True):
            word = self._words[word_index]
            if not self._is_word(norm, start, end):
                continue
            entry = self.entries[word]
            o_start, o_end = offsets[start], offsets[end - 1] + 1
            exact = text[o_start:o_end] == entry.word
            findings.append(Finding(
                rule="lexicon", entry=entry.word, category=entry.category,
                # a disguised hit goes to a person even where the plain word would block
                action=entry.action if exact else "flag",
                field=field, start=o_start, end=o_end, match=text[o_start:o_end],
                excerpt=excerpt(text, o_start, o_end), normalised_only=not exact,
            ))
        return findings

    def _is_word(self, norm: str, start: int, end: int) -> bool:
        """Whether jieba, reading the text around the hit, sees the hit as whole words."""
        left = max(0, start - 12)
        window = norm[left:min(len(norm), end + 12)]
        bounds = {0, len(window)}
        for _, token_start, token_end in self._tokenizer.tokenize(window, HMM=False):
            bounds.add(token_start)
            bounds.add(token_end)
        return (start - left) in bounds and (end - left) in bounds

    def _pattern_hits(self, field: str, text: str) -> list[Finding]:
        findings = []
        for name, category, pattern in PATTERNS:
            for match in pattern.finditer(text):
                findings.append(Finding(
                    rule=f"pattern:{name}", entry=name, category=category, action="flag",
                    field=field, start=match.start(), end=match.end(), match=match.group(),
                    excerpt=excerpt(text, match.start(), match.end()),
                ))
        return _drop_overlaps(findings)


def _drop_overlaps(findings: Sequence[Finding]) -> list[Finding]:
    """Where patterns overlap, keep the most specific: the phone number itself rather than the
    "联系电话：…" around it; among equals, the longest."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.rule == "pattern:solicit",
                                                   -(f.end - f.start), f.start)):
        if any(finding.start < k.end and k.start < finding.end for k in kept):
            continue
        kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def verdict(findings: Iterable[dict[str, object]]) -> str:
    """``rejected`` if anything blocks, ``flagged`` if anything needs a person, else approved."""
    actions = {f.get("action") for f in findings}
    if "block" in actions:
        return "rejected"
    if "flag" in actions:
        return "flagged"
    return "approved"
