"""The console on a fixed demo shift and a fixed clock, for Pilot tests and snapshots."""

from __future__ import annotations

import os
import time
from pathlib import Path

from cso_console.app import ConsoleApp
from cso_console.demo import DEMO_LEAD, DEMO_PIN, seed_demo
from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.session import NOBODY, sign_in

from .conftest import START


def demo_app(folder: Path, signed_in: bool = True, **options: object) -> ConsoleApp:
    """The demo shift, signed in as the demo lead as `--demo` does (or, with
    ``signed_in=False``, on the sign-in screen)."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    town = load_town(bundled_town_dir())
    db = folder / "ui.db"
    if not db.exists():
        seed_demo(db, town, now=START)
    desk = Desk.open(db, town, clock=FixedClock(START), operator_id=NOBODY)
    session = None
    if signed_in:
        out, session = sign_in(desk, DEMO_LEAD, DEMO_PIN, demo=True)
        assert out.ok, out.reason
    # Tests move the desk's clock by hours; the idle lock is tested on its own (it is
    # asked for there with lock_after), elsewhere it would lock at the next tick.
    options.setdefault("lock_after", 0)
    options.setdefault("history_path", folder / "command-history")
    return ConsoleApp(desk, session=session, **options)  # type: ignore[arg-type]


async def wait_until(pilot, condition, timeout: float = 10.0, what: str = "") -> None:
    """Let the app run until ``condition()`` holds (desk work comes back as messages)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.02)


async def settle(pilot, timeout: float = 10.0) -> None:
    """Wait until every command given has its outcome back (and the board its rows)."""
    await wait_until(pilot, lambda: pilot.app.idle, timeout, "the desk's outcomes")
    await pilot.pause()


async def caught_up(pilot, timeout: float = 10.0) -> None:
    """Wait until the app has followed the journal up to now: a read queued behind a
    fresh look at the change feed has come back."""
    done: list[object] = []
    pilot.app.follow_now()
    pilot.app.read(lambda: None, done.append)
    await wait_until(pilot, lambda: done, timeout, "the change feed")
    await settle(pilot, timeout)
