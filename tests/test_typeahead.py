"""Type-ahead: keys that arrive in one burst with the key that opens a screen (a
dispatcher typing `n12 Elm Street` or `:D 13 C12` without waiting) land in the new
screen's field, in order; none is lost and none reaches the screen underneath."""

from __future__ import annotations

import asyncio

import pytest
from textual import events
from textual.widgets import Input

from cso_console.screens.command_line import CommandLineScreen
from cso_console.screens.intake import IntakeScreen

from .ui_app import demo_app, wait_until


def burst(app, text: str) -> None:
    """Every key of ``text`` handed to the app at once, as a terminal delivers a fast
    typist's keys (the driver's way in, no waiting between them)."""
    names = {" ": "space", ":": "colon", "/": "slash", "&": "ampersand", "#": "number_sign"}
    names["\r"], names["\n"] = "enter", "ctrl+j"
    for ch in text:
        key = events.Key(names.get(ch, ch), ch)
        key.set_sender(app)
        app._driver.send_message(key)


def opened(app, screen_type, field: str) -> bool:
    """``screen_type`` on top with its field composed (a busy machine shows the screen
    before its widgets)."""
    return isinstance(app.screen, screen_type) and bool(app.screen.query(field))


def test_keys_typed_with_n_land_in_the_new_calls_location(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            burst(app, "n12 Elm Street & 3rd/4")
            await wait_until(pilot, lambda: opened(app, IntakeScreen, "#location"))
            field = app.screen.query_one("#location", Input)
            typed = "12 Elm Street & 3rd/4"
            await wait_until(pilot, lambda: field.value == typed, what="the location typed ahead")
            assert app.screen.focused is field

    asyncio.run(go())


def test_keys_typed_with_colon_land_on_the_command_line(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            burst(app, ":D 13 C12")
            await wait_until(pilot, lambda: opened(app, CommandLineScreen, "Input"))
            line = app.screen.query_one(Input)
            await wait_until(pilot, lambda: line.value == "D 13 C12", what="the command typed")

    asyncio.run(go())


def test_keys_typed_after_a_binding_wait_for_it_to_run(tmp_path):
    """ctrl+u (a field's binding: empty it) then a new line in one burst: the new line is
    not typed before ctrl+u has emptied the field (it was wiped with the old one)."""

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("colon", *"d 13 c1")
            await wait_until(pilot, lambda: opened(app, CommandLineScreen, "Input"))
            line = app.screen.query_one(Input)
            await wait_until(pilot, lambda: line.value == "d 13 c1")
            ctrl_u = events.Key("ctrl+u", "\x15")
            ctrl_u.set_sender(app)
            app._driver.send_message(ctrl_u)
            burst(app, "D 13 C99")
            await wait_until(pilot, lambda: line.value == "D 13 C99", what="the new line")

    asyncio.run(go())


@pytest.mark.parametrize("enter", ["\r", "\n"], ids=["enter", "ctrl+j"])
def test_an_operator_id_and_pin_typed_in_one_burst_sign_in(tmp_path, enter):
    """`lead`, Enter, the PIN, Enter, typed in one burst, also while the console was
    starting: a terminal not yet in raw mode turns Enter into a line feed (ctrl+j), which
    is Enter too (the PIN all went into the operator id)."""
    from cso_console.screens.board import BoardScreen
    from cso_console.screens.signin import SignInScreen

    async def go():
        app = demo_app(tmp_path, signed_in=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen))
            burst(app, f"lead{enter}2468{enter}")
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen), what="board")
            assert app.session is not None and app.session.operator_id == "lead"

    asyncio.run(go())
