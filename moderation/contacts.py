"""Contact details used as advertising: QQ numbers, mobile, landline and hotline numbers, WeChat
ids, e-mail addresses, links, and "加微信 / 联系电话 / 咨询" with a number after them.

The patterns read a *contact view* of the text, as long as the text itself so that every span is
a span of the original: full-width forms folded to ASCII, Latin letters lower-cased, and digits
written another way (１３８, 一三八, ①③⑧) made ASCII digits. Digits may be broken up by spaces,
dashes, dots and the like (138-1234-5678, 1 3 8 …).

Ordinary numbers in government prose do not trip them: a year, a date, a percentage, an amount
(a number followed by 元, 万, 吨, 个 … is a quantity, not a phone), a document number such as
〔2024〕12号 (too short, and not after a QQ or WeChat keyword), and links to ``gov.cn`` sites
(the government's own) are left alone.

Running seven regular expressions over every 10 KB article would cost several times the lexicon
scan, so the text is first looked at as an array of code points: only where a run of at least
five digits, an ``@``, a dotted name or a Latin run long enough to be a WeChat id appears is the
matching pattern run, on a window around it. ``scan_everything`` runs every pattern over the
whole text; the tests hold the two to the same answers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from moderation.normalise import CODE_POINTS, Codes, code_points, from_code_points

CATEGORY = "advertising"

_CHINESE_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
    "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6,
    "柒": 7, "捌": 8, "玖": 9,
}
# circled, parenthesised, full-stop and dingbat digits: ① ⑴ ⒈ ❶ ➀ ➊ (one to nine) and ⓪
_DIGIT_BLOCKS = (0x2460, 0x2474, 0x2488, 0x2776, 0x2780, 0x278A)

_D = "[0-9]"
_SEP = r"[ \t\-.·*_/—–()]"  # what may stand between the digits of one number
_GAP = f"{_SEP}{{0,2}}"
_NOT_MORE = f"(?!{_SEP}?{_D})"  # the number ends here
# a number followed by a unit or a measure word is a quantity, not a phone number
_NOT_QUANTITY = (r"(?![%‰十百千万亿元角分吨个件台套辆人次户家项倍度米克亩斤升秒时天年月日号期批条"
                 r"公平立美欧标张册幅名位座栋间只头株箱包瓶])")
_NUMBER_END = _NOT_MORE + _NOT_QUANTITY

PATTERNS: dict[str, re.Pattern[str]] = {
    "qq": re.compile(
        r"(?<![a-z])(?:q\s?q(?:群)?(?:号码|号)?|q\s?号码?|(?:扣扣|抠抠|企鹅|球球)(?:群)?(?:号码|号)?)"
        rf"\s?[:：=]?\s?[1-9](?:{_SEP}?{_D}){{4,11}}{_NOT_MORE}"),
    "mobile": re.compile(
        rf"(?<![0-9〔\[])(?:\+?86{_GAP})?1{_GAP}[3-9](?:{_GAP}{_D}){{9}}{_NUMBER_END}"),
    "landline": re.compile(
        rf"(?<![0-9])(?:\(0{_D}{{2,3}}\)|0{_D}{{2,3}}{_SEP}){_SEP}?{_D}{{3,4}}{_SEP}?{_D}{{4}}"
        rf"{_NUMBER_END}"),
    "hotline": re.compile(rf"(?<![0-9])[48]00{_SEP}?{_D}{{3}}{_SEP}?{_D}{{4}}{_NUMBER_END}"),
    "solicit": re.compile(
        r"(?:加我?微信|加我|联系电话|联系方式|联系手机|咨询电话|咨询热线|服务热线|热线电话|"
        r"订购电话|报名电话|详情咨询|欢迎咨询|咨询|来电|致电)[ \t:：,，]{0,3}(?:请|可|欢迎)?"
        r"(?:拨打|致电|联系|电话|热线|手机|微信)?"
        rf"(?:号码)?[ \t:：]{{0,3}}{_D}(?:{_SEP}?{_D}){{6,}}{_NUMBER_END}"),
    "wechat": re.compile(
        r"(?:(?<![a-z])(?:v\s?x|w\s?x|weixin|wechat|v信|加v|\+v)|微信|威信|薇信|维信|徽信)"
        r"(?:号码|号|id)?\s?[:：=]?\s?[a-z][-_a-z0-9]{5,19}(?![-_a-z0-9])"),
    "email": re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![a-z0-9])"),
    "link": re.compile(
        r"(?:https?://|www\.)[a-z0-9\-._~:/?#\[\]@!$&'*+=%]+"
        r"|(?<![a-z0-9.@_-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
        r"\.(?:com|cn|net|org|top|xyz|vip|cc|info|biz|site|shop|me|tv|io|co|app|club|online|ltd"
        r"|wang)(?![a-z0-9])(?:/[a-z0-9\-._~:/?#@!$&'*+=%]*)?"),
}
# which patterns each kind of window is searched with
_DIGIT_PATTERNS = ("qq", "mobile", "landline", "hotline", "solicit")
_GOVERNMENT_HOST = re.compile(r"(?:^|[.@/])gov\.cn(?:$|/)")
# where a window reaches around what opened it: keywords come before a number ("QQ号码：",
# "咨询热线：请拨打"), units after it; a link or an address can be long
_BEFORE, _AFTER = 24, 8
_LINK_REACH = 256


@dataclass(frozen=True)
class Contact:
    name: str  # which pattern: qq, mobile, landline, hotline, solicit, wechat, email, link
    start: int
    end: int


@functools.cache
def _tables() -> tuple[Codes, npt.NDArray[np.bool_], npt.NDArray[np.bool_],
                       npt.NDArray[np.bool_]]:
    """The contact view's table, and which view characters are digits, separators, letters."""
    table = np.arange(CODE_POINTS, dtype=np.uint32)
    table[0xFF01:0xFF5F] = np.arange(0x21, 0x7F, dtype=np.uint32)  # full-width forms
    table[0x3000] = ord(" ")  # the ideographic space
    for char, digit in _CHINESE_DIGITS.items():
        table[ord(char)] = ord("0") + digit
    for block in _DIGIT_BLOCKS:
        table[block:block + 9] = np.arange(ord("1"), ord("9") + 1, dtype=np.uint32)
    table[0x24EA] = ord("0")  # ⓪
    upper = table[: 0x10000]  # Latin capitals (also those that were full-width) to lower case
    capitals = (upper >= ord("A")) & (upper <= ord("Z"))
    upper[capitals] += 32
    table.setflags(write=False)
    view = np.arange(0x80)
    digits = (view >= ord("0")) & (view <= ord("9"))
    separators = np.isin(view, [ord(c) for c in " \t-.*_/()"])
    letters = (view >= ord("a")) & (view <= ord("z"))
    return table, digits, separators, letters


def _ascii_mask(view: Codes, of_ascii: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``of_ascii`` looked up for each code point of the view (False beyond ASCII)."""
    clipped = np.minimum(view, 0x7F)
    return of_ascii[clipped] & (view < 0x80)


def _runs(mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Start and end offsets of the runs of True in ``mask``."""
    edges = np.flatnonzero(np.diff(mask.astype(np.int8), prepend=0, append=0))
    return edges[0::2], edges[1::2]


def _merge(windows: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted((max(0, lo), min(size, hi)) for lo, hi in windows):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def contact_view(codes: Codes) -> tuple[str, Codes]:
    table = _tables()[0]
    view = table[codes]
    return from_code_points(view), view


def _windows(view: Codes, text: str) -> dict[str, list[tuple[int, int]]]:
    """Where each pattern can possibly match, as windows of the view."""
    _, digits_of, separators_of, letters_of = _tables()
    size = len(view)
    windows: dict[str, list[tuple[int, int]]] = {name: [] for name in PATTERNS}
    digits = _ascii_mask(view, digits_of)
    if np.count_nonzero(digits) >= 5:
        joined = digits | _ascii_mask(view, separators_of) | (view == ord("·")) | (
            view == 0x2014) | (view == 0x2013)
        starts, ends = _runs(joined)
        running = np.concatenate(([0], np.cumsum(digits)))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if running[end] - running[start] >= 5:
                for name in _DIGIT_PATTERNS:
                    windows[name].append((start - _BEFORE, end + _AFTER))
    at = text.find("@")
    while at != -1:
        windows["email"].append((at - 64, at + _LINK_REACH))
        at = text.find("@", at + 1)
    letters = _ascii_mask(view, letters_of)
    if letters.any():
        alnum = letters | digits
        dots = np.flatnonzero(view[1:-1] == ord(".")) + 1 if size > 2 else np.array([], int)
        dots = dots[alnum[dots - 1] & letters[dots + 1]]
        for dot in dots.tolist():
            windows["link"].append((dot - 64, dot + _LINK_REACH))
        for marker in ("://", "www."):
            found = text.find(marker)
            while found != -1:
                windows["link"].append((found - 8, found + _LINK_REACH))
                found = text.find(marker, found + 1)
        starts, ends = _runs(alnum | (view == ord("-")) | (view == ord("_")))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if end - start >= 6 and letters[start:end].any():
                windows["wechat"].append((start - 12, end + 1))
    return {name: _merge(found, size) for name, found in windows.items() if found}


def _is_government(name: str, matched: str) -> bool:
    if name == "link":
        host = matched.split("://", 1)[-1].split("/", 1)[0]
        return bool(_GOVERNMENT_HOST.search(host + "/"))
    if name == "email":
        return bool(_GOVERNMENT_HOST.search(matched.rsplit("@", 1)[-1] + "/"))
    return False


def _matches(view_text: str, name: str, spans: list[tuple[int, int]]) -> Iterator[Contact]:
    pattern = PATTERNS[name]
    for lo, hi in spans:
        for match in pattern.finditer(view_text, lo, hi):
            if not _is_government(name, match.group()):
                yield Contact(name, match.start(), match.end())


def _most_specific(contacts: list[Contact]) -> list[Contact]:
    """Where patterns overlap, keep the most specific: the phone number itself rather than the
    "联系电话：…" around it; among equals, the longest."""
    kept: list[Contact] = []
    for contact in sorted(set(contacts), key=lambda c: (c.name == "solicit",
                                                        -(c.end - c.start), c.start, c.name)):
        if any(contact.start < k.end and k.start < contact.end for k in kept):
            continue
        kept.append(contact)
    return sorted(kept, key=lambda c: (c.start, c.name))


def find_contacts(text: str, codes: Codes | None = None) -> list[Contact]:
    """Contact details in ``text`` (``codes``: its code points, if the caller has them)."""
    if not text:
        return []
    view_text, view = contact_view(code_points(text) if codes is None else codes)
    found: list[Contact] = []
    for name, spans in _windows(view, view_text).items():
        found.extend(_matches(view_text, name, spans))
    return _most_specific(found)


def scan_everything(text: str) -> list[Contact]:
    """The same answer as :func:`find_contacts`, by running every pattern over all the text."""
    if not text:
        return []
    view_text, _ = contact_view(code_points(text))
    found: list[Contact] = []
    for name in PATTERNS:
        found.extend(_matches(view_text, name, [(0, len(view_text))]))
    return _most_specific(found)
