"""The collector is off while the console starts (cli.cmd_run) and runs again once the
board's rows are loaded, or after a while when no board loads them (a sign-in screen
left waiting): never left off for the rest of a shift."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest

from cso_console import app as app_module
from cso_console.app import ConsoleApp
from cso_console.screens.board import BoardScreen

from .ui_app import demo_app, wait_until


@pytest.fixture
def collector_off():
    gc.disable()  # as cli.cmd_run leaves it
    yield
    gc.enable()


def test_the_collector_runs_again_once_the_board_has_its_rows(tmp_path, collector_off, monkeypatch):
    monkeypatch.setattr(app_module, "GC_BACK", 60.0)  # the board's load, not the timer

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(
                pilot,
                lambda: isinstance(app.screen, BoardScreen) and not app.screen.loading_rows,
                what="the board's rows",
            )
            await wait_until(pilot, gc.isenabled, timeout=5, what="the collector back")
        app.desk.close()

    asyncio.run(go())


def test_without_a_board_the_collector_comes_back_after_a_while(
    tmp_path, collector_off, monkeypatch
):
    monkeypatch.setattr(app_module, "GC_BACK", 0.2)
    never = threading.Event()

    def opener():
        never.wait(5)
        raise RuntimeError("not opened in this test")

    async def go():
        app = ConsoleApp(opener=opener, history_path=tmp_path / "history")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert not gc.isenabled()
            await wait_until(pilot, gc.isenabled, what="the collector back")
            never.set()
        app.wait_for_desk()

    asyncio.run(go())
