"""Intake of calls from a JSON-lines file, against a raw sqlite3 floor measured in the same run.

Desk: a fresh desk file, ``Desk.open(path, town, operator_id="intake")`` (a system clock, as
the command line has), then ``cso_console.intake.take_lines`` over the lines of a
generated file (``--calls`` lines, default 20,000): each line is parsed, checked and taken
as a ``ReceiveCall`` through ``Desk.execute`` inside ``Desk.batch()`` transactions of at
most ~100 ms each (what ``cso-console intake`` does, minus the process start). Timed from
reading the file to the last COMMIT. The batch sizes take_lines chose are recorded (one
subscriber notice per batch).

Floor: raw ``sqlite3`` on a second fresh desk file (the same schema, indexes and triggers:
made by ``SqliteStore``), same pragmas (journal_mode=WAL, synchronous=FULL,
busy_timeout=5000, foreign_keys=ON), inserting exactly the journal and calls rows the desk
wrote (read back from the desk's file), ``executemany`` per table, one ``BEGIN IMMEDIATE``
... ``COMMIT`` per batch of the same sizes the desk used. So the floor pays the same
fsyncs, index updates and bytes; it does not parse JSON, check, fold or build rows.

Also printed, for diagnosis: the same take_lines with ``synchronous=OFF`` (no fsync),
``parse_line`` alone over every line (JSON -> ReceiveCall), and the command line end to end
(``cso-console intake --db PATH FILE`` in a subprocess, process start and imports
included). ``--profile`` prints the cProfile top entries of one take_lines run.

Prints plain text; never asserts timing.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from common import done_with, print_profile, scratch_dir  # bench/common.py

from cso_console.desk import Desk
from cso_console.domain.fold import Changed
from cso_console.domain.town import Town
from cso_console.domain.town_files import load_town
from cso_console.intake import parse_line, take_lines
from cso_console.paths import bundled_town_dir
from cso_console.store import SqliteStore

TARGET_CALLS_PER_S = 5000
PRAGMAS = ("journal_mode = WAL", "synchronous = FULL", "busy_timeout = 5000", "foreign_keys = ON")
FIRST = ("Ann", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ida", "Jo", "Kim", "Lou")
LAST = ("Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Gray", "Hill", "Iqbal", "Jones")
SAYS = (
    "caller reports loud music from the back yard",
    "vehicle parked across the driveway since this morning",
    "dog barking for two hours, owner not home",
    "neighbour asks for a welfare check, no answer at the door",
    "shopping carts left in the street",
    "streetlight out at the corner, hazard for walkers",
)


def make_lines(town: Town, n: int, seed: int) -> list[str]:
    """``n`` JSON lines, each a call a phone system could send (all of them takeable)."""
    rng = random.Random(seed)
    types = [t.code for t in town.call_types if not t.emergency]
    landmarks = [lm.name for lm in town.landmarks]
    out = []
    for i in range(n):
        if landmarks and rng.random() < 0.03:
            location = rng.choice(landmarks)
        else:
            street = rng.choice(town.streets)
            location = f"{rng.randrange(street.low, street.high + 1)} {street.name}"
        line = {
            "type": rng.choice(types),
            "location": location,
            "caller_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "caller_phone": f"555-{rng.randrange(10000):04d}",
            "narrative": rng.choice(SAYS),
            "source_id": f"bench-intake-{seed}-{i:07d}",
        }
        if rng.random() < 0.2:
            line["priority"] = rng.randint(1, 4)
        out.append(json.dumps(line))
    return out


@dataclass
class DeskRun:
    rate: float  # calls per second
    secs: float
    cpu_secs: float
    taken: int
    batches: list[int]  # calls per transaction, in order


def desk_intake(
    path: Path,
    town: Town,
    source: Path,
    extra_pragmas: dict[str, int] | None = None,
    profile: cProfile.Profile | None = None,
) -> DeskRun:
    desk = Desk.open(path, town, operator_id="intake", extra_pragmas=extra_pragmas)
    batches: list[int] = []

    def heard(changed: Changed) -> None:
        batches.append(len(changed.call_ids))

    desk.subscribe(heard)
    t0, c0 = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    lines = source.read_text(encoding="utf-8").splitlines()
    report = take_lines(desk, lines)
    if profile is not None:
        profile.disable()
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    desk.close()
    if report.refused or report.stopped:
        raise SystemExit(f"intake refused lines: {report.refused[:5]} {report.stopped or ''}")
    return DeskRun(report.taken / secs, secs, cpu, report.taken, batches)


def written_rows(
    path: Path,
) -> tuple[list[str], list[tuple[object, ...]], list[str], list[tuple[object, ...]]]:
    """(journal columns, journal rows, calls columns, calls rows) as the desk stored them."""
    conn = sqlite3.connect(path)
    try:
        j = conn.execute("SELECT * FROM journal ORDER BY seq")
        j_cols = [d[0] for d in j.description]
        j_rows = j.fetchall()
        c = conn.execute("SELECT * FROM calls ORDER BY changed_seq, call_id")
        c_cols = [d[0] for d in c.description]
        c_rows = c.fetchall()
    finally:
        conn.close()
    return j_cols, j_rows, c_cols, c_rows


def floor_intake(
    path: Path,
    j_cols: list[str],
    j_rows: list[tuple[object, ...]],
    c_cols: list[str],
    c_rows: list[tuple[object, ...]],
    batches: list[int],
) -> tuple[float, float]:
    """The desk's rows into a fresh file of the same schema, in the desk's batch sizes:
    (calls per second, CPU seconds)."""
    SqliteStore(path).close()  # the real schema, indexes and triggers
    conn = sqlite3.connect(path, isolation_level=None)
    for p in PRAGMAS:
        conn.execute(f"PRAGMA {p}")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        raise SystemExit(f"{path}: journal_mode is {mode}, not wal")
    j_sql = f"INSERT INTO journal ({', '.join(j_cols)}) VALUES ({', '.join('?' * len(j_cols))})"
    c_sql = f"INSERT INTO calls ({', '.join(c_cols)}) VALUES ({', '.join('?' * len(c_cols))})"
    if len(j_rows) != len(c_rows):
        raise SystemExit(f"expected one event per call, got {len(j_rows)} and {len(c_rows)}")
    t0, c0 = time.perf_counter(), time.process_time()
    at = 0
    for size in batches:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(j_sql, j_rows[at : at + size])
        conn.executemany(c_sql, c_rows[at : at + size])
        conn.execute("COMMIT")
        at += size
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    conn.close()
    return len(c_rows) / secs, cpu


def parse_only(town: Town, path: Path, lines: list[str]) -> float:
    """parse_line over every line (no SQL): lines per second."""
    desk = Desk.open(path, town, operator_id="intake")
    t0 = time.perf_counter()
    for line in lines:
        parse_line(line, desk)
    secs = time.perf_counter() - t0
    desk.close()
    return len(lines) / secs


def cli_intake(path: Path, source: Path) -> tuple[float, float, str]:
    """``cso-console intake --db PATH FILE`` in a subprocess: (calls/s, seconds, summary)."""
    exe = Path(sys.executable).with_name("cso-console")
    cmd = [str(exe), "intake", "--db", str(path), str(source)]
    if not exe.exists():
        cmd = [sys.executable, "-m", "cso_console", "intake", "--db", str(path), str(source)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    summary = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    if done.returncode != 0:
        raise SystemExit(f"cso-console intake exited {done.returncode}: {done.stderr[-500:]}")
    taken = int(summary.split()[0])
    return taken / secs, secs, summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Intake of a JSON-lines file (take_lines: batched ReceiveCall through "
        "the desk) in calls per second, against raw sqlite3 inserting the same journal "
        "and calls rows in the same batch sizes into the same schema. Prints plain text; "
        "never asserts timing."
    )
    ap.add_argument("--calls", type=int, default=20_000, help="lines in the file (default 20000)")
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="alternating floor/desk rounds, each on fresh files; medians are compared (default 3)",
    )
    ap.add_argument(
        "--dir",
        type=Path,
        help="where the temp dir goes (default: the system temp dir, where the tests' files "
        "go); all files go in it, so on the same filesystem",
    )
    ap.add_argument("--no-cli", action="store_true", help="skip the command-line run")
    ap.add_argument(
        "--no-ceiling", action="store_true", help="skip the synchronous=OFF run (diagnosis)"
    )
    ap.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=25,
        default=0,
        metavar="TOP",
        help="after the timed rounds, profile one more take_lines run and print the top "
        "entries (default 25)",
    )
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and its files")
    args = ap.parse_args(argv)

    town = load_town(bundled_town_dir())
    tmp = scratch_dir("bench-intake-", args.dir)
    try:
        print(f"temp dir: {tmp}")
        print(
            f"sqlite {sqlite3.sqlite_version}, python {sys.version.split()[0]}, "
            f"{args.calls:,} calls per round, {args.rounds} rounds"
        )
        source = tmp / "calls.jsonl"
        lines = make_lines(town, args.calls, args.seed)
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"input: {source.name}, {source.stat().st_size / 1e6:.1f} MB")

        floors: list[float] = []
        floor_cpu: list[float] = []
        runs: list[DeskRun] = []
        print(
            f"{'round':>5} {'floor calls/s':>14} {'desk calls/s':>13} {'ratio':>6} {'batches':>8}"
        )
        for i in range(args.rounds):
            run = desk_intake(tmp / f"desk{i}.db", town, source)
            rows = written_rows(tmp / f"desk{i}.db")
            f_rate, f_cpu = floor_intake(tmp / f"floor{i}.db", *rows, run.batches)
            runs.append(run)
            floors.append(f_rate)
            floor_cpu.append(f_cpu)
            print(
                f"{i + 1:>5} {f_rate:>14,.0f} {run.rate:>13,.0f} {run.rate / f_rate:>6.2f} "
                f"{len(run.batches):>8}"
            )
        floor, rate = statistics.median(floors), statistics.median(r.rate for r in runs)
        n = runs[-1].taken
        sizes = [s for r in runs for s in r.batches]
        nosync = None
        if not args.no_ceiling:
            nosync = desk_intake(tmp / "desk-nosync.db", town, source, {"synchronous": 0})
        parse_rate = parse_only(town, tmp / "parse.db", lines)
        cli = None if args.no_cli else cli_intake(tmp / "cli.db", source)

        print(f"\nmedians of {args.rounds} rounds, {n:,} calls:")
        print(f"{'':<50} {'calls/s':>9} {'wall s':>7} {'CPU us/call':>12}")
        f_cpu_us = statistics.median(floor_cpu) / n * 1e6
        d_cpu_us = statistics.median(r.cpu_secs for r in runs) / n * 1e6
        print(
            f"{'floor: raw sqlite3, same rows, same batches':<50} {floor:>9,.0f} "
            f"{n / floor:>7.2f} {f_cpu_us:>12.1f}"
        )
        print(
            f"{'desk: take_lines (durable)':<50} {rate:>9,.0f} {n / rate:>7.2f} {d_cpu_us:>12.1f}"
        )
        if nosync is not None:
            print(
                f"{'desk, synchronous=OFF (no fsync; diagnosis)':<50} {nosync.rate:>9,.0f} "
                f"{nosync.secs:>7.2f} {nosync.cpu_secs / n * 1e6:>12.1f}"
            )
        print(
            f"{'parse_line only, no SQL (diagnosis)':<50} {parse_rate:>9,.0f} "
            f"{n / parse_rate:>7.2f}"
        )
        if cli is not None:
            print(
                f"{'cso-console intake FILE (process start included)':<50} {cli[0]:>9,.0f} "
                f"{cli[1]:>7.2f}"
            )
        met = "met" if rate >= TARGET_CALLS_PER_S else "MISSED"
        print(f"ratio desk/floor: {rate / floor:.2f}")
        print(f"target: at least {TARGET_CALLS_PER_S:,} calls/s: {met}")
        print(
            f"batches: {len(sizes) // args.rounds} a round, calls per batch median "
            f"{statistics.median(sizes):,.0f}, min {min(sizes):,}, max {max(sizes):,}"
        )
        if cli is not None:
            print(f"command line said: {cli[2]}")
        if args.profile:
            prof = cProfile.Profile()
            desk_intake(tmp / "desk-profile.db", town, source, profile=prof)
            print_profile(prof, args.profile, "one take_lines run")
    finally:
        done_with(tmp, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
