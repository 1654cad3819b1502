"""Optional points for handling units: off unless the rules file has a ``[letters]`` table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from moderation.letters.deadlines import check
from scoring.letters.models import LetterFact
from scoring.rules import rules_from_text
from services.contracts import letters as c
from services.inbox import deliver
from services.settings import Settings
from tests.mailbox_support import desk_of, mailbox_city
from tests.support import Pipeline

DEFAULT_RULES = (Path(__file__).resolve().parents[2] / "scoring" / "default_rules.toml")


def with_letter_points(tmp_path: Path) -> Pipeline:
    """A pipeline whose rules file gives a point for an answer on time, -2 for a 督办."""
    rules = tmp_path / "rules.toml"
    text = DEFAULT_RULES.read_text(encoding="utf-8").replace(
        'version = "2026.1"', 'version = "2026.1-letters"')
    rules.write_text(text + "\n[letters]\non_time = 1\noverdue = -2\n", encoding="utf-8")
    return Pipeline(Settings(data_dir=tmp_path / "var", rules=rules,  # type: ignore[call-arg]
                             _env_file=None))


def test_the_rules_file_may_give_handling_units_points_for_letters(tmp_path: Path) -> None:
    p = with_letter_points(tmp_path)
    try:
        m = mailbox_city(p)
        m.write(subject="按期答复的来信", phone="13700000001")
        m.write(subject="超期的来信", phone="13700000002")
        p.settle()
        first, second = sorted(i["id"] for i in p.get("/api/letters", m.centre).json()["items"])
        for letter in (first, second):
            assert p.post(f"/api/letters/{letter}/assign", m.centre,
                          {"unit": "industry"}).status_code == 200
        p.post(f"/api/letters/{first}/reply", m.handler, {"text": "答复"})
        p.post(f"/api/letters/{first}/review", m.centre, {"action": "approve"})
        desk = desk_of(p)
        later = desk.now() + dt.timedelta(days=40)
        desk.clock = lambda: later
        assert check(desk)["escalated"] == [second]
        p.settle()
        lines = [line for line in p.get("/api/scores/ledger", m.centre).json()["lines"]
                 if line["rule"].startswith("letter.")]
        assert sorted((line["rule"], line["points"]) for line in lines) == [
            ("letter.on_time", 1), ("letter.overdue", -2)]
        scores = p.get("/api/scores", m.centre, period="all").json()
        (industry,) = [u for u in scores["units"] if u["unit"] == "industry"]
        assert industry["points"] == -1
    finally:
        p.close()


def test_without_a_letters_table_letters_earn_nothing() -> None:
    rules = rules_from_text(DEFAULT_RULES.read_text(encoding="utf-8"))
    assert rules.letter_points == {}


def test_a_penalty_goes_to_the_unit_its_event_names_in_whatever_order_events_arrive(
        tmp_path: Path) -> None:
    """The deadline passes at 工业科, which then sends the letter back and the centre gives it
    to 青山县; scoring receives the send-back and the new assignment before the 督办 (processes
    relay the outbox side by side). The penalty is 工业科's, and the letter is 青山县's."""
    p = with_letter_points(tmp_path)
    try:
        m = mailbox_city(p)
        m.write(subject="超期后转办的来信")
        p.settle()
        (letter,) = [i["id"] for i in p.get("/api/letters", m.centre).json()["items"]]
        assert p.post(f"/api/letters/{letter}/assign", m.centre,
                      {"unit": "industry"}).status_code == 200
        p.settle()
        desk = desk_of(p)
        later = desk.now() + dt.timedelta(days=40)
        desk.clock = lambda: later
        assert check(desk)["escalated"] == [letter]
        sent = p.post(f"/api/letters/{letter}/send-back", m.handler,
                      {"reason": "属县局职责", "suggest": "qingshan"})
        assert sent.status_code == 200, sent.text
        assert p.post(f"/api/letters/{letter}/assign", m.centre,
                      {"unit": "qingshan"}).status_code == 200
        for kind in (c.LetterSentBack, c.LetterAssigned, c.LetterOverdue):
            for event in p.pending(kind.TYPE):
                assert deliver(p.ctx.db, p.subscription("scoring-letters"), event)
        p.settle()
        lines = [(line["unit"], line["points"])
                 for line in p.get("/api/scores/ledger", m.centre).json()["lines"]
                 if line["rule"] == "letter.overdue"]
        assert lines == [("industry", -2)]
        with p.ctx.db.session() as session:
            fact = session.get(LetterFact, letter)
            assert fact is not None and fact.unit == "qingshan" and fact.sent_back == 1
    finally:
        p.close()
