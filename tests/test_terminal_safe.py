"""Text from data never steers the terminal: control sequences in a feed are shown as
`?` on the board, in call detail, in pickers and messages, and on the CLI's stderr;
columns count terminal cells (CJK, emoji take two)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from rich.cells import cell_len

from cso_console.domain import commands as c
from cso_console.screens.detail import CallDetailScreen
from cso_console.text import terminal_safe
from cso_console.widgets.boards import CallQueue
from cso_console.widgets.format import fit

from .cli_run import run_cli
from .ui_app import demo_app, settle, wait_until

HOSTILE = "410 Elm Street \x1b[2J\x1b[H\x1b]0;pwned\x07\x08\x08\u202eevil"


def test_terminal_safe_shows_controls_as_question_marks() -> None:
    assert "\x1b" not in terminal_safe(HOSTILE) and "\u202e" not in terminal_safe(HOSTILE)
    assert terminal_safe("Café 東京 ✓") == "Café 東京 ✓"
    assert terminal_safe("a\nb", keep_lines=True) == "a\nb"
    assert terminal_safe("a\nb") == "a?b"


def test_columns_count_cells_not_characters() -> None:
    for text in ("東京タワー前の交差点", "🚗🚗 crash", "Main Street"):
        for width in (4, 7, 10):
            assert cell_len(fit(text, width)) == width
            assert cell_len(fit(text, width, right=True)) == width


def test_the_board_and_detail_show_hostile_text_harmlessly(tmp_path: Path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            out = app.desk.execute(
                c.ReceiveCall(type_code="NOISE", location=HOSTILE, narrative="\x1b]2;x\x07hi")
            )
            assert out.ok, out.reason
            queue = app.screen.query_one(CallQueue)
            await wait_until(pilot, lambda: out.call_id in queue.calls, what="the call")
            text, _ = queue.render_row(out.call_id or "")
            assert "\x1b" not in text and "\x07" not in text and "\x08" not in text
            app.push_screen(CallDetailScreen(out.call_id or ""))
            await wait_until(pilot, lambda: isinstance(app.screen, CallDetailScreen))
            await settle(pilot)
            for widget in ("#fields", "#timeline"):
                shown = str(app.screen.query_one(widget).render())
                assert "\x1b" not in shown and "\x07" not in shown

    asyncio.run(go())


def test_cli_stderr_quotes_data_harmlessly(tmp_path: Path, env: dict[str, str]) -> None:
    line = json.dumps({"type": "\x1b[2JNOISE", "location": "410 Elm Street"})
    r = run_cli("intake", "--db", tmp_path / "d.db", "-", env=env, input=line + "\n")
    assert r.returncode == 2
    assert "\x1b" not in r.stderr and "?[2JNOISE" in r.stderr
