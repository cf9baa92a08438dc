"""An unexpected error (a bug) never ends the console: it is shown, logged to an
owner-only file without caller details, and the desk keeps running."""

from __future__ import annotations

import asyncio
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cso_console.app import ConsoleApp
from cso_console.domain.events import CallReceived, Draft, EventType, stamp
from cso_console.screens.board import BoardScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.screens.intake import IntakeScreen
from cso_console.widgets.boards import CallQueue

from .ui_app import caught_up, demo_app, settle, wait_until

SECRET_NAME = "Zebulon Quartermain"
SECRET_PHONE = "555-0199-7731"


def message(app: ConsoleApp) -> str:
    return str(app.screen.query_one("#message").render())


@pytest.fixture
def forgiving(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the console runs for real: tests otherwise stop at the first error."""
    monkeypatch.setattr(ConsoleApp, "strict", False)


def test_a_bug_in_a_key_handler_is_shown_logged_and_the_desk_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forgiving: None
) -> None:
    def broken(self: BoardScreen) -> None:
        caller_name, caller_phone = SECRET_NAME, SECRET_PHONE  # noqa: F841 (locals)
        raise RuntimeError(f"bad caller {caller_name} {caller_phone}")

    monkeypatch.setattr(BoardScreen, "action_help", broken)

    async def go() -> None:
        app = demo_app(tmp_path)
        app.error_log = tmp_path / "logs" / "errors.log"
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: "nexpected" in message(app), what="the error said")
            shown = message(app)
            assert "RuntimeError" in shown and SECRET_NAME not in shown
            assert app.is_running
            await pilot.press("question_mark")  # the same screen still takes keys
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, IntakeScreen)
            await pilot.press(*"410 Elm Street", "tab", *"NOISE", "f10")
            await settle(pilot)
            assert isinstance(app.screen, BoardScreen)
            assert app.desk.store.count_events() > 0
        log = app.error_log
        assert log is not None and log.exists()
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        text = log.read_text()
        assert "RuntimeError" in text and "in broken" in text
        assert SECRET_NAME not in text and SECRET_PHONE not in text
        assert text.count("RuntimeError") >= 2  # both presses logged

    asyncio.run(go())


def test_a_call_received_in_year_one_shows_in_detail_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`0001-01-01T00:00:00Z` in New York is before year 1: no OverflowError."""

    async def go() -> None:
        app = demo_app(tmp_path)  # sets TZ=UTC; the screen then runs in New York
        monkeypatch.setenv("TZ", "America/New_York")
        time.tzset()
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                # A desk refuses such a time now; another desk's journal may hold one.
                call_id = "D2-26-000001"
                received = CallReceived(
                    type_code="NOISE",
                    priority=3,
                    location="410 Elm Street",
                    location_verified=True,
                    beat_id="B1",
                    caller_name=SECRET_NAME,
                    caller_phone=SECRET_PHONE,
                    received_at=datetime(1, 1, 1, tzinfo=UTC),
                )
                event = stamp(
                    Draft(type=EventType.CALL_RECEIVED, call_id=call_id, payload=received),
                    desk_id="D2",
                    desk_seq=1,
                    hlc=app.desk.head()[0] + 1,
                    occurred_at=app.desk.now(),
                    operator_id="op9",
                )
                report = app.desk.ingest([event])
                assert report.new == 1, report
                await caught_up(pilot)
                app.screen.query_one(CallQueue).select_key(call_id)
                await pilot.press("enter")
                await wait_until(pilot, lambda: isinstance(app.screen, CallDetailScreen))
                await wait_until(pilot, lambda: app.screen.settled, what="the call loaded")
                fields = str(app.screen.query_one("#fields").render())
                assert "0001-01-01 00:00:00 UTC" in fields, fields.splitlines()[3]
        finally:
            os.environ["TZ"] = "UTC"
            time.tzset()

    asyncio.run(go())


def test_every_screen_and_widget_of_ours_is_steady() -> None:
    """A new screen or widget that forgets the guard would end the console on its first bug."""
    import importlib
    import pkgutil

    from textual.app import App
    from textual.widget import Widget

    import cso_console
    from cso_console.widgets.steady import Steady

    for info in pkgutil.walk_packages(cso_console.__path__, "cso_console."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)

    def ours(base: type) -> list[type]:
        found = []
        for sub in base.__subclasses__():
            if sub.__module__.startswith("cso_console."):
                found.append(sub)
            found += ours(sub)
        return found

    classes = ours(Widget) + ours(App)
    assert classes
    bare = sorted({f"{k.__module__}.{k.__name__}" for k in classes if not issubclass(k, Steady)})
    assert not bare, f"not guarded by Steady: {bare}"
