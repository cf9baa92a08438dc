"""Shared fixtures: the demo town, a fixed clock, desks on real SQLite files in tmp dirs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

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
