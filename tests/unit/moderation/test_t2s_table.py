"""The shipped traditional → simplified table is what its script makes from OpenCC."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from moderation.normalise import T2S_TABLE, read_t2s

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "make_t2s_table.py"


def test_the_shipped_table_is_what_the_script_makes_from_opencc() -> None:
    spec = importlib.util.spec_from_file_location("make_t2s_table", SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert dict(script.pairs()) == read_t2s(T2S_TABLE)
