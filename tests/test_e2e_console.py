"""The installed console in a real pseudo-terminal: it opens, shows the board, quits."""

from __future__ import annotations

import pytest

from .pty_screen import Terminal

pytestmark = pytest.mark.slow


PIN = "Zt6^vB2nQ-15"  # appears nowhere else


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}, {"TERM": "linux"}])
def test_console_opens_on_a_new_database_and_quits_cleanly(tmp_path, env):
    """A fresh --db opens on the first run; the first lead is made there and signed in."""
    db = tmp_path / "desk.db"
    term = Terminal(["--db", str(db)], env=env)
    screen = term.wait_for("PIN again")  # the whole form drawn, not only its title
    assert "FIRST RUN" in screen and "desk D1" in screen and "Operator id" in screen
    for field in ("ana", "Ana Lead", PIN, PIN):  # one at a time, as a person types
        term.send(f"{field}\r")
    screen = term.wait_for("Sign officers on")  # the roster: a shift starts there
    assert "ROSTER" in screen and "C10" in screen and "OFF DUTY" in screen
    assert PIN not in screen
    term.send("\x1b")  # Esc: the board
    screen = term.wait_for("No open calls.")
    assert "desk D1" in screen and "ana (shift lead)" in screen
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
    assert "PENDING" in screen and "ON SCENE" in screen and "AVAILABLE" in screen
    assert "lead (demo lead)" in screen
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("y")
    assert term.exit_status() == 0


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1", "TERM": "linux"}])
def test_take_a_call_from_intake_to_closed_with_keys_only(tmp_path, env):
    import json
    import subprocess
    import sys

    env = {**env, "XDG_DATA_HOME": str(tmp_path)}
    term = Terminal(["--demo"], env=env)
    term.wait_for("SIGNAL")
    term.send("n")
    term.wait_for("NEW CALL")
    term.send("500 Elm Street\t")
    term.send("NOISE")
    term.wait_for("default P3")
    term.send("\x1b[21~")  # F10
    screen = term.wait_for("500 Elm Street")
    number = next(
        line.split()[1] if line.startswith("|!") else line.split()[1]
        for line in screen.splitlines()
        if "500 Elm Street" in line
    )
    term.send("d")
    term.wait_for(f"Dispatch to call {number}")
    term.send("\r")
    term.wait_for("dispatched to call")
    term.send("e")
    term.wait_for("en route.")
    term.send("o")
    term.wait_for("on scene.")
    term.send("c")
    term.wait_for("disposition")
    term.send("RES")
    term.pump(0.3)
    term.send("\r")
    term.wait_for(f"call {number} (RES)")
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("y")
    assert term.exit_status() == 0

    out = subprocess.run(
        [sys.executable, "-m", "cso_console", "export", "events", "--demo"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **env},
        check=True,
    ).stdout
    mine = [
        e
        for e in map(json.loads, out.splitlines())
        if e["operator_id"] == "lead" and e["call_id"]  # the demo lead signed in by --demo
    ]
    assert [e["type"] for e in mine] == [
        "call.received",
        "unit.dispatched",
        "unit.en_route",
        "unit.on_scene",
        "unit.cleared",
        "call.closed",
    ]
    assert len({e["call_id"] for e in mine}) == 1
    assert mine[0]["payload"]["location"] == "500 Elm Street"
    times = [e["occurred_at"] for e in mine]
    assert times == sorted(times)


def test_ascii_mode_draws_only_ascii(tmp_path):
    term = Terminal(["--demo", "--ascii"], env={"XDG_DATA_HOME": str(tmp_path)})
    screen = term.wait_for("SIGNAL")
    assert screen.isascii(), [line for line in screen.splitlines() if not line.isascii()]
    term.send("d")  # call 6 has units already: the picker offers an assist
    screen = term.wait_for("to call 6")
    assert screen.isascii(), [line for line in screen.splitlines() if not line.isascii()]
    term.send("\x1b")
    term.pump(0.3)
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("y")
    assert term.exit_status() == 0


def test_the_board_stays_in_view_behind_help_and_questions(tmp_path):
    """A modal (help, a picker, a question) sits over the board; the board is not blanked."""
    term = Terminal(["--demo"], env={"XDG_DATA_HOME": str(tmp_path)})
    term.wait_for("SIGNAL")
    term.send("?")
    screen = term.wait_for("HELP")
    assert "UNIT" in screen, screen  # the officer board's header, below the help box
    term.send("\x1b")
    term.pump(0.3)
    term.send("q")
    screen = term.wait_for("Quit CSO Console?")
    assert "UNIT" in screen, screen
    term.send("y")
    assert term.exit_status() == 0


def test_signing_in_typed_while_the_console_starts(tmp_path):
    """Operator id, Enter, PIN, Enter typed at once as the console starts: the terminal,
    not yet in raw mode, turns each Enter into a line feed; the sign-in goes through (the
    PIN all went into the operator id field)."""
    from cso_console.demo import DEMO_LEAD, DEMO_PIN, seed_demo
    from cso_console.domain.town_files import load_town
    from cso_console.paths import bundled_town_dir

    db = tmp_path / "desk.db"
    seed_demo(db, load_town(bundled_town_dir()))
    term = Terminal(["--db", str(db)], env={"XDG_DATA_HOME": str(tmp_path)})
    term.send(f"{DEMO_LEAD}\r{DEMO_PIN}\r")
    screen = term.wait_for("LOCATION")
    assert "lead (shift lead)" in screen and DEMO_PIN not in screen
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("y")
    assert term.exit_status() == 0
