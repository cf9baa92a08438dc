"""The installed console in a real pseudo-terminal at 80x24, as on a locked-down desk
(TERM=linux, NO_COLOR, --ascii): a call from intake to closed through the `:` line alone,
with Tab completion and one mistyped command corrected from its error."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from .pty_screen import Terminal

pytestmark = pytest.mark.slow


def ascii_only(screen: str) -> str:
    assert screen.isascii(), [line for line in screen.splitlines() if not line.isascii()]
    return screen


def test_a_call_from_intake_to_closed_through_the_command_line(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path), "TERM": "linux", "NO_COLOR": "1"}
    term = Terminal(["--demo", "--ascii"], env=env)
    term.wait_for("SIGNAL")
    term.send(":")
    ascii_only(term.wait_for("Tab completes"))
    term.send("NC NOISE 500 Elm Street // music\r")
    screen = ascii_only(term.wait_for(" taken"))
    number = re.search(r"NC NOISE 500 Elm Street: call (\d+) taken", screen).group(1)
    term.send(":")
    term.wait_for("Tab completes")
    term.send(f"D {number} C1\t")
    screen = ascii_only(term.wait_for("C10 Maria Delgado, available"))
    term.send("\r")
    ascii_only(term.wait_for(f"D {number} C10: done"))
    for verb in ("ER", "OS"):
        term.send(":")
        term.wait_for("Tab completes")
        if verb == "OS":  # a slip of the finger, corrected from what the error said
            term.send("OS C100\r")
            ascii_only(term.wait_for("OS C100: no officer C100; C10"))
            term.send("\x7f\r")
        else:
            term.send(f"{verb} C10\r")
        ascii_only(term.wait_for(f"{verb} C10: done"))
    term.send(":")
    term.wait_for("Tab completes")
    term.send("CL C10 RES\r")
    ascii_only(term.wait_for("CL C10 RES: done"))
    assert not re.search(rb"\x1b\[[0-9;]*3[0-7]m", bytes(term.raw))  # no colour codes
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("y")
    assert term.exit_status() == 0

    out = subprocess.run(
        [sys.executable, "-m", "cso_console", "export", "events", "--demo"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    ).stdout
    mine = [
        e["type"]
        for e in map(json.loads, out.splitlines())
        if e["operator_id"] == "lead" and e["call_id"] and e["call_id"].endswith(f"{number:0>6}")
    ]
    assert mine == [
        "call.received",
        "unit.dispatched",
        "unit.en_route",
        "unit.on_scene",
        "unit.cleared",
        "call.closed",
    ]
