"""The console on an existing desk file paints its sign-in screen first and opens the desk
after, on a thread: typing is taken at once, an Enter before the desk is open waits for it
(never lost), the desk line and the alert counts fill in when it is; a desk that cannot
be opened ends the console with the sentence and the exit code it always had."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from cso_console.app import ConsoleApp
from cso_console.demo import DEMO_LEAD, DEMO_PIN, seed_demo
from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.screens.board import BoardScreen
from cso_console.screens.signin import SignInScreen
from cso_console.session import NOBODY
from cso_console.store import StoreError
from cso_console.widgets.alert_count import AlertCount

from .conftest import START
from .pty_screen import Terminal
from .ui_app import wait_until

pytestmark = pytest.mark.board_loading  # the board comes after the desk: no wait for it


def held_opener(tmp_path: Path, town) -> tuple[threading.Event, object]:
    db = tmp_path / "ui.db"
    seed_demo(db, town, now=START)
    go = threading.Event()

    def opener() -> Desk:
        assert go.wait(10)
        desk = Desk.open(db, town, clock=FixedClock(START), operator_id=NOBODY)
        desk.take_roster()
        return desk

    return go, opener


def console(opener, tmp_path: Path) -> ConsoleApp:
    return ConsoleApp(opener=opener, lock_after=0, history_path=tmp_path / "h")


def held_console(tmp_path: Path, town) -> tuple[threading.Event, ConsoleApp]:
    """A console whose desk opens when the returned event is set."""
    release, opener = held_opener(tmp_path, town)
    return release, console(opener, tmp_path)


def test_sign_in_is_drawn_and_typed_into_before_the_desk_is_open(tmp_path, town):
    async def go():
        release, app = held_console(tmp_path, town)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SignInScreen) and not app.ready
            assert [type(s).__name__ for s in app.screen_stack[1:]] == ["SignInScreen"]
            assert screen.query_one("#desk", Static).content == ""
            await pilot.press(*DEMO_LEAD, "enter", *DEMO_PIN, "enter")  # before the desk
            assert screen.query_one("#operator", Input).value == DEMO_LEAD
            assert app.session is None and not app.ready
            release.set()
            await wait_until(pilot, lambda: app.session is not None, what="the sign-in")
            assert app.session.operator_id == DEMO_LEAD
            assert isinstance(app.screen, BoardScreen)
            await wait_until(pilot, lambda: not app.rows_loading, what="the board's rows")
            assert app.known_calls()

    asyncio.run(go())


def test_the_desk_line_and_alert_counts_fill_in_once_the_desk_is_open(tmp_path, town):
    async def go():
        release, app = held_console(tmp_path, town)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            count = app.screen.query_one(AlertCount)
            assert str(count.render()) == ""
            release.set()
            await wait_until(pilot, lambda: not app.rows_loading, what="the board under")
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
            assert [type(s).__name__ for s in app.screen_stack[1:]] == [
                "BoardScreen",
                "SignInScreen",
            ]
            desk_line = str(app.screen.query_one("#desk", Static).render())
            assert town.name in desk_line and "desk D1" in desk_line
            assert "ALERTS" in str(count.render())

    asyncio.run(go())


def test_a_desk_that_cannot_be_opened_ends_the_console_and_is_raised(tmp_path):
    def opener() -> Desk:
        raise StoreError("x.db is not a CSO Console database.")

    async def go():
        app = console(opener, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.failure is not None)
        app.wait_for_desk()
        assert isinstance(app.failure, StoreError)

    asyncio.run(go())


@pytest.mark.slow
def test_bad_town_data_on_an_existing_file_is_said_with_exit_code_2(tmp_path, town):
    import pexpect

    db = tmp_path / "desk.db"
    Desk.open(db, town, clock=FixedClock(START)).close()
    folder = tmp_path / "town"
    folder.mkdir()
    (folder / "town.toml").write_text("name = \n")
    term = Terminal(["--db", str(db), "--town", str(folder)])
    term.child.expect(pexpect.EOF, timeout=30)
    said = term.child.before.decode(errors="replace")
    term.child.close()
    assert f"cso-console: bad town data in {folder}" in said
    assert term.child.exitstatus == 2


def test_the_cheap_check_opens_only_a_current_desk_file_after_the_paint(tmp_path, town):
    from cso_console.store.database import current_file

    db = tmp_path / "desk.db"
    assert not current_file(db)  # none yet: created before the console starts
    Desk.open(db, town, clock=FixedClock(START)).close()
    assert current_file(db)
    older = tmp_path / "older.db"
    older.write_bytes(db.read_bytes())
    conn = sqlite3.connect(older)
    conn.execute("PRAGMA user_version = 4")
    conn.close()
    assert not current_file(older)  # a migration is due: done before the console starts
    (tmp_path / "text.db").write_text("not a database")
    assert not current_file(tmp_path / "text.db")  # refused before the console starts


def test_the_alert_count_says_nothing_until_the_boards_rows_are_read(tmp_path, town):
    """Between the desk opening and the board's rows coming back, the sign-in screen's
    count stays blank: "No alerts." would not be true yet."""

    async def go():
        rows = threading.Event()
        release, opener = held_opener(tmp_path, town)

        def slow_rows_opener() -> Desk:
            desk = opener()
            read = desk.open_calls

            def open_calls():
                assert rows.wait(10)
                return read()

            desk.open_calls = open_calls
            return desk

        app = console(slow_rows_opener, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            release.set()
            await wait_until(pilot, lambda: app.ready and app.rows_loading, what="the desk")
            await pilot.pause(1.2)  # the 1 s tick has counted again
            count = app.screen.query_one(AlertCount)
            assert str(count.render()) == ""
            rows.set()
            await wait_until(pilot, lambda: not app.rows_loading, what="the board's rows")
            await wait_until(pilot, lambda: "ALERTS" in str(count.render()), what="the count")

    asyncio.run(go())
