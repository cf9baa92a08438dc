"""The board's 1 s tick and a keypress with 2,000 open calls and 300 officers.

Prints our figures beside a floor measured in the same run: a bare Textual app whose
tick updates one Static and whose keypress moves nothing.

    python bench/board_tick.py [--calls 2000] [--officers 300] [--rounds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
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
from cso_console.domain.town import RosterOfficer
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.screens.board import BoardScreen

START = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)


def build(folder: Path, calls: int, officers: int) -> Desk:
    base = load_town(bundled_town_dir())
    beats = [b.id for b in base.beats]
    roster = tuple(
        RosterOfficer(
            call_sign=f"C{100 + i}", name=f"Officer {i}", skills=(), beat=beats[i % len(beats)]
        )
        for i in range(officers)
    )
    town = base.model_copy(update={"officers": roster})
    clock = FixedClock(START - timedelta(hours=3))
    desk = Desk.open(folder / "tick.db", town, clock=clock)
    desk.take_roster()  # the roster is journal events now: needed before SignOn
    streets = [s for s in town.streets]
    for i in range(officers):
        out = desk.execute(c.SignOn(officer=f"C{100 + i}"))
        if not out.ok:
            raise SystemExit(f"SignOn C{100 + i} refused: {out.reason}")
    for i in range(calls):
        s = streets[i % len(streets)]
        clock.advance(seconds=5)
        out = desk.execute(
            c.ReceiveCall(
                type_code=["NOISE", "PARK", "ABVEH", "WELF"][i % 4],
                location=f"{s.low + i % (s.high - s.low)} {s.name}",
            )
        )
        if not out.ok:
            raise SystemExit(f"ReceiveCall refused: {out.reason}")
        if i < officers // 2:
            sent = desk.execute(c.Dispatch(call=out.call_id, officers=(f"C{100 + i}",)))
            if not sent.ok:
                raise SystemExit(f"Dispatch refused: {sent.reason}")
    desk.clock = FixedClock(START)  # type: ignore[assignment]
    return desk


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("", id="s")


def ms(values: list[float]) -> str:
    q = statistics.quantiles(values, n=20)
    return f"median {statistics.median(values) * 1000:7.2f} ms   p95 {q[18] * 1000:7.2f} ms"


async def measure_console(desk: Desk, rounds: int) -> tuple[list[float], list[float]]:
    app = ConsoleApp(desk)
    ticks, keys = [], []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        board = app.screen
        assert isinstance(board, BoardScreen)
        for i in range(rounds):
            t0 = time.perf_counter()
            board.tick(START + timedelta(seconds=i))
            await pilot.pause()
            ticks.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            await pilot.press("down" if i % 2 == 0 else "up")
            await pilot.pause()
            keys.append(time.perf_counter() - t0)
    return ticks, keys


async def measure_bare(rounds: int) -> tuple[list[float], list[float]]:
    app = Bare()
    ticks, keys = [], []
    async with app.run_test(size=(80, 24)) as pilot:
        s = app.query_one(Static)
        for i in range(rounds):
            t0 = time.perf_counter()
            s.update(f"{i}")
            await pilot.pause()
            ticks.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            await pilot.press("down")
            await pilot.pause()
            keys.append(time.perf_counter() - t0)
    return ticks, keys


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--officers", type=int, default=300)
    p.add_argument("--rounds", type=int, default=50)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        desk = build(Path(tmp), args.calls, args.officers)
        print(
            f"setup: {args.calls} open calls, {args.officers} officers "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        ticks, keys = asyncio.run(measure_console(desk, args.rounds))
        desk.close()
    bare_ticks, bare_keys = asyncio.run(measure_bare(args.rounds))
    print(f"tick      board {ms(ticks)}   | bare app {ms(bare_ticks)}")
    print(f"keypress  board {ms(keys)}   | bare app {ms(bare_keys)}")
    print(
        f"ratio (median) tick {statistics.median(ticks) / statistics.median(bare_ticks):.1f}x, "
        f"keypress {statistics.median(keys) / statistics.median(bare_keys):.1f}x"
    )


if __name__ == "__main__":
    main()
