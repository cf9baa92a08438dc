"""The installed console in a real pseudo-terminal: it opens, shows the board, quits."""

from __future__ import annotations

import pytest

from .pty_screen import Terminal

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}, {"TERM": "linux"}])
def test_console_opens_on_a_new_database_and_quits_cleanly(tmp_path, env):
    db = tmp_path / "desk.db"
    term = Terminal(["--db", str(db)], env=env)
    screen = term.wait_for("UNIT")
    assert "desk D1" in screen and "No open calls." in screen
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("n")  # no: stays
    term.pump(0.3)
    assert term.child.isalive()
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("y")
    assert term.exit_status() == 0
    assert db.exists() and oct(db.stat().st_mode & 0o777) == "0o600"


def test_demo_opens_mid_shift(tmp_path):
    term = Terminal(["--demo"], env={"XDG_DATA_HOME": str(tmp_path)})
    screen = term.wait_for("SIGNAL")
    assert "PENDING" in screen and "ONSCN" in screen and "BREAK" in screen
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("y")
    assert term.exit_status() == 0
