"""``baosong up --demo`` keeps the demo's tokens across restarts of the same data folder and
prints them by role (issue 15, item 14); ``baosong users add`` prints no migration lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from entrypoints.demo import seed_people
from services.identity import authenticate
from services.settings import Settings
from tests.support import Pipeline


def test_demo_tokens_survive_a_restart_and_are_printed_by_role(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)  # type: ignore[call-arg]
    first = Pipeline(settings)
    try:
        tokens = seed_people(first.ctx)
    finally:
        first.close()
    again = Pipeline(settings)  # the same data folder, started again
    try:
        assert seed_people(again.ctx) == tokens
        with again.ctx.db.session() as session:
            who = authenticate(session, tokens["王晓明"])
        assert who is not None and who.unit == "qingshan"
    finally:
        again.close()
    printed = capsys.readouterr().out.split("演示账号")[-1]
    assert printed.index("可以报送") < printed.index(tokens["王晓明"]) < printed.index("审核员")
    assert printed.index("审核员") < printed.index(tokens["周敏"]) < printed.index("管理员")
    assert (settings.data_dir / "demo-tokens.json").stat().st_mode & 0o077 == 0


def test_users_add_prints_the_token_with_no_migration_lines(tmp_path: Path) -> None:
    baosong = str(Path(sys.executable).with_name("baosong"))
    env = {"BAOSONG_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([baosong, "users", "add", "周敏", "--role", "moderator"], env=env,
                          capture_output=True, text=True, timeout=120, check=True, cwd=tmp_path)
    assert done.stdout.strip().splitlines()[-1].startswith("bs_")
    assert "alembic" not in done.stderr and "Running upgrade" not in done.stderr
