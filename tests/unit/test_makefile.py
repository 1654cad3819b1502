"""The Makefile a newcomer runs (issue 15, items 14 and 17): ``make up`` reinstalls only when
pyproject.toml changed, and every apt run waits for another one's lock instead of failing."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_make_up_does_not_reinstall_when_nothing_changed(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").touch()
    (tmp_path / ".venv" / ".installed").touch()  # installed after pyproject.toml last changed
    dry = subprocess.run(["make", "-n", "install"], cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    assert "pip install" not in dry.stdout
    subprocess.run(["touch", "-d", "2000-01-01", str(tmp_path / ".venv" / ".installed")],
                   check=True)
    dry = subprocess.run(["make", "-n", "install"], cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    assert "pip install" in dry.stdout  # pyproject.toml is newer: install again


def test_every_apt_run_waits_for_the_lock() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    runs = re.findall(r"apt-get[^&|)]*", makefile)
    assert runs
    for run in runs:
        assert "Lock::Timeout=" in run, run
