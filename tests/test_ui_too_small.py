"""Below 80x24 the console says so instead of drawing a squeezed screen, and comes back
as it was on a resize: a form half typed is still there, with what was typed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, Static

from cso_console.screens.board import BoardScreen
from cso_console.screens.confirm import ConfirmScreen
from cso_console.screens.intake import IntakeScreen
from cso_console.screens.too_small import TooSmallScreen

from .ui_app import demo_app, wait_until


def test_too_small_then_back_keeps_what_was_typed(tmp_path: Path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, IntakeScreen))
            await pilot.press(*"410 Elm")
            await pilot.resize_terminal(70, 20)
            await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), what="note")
            text = str(app.screen.query_one(Static).render())
            assert "terminal too small: 70x20, need 80x24" in text, text
            await pilot.press("x", "y")  # nothing happens blind
            await pilot.resize_terminal(79, 30)
            await wait_until(pilot, lambda: "79x30" in str(app.screen.query_one(Static).render()))
            await pilot.resize_terminal(80, 24)
            await wait_until(pilot, lambda: isinstance(app.screen, IntakeScreen), what="form")
            assert app.screen.query_one("#location", Input).value == "410 Elm"
            assert app.screen.focused is not None

    asyncio.run(go())


def test_started_too_small(tmp_path: Path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(60, 15)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), what="note")
            await pilot.resize_terminal(100, 30)
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen), what="board")

    asyncio.run(go())


def test_the_quit_question_is_not_covered(tmp_path: Path) -> None:
    """ctrl+c on a too-small terminal asks, and the question stays to be answered."""

    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(60, 15)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), what="note")
            await pilot.press("ctrl+c")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="ask")
            app.fit_terminal()  # as the tick does
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), what="note")

    asyncio.run(go())


def test_a_note_left_from_a_passing_size_goes_at_the_tick(tmp_path: Path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            app.push_screen(TooSmallScreen())  # as if the size had been small
            app.fit_terminal()  # as the tick does, whether it is mounted yet or not
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen), what="board")

    asyncio.run(go())
