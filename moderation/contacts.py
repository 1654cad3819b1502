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

Running eight regular expressions over every 10 KB article would cost several times the lexicon
scan, so the text is first read as a string of one byte a character, its kind (digit, separator,
letter, @, …), looked up together with the lexicon's fold: only where a run of at least five
digits, an ``@``, ``://``, a dotted name or a WeChat keyword (微信, vx …) appears is the matching
pattern run, on a window around it. ``scan_everything`` runs every pattern over the whole text;
the tests hold the two to the same answers.
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


# What the gates look at: each character of the text as one byte, its kind (_K…) in the contact
# view.
_KOTHER, _KDIGIT, _KSEP, _KLETTER, _KVW, _KAT, _KDOT, _KCOLON, _KSLASH, _KXIN, _KWEI = range(11)
# a run of digits and separators that starts with a digit: a number may be in it
_NUMBER_GATE = re.compile(rb"\x01[\x01\x02\x06\x08]{4,}")
_DOTTED_GATE = re.compile(rb"\x06[\x03\x04]")  # a dot before a letter: example.com


@functools.cache
def _tables() -> tuple[Codes, npt.NDArray[np.uint8]]:
    """The contact view's table, and the class of each character (of the text, not the view)."""
    table = np.arange(CODE_POINTS, dtype="<u4")
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
    by_view = np.zeros(0x80, dtype=np.uint8)
    by_view[ord("0"):ord("9") + 1] = _KDIGIT
    by_view[ord("a"):ord("z") + 1] = _KLETTER
    for char in " \t-*_()":
        by_view[ord(char)] = _KSEP
    by_view[ord("v")] = by_view[ord("w")] = _KVW
    by_view[ord("@")], by_view[ord(".")] = _KAT, _KDOT
    by_view[ord(":")], by_view[ord("/")] = _KCOLON, _KSLASH
    ascii_view = table < 0x80
    classes = np.zeros(CODE_POINTS, dtype=np.uint8)
    classes[ascii_view] = by_view[table[ascii_view]]
    for char in "·—–":
        classes[ord(char)] = _KSEP
    classes[ord("信")] = _KXIN
    for char in "微威薇维徽":  # 微信, 威信 … (v信 is a v)
        classes[ord(char)] = _KWEI
    classes.setflags(write=False)
    return table, classes


# a number of 5 to 9 digits can only be a QQ number or a local number after "咨询" and the like
_SHORT_NUMBER_WORDS = ("q", "ｑ", "扣", "抠", "企鹅", "球球", "微信", "加我", "联系", "咨询",
                       "热线", "电话", "来电", "致电")
_SHORT_NUMBER_PATTERNS = ("qq", "solicit")


def _merge(windows: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted((max(0, lo), min(size, hi)) for lo, hi in windows):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def contact_view(codes: Codes) -> str:
    return from_code_points(_tables()[0][codes])


def _positions(classes: bytes, what: bytes) -> Iterator[int]:
    found = classes.find(what)
    while found != -1:
        yield found
        found = classes.find(what, found + 1)


def character_classes() -> npt.NDArray[np.uint8]:
    """For every code point, its class as the contact gates see it (a caller that looks code
    points up in a table of its own may fold this one in, to look up once)."""
    return _tables()[1]


def _windows(text: str, classes: bytes) -> dict[str, list[tuple[int, int]]]:
    """Where each pattern can possibly match. The gates read the text's class string (one byte a
    character), where single bytes are found at memchr speed."""
    windows: dict[str, list[tuple[int, int]]] = {}

    def add(names: tuple[str, ...], lo: int, hi: int) -> None:
        for name in names:
            windows.setdefault(name, []).append((lo, hi))

    for gate in _NUMBER_GATE.finditer(classes):  # five digits or more, parted or not
        start, end = gate.start(), gate.end()
        digits = classes.count(_DIGIT_BYTE, start, end)
        lo, hi = start - _BEFORE, end + _AFTER
        if digits >= 10:
            add(_DIGIT_PATTERNS, lo, hi)
        elif digits >= 5 and any(w in text[max(0, lo):start].lower()
                                 for w in _SHORT_NUMBER_WORDS):
            add(_SHORT_NUMBER_PATTERNS, lo, hi)
    for dotted in _DOTTED_GATE.finditer(classes):  # a dotted name: example.com
        dot = dotted.start()
        if dot > 0 and classes[dot - 1] in _NAME:
            add(("link",), dot - 64, dot + _LINK_REACH)
    # one byte looked for at memchr speed before anything longer (a colon, in 时间：, is common)
    if _SLASH_BYTE in classes:
        for scheme in _positions(classes, _SCHEME):  # ://
            add(("link",), scheme - 64, scheme + _LINK_REACH)
    if _AT_BYTE in classes:
        for at in _positions(classes, _AT_BYTE):  # an e-mail address
            add(("email",), at - 64, at + _LINK_REACH)
    if _VW_BYTE in classes:
        for vw in _positions(classes, _VW_BYTE):  # vx, wx, weixin, wechat, 加v, +v, v信
            add(("wechat",), vw - 4, vw + 40)
    if _WEI_BYTE in classes:
        for wei in _positions(classes, _WEIXIN):  # 微信, 威信 …
            add(("wechat",), wei - 4, wei + 40)
    return {name: _merge(found, len(classes)) for name, found in windows.items()}


_NAME = frozenset((_KDIGIT, _KLETTER, _KVW))
_DIGIT_BYTE, _AT_BYTE, _VW_BYTE = bytes((_KDIGIT,)), bytes((_KAT,)), bytes((_KVW,))
_SCHEME, _WEIXIN = bytes((_KCOLON, _KSLASH, _KSLASH)), bytes((_KWEI, _KXIN))
_SLASH_BYTE, _WEI_BYTE = bytes((_KSLASH,)), bytes((_KWEI,))


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


def find_contacts(text: str, codes: Codes | None = None,
                  classes: npt.NDArray[np.uint8] | None = None) -> list[Contact]:
    """Contact details in ``text``. ``codes`` (its code points) and ``classes`` (their
    ``character_classes``), if the caller has them already."""
    if not text:
        return []
    codes = code_points(text) if codes is None else codes
    if classes is None:
        classes = _tables()[1][codes]
    windows = _windows(text, classes.tobytes())
    if not windows:
        return []
    view_text = contact_view(codes)
    found: list[Contact] = []
    for name, spans in windows.items():
        found.extend(_matches(view_text, name, spans))
    return _most_specific(found)


def scan_everything(text: str) -> list[Contact]:
    """The same answer as :func:`find_contacts`, by running every pattern over all the text."""
    if not text:
        return []
    view_text = contact_view(code_points(text))
    found: list[Contact] = []
    for name in PATTERNS:
        found.extend(_matches(view_text, name, [(0, len(view_text))]))
    return _most_specific(found)
