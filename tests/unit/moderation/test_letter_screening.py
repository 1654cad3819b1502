"""A letter is screened with the submissions' screener, but the writer's own contact details
are no advertising: not in the contact fields, not quoted in the letter."""

from __future__ import annotations

import datetime as dt

from moderation.letters.handlers import screen
from moderation.text import LexiconEntry, TextScreener
from services.contracts.letters import LetterReceived

SCREENER = TextScreener([LexiconEntry("代开发票", "fraud", "block")])


def letter(body: str, name: str = "张伟", enterprise: str = "华远机械") -> LetterReceived:
    return LetterReceived(letter=1, code="1234567890", type="complaint", subject="用电报装",
                          body=body, name=name, phone="13912345678",
                          email="zhangwei@example.com", enterprise=enterprise,
                          received_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))


def test_the_writers_own_phone_and_email_in_the_letter_are_not_findings() -> None:
    found = screen(SCREENER, letter("请回电 139-1234-5678 或写信到 zhangwei@example.com。"))
    assert found == []


def test_someone_elses_number_and_a_listed_word_are() -> None:
    found = screen(SCREENER, letter("另有人称可以代开发票，联系 13800001111。"))
    rules = sorted(str(f["rule"]) for f in found)
    assert "lexicon" in rules and any(r.startswith("pattern:") for r in rules)


def test_contact_fields_get_only_the_lexicon() -> None:
    found = screen(SCREENER, letter("正常来信。", enterprise="QQ 123456789 代开发票"))
    assert [(f["field"], f["rule"]) for f in found] == [("enterprise", "lexicon")]
