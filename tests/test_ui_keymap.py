"""A keymap file moves an action to another key on every screen that has it; help, the
key-hint line and the palette show the key in force; a bad entry is said, not fatal."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Button, Static

from cso_console.screens.board import BoardScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.screens.help import HelpScreen, key_lines
from cso_console.screens.intake import IntakeScreen
from cso_console.screens.picker import PickerScreen
from cso_console.widgets.boards import CallQueue
from cso_console.widgets.message import MessageLine

from .ui_app import demo_app, wait_until


def test_dispatch_moved_to_g_on_the_board_and_in_the_detail(tmp_path: Path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path, keymap={"call.dispatch": "g"})
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            queue = app.screen.query_one(CallQueue)
            await wait_until(pilot, lambda: bool(queue.keys), what="the queue")
            hints = str(app.screen.query_one("#keys", Static).render())
            assert "g dispatch" in hints and "d dispatch" not in hints, hints
            lines = key_lines(app.screen)
            assert any(line.startswith("g ") and "Dispatch" in line for line in lines), lines
            await pilot.press("d")  # no longer dispatch
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            await pilot.press("g")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="picker")
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, CallDetailScreen))
            hints = str(app.screen.query_one("#keys", Static).render())
            assert hints.startswith("g dispatch"), hints
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            help_lines = app.screen.lines
            assert any(line.startswith("g ") and "Dispatch" in line for line in help_lines)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, CallDetailScreen))
            await pilot.press("g")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="picker")

    asyncio.run(go())


def test_keymap_problems_are_said_on_the_message_line(tmp_path: Path) -> None:
    async def go() -> None:
        problem = "k.toml:2: there is no action call.dispach (did you mean call.dispatch?)."
        app = demo_app(tmp_path, keymap_problems=[problem])
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            line = app.screen.query_one(MessageLine)
            await wait_until(pilot, lambda: "call.dispach" in str(line.render()), what="said")

    asyncio.run(go())


def test_the_save_button_says_the_key_in_force(tmp_path: Path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path, keymap={"form.save": "f12"})
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, IntakeScreen))
            assert str(app.screen.query_one("#save", Button).label) == "Save (F12)"
            hints = str(app.screen.query_one("#keys", Static).render())
            assert "F12 save" in hints, hints

    asyncio.run(go())


def test_the_back_and_answer_keys_of_pickers_and_questions_follow_the_keymap(
    tmp_path: Path,
) -> None:
    """Pickers, text prompts and yes/no questions say the keys in force, not Esc/y/n."""
    from cso_console.screens.confirm import ConfirmScreen
    from cso_console.screens.picker import TextPrompt

    async def go() -> None:
        keymap = {"nav.back": "ctrl+b", "confirm.yes": "j", "confirm.no": "k"}
        app = demo_app(tmp_path, keymap=keymap)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            queue = app.screen.query_one(CallQueue)
            await wait_until(pilot, lambda: bool(queue.keys), what="the queue")
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="picker")
            hint = str(app.screen.query_one("#hint", Static).render())
            assert "^b back" in hint and "Esc" not in hint, hint
            await pilot.press("ctrl+b")
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await pilot.press("N")  # a note
            await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
            hint = str(app.screen.query_one(".hint", Static).render())
            assert "^b back" in hint and "Esc" not in hint, hint
            await pilot.press("x", "ctrl+b")  # something typed: asked first
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="ask")
            keys = str(app.screen.query_one(".keys", Static).render())
            assert "j yes" in keys and "k no" in keys and "Esc" not in keys, keys
            await pilot.press("j")
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))

    asyncio.run(go())
