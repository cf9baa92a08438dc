"""One call-detail screen, composed once and opened again for each call: every open
starts as a new screen would (the call asked for, caller hidden, no old message, no old
timeline), and a read or a reveal still on its way from an earlier open is dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from cso_console.screens.detail import CallDetailScreen
from cso_console.widgets.boards import CallQueue

from .test_caller_reveal import open_detail
from .ui_app import demo_app, settle, wait_until


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def on_two_calls(tmp_path, body: Callable[..., Awaitable[None]]) -> None:
    """Run ``body(pilot, app, first, second)`` on the demo board's first two calls."""

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            first, second = app.screen.query_one(CallQueue).keys[:2]
            await body(pilot, app, first, second)

    asyncio.run(go())


def test_the_second_open_is_the_same_screen_showing_only_the_new_call(tmp_path):
    async def body(pilot, app, first, second):
        await open_detail(pilot, first)
        screen = app.screen
        await pilot.press("v")  # caller shown on the first call
        await settle(pilot)
        assert "Caller    hidden" not in text(app, "#fields")
        app.say("a word about the first call")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CallDetailScreen))
        await open_detail(pilot, second)
        assert app.screen is screen  # composed once
        fields = text(app, "#fields")
        assert second in fields and first not in fields
        assert "Caller    hidden" in fields or "none given" in fields
        assert "a word about the first call" not in text(app, "#message")
        assert first not in text(app, "#timeline")

    on_two_calls(tmp_path, body)


def test_a_read_from_an_earlier_open_is_not_shown(tmp_path):
    async def body(pilot, app, first, second):
        held: list[tuple] = []
        real = app.read

        def holding(fn, done, owner=None):
            if isinstance(owner, CallDetailScreen) and not held:
                held.append((fn, done))  # the first open's read: answered later
                return
            real(fn, done, owner)

        app.read = holding  # type: ignore[method-assign]
        pilot.app.screen.query_one(CallQueue).select_key(first)
        await pilot.press("enter")
        await wait_until(pilot, lambda: held, what="the first open's read")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CallDetailScreen))
        await open_detail(pilot, second)
        fn, done = held[0]
        done(fn())  # the first call's read comes back late
        await pilot.pause()
        fields = text(app, "#fields")
        assert second in fields and first not in fields
        assert app.screen.settled

    on_two_calls(tmp_path, body)


def test_a_detail_opened_from_a_detail_is_a_screen_of_its_own(tmp_path):
    async def body(pilot, app, first, second):
        await open_detail(pilot, first)
        under = app.screen
        app.push_screen(CallDetailScreen.open_for(app, second))
        await wait_until(pilot, lambda: app.screen is not under)
        await wait_until(pilot, lambda: app.screen.settled, what="the call loaded")
        assert isinstance(app.screen, CallDetailScreen)
        assert second in text(app, "#fields")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is under)
        assert first in text(app, "#fields")

    on_two_calls(tmp_path, body)
