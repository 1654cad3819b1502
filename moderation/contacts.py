"""Contact details used as advertising: QQ numbers, mobile, landline and hotline numbers, WeChat
ids, e-mail addresses, links, and "加微信 / 联系电话 / 咨询" with a number after them.

The patterns read a *contact view* of the text, as long as the text itself so that every span is
a span of the original: full-width forms folded to ASCII, Latin letters lower-cased, and digits
written another way made ASCII digits: full-width (１３８), Chinese numerals and their financial
forms (一三八, 壹叁捌, 幺), circled, parenthesised and full-stop digits (①③⑧, ⑴, ⒈, ❶),
superscripts and subscripts (¹³⁸, ₁₃₈), mathematical digits (𝟏𝟑𝟖), Roman numerals (ⅠⅢⅧ), and
l or I for 1 and O or o for 0 where the rest of the word is a number (l38O…). Digits may be
broken up by spaces, dashes, dots and the like (138-1234-5678, 1 3 8 …), or by what an emoji
carries (1️⃣3️⃣8️⃣). The words of contact phrases (微信, QQ, 电话, 手机, 加) are also found however
the contact-words table (``data/contact_words.tsv``, see ``contact_words``) says they are written:
❤信, 加➕, ☎, 扣扣 ….

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

from moderation.contact_words import contact_words
from moderation.normalise import CODE_POINTS, Codes, code_points, fold_table, from_code_points

CATEGORY = "advertising"

_CHINESE_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
    "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6,
    "柒": 7, "捌": 8, "玖": 9,
    # a digit as said on the telephone (幺 for 一) and older or variant forms
    "幺": 1, "弌": 1, "弍": 2, "弎": 3, "叄": 3, "貮": 2,
    # Suzhou numerals (〡〢〣 …), still seen on market price tags
    "〡": 1, "〢": 2, "〣": 3, "〤": 4, "〥": 5, "〦": 6, "〧": 7, "〨": 8, "〩": 9,
}
# Roman numerals one to nine (Ⅰ … Ⅸ, ⅰ … ⅸ): NFKC makes most of them several letters
_ROMAN_BLOCKS = (0x2160, 0x2170)
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



@functools.cache
def patterns() -> dict[str, re.Pattern[str]]:
    """The patterns, their keywords (微信, QQ, 电话, 手机, 加) as the contact-words table writes
    them (built once per process, from the table)."""
    words = contact_words()
    qq, wechat, add = words.regex("QQ"), words.regex("微信"), words.regex("加")
    phone, mobile = words.regex("电话"), words.regex("手机")
    pictures = "|".join(re.escape(s) + "[\ufe0e\ufe0f]?" for s in words.symbols("电话", "手机"))
    return {
        "qq": re.compile(
            rf"(?:(?<![a-z])q\s?号码?|{qq}(?:群)?(?:号码|号)?)"
            rf"\s?[:：=]?\s?[1-9](?:{_SEP}?{_D}){{4,11}}{_NOT_MORE}"),
        "mobile": re.compile(
            rf"(?<![0-9〔\[])(?:\+?86{_GAP})?1{_GAP}[3-9](?:{_GAP}{_D}){{9}}{_NUMBER_END}"),
        "landline": re.compile(
            rf"(?<![0-9])(?:\(0{_D}{{2,3}}\)|0{_D}{{2,3}}{_SEP}){_SEP}?{_D}{{3,4}}{_SEP}?{_D}{{4}}"
            rf"{_NUMBER_END}"),
        "hotline": re.compile(rf"(?<![0-9])[48]00{_SEP}?{_D}{{3}}{_SEP}?{_D}{{4}}{_NUMBER_END}"),
        "solicit": re.compile(
            rf"(?:{add}我?{wechat}|{add}我|联系{phone}|联系方式|联系{mobile}|咨询{phone}|咨询热线|"
            rf"服务热线|热线{phone}|订购{phone}|报名{phone}|详情咨询|欢迎咨询|咨询|来电|致电"
            rf"{'|' + pictures if pictures else ''})[ \t:：,，]{{0,3}}(?:请|可|欢迎)?"
            rf"(?:拨打|致电|联系|{phone}|热线|{mobile}|{wechat})?"
            rf"(?:号码)?[ \t:：]{{0,3}}{_D}(?:{_SEP}?{_D}){{6,}}{_NUMBER_END}"),
        "wechat": re.compile(
            rf"{wechat}(?:号码|号|id)?\s?[:：=]?\s?[a-z][-_a-z0-9]{{5,19}}(?![-_a-z0-9])"),
        "email": re.compile(
            r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![a-z0-9])"),
        "link": re.compile(
            r"(?:https?://|www\.)[a-z0-9\-._~:/?#\[\]@!$&'*+=%]+"
            r"|(?<![a-z0-9.@_-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
            r"\.(?:com|cn|net|org|top|xyz|vip|cc|info|biz|site|shop|me|tv|io|co|app|club|online"
            r"|ltd|wang)(?![a-z0-9])(?:/[a-z0-9\-._~:/?#@!$&'*+=%]*)?"),
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
(_KOTHER, _KDIGIT, _KSEP, _KLETTER, _KVW, _KAT, _KDOT, _KCOLON, _KSLASH, _KXIN, _KWEI,
 _KLIO, _KWEIXIN) = range(13)
# a run of digits and separators (and letters that may stand for a digit, l, i, o) that starts
# with a digit: a number may be in it (a letter before it is in the window opened around it)
_NUMBER_GATE = re.compile(rb"\x01[\x01\x02\x06\x08\x0b]{4,}")
_DOTTED_GATE = re.compile(rb"\x06[\x03\x04\x0b]")  # a dot before a letter: example.com
# a number may be written with l or I for 1 and O or o for 0: in a word of digits and such
# letters only (l38l2345678, 2O24), or a lone such letter between two numbers (138 l 234)
_LETTER_DIGITS = re.compile(
    r"(?<![a-z0-9])(?=[lio]*[0-9])[0-9lio]*[lio][0-9lio]*(?![a-z0-9])"
    r"|(?<=[0-9][ \t\-.·*_/—–()])[lio](?=[ \t\-.·*_/—–()][0-9])")
_AS_DIGITS = str.maketrans("lio", "110")
# a run of digits the gates read as a number holds at least this many real digits
_MIN_REAL_DIGITS = 3


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
    # every other style of a digit or a letter the normaliser knows (superscripts, subscripts,
    # mathematical digits and letters, circled letters, circled ideographs ㊀ …): its fold
    folded = fold_table()
    styled = np.arange(CODE_POINTS) >= 0x80
    plain = styled & (((folded >= ord("0")) & (folded <= ord("9")))
                      | ((folded >= ord("a")) & (folded <= ord("z"))))
    table[plain] = folded[plain]
    for char, digit in _CHINESE_DIGITS.items():
        table[styled & (folded == ord(char))] = ord("0") + digit
    for block in _ROMAN_BLOCKS:
        table[block:block + 9] = np.arange(ord("1"), ord("9") + 1, dtype=np.uint32)
    # what an emoji carries (a variation selector, the keycap of 1️⃣) parts digits like a space
    for code in (0xFE0E, 0xFE0F, 0x20E3):
        table[code] = ord(" ")
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
    for char in "lio":
        by_view[ord(char)] = _KLIO
    by_view[ord("@")], by_view[ord(".")] = _KAT, _KDOT
    by_view[ord(":")], by_view[ord("/")] = _KCOLON, _KSLASH
    ascii_view = table < 0x80
    classes = np.zeros(CODE_POINTS, dtype=np.uint8)
    classes[ascii_view] = by_view[table[ascii_view]]
    for char in "·—–":
        classes[ord(char)] = _KSEP
    # the first and second characters of the ways of writing 微信 that hold no v or w (those
    # are found by the v / w gate): 微信, 威信, ❤信, 微★, 绿泡泡 …
    first, second = contact_words().firsts("微信", skip="vw")
    for chars, kind in ((first - second, _KWEI), (second - first, _KXIN),
                        (first & second, _KWEIXIN)):
        for char in chars:
            if len(char) == 1:
                where = (table == ord(char)) if char.isascii() else ord(char)
                classes[where] = kind
    classes.setflags(write=False)
    return table, classes


# a number of 5 to 9 digits can only be a QQ number or a local number after "咨询" and the like
_SHORT_NUMBER_WORDS = ("q", "微信", "加我", "联系", "咨询", "热线", "电话", "来电", "致电")


@functools.cache
def _short_number_words() -> re.Pattern[str]:
    """What must come before a number of 5 to 9 digits for it to be looked at: the words above,
    and the ways of writing QQ, a telephone, and 加我 that the contact-words table knows."""
    words = contact_words()
    found = {*_SHORT_NUMBER_WORDS, *words.symbols("电话", "手机")}
    found.update(form[:2] for form in words.forms("QQ"))
    found.update(f"{form}我" for form in words.forms("加") if len(form) == 1)
    found.update(words.written.get("加", ()))
    return re.compile("|".join(re.escape(w) for w in sorted(found, key=lambda w: (-len(w), w))))
_SHORT_NUMBER_PATTERNS = ("qq", "solicit")


def _merge(windows: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted((max(0, lo), min(size, hi)) for lo, hi in windows):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def contact_view(codes: Codes, windows: list[tuple[int, int]] | None = None) -> str:
    """The contact view of the text, letters that stand for digits made digits (within the
    ``windows`` only, if given: elsewhere no number pattern looks)."""
    view = from_code_points(_tables()[0][codes])
    if not ("l" in view or "i" in view or "o" in view):
        return view
    if windows is None:
        return _LETTER_DIGITS.sub(_as_digits, view)
    chars: list[str] | None = None
    for lo, hi in windows:
        for match in _LETTER_DIGITS.finditer(view, lo, hi):
            if chars is None:
                chars = list(view)
            chars[match.start():match.end()] = _as_digits(match)
    return view if chars is None else "".join(chars)


def _as_digits(match: re.Match[str]) -> str:
    return match.group().translate(_AS_DIGITS)


def _positions(classes: bytes, what: bytes) -> Iterator[int]:
    found = classes.find(what)
    while found != -1:
        yield found
        found = classes.find(what, found + 1)


def character_classes() -> npt.NDArray[np.uint8]:
    """For every code point, its class as the contact gates see it (a caller that looks code
    points up in a table of its own may fold this one in, to look up once)."""
    return _tables()[1]


def _windows(codes: Codes, classes: bytes) -> dict[str, list[tuple[int, int]]]:
    """Where each pattern can possibly match. The gates read the text's class string (one byte a
    character), where single bytes are found at memchr speed."""
    windows: dict[str, list[tuple[int, int]]] = {}

    def add(names: tuple[str, ...], lo: int, hi: int) -> None:
        for name in names:
            windows.setdefault(name, []).append((lo, hi))

    for gate in _NUMBER_GATE.finditer(classes):  # five digits or more, parted or not
        start, end = gate.start(), gate.end()
        real = classes.count(_DIGIT_BYTE, start, end)
        if real < _MIN_REAL_DIGITS:
            continue
        digits = real + classes.count(_LIO_BYTE, start, end)
        lo, hi = start - _BEFORE, end + _AFTER
        if digits >= 10:
            add(_DIGIT_PATTERNS, lo, hi)
        elif digits >= 5 and _short_number_words().search(
                from_code_points(_tables()[0][codes[max(0, lo):start]])):
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
    for first in (_WEI_BYTE, _WEIXIN_BYTE):  # 微信, 威信, ❤信, 微 信 …
        if first in classes:
            for wei in _positions(classes, first):
                if _second_of_weixin(classes, wei + 1):
                    add(("wechat",), wei - 4, wei + 44)
    return {name: _merge(found, len(classes)) for name, found in windows.items()}


_NAME = frozenset((_KDIGIT, _KLETTER, _KVW, _KLIO))
_LIO_BYTE = bytes((_KLIO,))
_DIGIT_BYTE, _AT_BYTE, _VW_BYTE = bytes((_KDIGIT,)), bytes((_KAT,)), bytes((_KVW,))
_SCHEME = bytes((_KCOLON, _KSLASH, _KSLASH))
_SLASH_BYTE, _WEI_BYTE, _WEIXIN_BYTE = bytes((_KSLASH,)), bytes((_KWEI,)), bytes((_KWEIXIN,))
_SECOND = frozenset((_KXIN, _KWEIXIN))


def _second_of_weixin(classes: bytes, at: int) -> bool:
    """Whether the second character of 微信 (however written) is at ``at``, or after a space
    (the first characters are looked for one byte at a time, at memchr speed: a pair of bytes
    is found much more slowly)."""
    if at < len(classes) and classes[at] == _KSEP:
        at += 1
    return at < len(classes) and classes[at] in _SECOND


def _is_government(name: str, matched: str) -> bool:
    if name == "link":
        host = matched.split("://", 1)[-1].split("/", 1)[0]
        return bool(_GOVERNMENT_HOST.search(host + "/"))
    if name == "email":
        return bool(_GOVERNMENT_HOST.search(matched.rsplit("@", 1)[-1] + "/"))
    return False


def _matches(view_text: str, name: str, spans: list[tuple[int, int]]) -> Iterator[Contact]:
    pattern = patterns()[name]
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
    windows = _windows(codes, classes.tobytes())
    if not windows:
        return []
    numbers = [w for name in _DIGIT_PATTERNS for w in windows.get(name, ())]
    view_text = contact_view(codes, numbers)
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
    for name in patterns():
        found.extend(_matches(view_text, name, [(0, len(view_text))]))
    return _most_specific(found)
