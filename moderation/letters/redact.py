"""A letter's text made fit to publish: the writer's personal data taken out.

Pure logic. Phone numbers, ID card numbers and e-mail addresses go whoever's they are; the
writer's own name, phone and e-mail go wherever they appear; the enterprise goes unless the
writer chose to be named.
"""

from __future__ import annotations

import re

MASK = "＊＊＊"
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SEP = r"[\s\-－—.]?"
PATTERNS = (
    re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"),  # e-mail
    re.compile(r"(?<!\d)[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])\d{3}[\dXx]"
               r"(?![\dA-Za-z])"),  # 18-digit ID number
    re.compile(rf"(?<!\d)(?:\+?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)"),  # mobile
    re.compile(rf"(?<!\d)0\d{{2,3}}{_SEP}\d{{7,8}}(?!\d)"),  # landline with area code
    re.compile(r"(?<!\d)[1-9]\d{6,7}(?!\d)"),  # a local number without its area code
    re.compile(r"(?:QQ|qq|微信|WeChat|wechat)[:：\s]*[A-Za-z0-9_\-]{5,20}"),
)


def redact(text: str, *, name: str = "", phone: str = "", email: str = "",
           enterprise: str = "") -> str:
    out = text.translate(_FULL_WIDTH_DIGITS)
    for pattern in PATTERNS:
        out = pattern.sub(MASK, out)
    for literal in sorted({name, phone, email, enterprise} - {""}, key=len, reverse=True):
        if len(literal) >= 2:  # one character would take out every such character
            out = out.replace(literal, MASK)
    return out
