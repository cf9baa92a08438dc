"""The `:` line's history file: what is kept (no narrative, nothing phone-like), bounded,
owner-only, the newest last."""

from __future__ import annotations

import stat
from pathlib import Path

from cso_console import cmd_history
from cso_console.cmd_history import LIMIT, keepable, load, remember


def test_what_is_kept() -> None:
    assert keepable("nc NOISE  12 Main St // Ana Ruiz says hi") == "nc NOISE 12 Main St"
    assert keepable("N 42 call back on 555-0101") is None
    assert keepable("N 42 call (555) 123 4567") is None
    assert keepable("D D1-26-000042 C12") == "D D1-26-000042 C12"  # a call number is no phone
    assert keepable("N 42 it's 20 // 30 past") == "N 42 it's 20 // 30 past"  # not NC
    assert keepable("   ") is None


def test_bounded_owner_only_newest_last(tmp_path: Path) -> None:
    path = tmp_path / "data" / "command-history"
    assert load(path) == []
    for i in range(LIMIT + 5):
        remember(path, f"AV C{i}")
    lines = remember(path, "AV C10")  # again: moved to the end
    assert len(lines) == LIMIT == len(load(path))
    assert lines[-1] == "AV C10" and lines.count("AV C10") == 1
    assert "AV C0" not in lines
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert remember(path, "N 1 555-0101") == lines  # nothing kept, nothing changed
    assert list(path.parent.iterdir()) == [path]  # no temporary file left
    assert cmd_history.load(tmp_path / "none") == []
