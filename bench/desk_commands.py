"""Durable desk commands per second, against a raw sqlite3 floor measured in the same run.

Floor: raw ``sqlite3``, one single-row INSERT per transaction (``BEGIN IMMEDIATE``,
INSERT, ``COMMIT``) with the desk's pragmas (journal_mode=WAL, synchronous=FULL,
busy_timeout=5000, foreign_keys=ON), on a file in the same temp dir as the desk's
database. Floor and desk runs alternate (``--rounds``, fresh files each time) and the
medians are compared, because fsync times on shared or virtual disks wander a lot.

Desk: ``Desk.open(path, load_town(bundled_town_dir()), clock=FixedClock(...))``, then
``-n`` commands, each acknowledged only after its COMMIT (that is what ``Desk.execute``
does): officers sign on, then calls go through ReceiveCall -> Dispatch -> MarkEnRoute ->
MarkOnScene -> ClearUnit(disposition=...), several calls in flight at once, the next step
picked at random. The fixed clock moves a few seconds per command.

For diagnosis it also runs the desk once more with ``synchronous=OFF`` (through
``Desk.open(..., extra_pragmas=...)``): no fsync, so that figure is the desk's CPU-bound
ceiling; if it is close to the durable figure, the desk is CPU-bound, not disk-bound.

Prints plain text; never asserts timing.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.commands import (
    ClearUnit,
    Command,
    Dispatch,
    MarkEnRoute,
    MarkOnScene,
    ReceiveCall,
    SignOn,
)
from cso_console.domain.town import Town
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir

TARGET_RATIO = 0.5
START = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)
PRAGMAS = ("journal_mode = WAL", "synchronous = FULL", "busy_timeout = 5000", "foreign_keys = ON")


def floor_rows_per_second(path: Path, n: int) -> float:
    """Single-row INSERT + COMMIT, n times, on a fresh file at ``path``."""
    conn = sqlite3.connect(path, isolation_level=None)
    for p in PRAGMAS:
        conn.execute(f"PRAGMA {p}")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        raise SystemExit(f"{path}: journal_mode is {mode}, not wal")
    conn.execute(
        "CREATE TABLE rows (id INTEGER PRIMARY KEY, at TEXT NOT NULL, payload TEXT NOT NULL)"
    )
    payload = json.dumps(
        {
            "type_code": "NOISE",
            "priority": 3,
            "location": "120 Elm Street",
            "location_verified": True,
            "beat_id": "B1",
            "narrative": "",
        }
    )
    t0 = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO rows (id, at, payload) VALUES (?, ?, ?)",
            (i + 1, datetime.now(UTC).isoformat(), payload),
        )
        conn.execute("COMMIT")
    secs = time.perf_counter() - t0
    conn.close()
    return n / secs


@dataclass
class _Shift:
    """What the generator knows about the desk it drives: which step each call is at."""

    town: Town
    rng: random.Random
    off_duty: list[str]
    free: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # received, not dispatched
    # call id -> (officer, next step: "en_route" | "on_scene" | "clear")
    working: dict[str, tuple[str, str]] = field(default_factory=dict)

    def next_command(self, sign_ons_left: int, max_in_flight: int) -> tuple[str, Command]:
        rng = self.rng
        if sign_ons_left:
            return "SignOn", SignOn(officer=self.off_duty.pop(0))
        options = []
        if len(self.pending) + len(self.working) < max_in_flight:
            options.append("receive")
        if self.pending and self.free:
            options.append("dispatch")
        if self.working:
            options += ["advance"] * 2
        choice = rng.choice(options)
        if choice == "receive":
            street = rng.choice(self.town.streets)
            number = rng.randrange(street.low, street.high + 1)
            ct = rng.choice([t for t in self.town.call_types if not t.emergency])
            return "ReceiveCall", ReceiveCall(
                type_code=ct.code,
                location=f"{number} {street.name}",
                caller_name="Bench Caller",
                caller_phone="555-0100",
                narrative="benchmark call",
            )
        if choice == "dispatch":
            call = self.pending.pop(0)
            officer = self.free.pop(rng.randrange(len(self.free)))
            self.working[call] = (officer, "en_route")
            return "Dispatch", Dispatch(call=call, officers=(officer,))
        call = rng.choice(list(self.working))
        officer, step = self.working[call]
        if step == "en_route":
            self.working[call] = (officer, "on_scene")
            return "MarkEnRoute", MarkEnRoute(officer=officer, call=call)
        if step == "on_scene":
            self.working[call] = (officer, "clear")
            return "MarkOnScene", MarkOnScene(officer=officer, call=call)
        del self.working[call]
        self.free.append(officer)
        dispo = rng.choice(["ADV", "RPT", "CIT", "GOA", "UNF", "RES", "WRN", "ASST"])
        return "ClearUnit", ClearUnit(officer=officer, call=call, disposition=dispo)


@dataclass
class DeskRun:
    rate: float  # commands per second
    secs: float
    latencies: dict[str, list[float]]  # command name -> milliseconds
    events: int
    refused: Counter[str]
    open_calls: int


def desk_commands_per_second(
    path: Path,
    n: int,
    officers: int,
    in_flight: int,
    seed: int,
    extra_pragmas: dict[str, int] | None = None,
) -> DeskRun:
    town = load_town(bundled_town_dir())
    clock = FixedClock(START)
    desk = Desk.open(path, town, clock=clock, extra_pragmas=extra_pragmas)
    rng = random.Random(seed)
    shift = _Shift(town, rng, [o.call_sign for o in town.officers[:officers]])
    latencies: dict[str, list[float]] = defaultdict(list)
    events = 0
    refused: Counter[str] = Counter()
    sign_ons = min(officers, n)
    t0 = time.perf_counter()
    for i in range(n):
        name, cmd = shift.next_command(max(0, sign_ons - i), in_flight)
        clock.advance(seconds=rng.uniform(5, 90))
        t = time.perf_counter()
        outcome = desk.execute(cmd)
        latencies[name].append((time.perf_counter() - t) * 1000)
        if not outcome.ok:
            refused[f"{name}: {outcome.reason}"] += 1
            continue
        events += len(outcome.events)
        if isinstance(cmd, SignOn):
            shift.free.append(cmd.officer)
        elif isinstance(cmd, ReceiveCall):
            assert outcome.call_id is not None
            shift.pending.append(outcome.call_id)
    secs = time.perf_counter() - t0
    open_now = len(desk.open_calls())
    desk.close()
    return DeskRun(n / secs, secs, latencies, events, refused, open_now)


def _p95(values: list[float]) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Durable desk commands per second (Desk.execute: acknowledged after "
        "COMMIT) against raw sqlite3 single-row INSERT+COMMIT with the same "
        "pragmas on the same filesystem. Prints plain text; never asserts "
        "timing."
    )
    ap.add_argument(
        "-n", type=int, default=500, help="desk commands, and floor rows, per round (default 500)"
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="alternating floor/desk rounds, each on fresh files; the medians "
        "are compared (default 3)",
    )
    ap.add_argument(
        "--dir",
        type=Path,
        help="where the temp dir goes (default: the current directory); all "
        "files go in it, so on the same filesystem",
    )
    ap.add_argument(
        "--officers",
        type=int,
        default=10,
        help="officers signed on at the start (default 10; counted in -n)",
    )
    ap.add_argument("--in-flight", type=int, default=6, help="most calls open at once (default 6)")
    ap.add_argument(
        "--no-ceiling",
        action="store_true",
        help="skip the extra desk run with synchronous=OFF (no fsync: the "
        "desk's CPU-bound ceiling, for diagnosis only)",
    )
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and its files")
    args = ap.parse_args(argv)

    base = args.dir or Path.cwd()
    tmp = Path(tempfile.mkdtemp(prefix="bench-desk-", dir=base))
    try:
        print(f"temp dir: {tmp}")
        print(
            f"sqlite {sqlite3.sqlite_version}, python {sys.version.split()[0]}, "
            f"n = {args.n} per round, {args.rounds} rounds"
        )
        floors: list[float] = []
        rates: list[float] = []
        runs: list[DeskRun] = []
        print(f"{'round':>5} {'floor rows/s':>13} {'desk commands/s':>16} {'ratio':>6}")
        for i in range(args.rounds):
            floors.append(floor_rows_per_second(tmp / f"floor{i}.db", args.n))
            runs.append(
                desk_commands_per_second(
                    tmp / f"desk{i}.db", args.n, args.officers, args.in_flight, args.seed
                )
            )
            rates.append(runs[-1].rate)
            print(
                f"{i + 1:>5} {floors[-1]:>13,.0f} {rates[-1]:>16,.0f} "
                f"{rates[-1] / floors[-1]:>6.2f}"
            )
        floor, rate = statistics.median(floors), statistics.median(rates)
        last = runs[-1]
        print(
            f"floor (raw sqlite3 INSERT+COMMIT, median): {floor:,.0f} rows/s "
            f"({1000 / floor:.2f} ms/row)"
        )
        print(
            f"desk  (Desk.execute, median):              {rate:,.0f} commands/s "
            f"({1000 / rate:.2f} ms/command; {last.events} events and "
            f"{last.open_calls} open calls per round)"
        )
        print(f"ratio desk/floor: {rate / floor:.2f}  (target: at least {TARGET_RATIO})")
        if not args.no_ceiling:
            cpu = desk_commands_per_second(
                tmp / "desk-nosync.db",
                args.n,
                args.officers,
                args.in_flight,
                args.seed,
                extra_pragmas={"synchronous": 0},
            )
            cpu_rate = cpu.rate
            print(
                f"diagnosis, desk with synchronous=OFF (no fsync, CPU only): "
                f"{cpu_rate:,.0f} commands/s ({1000 / cpu_rate:.2f} ms/command)"
            )
        print("\nper command over all rounds, milliseconds:")
        print(f"{'command':<12} {'count':>6} {'median':>8} {'p95':>8} {'max':>8}")
        lat: dict[str, list[float]] = defaultdict(list)
        refused: Counter[str] = Counter()
        for run in runs:
            for name, v in run.latencies.items():
                lat[name].extend(v)
            refused.update(run.refused)
        for name in (
            "SignOn",
            "ReceiveCall",
            "Dispatch",
            "MarkEnRoute",
            "MarkOnScene",
            "ClearUnit",
        ):
            got = lat.get(name)
            if got:
                print(
                    f"{name:<12} {len(got):>6} {statistics.median(got):>8.2f} "
                    f"{_p95(got):>8.2f} {max(got):>8.2f}"
                )
        every = [x for v in lat.values() for x in v]
        print(
            f"{'all':<12} {len(every):>6} {statistics.median(every):>8.2f} "
            f"{_p95(every):>8.2f} {max(every):>8.2f}"
        )
        print(f"refused commands: {sum(refused.values())}")
        for reason, k in refused.most_common(10):
            print(f"  {k} x {reason}")
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
