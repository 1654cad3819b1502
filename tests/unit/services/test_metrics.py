"""The metrics module: values kept in files are summed over the processes that write them, a
dead process's live gauges are forgotten, and nothing observed before the switch is lost
silently. Each case runs in a fresh interpreter: the switch is for the whole process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from services import metrics

ROOT = Path(__file__).resolve().parents[3]


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_forked_children_count_into_the_parents_figures_and_dead_ones_drop_from_live_gauges(
        tmp_path: Path) -> None:
    out = _python(f"""
        import os
        from pathlib import Path
        from services import metrics
        metrics.use_files(Path({str(tmp_path / "m")!r}))
        metrics.CONSUMER_PROCESSES.labels(consumer="moderation").set(1)
        received = dict(consumer="moderation", event_type="submission.received")
        metrics.HANDLING.labels(**received).observe(0.2)
        for _ in range(2):  # as a Celery pool's children
            pid = os.fork()
            if pid == 0:
                metrics.CONSUMER_PROCESSES.labels(consumer="moderation").set(1)
                metrics.HANDLING.labels(**received).observe(0.3)
                os._exit(0)
            os.waitpid(pid, 0)
        print(metrics.Exposition().render().decode())
    """)
    lines = out.splitlines()
    assert ('baosong_handling_seconds_count{consumer="moderation",'
            'event_type="submission.received"} 3.0') in lines
    assert 'baosong_consumer_processes{consumer="moderation"} 1.0' in lines  # the parent only


def test_switching_to_files_after_observing_is_refused(tmp_path: Path) -> None:
    out = _python(f"""
        from pathlib import Path
        from services import metrics
        metrics.UPLOADS_REJECTED.labels(reason="invalid").inc()
        try:
            metrics.use_files(Path({str(tmp_path / "m")!r}))
        except RuntimeError as exc:
            print("refused:", exc)
    """)
    assert out.startswith("refused:")


def test_a_probe_that_fails_leaves_the_others_and_says_so() -> None:
    class Broken:
        name = "broken"

        def read(self) -> list[metrics.Reading]:
            raise ConnectionError("out of reach")

    class Fine:
        name = "fine"

        def read(self) -> list[metrics.Reading]:
            return [metrics.Reading(metrics.OUTBOX_WAITING, 4)]

    text = metrics.Exposition([Broken(), Fine()]).render().decode()
    assert 'baosong_probe_up{probe="broken"} 0.0' in text
    assert 'baosong_probe_up{probe="fine"} 1.0' in text
    assert "baosong_outbox_waiting 4.0" in text
    assert "# HELP baosong_outbox_waiting Outbox rows" in text


@pytest.mark.parametrize("reason", ["too_large", "photo_too_large"])
def test_a_refusal_carries_a_reason_of_its_kind_or_a_finer_one(reason: str) -> None:
    from services.refusals import TooLarge

    given = None if reason == "too_large" else reason
    assert TooLarge("太大 (too large)", reason=given).reason == reason
