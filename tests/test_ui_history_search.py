"""Premise history (`h`) and search (`/`) at 80x24 on the demo shift: results open the
call; the caller never shows."""

from __future__ import annotations

import asyncio

from cso_console.screens.board import BoardScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.screens.history import PremiseHistoryScreen
from cso_console.screens.search import SearchScreen
from cso_console.widgets.calllines import CallLineList

from .ui_app import demo_app, wait_until


def _screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query("Static")) + "\n".join(
        app.screen.query_one(CallLineList).render_line(y).text
        for y in range(app.screen.query_one(CallLineList).size.height)
    )


async def _history_of_library(pilot) -> None:
    await pilot.pause()
    await pilot.press("down")  # the second call on the queue: 2, the library
    await pilot.press("h")
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "loaded", False), what="history")
    await pilot.pause()


async def _search_elm(pilot) -> None:
    await pilot.pause()
    await pilot.press("slash", *"elm", "enter")
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "searched", ""), what="search")
    await pilot.pause()


def test_h_lists_the_place_history_and_enter_opens_the_call(tmp_path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await _history_of_library(pilot)
            screen = app.screen
            assert isinstance(screen, PremiseHistoryScreen)
            assert screen.call.call_id == "D1-26-000002"
            found = screen.query_one(CallLineList)
            assert found.keys == ["D1-26-000010"]  # the wallet, same library
            text = _screen_text(app)
            assert "1 here, 0 near" in text and "LOSTP" in text
            assert "Demo Caller" not in text and "555-0100" not in text
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, CallDetailScreen)
            assert app.screen.call_id == "D1-26-000010"
            await pilot.press("h")  # and from the call detail: the history of that call
            await wait_until(pilot, lambda: getattr(app.screen, "loaded", False))
            assert app.screen.query_one(CallLineList).keys == ["D1-26-000002"]
            await pilot.press("escape", "escape", "escape")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)

    asyncio.run(go())


def test_slash_searches_and_enter_opens_the_call(tmp_path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await _search_elm(pilot)
            screen = app.screen
            assert isinstance(screen, SearchScreen)
            found = screen.query_one(CallLineList)
            assert found.keys == ["D1-26-000011", "D1-26-000001"]  # newest first
            assert found.has_focus
            await pilot.press("down", "enter")
            await pilot.pause()
            assert isinstance(app.screen, CallDetailScreen)
            assert app.screen.call_id == "D1-26-000001"
            await pilot.press("escape")
            await pilot.pause()
            # / edits the line again; a line that cannot be read is a sentence
            await pilot.press("slash", "ctrl+a", "ctrl+k", *"beat:B99", "enter")
            await wait_until(
                pilot, lambda: "no beat" in str(app.screen.query_one("#message").render())
            )
            assert found.keys == ["D1-26-000011", "D1-26-000001"]  # the last results stay
            await pilot.press("ctrl+a", "ctrl+k", *"Demo Caller", "enter")
            await wait_until(pilot, lambda: screen.searched == "Demo Caller")
            assert found.keys == []  # the caller's name is never searched
            await pilot.press("ctrl+a", "ctrl+k", *"4", "enter")
            await wait_until(pilot, lambda: screen.searched == "4")
            assert found.keys == ["D1-26-000004"]
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)

    asyncio.run(go())


def test_history_snapshot(snap_compare, tmp_path) -> None:
    assert snap_compare(demo_app(tmp_path), run_before=_history_of_library, terminal_size=(80, 24))


def test_search_snapshot(snap_compare, tmp_path) -> None:
    assert snap_compare(demo_app(tmp_path), run_before=_search_elm, terminal_size=(80, 24))
