"""The rules file and how totals and their tie-break times are kept."""

from __future__ import annotations

import datetime as dt

import pytest

from scoring.rules import RulesError, rules_from_text
from scoring.totals import NEVER, Entry, totals_of

T0 = dt.datetime(2026, 3, 31, 15, 0, tzinfo=dt.UTC)  # 23:00 on 31 March in Shanghai
MINIMAL = """version = "x1"
[points]
article = 2
[commission]
delivered_bonus = 3
missed_penalty = -5
[quota]
met_bonus = 2
missed_penalty = -2
"""


def test_rules_name_their_version_and_text_digest() -> None:
    rules = rules_from_text(MINIMAL)
    assert rules.version == "x1" and len(rules.digest) == 64
    assert rules.lead_multiplier == 2 and rules.published_points("photo") == 0


@pytest.mark.parametrize(("text", "says"), [
    ("[points]\narticle = 2\n", "version"),
    (MINIMAL.replace("article = 2", "article = \"two\""), "points.article"),
    (MINIMAL.replace("met_bonus = 2", ""), "quota.met_bonus"),
    (MINIMAL + "[quota.county]\narticles = 2\nphotos = 3\nphotos_cap = 1\n", "quota.county"),
    (MINIMAL.replace("[quota]", "[quota]\nphotos_count = \"pages\""), "photos_count"),
    ("version = ", "TOML"),
])
def test_a_bad_rules_file_is_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(RulesError, match=says):
        rules_from_text(text)


def test_adoption_levels_rank_in_the_order_the_file_lists_them() -> None:
    rules = rules_from_text(MINIMAL + "[adoption]\ncity = 1\nprovincial = 5\nnational = 10\n")
    assert rules.highest_adoption({"national": "", "city": ""}) == "national"
    assert rules.highest_adoption({"ministry": ""}) is None


def test_totals_fall_in_the_month_of_the_commission_s_time_zone() -> None:
    totals = totals_of([Entry("qingshan", 7, 2, T0)], "Asia/Shanghai")
    assert totals[("unit", "qingshan", "2026-03")].points == 2
    late = totals_of([Entry("qingshan", 7, 2, T0 + dt.timedelta(hours=1))], "Asia/Shanghai")
    assert ("unit", "qingshan", "2026-04") in late


def test_a_total_is_reached_at_its_latest_line_whatever_order_they_come_in() -> None:
    early, late = T0 - dt.timedelta(days=3), T0 - dt.timedelta(days=1)
    one = totals_of([Entry("a", None, 2, late, 1), Entry("a", None, 3, early, 2)], "UTC")
    two = totals_of([Entry("a", None, 3, early, 2), Entry("a", None, 2, late, 1)], "UTC")
    assert one[("unit", "a", "all")].reached_at == two[("unit", "a", "all")].reached_at == late


def test_quota_lines_and_zero_lines_reach_nothing() -> None:
    totals = totals_of([Entry("a", None, 2, T0, rule="quota.met"),
                        Entry("a", None, 0, T0, rule="duplicate")], "UTC")
    assert totals[("unit", "a", "all")].reached_at == NEVER
    mixed = totals_of([Entry("a", None, 2, T0, rule="quota.met"),
                       Entry("a", None, 1, T0 - dt.timedelta(days=2), rule="published.photo")],
                      "UTC")
    assert mixed[("unit", "a", "all")].reached_at == T0 - dt.timedelta(days=2)
