"""ctrl+p: every action of the screen underneath with the key in force; Enter runs it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import OptionList

from cso_console.screens.board import BoardScreen
from cso_console.screens.palette import PaletteScreen
from cso_console.screens.roster import RosterScreen
from cso_console.screens.signin import SignInScreen

from .ui_app import demo_app, wait_until


def _labels(app) -> list[str]:
    ol = app.screen.query_one(OptionList)
    return [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)]


def test_palette_lists_the_board_and_runs_the_choice(tmp_path: Path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path, keymap={"nav.roster": "g,f5"})
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, PaletteScreen), what="palette")
            labels = _labels(app)
            assert any("Dispatch" in label and "d / F3" in label for label in labels), labels
            assert any("Roster" in label and "g / F5" in label for label in labels), labels
            assert not any("palette" in label.lower() for label in labels), labels
            await pilot.press(*"roster")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, RosterScreen), what="roster")
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, PaletteScreen))
            assert any("Sign on (lead)" in label for label in _labels(app))
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, RosterScreen))

    asyncio.run(go())


def test_no_palette_before_sign_in(tmp_path: Path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path, signed_in=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen))
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)

    asyncio.run(go())


def test_no_color_shows_the_chosen_line_in_reverse(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, PaletteScreen))
            ol = app.screen.query_one(OptionList)
            style = ol.get_component_styles("option-list--option-highlighted")
            assert style.text_style.reverse and style.text_style.bold

    asyncio.run(go())


def test_palette_lists_the_command_lines_verbs_and_opens_the_line(tmp_path: Path) -> None:
    from textual.widgets import Input

    from cso_console.domain.verbs import VERBS
    from cso_console.screens.command_line import CommandLineScreen

    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, PaletteScreen))
            labels = _labels(app)
            for verb in VERBS:  # every verb of the one table, with its synopsis
                assert any(verb.synopsis in label for label in labels), verb.name
            palette = app.screen
            assert isinstance(palette, PaletteScreen)
            dispatch = next(v for v in VERBS if v.name == "D")
            palette.entries[dispatch.synopsis].run()
            palette.dismiss(None)
            await wait_until(pilot, lambda: isinstance(app.screen, CommandLineScreen))
            line = app.screen.query_one(Input)
            await wait_until(pilot, lambda: line.value == "D ", what="the verb typed")
            await pilot.press(*"9 C10", "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen), what="done")

    asyncio.run(go())
