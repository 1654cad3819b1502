"""Screening reads most texts without asking the sanitiser (a flag in its look-up table says
when the page shows a text as it is written): the tests hold that shortcut to the sanitiser's
own reading, on generated texts."""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.lexicon import read_file
from moderation.text import Finding, TextScreener
from services.sanitise import readable_body, readable_line
from services.settings import Settings

# listed words, spaces of every kind, zero-width and control characters, markup, line breaks
PIECES = ["在线赌场", "代开发票", "色情", "138 1234 5678", "青山县会议", " ", "\u3000", "\t", "\n",
          "\u200b", "\u00ad", "\x01", "\r", "\x85", "\u2028", "<b>", "&amp;", "&#36172;", "a",
          "😀", "\ufffe"]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join)


@functools.cache
def screener() -> TextScreener:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return TextScreener(read_file(settings.lexicon_path).entries)


def as_read(field: str, text: str) -> list[dict[str, object]]:
    """Screening of what the sanitiser says a reader sees, mapped back: no shortcut."""
    view = readable_body(text) if field == "body" else readable_line(text)
    return [f.to_dict() for f in screener()._screen_view(field, text, view)]


def found(findings: list[Finding]) -> list[dict[str, object]]:
    return [f.to_dict() for f in findings]


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from(["body", "title", "captions[0]"]))
def test_the_shortcut_screens_what_the_sanitiser_says_a_reader_sees(text: str, field: str) -> None:
    assert found(screener().screen_field(field, text)) == as_read(field, text)


def test_a_zero_width_space_inside_a_line_needs_no_sanitiser_and_is_still_caught() -> None:
    [finding] = screener().screen_field("body", "本站\u200b在线\u200b赌场")
    assert finding.match == "在线\u200b赌场" and finding.action == "flag"
    assert found(screener().screen_field("body", "本站\u200b在线\u200b赌场")) == \
        as_read("body", "本站\u200b在线\u200b赌场")
