"""The bytes a real terminal gets: --ascii writes ASCII only on every screen (toasts, help,
focused fields, scrollbars included), TERM=linux gets no frame or block glyphs, and under
NO_COLOR no chromatic colour, urgent rows no dimmer than the rest, the selection visible
without colour."""

from __future__ import annotations

import re

import pytest

from .pty_screen import Terminal

pytestmark = pytest.mark.slow

FRAME_OR_BLOCK = re.compile("[\u2190-\u21ff\u2500-\u25ff\u23ce]")


def tour(term: Terminal) -> None:
    """Every screen, a toast and a focused field, at 80x24 on the demo."""
    term.wait_for("SIGNAL")
    term.send("?")
    term.wait_for("Esc closes")
    term.send("\x1b")
    term.pump(0.3)
    term.send("N")  # a note prompt: Enter on nothing raises a toast
    term.wait_for("Note for call")
    term.send("\r")
    term.wait_for("Type something first")
    term.send("\x1b")
    term.pump(0.3)
    term.send("n")
    term.wait_for("NEW CALL")
    term.send("410 Elm")
    term.pump(0.5)
    term.send("\x1b")
    term.wait_for("Discard this new call?")
    term.send("y")
    term.pump(0.3)
    term.send("d")
    term.wait_for("to call 6")
    term.send("\x1b")
    term.pump(0.3)
    term.send("m")
    term.wait_for("HARBOR FALLS BAY")
    term.send("\x1b")
    term.pump(0.3)
    term.send("\r")
    term.wait_for("ASSIGNMENTS")
    term.send("\x1b")
    term.pump(0.3)


def quit_(term: Terminal) -> None:
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("y")
    assert term.exit_status() == 0


def test_ascii_bytes_are_ascii_on_every_screen(tmp_path):
    term = Terminal(["--demo", "--ascii"], env={"XDG_DATA_HOME": str(tmp_path)})
    tour(term)
    text = bytes(term.raw).decode("utf-8", "replace")
    assert not sorted({ch for ch in text if not ch.isascii()})
    quit_(term)


def test_linux_console_gets_no_frame_or_block_glyphs(tmp_path):
    term = Terminal(["--demo"], env={"XDG_DATA_HOME": str(tmp_path), "TERM": "linux"})
    tour(term)
    text = bytes(term.raw).decode("utf-8", "replace")
    assert not FRAME_OR_BLOCK.search(text), sorted(set(FRAME_OR_BLOCK.findall(text)))
    quit_(term)


def _grey(colour: str) -> bool:
    """pyte keeps a colour as a name ('default', 'red') or as six hex digits."""
    if colour == "default":
        return True
    if re.fullmatch(r"[0-9a-fA-F]{6}", colour):
        r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
        return max(r, g, b) - min(r, g, b) <= 8
    return colour in ("black", "white", "brightblack", "brightwhite")


def _luma(colour: str) -> int:
    if re.fullmatch(r"[0-9a-fA-F]{6}", colour):
        return sum(int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return 3 * 255 if colour in ("default", "white", "brightwhite") else 0


def test_no_color_has_no_hue_and_urgent_rows_are_not_dimmer(tmp_path):
    term = Terminal(["--demo"], env={"XDG_DATA_HOME": str(tmp_path), "NO_COLOR": "1"})
    screen = term.wait_for("SIGNAL")
    term.pump(0.5)
    rows = screen.splitlines()
    cells = [term.screen.buffer[y][x] for y in range(len(rows)) for x in range(80)]
    hues = {c.fg for c in cells if not _grey(c.fg)} | {c.bg for c in cells if not _grey(c.bg)}
    assert not hues, hues
    late = next(y for y, line in enumerate(rows) if line.startswith("|!!"))
    plain = next(y for y, line in enumerate(rows) if re.match(r"\|\s+\d+ 3 ", line) and y != late)
    number_x = rows[late].index(rows[late].split()[1])
    assert _luma(term.screen.buffer[late][number_x].fg) >= _luma(
        term.screen.buffer[plain][number_x].fg
    )
    # the selection (the first row) shows without colour: reverse video or a marker
    first = 3
    cell = term.screen.buffer[first][5]
    assert cell.reverse or rows[first].startswith("|>"), rows[first]
    quit_(term)
