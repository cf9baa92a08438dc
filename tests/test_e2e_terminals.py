"""The installed console on locked-down terminals, in a real pseudo-terminal: old TERMs,
16 colours, NO_COLOR, ASCII only, a window too small, a keymap file, no mouse."""

from __future__ import annotations

import re

import pytest

from .pty_screen import Terminal

pytestmark = pytest.mark.slow

SGR = re.compile(rb"\x1b\[([0-9;]*)m")
MOUSE_ON = (b"\x1b[?1000h", b"\x1b[?1002h", b"\x1b[?1003h", b"\x1b[?1006h", b"\x1b[?1015h")
GREY_16 = {30, 37, 40, 47, 90, 97, 100, 107}  # black, white, grey: no hue


def _quit(term: Terminal) -> None:
    term.send("q")
    term.wait_for("Quit CSO Console?")
    term.send("y")
    assert term.exit_status() == 0


def chromatic(raw: bytes) -> list[str]:
    """Every SGR colour in ``raw`` that has a hue (a grey or the default has none)."""
    found: list[str] = []
    for match in SGR.finditer(raw):
        codes = [int(c) if c else 0 for c in match.group(1).split(b";")]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in (38, 48) and i + 1 < len(codes) and codes[i + 1] == 2:
                r, g, b = codes[i + 2 : i + 5]
                if not r == g == b:
                    found.append(f"{code};2;{r};{g};{b}")
                i += 5
                continue
            if code in (38, 48) and i + 1 < len(codes) and codes[i + 1] == 5:
                n = codes[i + 2]
                if not (n in (0, 7, 8, 15, 16, 231) or n >= 232):
                    found.append(f"{code};5;{n}")
                i += 3
                continue
            if (
                30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107
            ) and (code not in GREY_16):
                found.append(str(code))
            i += 1
    return found


@pytest.mark.parametrize("term_name", ["xterm-256color", "screen", "linux", "vt100"])
def test_opens_helps_and_quits_on_each_term(tmp_path, term_name):
    env = {"XDG_DATA_HOME": str(tmp_path), "TERM": term_name, "COLORTERM": ""}
    term = Terminal(["--demo"], env=env)
    term.wait_for("SIGNAL")
    term.send("?")
    screen = term.wait_for("HELP - Board")
    assert "Dispatch" in screen
    term.send("\x1b")
    term.pump(0.3)
    _quit(term)
    if term_name != "xterm-256color":  # 16 colours: the ANSI theme, no 256/truecolor codes
        assert b"\x1b[38;2;" not in term.raw and b"\x1b[38;5;" not in term.raw
    assert not any(seq in term.raw for seq in MOUSE_ON), "mouse reporting was turned on"


@pytest.mark.parametrize("term_name", ["xterm-256color", "linux"])
def test_no_color_sends_no_hue(tmp_path, term_name):
    env = {"XDG_DATA_HOME": str(tmp_path), "TERM": term_name, "NO_COLOR": "1"}
    term = Terminal(["--demo", "--no-mouse"], env=env)
    term.wait_for("SIGNAL")
    term.send("\r")  # a call's detail, then a question over it
    term.wait_for("TIMELINE")
    term.send("\x1b")
    term.pump(0.3)
    _quit(term)
    assert chromatic(bytes(term.raw)) == []
    assert not any(seq in term.raw for seq in MOUSE_ON)


def test_ascii_every_byte_of_every_screen(tmp_path):
    """As the issue's new user: TERM=linux NO_COLOR=1 --ascii; a keymap problem's toast
    on the way in."""
    keymap = tmp_path / "keys.toml"
    keymap.write_text('call.dispach = "g"\n')
    env = {"XDG_DATA_HOME": str(tmp_path), "TERM": "linux", "NO_COLOR": "1"}
    term = Terminal(["--demo", "--ascii", "--keymap", str(keymap)], env=env)
    term.wait_for("no action call.dispach")  # the toast
    term.wait_for("SIGNAL")
    visits = [
        ("\r", "TIMELINE", "\x1b"),  # call detail
        ("?", "HELP", "\x1b"),
        ("R", "ROSTER", "\x1b"),
        ("!", "ALERTS", "\x1b"),
        ("/", "SEARCH", "\x1b"),
        ("h", "HISTORY", "\x1b"),
        ("s", "Shift report:", "\x1b"),
        ("m", "Each beat:", "\x1b"),
        ("\x10", "PALETTE - Board", "\x1b"),  # ctrl+p
        ("n", "NEW CALL", "\x1b"),
        ("d", "to call", "\x1b"),  # the dispatch picker
        ("\x0c", "LOCKED", "2468\r"),  # ctrl+l; the demo lead's PIN unlocks
    ]
    for key, shows, back in visits:
        term.send(key)
        screen = term.wait_for(shows)
        assert screen.isascii(), [line for line in screen.splitlines() if not line.isascii()]
        term.send(back)
        term.wait_for("SIGNAL")
    term.send("q")
    term.wait_for("Quit CSO Console?")  # a dialog
    term.send("y")
    assert term.exit_status() == 0
    assert bytes(term.raw).isascii(), sorted({chr(b) for b in term.raw if b > 127})
    assert chromatic(bytes(term.raw)) == []


def test_too_small_and_back_keeps_the_typed_text(tmp_path):
    term = Terminal(["--demo"], env={"XDG_DATA_HOME": str(tmp_path)})
    term.wait_for("SIGNAL")
    term.send("n")
    term.wait_for("NEW CALL")
    term.send("410 Elm")
    term.wait_for("410 Elm")
    term.resize(70, 20)
    term.wait_for("terminal too small: 70x20, need 80x24")
    term.resize(80, 24)
    screen = term.wait_for("NEW CALL")
    assert "410 Elm" in screen and "too small" not in screen
    term.send("\x1b")
    term.wait_for("Discard")
    term.send("y")
    term.wait_for("SIGNAL")
    _quit(term)


def test_a_keymap_file_moves_dispatch(tmp_path):
    keymap = tmp_path / "keys.toml"
    keymap.write_text('# dispatch on g\ncall.dispatch = "g"\n')
    term = Terminal(["--demo", "--keymap", str(keymap)], env={"XDG_DATA_HOME": str(tmp_path)})
    screen = term.wait_for("SIGNAL")
    assert "g dispatch" in screen
    term.send("?")
    screen = term.wait_for("HELP - Board")
    assert re.search(r"\| g\s+Dispatch ", screen), screen
    term.send("\x1b")
    term.pump(0.3)
    term.send("g")
    term.wait_for("to call")  # the dispatch picker
    term.send("\x1b")
    term.pump(0.3)
    _quit(term)


def test_a_bad_keymap_is_said_and_the_defaults_kept(tmp_path):
    keymap = tmp_path / "keys.toml"
    keymap.write_text('call.dispatch = "g"\ncall.dispach = "z"\n')
    term = Terminal(["--demo", "--keymap", str(keymap)], env={"XDG_DATA_HOME": str(tmp_path)})
    screen = term.wait_for("no action call.dispach")
    toast = "".join(  # the toast's column, right of its edge, as one run of text
        line.split("\u258c", 1)[1].rstrip(" |") for line in screen.splitlines() if "\u258c" in line
    )
    squeezed = re.sub(r"[\s-]", "", toast)
    assert "keys.toml:2:thereisnoactioncall.dispach" in squeezed, screen
    assert "g dispatch" in screen  # the good line is taken
    _quit(term)


def invisible_cells(term: Terminal) -> list[str]:
    """Cells whose character is drawn in the colour of its own background."""
    found = []
    for y in range(term.screen.lines):
        row = term.screen.buffer[y]
        for x in range(term.screen.columns):
            ch = row[x]
            if ch.data.strip() and ch.fg == ch.bg and ch.fg != "default":
                found.append(f"({x},{y}) {ch.data!r} {ch.fg} on {ch.bg}")
    return found


@pytest.mark.parametrize(
    "env_vars",
    [
        {"TERM": "linux", "NO_COLOR": "1"},
        {"TERM": "linux"},
        {"TERM": "xterm-256color", "NO_COLOR": "1"},
        {"TERM": "vt100", "NO_COLOR": "1"},
    ],
)
def test_every_character_can_be_read(tmp_path, env_vars):
    """Not one character in the colour of its background (TERM=linux with NO_COLOR drew
    the whole board black on black)."""
    term = Terminal(["--demo", "--ascii"], env={"XDG_DATA_HOME": str(tmp_path), **env_vars})
    term.wait_for("SIGNAL")
    term.pump(0.5)
    assert invisible_cells(term)[:5] == []
    term.send("\r")
    term.wait_for("TIMELINE")
    term.pump(0.3)
    assert invisible_cells(term)[:5] == []
    term.send("\x1b")
    term.pump(0.3)
    _quit(term)
