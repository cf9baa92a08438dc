"""Durable desk commands per second, against a raw sqlite3 floor measured in the same run.

Floor: raw ``sqlite3``, one single-row INSERT per transaction (``BEGIN IMMEDIATE``,
INSERT, ``COMMIT``) with the desk's pragmas (journal_mode=WAL, synchronous=FULL,
busy_timeout=5000, foreign_keys=ON), on a file in the same temp dir as the desk's
database. Floor and desk runs alternate (``--rounds``, fresh files each time) and the
medians are compared, because fsync times on shared or virtual disks wander a lot.

Desk: ``Desk.open(path, load_town(bundled_town_dir()), clock=FixedClock(...))`` and
``desk.take_roster()`` (the town's officers as roster events; not timed), then
``-n`` commands, each acknowledged only after its COMMIT (that is what ``Desk.execute``
does): officers sign on, then calls go through ReceiveCall -> Dispatch -> MarkEnRoute ->
MarkOnScene -> ClearUnit(disposition=...), several calls in flight at once, the next step
picked at random. The fixed clock moves a few seconds per command.

For diagnosis it also runs the desk once more with ``synchronous=OFF`` (through
``Desk.open(..., extra_pragmas=...)``): no fsync, so that figure is the desk's CPU-bound
ceiling; if it is close to the durable figure, the desk is CPU-bound, not disk-bound.
CPU time (``time.process_time``) and the bytes handed to ``write()`` (``/proc/self/io``
``wchar``: WAL frames and checkpoints) are printed per command and per floor row. A last,
untimed run counts the SQL statements each command sends (``sqlite3`` trace callback on
the desk's writer connection). ``--profile`` prints the cProfile top entries of one more
durable run.

Prints plain text; never asserts timing.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import random
import sqlite3
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from common import done_with, print_profile, scratch_dir  # bench/common.py

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


def written_bytes() -> int:
    """Bytes this process has handed to write() so far (Linux: /proc/self/io wchar), or 0
    where that is not available."""
    try:
        with open("/proc/self/io", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("wchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def floor_rows_per_second(path: Path, n: int) -> tuple[float, float, float]:
    """Single-row INSERT + COMMIT, n times, on a fresh file at ``path``: (rows per second,
    CPU seconds per row, bytes written per row)."""
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
    t0, c0, w0 = time.perf_counter(), time.process_time(), written_bytes()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO rows (id, at, payload) VALUES (?, ?, ?)",
            (i + 1, datetime.now(UTC).isoformat(), payload),
        )
        conn.execute("COMMIT")
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    wrote = written_bytes() - w0
    conn.close()
    return n / secs, cpu / n, wrote / n


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
    cpu_secs: float  # time.process_time over the timed loop
    wrote: int  # bytes handed to write() over the timed loop (WAL frames, checkpoints)
    latencies: dict[str, list[float]]  # command name -> milliseconds
    events: int
    refused: Counter[str]
    open_calls: int
    statements: dict[str, list[int]] = field(default_factory=dict)  # only when traced


def desk_commands_per_second(
    path: Path,
    n: int,
    officers: int,
    in_flight: int,
    seed: int,
    extra_pragmas: dict[str, int] | None = None,
    trace: bool = False,
    profile: cProfile.Profile | None = None,
) -> DeskRun:
    town = load_town(bundled_town_dir())
    clock = FixedClock(START)
    desk = Desk.open(path, town, clock=clock, extra_pragmas=extra_pragmas)
    desk.take_roster()
    sent = [0]
    statements: dict[str, list[int]] = defaultdict(list)
    if trace:
        # The desk's writer connection (a private attribute: diagnosis only).
        desk.store._w.set_trace_callback(lambda _sql: sent.__setitem__(0, sent[0] + 1))
    rng = random.Random(seed)
    shift = _Shift(town, rng, [o.call_sign for o in town.officers[:officers]])
    latencies: dict[str, list[float]] = defaultdict(list)
    events = 0
    refused: Counter[str] = Counter()
    sign_ons = min(officers, n)
    t0, c0, w0 = time.perf_counter(), time.process_time(), written_bytes()
    if profile is not None:
        profile.enable()
    for i in range(n):
        name, cmd = shift.next_command(max(0, sign_ons - i), in_flight)
        clock.advance(seconds=rng.uniform(5, 90))
        before = sent[0]
        t = time.perf_counter()
        outcome = desk.execute(cmd)
        latencies[name].append((time.perf_counter() - t) * 1000)
        if trace:
            statements[name].append(sent[0] - before)
        if not outcome.ok:
            refused[f"{name}: {outcome.reason}"] += 1
            continue
        events += len(outcome.events)
        if isinstance(cmd, SignOn):
            shift.free.append(cmd.officer)
        elif isinstance(cmd, ReceiveCall):
            assert outcome.call_id is not None
            shift.pending.append(outcome.call_id)
    if profile is not None:
        profile.disable()
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    wrote = written_bytes() - w0
    open_now = len(desk.open_calls())
    desk.close()
    return DeskRun(
        n / secs, secs, cpu, wrote, latencies, events, refused, open_now, dict(statements)
    )


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
        default=5,
        help="alternating floor/desk rounds, each on fresh files; the medians "
        "are compared (default 5)",
    )
    ap.add_argument(
        "--dir",
        type=Path,
        help="where the temp dir goes (default: the system temp dir, where the tests' "
        "files go); all files go in it, so on the same filesystem",
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
    ap.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=25,
        default=0,
        metavar="TOP",
        help="after the timed rounds, profile one more durable desk run and print the top "
        "entries (default 25)",
    )
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and its files")
    args = ap.parse_args(argv)

    tmp = scratch_dir("bench-desk-", args.dir)
    try:
        print(f"temp dir: {tmp}")
        print(
            f"sqlite {sqlite3.sqlite_version}, python {sys.version.split()[0]}, "
            f"n = {args.n} per round, {args.rounds} rounds"
        )
        floors: list[float] = []
        floor_cpu: list[float] = []
        floor_kb: list[float] = []
        rates: list[float] = []
        runs: list[DeskRun] = []
        print(f"{'round':>5} {'floor rows/s':>13} {'desk commands/s':>16} {'ratio':>6}")
        for i in range(args.rounds):
            f_rate, f_cpu, f_bytes = floor_rows_per_second(tmp / f"floor{i}.db", args.n)
            floors.append(f_rate)
            floor_cpu.append(f_cpu)
            floor_kb.append(f_bytes / 1024)
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
        f_cpu_ms = statistics.median(floor_cpu) * 1000
        d_cpu_ms = statistics.median(r.cpu_secs / args.n for r in runs) * 1000
        f_kb = statistics.median(floor_kb)
        d_kb = statistics.median(r.wrote / args.n / 1024 for r in runs)
        last = runs[-1]
        cpu: DeskRun | None = None
        if not args.no_ceiling:
            cpu = desk_commands_per_second(
                tmp / "desk-nosync.db",
                args.n,
                args.officers,
                args.in_flight,
                args.seed,
                extra_pragmas={"synchronous": 0},
            )
        traced = desk_commands_per_second(
            tmp / "desk-trace.db",
            args.n,
            args.officers,
            args.in_flight,
            args.seed,
            extra_pragmas={"synchronous": 0},
            trace=True,
        )
        every_stmt = [x for v in traced.statements.values() for x in v]
        stmts = sum(every_stmt) / len(every_stmt)

        print(f"\nmedians of {args.rounds} rounds, n = {args.n}:")
        print(
            f"{'':<44} {'per second':>11} {'wall ms':>8} {'CPU ms':>7} {'stmts':>6} "
            f"{'KB written':>10}"
        )
        print(
            f"{'floor: raw sqlite3 INSERT+COMMIT':<44} {floor:>11,.0f} {1000 / floor:>8.3f} "
            f"{f_cpu_ms:>7.3f} {3:>6} {f_kb:>10.1f}"
        )
        print(
            f"{'desk: Desk.execute (durable)':<44} {rate:>11,.0f} {1000 / rate:>8.3f} "
            f"{d_cpu_ms:>7.3f} {stmts:>6.1f} {d_kb:>10.1f}"
        )
        if cpu is not None:
            print(
                f"{'desk, synchronous=OFF (no fsync; diagnosis)':<44} {cpu.rate:>11,.0f} "
                f"{1000 / cpu.rate:>8.3f} {cpu.cpu_secs / args.n * 1000:>7.3f} {stmts:>6.1f} "
                f"{cpu.wrote / args.n / 1024:>10.1f}"
            )
        met = "met" if rate / floor >= TARGET_RATIO else "MISSED"
        print(f"ratio desk/floor: {rate / floor:.3f}  (target: at least {TARGET_RATIO}: {met})")
        print(
            f"({last.events} events and {last.open_calls} open calls per round; per command or "
            "row: 'stmts' counts every SQL statement sent, BEGIN and COMMIT included; 'KB "
            "written' is what the process handed to write(): WAL frames and checkpoints)"
        )

        print("\nper command over all rounds, milliseconds; SQL statements per command:")
        print(f"{'command':<12} {'count':>6} {'median':>8} {'p95':>8} {'max':>8} {'stmts':>6}")
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
                st = traced.statements.get(name) or [0]
                print(
                    f"{name:<12} {len(got):>6} {statistics.median(got):>8.2f} "
                    f"{_p95(got):>8.2f} {max(got):>8.2f} {sum(st) / len(st):>6.1f}"
                )
        every = [x for v in lat.values() for x in v]
        print(
            f"{'all':<12} {len(every):>6} {statistics.median(every):>8.2f} "
            f"{_p95(every):>8.2f} {max(every):>8.2f} {stmts:>6.1f}"
        )
        print(f"refused commands: {sum(refused.values())}")
        for reason, k in refused.most_common(10):
            print(f"  {k} x {reason}")
        if args.profile:
            prof = cProfile.Profile()
            desk_commands_per_second(
                tmp / "desk-profile.db",
                args.n,
                args.officers,
                args.in_flight,
                args.seed,
                profile=prof,
            )
            print_profile(prof, args.profile, f"one durable desk run of {args.n} commands")
    finally:
        done_with(tmp, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
