"""Shared fixtures: the demo town, a fixed clock, desks on real SQLite files in tmp dirs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.town import Town
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir

START = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def town() -> Town:
    return load_town(bundled_town_dir())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def make_desk(tmp_path: Path, town: Town, clock: FixedClock) -> Iterator[Callable[..., Desk]]:
    """Open desks on files in tmp_path (closed after the test)."""
    opened: list[Desk] = []

    def make(name: str = "desk.db", roster: bool = True, **kw: object) -> Desk:
        kw.setdefault("clock", clock)
        desk = Desk.open(tmp_path / name, town, **kw)  # type: ignore[arg-type]
        opened.append(desk)
        if roster:  # as `run` does: the town's roster taken in as events
            desk.take_roster()
        return desk

    yield make
    for d in opened:
        d.close()


@pytest.fixture
def desk(make_desk: Callable[..., Desk]) -> Desk:
    return make_desk()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment with HOME and the data dirs inside tmp_path."""
    e = dict(os.environ)
    e.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
    )
    return e


@pytest.fixture(autouse=True)
def strict_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """In tests the first unexpected error ends the app and fails the test (the console
    itself survives it: tests/test_unexpected_error.py sets this back)."""
    from cso_console.app import ConsoleApp

    monkeypatch.setattr(ConsoleApp, "strict", True)


@pytest.fixture(autouse=True)
def board_loaded_first(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The board reads its rows on the follower thread after its first paint; a test (or
    a snapshot) starts once they are on it, as a person sees the board filled before
    reading it. Tests marked ``board_loading`` watch the load itself."""
    if request.node.get_closest_marker("board_loading"):
        return
    import asyncio
    import inspect
    import time

    from cso_console.app import ConsoleApp

    original = ConsoleApp._process_messages

    async def process_messages(self: ConsoleApp, *args: Any, **kwargs: Any) -> None:
        ready = kwargs.get("ready_callback")
        if ready is not None:

            async def when_loaded() -> None:
                deadline = time.monotonic() + 10
                while self.rows_loading and time.monotonic() < deadline:
                    await asyncio.sleep(0.005)
                result = ready()
                if inspect.isawaitable(result):
                    await result

            def ready_callback() -> None:  # before the message loop runs: wait in a task
                self._board_loaded_first = asyncio.create_task(when_loaded())

            kwargs["ready_callback"] = ready_callback
        await original(self, *args, **kwargs)

    monkeypatch.setattr(ConsoleApp, "_process_messages", process_messages)
