"""Optional points for handling units: off unless the rules file has a ``[letters]`` table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from moderation.letters.deadlines import check
from scoring.rules import rules_from_text
from services.settings import Settings
from tests.mailbox_support import desk_of, mailbox_city
from tests.support import Pipeline

DEFAULT_RULES = (Path(__file__).resolve().parents[2] / "scoring" / "default_rules.toml")


def test_the_rules_file_may_give_handling_units_points_for_letters(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    text = DEFAULT_RULES.read_text(encoding="utf-8").replace(
        'version = "2026.1"', 'version = "2026.1-letters"')
    rules.write_text(text + "\n[letters]\non_time = 1\noverdue = -2\n", encoding="utf-8")
    p = Pipeline(Settings(data_dir=tmp_path / "var", rules=rules,  # type: ignore[call-arg]
                          _env_file=None))
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
