"""The Grafana dashboard shows the figures Baosong exposes: every metric name its queries name
is one of services/metrics.py, and it has the panels operators look at."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from services import metrics

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = json.loads((ROOT / "deploy" / "grafana" / "baosong.json").read_text("utf-8"))


def _queries(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_every_metric_the_dashboard_queries_exists() -> None:
    known = metrics.names()
    used = {name for expr in _queries(DASHBOARD) for name in re.findall(r"\bbaosong_\w+", expr)}
    assert used, "the dashboard queries no Baosong metric"
    assert used <= set(known), sorted(used - set(known))


def test_the_dashboard_has_a_panel_for_each_thing_operators_watch() -> None:
    queries = " ".join(_queries(DASHBOARD))
    for name in ("baosong_queue_depth", "baosong_queue_oldest_age_seconds",
                 "baosong_handling_seconds_bucket", "baosong_upload_to_published_seconds_bucket",
                 "baosong_outbox_oldest_age_seconds", "baosong_outbox_waiting",
                 "baosong_dead_letters", "baosong_uploads_rejected_total"):
        assert name in queries, name
    assert "histogram_quantile(0.99" in queries and "histogram_quantile(0.5" in queries


def test_every_name_has_the_prefix_and_a_help_text() -> None:
    for name, help_text in metrics.names().items():
        assert name.startswith(metrics.PREFIX), name
        assert len(help_text) > 10, name
