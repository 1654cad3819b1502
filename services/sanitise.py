"""What a reader will see of a submitted text: the portal's one sanitiser, and the words it leaves,
mapped back to what the informant sent.

The publisher renders a body with :func:`body_html` and a title or a caption as it is (escaped by
the templates); screening reads :func:`readable_body` and :func:`readable_line`, the text of that
same rendering. Both come from here, so that what screening read and what the page shows cannot
drift apart: a word hidden from screening by a character reference (``&#36172;``), a comment or
an empty tag inside it (``在线<!-- -->赌场``, ``在线<b></b>赌场``) is on the page as one word, and
so it is in what screening reads.

A body laid out in HTML (block tags) is sanitised as a whole by nh3; plain text becomes a
paragraph a line, where a line with a little inline markup is sanitised by nh3 too and any
other line has its character references decoded (``&nbsp;``, ``&ldquo;`` pasted from a web page
mean what they say) and is escaped. A line with a little inline markup is one with a tag or a
comment in it. The reader's text is taken from the sanitised HTML itself,
and each of its characters is mapped back to the span of the original it came from (a decoded
reference to the whole reference), so a finding marks what the informant wrote.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3

from services.simple_markup import simple_markup_text

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3",
                          "h4", "blockquote", "table", "thead", "tbody", "tr", "th", "td"})
# tags a reader sees as a break between words: each stands for a line break in the text
BREAK_TAGS = frozenset({"p", "br", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "table",
                        "thead", "tbody", "tr", "th", "td"})
# elements nh3 drops with what is inside them (ammonia's clean_content_tags default)
_DROPPED_WITH_CONTENT = ("script", "style")
_BLOCK_HTML = re.compile(r"<\s*/?\s*(p|br|div|ul|ol|li|h[1-6]|blockquote|table)\b", re.IGNORECASE)
# a line of plain text holds markup when it has a comment or a whole tag in it: the sanitiser
# takes the tag out (keeping the text inside) rather than show the reader "<span>"
_INLINE_HTML = re.compile(
    r"<!--|<\s*/?\s*(strong|em|b|i|u)\b|</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>", re.IGNORECASE)
# XML 1.0 forbids these, and a lone surrogate cannot be written as UTF-8 at all (first and last
# code point of each range)
UNWRITABLE = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0xFFFE, 0xFFFF), (0xD800, 0xDFFF))
_UNWRITABLE = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in UNWRITABLE) + "]")
_LINES = re.compile(r"[^\n]+")
_SPACE = re.compile(r"\s+")
# the character reference as html.unescape finds it (so that decoding one at a time gives what
# decoding the whole text does)
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
# in what an informant sent, what the HTML tokenizer reads as markup rather than text
_SOURCE_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<![^>]*(?:>|\Z)|<\?[^>]*(?:>|\Z)|</?[A-Za-z][^>]*(?:>|\Z)"
    r"|</[^A-Za-z>][^>]*>?",
    re.DOTALL)
_SOURCE_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")
# how far ahead in the original the mapping looks for the next character of the reader's text
_LOOKAHEAD = 4096
_SHORT_LOOKAHEAD = 8  # once the budget below is spent
_BUDGET = 8  # steps of looking ahead, for each character of the two texts


def clean_text(text: str) -> str:
    return _UNWRITABLE.sub("", text)


def _sanitise(text: str) -> str:
    return nh3.clean(text, tags=set(ALLOWED_TAGS), attributes={})


def _paragraphs(body: str) -> list[tuple[int, str]]:
    """The body's non-empty lines, stripped, each with the offset it starts at."""
    found = []
    for match in _LINES.finditer(body):
        line = match.group()
        stripped = line.strip()
        if stripped:
            found.append((match.start() + len(line) - len(line.lstrip()), stripped))
    return found


def _plain_line(line: str) -> str:
    return html.escape(html.unescape(line), quote=False)


def body_html(body: str) -> str:
    """The article body as safe HTML (what the article page shows)."""
    body = clean_text(body)
    if _BLOCK_HTML.search(body):
        return _sanitise(body)
    return "".join(f"<p>{_render_line(p)}</p>" for _, p in _paragraphs(body))


def _render_line(line: str) -> str:
    return _sanitise(line) if _INLINE_HTML.search(line) else _plain_line(line)


def visible_text(safe_html: str) -> str:
    """The words a reader sees in sanitised HTML: its text, with one line break where tags break
    the line (and none before the first words or after the last)."""
    marked = _ANY_TAG.sub("", _BREAK_TAG.sub(_BREAK, safe_html))
    text = html.unescape(marked)
    if _BREAK not in text:
        return text
    # whitespace next to a break is no word of the text (the browser shows none)
    return "\n".join(piece for part in text.split(_BREAK) if (piece := part.strip()))


# a break while the text is put together (a NUL: cleaned out of every input, and no reference
# decodes to it)
_BREAK = "\x00"
# tags of sanitised HTML (nh3 leaves no attribute and no comment, so no ">" inside one), those
# that break a line first; each found by its literal "<" (no callback per tag)
_BREAK_TAG = re.compile("</?(?:" + "|".join(sorted(BREAK_TAGS, key=len, reverse=True))
                        + r")\b[^>]*>")
_ANY_TAG = re.compile(r"<[^>]*>")


def summary(body: str, length: int = 110) -> str:
    """The first words of the body as a reader sees them, for lists, feeds and the description."""
    text = _SPACE.sub(" ", visible_text(body_html(body))).strip()
    return text if len(text) <= length else text[:length].rstrip() + "…"


# --- the reader's text, mapped back ------------------------------------------------------------

Spans = tuple[list[int], list[int]]  # for each character of the reader's text: start, end


@dataclass
class Readable:
    """The text a reader sees of ``source``, and for each of its characters the span of the
    source it came from (worked out only when asked for: most texts have no finding)."""

    source: str
    text: str
    _spans: Callable[[], Spans] | None = field(default=None, repr=False)  # None: text is source
    _cached: Spans | None = field(default=None, init=False, repr=False)

    @property
    def identical(self) -> bool:
        return self._spans is None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the source that ``text[start:end]`` came from."""
        if self._spans is None:
            return start, end
        if self._cached is None:
            self._cached = self._spans()
        starts, ends = self._cached
        if end <= start:
            at = starts[start] if start < len(starts) else len(self.source)
            return at, at
        return starts[start], max(starts[start], ends[end - 1])


def readable_line(text: str) -> Readable:
    """A title or a caption: the templates escape it, so a reader sees it as it is, less what
    cannot be written at all."""
    cleaned = clean_text(text)
    if cleaned == text:
        return Readable(text, text)
    return Readable(text, cleaned, lambda: _kept_spans(text))


def _kept_spans(text: str) -> Spans:
    kept = [i for i, c in enumerate(text) if not _UNWRITABLE.match(c)]
    return kept, [i + 1 for i in kept]


def readable_body(body: str) -> Readable:
    """An article body as the article page shows it: the text of :func:`body_html`."""
    shown = _plain(body) if "<" not in body and "&" not in body else None
    if shown is None and "<" in body:
        shown = simple_markup_text(body)
    if shown is None:
        shown = visible_text(body_html(body))
    if shown == body:
        return Readable(body, body)
    return Readable(body, shown, lambda: _body_spans(body, shown))


def _plain(body: str) -> str | None:
    """Plain text (most bodies) as shown: a paragraph a line, as written; None where a line
    holds a character that cannot be written (``isprintable`` first: it is much faster than the
    search, and true of nearly every line)."""
    if body.isprintable():  # one line, nothing to clean out
        return body.strip(_STRIPPED) if body[:1] in _STRIPPED or body[-1:] in _STRIPPED \
            else body
    lines = [stripped for line in body.split("\n") if (stripped := line.strip())]
    if all(line.isprintable() or not _UNWRITABLE.search(line) for line in lines):
        return "\n".join(lines)
    return None


# what str.strip takes off a line that is printable: spaces (other whitespace is not printable)
_STRIPPED = " "


def _body_spans(body: str, shown: str) -> Spans:
    """Each character of ``shown`` matched to the next character of the body that can be it,
    read the way the renderer read it: markup left out (or a break), references decoded."""
    cleaned = clean_text(body)
    at = [i for i, c in enumerate(body) if not _UNWRITABLE.match(c)] if cleaned != body else None
    candidates: list[tuple[str, int, int]] = []
    if _BLOCK_HTML.search(cleaned):
        candidates = _markup_candidates(cleaned, 0, len(cleaned))
    else:
        for start, line in _paragraphs(cleaned):
            if candidates:
                candidates.append(("\n", start, start))
            end = start + len(line)
            candidates += (_markup_candidates(cleaned, start, end) if _INLINE_HTML.search(line)
                           else _text_candidates(cleaned, start, end))
    starts, ends = _align(shown, candidates, len(cleaned))
    if at is not None:  # back from the cleaned body to the body itself
        at.append(len(body))
        starts = [at[s] for s in starts]
        ends = [at[e - 1] + 1 if e > 0 else 0 for e in ends]
    return starts, ends


def _text_candidates(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Plain text: every character as it is, each character reference decoded."""
    out: list[tuple[str, int, int]] = []
    at = start
    for ref in _CHARREF.finditer(text, start, end):
        out += [(c, i, i + 1) for i, c in enumerate(text[at:ref.start()], at)]
        out += [(c, ref.start(), ref.end()) for c in html.unescape(ref.group())]
        at = ref.end()
    out += [(c, i, i + 1) for i, c in enumerate(text[at:end], at)]
    return out


def _markup_candidates(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """HTML: text between the tags, a break for a tag that breaks a line, nothing for other
    markup or for a script or a style and what is in it."""
    out: list[tuple[str, int, int]] = []
    at = start
    while at < end:
        markup = _SOURCE_MARKUP.search(text, at, end)
        if markup is None:
            out += _text_candidates(text, at, end)
            break
        out += _text_candidates(text, at, markup.start())
        at = markup.end()
        name = _SOURCE_TAG_NAME.match(markup.group())
        tag = name.group(1).lower() if name else ""
        if tag in BREAK_TAGS:
            out.append(("\n", markup.start(), markup.end()))
        elif tag in _DROPPED_WITH_CONTENT and not markup.group().startswith("</"):
            close = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(text, at, end)
            at = close.end() if close else end
    return out


def _align(shown: str, candidates: list[tuple[str, int, int]], size: int) -> Spans:
    """Greedy: each character the reader sees takes the next candidate that is the same
    character, not looking further than ``_LOOKAHEAD``; one that finds none (a break the
    sanitiser added) takes an empty span where the last one ended. Space is matched only to
    space before the next character that is not space, so it never pulls the mapping ahead."""
    starts: list[int] = []
    ends: list[int] = []
    pointer = 0
    last_end = 0
    count = len(candidates)
    # the looking ahead is bounded in all: a text made so that nothing matches (a <title> full
    # of tags, which the page shows as text) would otherwise cost len × _LOOKAHEAD steps
    budget = _BUDGET * (len(shown) + count)
    for char in shown:
        found = -1
        space = char.isspace()
        reach = _LOOKAHEAD if budget > 0 else _SHORT_LOOKAHEAD
        stop = min(count, pointer + reach)
        budget -= stop - pointer
        for j in range(pointer, stop):
            candidate = candidates[j][0]
            if candidate == char:
                found = j
                break
            if space and not candidate.isspace():
                break
        if found == -1:
            starts.append(min(last_end, size))
            ends.append(min(last_end, size))
            continue
        _, c_start, c_end = candidates[found]
        starts.append(c_start)
        ends.append(c_end)
        last_end = c_end
        pointer = found + 1
    return starts, ends
