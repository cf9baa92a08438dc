"""The board's first load: every open call and officer read on the follower thread after
the board is drawn (empty, "loading..."), not on the UI loop before its first paint; the
keys typed meanwhile act on the loaded rows; the collector is frozen after the load."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest

from cso_console.screens.board import BoardScreen
from cso_console.widgets.boards import CallQueue, OfficerBoard

from .ui_app import demo_app, wait_until

pytestmark = pytest.mark.board_loading  # this file watches the load: no wait before it


def held_load(app) -> tuple[threading.Event, list[threading.Thread]]:
    """The desk's open-call read waits for the returned event; who read is recorded."""
    go, readers = threading.Event(), []
    desk = app.desk
    read = desk.open_calls

    def open_calls():
        readers.append(threading.current_thread())
        assert go.wait(10)
        return read()

    desk.open_calls = open_calls
    return go, readers


def board(app) -> BoardScreen:
    screen = app.screen_stack[1]
    assert isinstance(screen, BoardScreen)
    return screen


def test_the_board_is_drawn_loading_and_filled_from_the_follower_thread(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        release, readers = held_load(app)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            queue = board(app).query_one(CallQueue)
            assert app.rows_loading
            assert queue.calls == {} and "loading" in str(queue.border_title)
            gc.unfreeze()
            release.set()
            await wait_until(pilot, lambda: not app.rows_loading, what="the board's load")
            assert readers and threading.main_thread() not in readers
            assert len(queue.calls) == len(app.desk.open_calls()) > 0
            assert board(app).query_one(OfficerBoard).officers
            assert not queue.border_title
            # once they are painted, the rows loaded are left out of collections
            await wait_until(pilot, lambda: gc.get_freeze_count() > 0, what="gc.freeze()")

    asyncio.run(go())


def test_keys_typed_while_the_board_loads_move_on_the_loaded_rows(tmp_path):
    async def selected_after_two_downs(held: bool):
        app = demo_app(tmp_path)
        release, _ = held_load(app)
        if not held:
            release.set()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            if not held:
                await wait_until(pilot, lambda: not app.rows_loading)
            await pilot.press("down", "down")
            release.set()
            await wait_until(pilot, lambda: not app.rows_loading)
            await pilot.pause(0.1)
            return board(app).query_one(CallQueue).selected_key

    async def go():
        expected = await selected_after_two_downs(held=False)
        assert expected is not None
        assert await selected_after_two_downs(held=True) == expected

    asyncio.run(go())
