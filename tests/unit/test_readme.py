"""The README's commands work on a fresh machine (issue 15, item 13): what a shell substitution
in its examples runs exists here and prints something; a missing ``uuidgen`` silently sent an
empty Idempotency-Key, and the retry protection with it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _substitutions() -> list[str]:
    """What each ``$(...)`` in the README's bash examples runs (parentheses may nest)."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        start = block.find("$(")
        while start >= 0:
            depth, end = 0, start + 1
            for end in range(start + 1, len(block)):
                depth += {"(": 1, ")": -1}.get(block[end], 0)
                if depth == 0:
                    break
            found.append(block[start + 2:end])
            start = block.find("$(", end)
    return found


def test_every_shell_substitution_in_the_readme_runs_here() -> None:
    found = _substitutions()
    assert any("uuid" in s for s in found)  # the Idempotency-Key of the upload example
    for command in found:
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30,
                              check=False)
        assert done.returncode == 0 and done.stdout.strip(), (command, done.stderr)


def test_the_readme_names_every_metric_and_its_port_setting() -> None:
    from services import metrics

    text = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"`(baosong_\w+)`", text))
    shown = {name for name in metrics.names()
             if not name.endswith(("_bucket", "_count", "_sum"))}
    assert shown <= documented, sorted(shown - documented)
    assert "`BAOSONG_METRICS_PORT`" in text
