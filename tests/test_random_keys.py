"""Nothing a person can type crashes the console: seeded random key sequences on every
screen at 80x24, on the demo shift and on a fresh database made without --demo. No
exception, and no exit but through the quit question (q is left out; ctrl+c asks)."""

from __future__ import annotations

import asyncio
import random
import string
from pathlib import Path

import pytest

from cso_console.app import ConsoleApp
from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.screens.firstrun import FirstRunScreen
from cso_console.screens.signin import SignInScreen
from cso_console.session import NOBODY, first_lead

from .conftest import START
from .ui_app import demo_app, wait_until

KEYS = (
    list(string.ascii_letters.replace("q", ""))
    + list(string.digits)
    + list("#-./&@!?:,;'\"()[]{}<>*+=_~")
    + ["Ж", "東", "é", "space", "tab", "shift+tab", "escape", "enter", "backspace", "delete"]
    + ["up", "down", "left", "right", "pageup", "pagedown", "home", "end"]
    + [f"f{i}" for i in range(1, 11)]
)
# How each screen is reached from the board before the random keys start.
SCREENS = {"board": [], "intake": ["n"], "picker": ["d"], "detail": ["enter"], "map": ["m"],
           "help": ["question_mark"], "alerts": ["exclamation_mark"], "roster": ["R"],
           "lock": ["ctrl+l"], "history": ["h"], "search": ["slash"],
           "command_line": ["colon"], "palette": ["ctrl+p"]}  # fmt: skip
LEAD_PIN = "Hs4&kD7pX-63"


def empty_app(folder: Path, signed_in: bool = True) -> ConsoleApp:
    """A database made without --demo: its first lead signed in (or, without
    ``signed_in``, nobody enrolled: the console opens on the first run)."""
    town = load_town(bundled_town_dir())
    desk = Desk.open(folder / "fresh.db", town, clock=FixedClock(START), operator_id=NOBODY)
    desk.take_roster()  # as `run` does on a new file
    history = folder / "command-history"  # the `:` line's: never the user's own
    if not signed_in:
        return ConsoleApp(desk, history_path=history)
    out, session = first_lead(desk, "op1", "Op One", LEAD_PIN)
    assert out.ok, out.reason
    return ConsoleApp(desk, session=session, history_path=history)


@pytest.mark.parametrize("fresh", [False, True], ids=["demo", "fresh"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_random_keys_never_crash_or_quit(tmp_path: Path, screen: str, fresh: bool) -> None:
    rng = random.Random(f"{screen}-{fresh}")
    keys = [rng.choice(KEYS) for _ in range(250)]

    async def go() -> None:
        app = empty_app(tmp_path) if fresh else demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press(*SCREENS[screen])
            for i in range(0, len(keys), 10):
                await pilot.press(*keys[i : i + 10])
                await pilot.pause()
                assert app.is_running, f"the console ended after keys {keys[: i + 10]}"
            await asyncio.sleep(0.3)  # the desk's outcomes come back
            await pilot.pause()
            assert app.is_running

    asyncio.run(go())


@pytest.mark.parametrize("screen", ["sign-in", "first run"])
def test_random_keys_before_anyone_is_signed_in(tmp_path: Path, screen: str) -> None:
    """The sign-in screen (operators enrolled, nobody signed in) and the first run (no
    operator yet): no crash, no exit, and nobody gets in by chance."""
    rng = random.Random(screen)
    keys = [rng.choice(KEYS) for _ in range(250)]
    opening = SignInScreen if screen == "sign-in" else FirstRunScreen

    async def go() -> None:
        app = (
            demo_app(tmp_path, signed_in=False)
            if screen == "sign-in"
            else empty_app(tmp_path, False)
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, opening))
            for i in range(0, len(keys), 10):
                await pilot.press(*keys[i : i + 10])
                await pilot.pause()
                assert app.is_running, f"the console ended after keys {keys[: i + 10]}"
            await asyncio.sleep(0.3)  # the desk's answers come back
            await pilot.pause()
            assert app.is_running
            if screen == "sign-in":
                assert app.session is None and isinstance(app.screen, SignInScreen)

    asyncio.run(go())


@pytest.mark.parametrize("typed", ["#", "-", ".", "Ж", "東京駅前"])
def test_any_first_character_in_location_is_fine(tmp_path: Path, typed: str) -> None:
    """`n` then `#` in Location once ended the console (and lost the call being typed)."""
    from cso_console.screens.intake import IntakeScreen

    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", *typed)
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, IntakeScreen)
            info = str(app.screen.query_one("#location-info").render())
            assert info  # says what it makes of it: nothing yet, or unverified

    asyncio.run(go())


@pytest.mark.parametrize("key", ["ctrl+c", "ctrl+q"])
def test_ctrl_c_and_ctrl_q_ask_first(tmp_path: Path, key: str) -> None:
    from cso_console.screens.confirm import ConfirmScreen
    from cso_console.screens.intake import IntakeScreen

    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", *"410 Elm", key)
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen) and app.is_running
            await pilot.press(key)  # pressed again while asking: still one question
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, IntakeScreen)
            assert app.screen.query_one("#location").value == "410 Elm"
            await pilot.press(key, "y")
            await pilot.pause()
        assert app.return_code == 0

    asyncio.run(go())
