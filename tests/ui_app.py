"""The console on a fixed demo shift and a fixed clock, for Pilot tests and snapshots."""

from __future__ import annotations

import os
import time
from pathlib import Path

from cso_console.app import ConsoleApp
from cso_console.demo import seed_demo
from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir

from .conftest import START


def demo_app(folder: Path) -> ConsoleApp:
    os.environ["TZ"] = "UTC"
    time.tzset()
    town = load_town(bundled_town_dir())
    db = folder / "ui.db"
    if not db.exists():
        seed_demo(db, town, now=START)
    desk = Desk.open(db, town, clock=FixedClock(START), operator_id="op7")
    return ConsoleApp(desk)
