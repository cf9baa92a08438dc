"""Event-loop lag while other processes write: the console (headless, 80x24) on a desk
with a long history, while `cso-console intake` adds calls received two hours ago and
`cso-console check --rebuild` runs in the middle.

Prints the longest and p99 gap between two 10 ms heartbeats of the app (a stall shows as
a long gap), beside a bare Textual app's in the same run, and how long after the intake
committed its last call the board showed every one of them.

    python bench/lag.py [--history 50000] [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Static

from cso_console.app import ConsoleApp
from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.widgets.boards import CallQueue

TOWN = load_town(bundled_town_dir())


def make_history(path: Path, n: int) -> None:
    start = datetime.now(UTC) - timedelta(days=90)
    clock = FixedClock(start)
    desk = Desk.open(path, TOWN, clock=clock, operator_id="history")
    desk.take_roster()
    types = ["NOISE", "PARK", "ABVEH", "STRAY"]
    for b in range(0, n, 1000):
        with desk.batch():
            for i in range(b, min(n, b + 1000)):
                clock.set(start + timedelta(minutes=2 * i))
                out = desk.execute(
                    c.ReceiveCall(type_code=types[i % 4], location=f"{100 + i % 700} Elm Street")
                )
                desk.execute(c.CloseCall(call=out.call_id or "", disposition="ADV"))
    desk.close()


class Heartbeat:
    def __init__(self) -> None:
        self.gaps: list[float] = []
        self.last = time.perf_counter()

    def beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def summary(self) -> tuple[float, float]:
        gaps = sorted(self.gaps[5:]) or [0.0]  # the first beats include start-up
        p99 = gaps[int(len(gaps) * 0.99) - 1] if len(gaps) > 100 else gaps[-1]
        return gaps[-1] * 1000, p99 * 1000


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("bare")


async def bare_floor(db: Path, feed: Path, seconds: float) -> tuple[float, float]:
    """A bare app's heartbeat while the same intake and rebuild run (on a copy of the
    file): the same load on the machine, no console."""
    app, hb = Bare(), Heartbeat()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_interval(0.01, hb.beat)
        await asyncio.sleep(0.5)
        t0 = time.perf_counter()
        intake = _cli("intake", "--db", str(db), str(feed))
        await asyncio.sleep(0.2)
        rebuild = _cli("check", "--rebuild", "--db", str(db))
        await asyncio.to_thread(intake.communicate)
        await asyncio.to_thread(rebuild.communicate)
        await asyncio.sleep(max(0.0, seconds - (time.perf_counter() - t0)))
        await pilot.pause()
    return hb.summary()


def _cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cso_console", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
    )


async def console_run(db: Path, feed: Path, calls: int) -> dict[str, float]:
    desk = Desk.open(db, TOWN, operator_id="bench")
    app, hb = ConsoleApp(desk), Heartbeat()
    out: dict[str, float] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        queue = app.screen.query_one(CallQueue)
        before = len(queue.calls)
        app.set_interval(0.01, hb.beat)
        await asyncio.sleep(0.5)
        t0 = time.perf_counter()
        intake = _cli("intake", "--db", str(db), str(feed))
        rebuild = None
        while len(queue.calls) < before + calls:
            await asyncio.sleep(0.005)
            if rebuild is None and len(queue.calls) > before:
                rebuild = _cli("check", "--rebuild", "--db", str(db))
            if intake.poll() is not None and "intake_done" not in out:
                out["intake_done"] = time.perf_counter()
            if time.perf_counter() - t0 > 120:
                raise SystemExit("the calls never all appeared on the board")
        shown = time.perf_counter()
        await asyncio.to_thread(intake.communicate)  # never block the app's loop here
        out.setdefault("intake_done", time.perf_counter())
        if rebuild is not None:
            await asyncio.to_thread(rebuild.communicate)
            out["rebuild_rc"] = rebuild.returncode
        await asyncio.sleep(0.5)
        await pilot.pause()
        await asyncio.sleep(1.5)  # the rebuild's swap reaches the board
        out["seconds"] = time.perf_counter() - t0
        out["first_to_all_ms"] = (shown - t0) * 1000
        out["after_intake_ms"] = max(0.0, (shown - out["intake_done"]) * 1000)
    desk.close()
    out["max_gap_ms"], out["p99_gap_ms"] = hb.summary()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--history", type=int, default=50_000, help="closed calls already there")
    ap.add_argument("--calls", type=int, default=200, help="calls the intake adds")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-lag-"))
    try:
        db = folder / "desk.db"
        t = time.perf_counter()
        make_history(db, args.history)
        twin = folder / "twin.db"
        shutil.copy(db, twin)  # the floor's run gets the same file and the same work
        print(f"history: {args.history:,} closed calls written in {time.perf_counter() - t:.1f} s")
        received = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
        feed = folder / "feed.jsonl"
        feed.write_text(
            "".join(
                json.dumps(
                    {
                        "type": "NOISE",
                        "location": f"{100 + i} Elm Street",
                        "received_at": received,
                        "source_id": f"lag-{i}",
                    }
                )
                + "\n"
                for i in range(args.calls)
            ),  # fmt: skip
            encoding="utf-8",
        )
        run = asyncio.run(console_run(db, feed, args.calls))
        floor = asyncio.run(bare_floor(twin, feed, run["seconds"]))
        rc = int(run.get("rebuild_rc", -1))
        print(f"{args.calls} calls by `cso-console intake` (received 2 h ago), "
              f"`check --rebuild` in the middle (exit {rc})")  # fmt: skip
        print(f"{'':34}{'max gap ms':>12}{'p99 gap ms':>12}")
        print(f"{'bare app, same load (floor)':34}{floor[0]:>12.1f}{floor[1]:>12.1f}")
        print(
            f"{'console, 10 ms heartbeat':34}{run['max_gap_ms']:>12.1f}{run['p99_gap_ms']:>12.1f}"
        )
        print(f"all {args.calls} on the board {run['first_to_all_ms']:.0f} ms after the intake "
              f"started, {run['after_intake_ms']:.0f} ms after it ended")  # fmt: skip
        print("target: no stall over 100 ms; calls visible within a second or two")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
