"""Ingest of events written on another desk, in order and shuffled, against a raw floor.

Source: desk A, a fresh file with desk code ``D2``, a ``FixedClock`` that moves 5-60 s a
command, ``take_roster()``, then a realistic shift through ``Desk.execute``: 16 officers
sign on; calls are received (free text callers, town addresses), dispatched (one unit, or
two in 15% of calls), go en route, on scene and are cleared with a disposition (the last
unit closes the call); notes are added to open calls; officers take breaks and come back.
It stops once A's journal holds ``--events`` events of desk D2 (default 10,000). Those
events (``desk.store.events()``, desk D2 only: the roster events are the same on every
desk) are what is ingested.

Ingest: for each mode, a fresh desk B file (desk code ``D1``, ``take_roster()``, not
timed), then ``Desk.ingest(batch)`` for each batch, timed from the first call to the last
COMMIT:

* in order: A's events in fold order (hlc, desk, desk_seq), ``--batch`` at a time
  (default 500): every batch lands on top of the journal, so it is folded on top of what
  it touches;
* shuffled: the same events in a random order, ``--batch`` at a time: most batches hold
  events older than the journal's head, so the desk re-folds what they touch from its
  history (``refolded`` counts the events re-folded);
* shuffled, one batch: all events in one ``ingest`` call (the desk sorts them first).

After each mode, B's calls and officers (``desk.store.calls()`` / ``officers()``) are
compared with A's, and ``cso_console.integrity.check(B)`` must say ok.

Floor: raw ``sqlite3`` on a fresh file with the same schema (made by ``SqliteStore``) and
the desk's pragmas (journal_mode=WAL, synchronous=FULL, busy_timeout=5000,
foreign_keys=ON): for each of the same batches, one ``BEGIN IMMEDIATE`` ... ``COMMIT``
inserting the batch's journal rows and upserting the final rows (taken from A's file) of
the calls, assignments and officers the batch touches. That is the least a durable ingest
must write; it does not parse, sort, fold or look anything up. Rows are built before the
clock starts.

Prints plain text; never asserts timing.
"""

from __future__ import annotations

import argparse
import cProfile
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import done_with, print_profile, scratch_dir  # bench/common.py

from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.commands import (
    AddNote,
    ClearUnit,
    Command,
    Dispatch,
    MarkEnRoute,
    MarkOnScene,
    ReceiveCall,
    SetOfficerStatus,
    SignOn,
)
from cso_console.domain.events import Event
from cso_console.domain.model import OfficerStatus
from cso_console.domain.town import Town
from cso_console.domain.town_files import load_town
from cso_console.integrity import check
from cso_console.paths import bundled_town_dir
from cso_console.store import SqliteStore, rows

START = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
PRAGMAS = ("journal_mode = WAL", "synchronous = FULL", "busy_timeout = 5000", "foreign_keys = ON")
DISPOS = ("ADV", "RPT", "CIT", "GOA", "UNF", "RES", "WRN", "ASST")
NOTES = (
    "caller called back, still going on",
    "unit asked for a plate check",
    "second caller, same address",
    "owner located, spoke with them",
)


# ---------------------------------------------------------------------------------------
# desk A's shift


@dataclass
class Shift:
    """What the generator knows about desk A: who is free, which step each call is at."""

    town: Town
    rng: random.Random
    off_duty: list[str]
    in_flight: int
    free: list[str] = field(default_factory=list)
    on_break: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # received, no unit yet
    # call id -> [[officer, next step: "en_route" | "on_scene" | "clear"], ...]
    working: dict[str, list[list[str]]] = field(default_factory=dict)

    def next_command(self) -> Command:
        rng = self.rng
        if self.off_duty:
            return SignOn(officer=self.off_duty.pop(0))
        options = []
        if len(self.pending) + len(self.working) < self.in_flight:
            options += ["receive"] * 3
        if self.pending and self.free:
            options += ["dispatch"] * 3
        if self.working:
            options += ["advance"] * 6 + ["note"]
        if len(self.free) > 4:
            options.append("break")
        if self.on_break:
            options.append("back")
        choice = rng.choice(options)
        if choice == "receive":
            street = rng.choice(self.town.streets)
            number = rng.randrange(street.low, street.high + 1)
            ct = rng.choice([t for t in self.town.call_types if not t.emergency])
            return ReceiveCall(
                type_code=ct.code,
                location=f"{number} {street.name}",
                caller_name="Pat Caller",
                caller_phone=f"555-{rng.randrange(10000):04d}",
                narrative="reported by phone",
            )
        if choice == "dispatch":
            call = self.pending.pop(0)
            units = [self.free.pop(rng.randrange(len(self.free)))]
            if self.free and rng.random() < 0.15:
                units.append(self.free.pop(rng.randrange(len(self.free))))
            self.working[call] = [[u, "en_route"] for u in units]
            return Dispatch(call=call, officers=tuple(units))
        if choice == "note":
            return AddNote(call=rng.choice(list(self.working)), text=rng.choice(NOTES))
        if choice == "break":
            officer = self.free.pop(rng.randrange(len(self.free)))
            self.on_break.append(officer)
            return SetOfficerStatus(officer=officer, status=OfficerStatus.BREAK)
        if choice == "back":
            officer = self.on_break.pop(0)
            self.free.append(officer)
            return SetOfficerStatus(officer=officer, status=OfficerStatus.AVAILABLE)
        call = rng.choice(list(self.working))
        units = self.working[call]
        unit = rng.choice(units)
        officer, step = unit
        if step == "en_route":
            unit[1] = "on_scene"
            return MarkEnRoute(officer=officer, call=call)
        if step == "on_scene":
            unit[1] = "clear"
            return MarkOnScene(officer=officer, call=call)
        units.remove(unit)
        self.free.append(officer)
        if units:
            return ClearUnit(officer=officer, call=call)
        del self.working[call]
        return ClearUnit(officer=officer, call=call, disposition=rng.choice(DISPOS))


def run_shift(path: Path, town: Town, target: int, seed: int) -> tuple[int, int]:
    """Desk A (D2) until its journal holds ``target`` D2 events: (events, commands)."""
    clock = FixedClock(START)
    desk = Desk.open(path, town, desk_code="D2", clock=clock, operator_id="a-desk")
    desk.take_roster()
    rng = random.Random(seed)
    shift = Shift(town, rng, [o.call_sign for o in town.officers[:16]], in_flight=12)
    events = commands = 0
    while events < target:
        with desk.batch():
            for _ in range(200):
                cmd = shift.next_command()
                clock.advance(seconds=rng.uniform(5, 60))
                outcome = desk.execute(cmd)
                commands += 1
                if not outcome.ok:
                    raise SystemExit(f"desk A refused {cmd!r}: {outcome.reason}")
                events += len(outcome.events)
                if isinstance(cmd, SignOn):
                    shift.free.append(cmd.officer)
                elif isinstance(cmd, ReceiveCall):
                    assert outcome.call_id is not None
                    shift.pending.append(outcome.call_id)
                if events >= target:
                    break
    desk.close()
    return events, commands


# ---------------------------------------------------------------------------------------
# the floor


def _upsert(table: str, cols: Sequence[str], key: Sequence[str]) -> str:
    sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in key)
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
    )


@dataclass
class FinalRows:
    """Desk A's projection rows (as stored), by key."""

    call_cols: list[str]
    calls: dict[str, tuple[Any, ...]]
    asg_cols: list[str]
    assignments: dict[str, list[tuple[Any, ...]]]
    off_cols: list[str]
    officers: dict[str, tuple[Any, ...]]


def final_rows(path: Path) -> FinalRows:
    conn = sqlite3.connect(path)
    try:
        c = conn.execute("SELECT * FROM calls")
        call_cols = [d[0] for d in c.description]
        calls = {r[0]: r for r in c}
        a = conn.execute("SELECT * FROM assignments")
        asg_cols = [d[0] for d in a.description]
        assignments: dict[str, list[tuple[Any, ...]]] = {}
        for r in a:
            assignments.setdefault(r[0], []).append(r)
        o = conn.execute("SELECT * FROM officers")
        off_cols = [d[0] for d in o.description]
        officers = {r[0]: r for r in o}
    finally:
        conn.close()
    return FinalRows(call_cols, calls, asg_cols, assignments, off_cols, officers)


def floor_ingest(path: Path, batches: list[list[Event]], final: FinalRows) -> float:
    """Seconds to write each batch's journal rows and the final rows of what it touches."""
    SqliteStore(path).close()  # the real schema, indexes and triggers
    conn = sqlite3.connect(path, isolation_level=None)
    for p in PRAGMAS:
        conn.execute(f"PRAGMA {p}")
    j_sql = (
        f"INSERT INTO journal (seq, {', '.join(rows.JOURNAL_COLUMNS)}) "
        f"VALUES ({', '.join('?' * (1 + len(rows.JOURNAL_COLUMNS)))})"
    )
    c_sql = _upsert("calls", final.call_cols, ("call_id",))
    a_sql = _upsert("assignments", final.asg_cols, ("call_id", "officer_id", "dispatched_at"))
    o_sql = _upsert("officers", final.off_cols, ("officer_id",))
    work = []
    seq = 0
    for batch in batches:
        j_rows = []
        for e in batch:
            seq += 1
            j_rows.append((seq, *rows.journal_row(e)))
        calls = sorted({c for e in batch for c in e.call_ids()})
        officers = sorted({e.officer_id for e in batch if e.officer_id})
        work.append(
            (
                j_rows,
                [final.calls[c] for c in calls],
                [a for c in calls for a in final.assignments.get(c, [])],
                [final.officers[o] for o in officers],
            )
        )
    t0 = time.perf_counter()
    for j_rows, c_rows, a_rows, o_rows in work:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(j_sql, j_rows)
        conn.executemany(c_sql, c_rows)
        if a_rows:
            conn.executemany(a_sql, a_rows)
        if o_rows:
            conn.executemany(o_sql, o_rows)
        conn.execute("COMMIT")
    secs = time.perf_counter() - t0
    conn.close()
    return secs


# ---------------------------------------------------------------------------------------
# desk B


@dataclass
class IngestRun:
    secs: float
    cpu_secs: float
    new: int
    already: int
    refolded: int
    conflicts: int  # summed over the batches' reports
    conflict_rows: int  # in the conflicts table at the end
    same_as_a: str
    check_ok: bool


def desk_ingest(
    path: Path,
    town: Town,
    batches: list[list[Event]],
    a_calls: dict[str, Any],
    a_officers: dict[str, Any],
    profile: cProfile.Profile | None = None,
) -> IngestRun:
    desk = Desk.open(path, town, desk_code="D1", clock=FixedClock(START), operator_id="b-desk")
    desk.take_roster()
    new = already = refolded = conflicts = 0
    t0, c0 = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    for batch in batches:
        report = desk.ingest(batch)
        new += report.new
        already += report.already
        refolded += report.refolded_events
        conflicts += report.conflicts
    if profile is not None:
        profile.disable()
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    b_calls = {c.call_id: c for c in desk.store.calls()}
    b_officers = {o.officer_id: o for o in desk.store.officers()}
    desk.close()
    diffs = []
    if b_calls != a_calls:
        bad = sorted(k for k in a_calls.keys() | b_calls.keys() if a_calls.get(k) != b_calls.get(k))
        diffs.append(f"{len(bad)} calls differ (e.g. {bad[:3]})")
    if b_officers != a_officers:
        bad = sorted(
            k
            for k in a_officers.keys() | b_officers.keys()
            if a_officers.get(k) != b_officers.get(k)
        )
        diffs.append(f"{len(bad)} officers differ (e.g. {bad[:3]})")
    report = check(path)
    for p in report.problems[:5]:
        diffs.append(f"check: {p}")
    conn = sqlite3.connect(path)
    conflict_rows = conn.execute("SELECT count(*) FROM conflicts").fetchone()[0]
    conn.close()
    return IngestRun(
        secs,
        cpu,
        new,
        already,
        refolded,
        conflicts,
        conflict_rows,
        "; ".join(diffs) or "yes",
        report.ok,
    )


def chunks(events: list[Event], size: int) -> list[list[Event]]:
    return [events[i : i + size] for i in range(0, len(events), size)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Ingest of events written on another desk (in order and shuffled) in "
        "events/s and calls/s, against raw sqlite3 writing the same journal rows and the "
        "final projection rows they touch in the same batches; checks that the result "
        "equals the source desk. Prints plain text; never asserts timing."
    )
    ap.add_argument(
        "--events", type=int, default=10_000, help="events desk A writes (default 10000)"
    )
    ap.add_argument("--batch", type=int, default=500, help="events per ingest call (default 500)")
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs of each mode, floor and desk alternating, fresh files each time; the "
        "medians are shown (default 3)",
    )
    ap.add_argument(
        "--dir",
        type=Path,
        help="where the temp dir goes (default: the system temp dir, where the tests' files "
        "go); all files go in it, so on the same filesystem",
    )
    ap.add_argument(
        "--modes",
        default="order,shuffled,one",
        help="comma-separated: order, shuffled, one (shuffled, one batch); default all",
    )
    ap.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=25,
        default=0,
        metavar="TOP",
        help="after the timed runs, profile one more shuffled-batches ingest and print the "
        "top entries (default 25)",
    )
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and its files")
    args = ap.parse_args(argv)

    town = load_town(bundled_town_dir())
    tmp = scratch_dir("bench-ingest-", args.dir)
    try:
        print(f"temp dir: {tmp}")
        print(f"sqlite {sqlite3.sqlite_version}, python {sys.version.split()[0]}")
        a_path = tmp / "desk-a.db"
        t0 = time.perf_counter()
        n_events, n_commands = run_shift(a_path, town, args.events, args.seed)
        print(
            f"desk A (D2): {n_commands:,} commands, {n_events:,} events in "
            f"{time.perf_counter() - t0:.1f} s (generation, not timed)"
        )
        a = Desk.open(a_path, town, clock=FixedClock(START))
        events = [e for e in a.store.events() if e.desk_id == "D2"]
        a_calls = {c.call_id: c for c in a.store.calls()}
        a_officers = {o.officer_id: o for o in a.store.officers()}
        a.close()
        final = final_rows(a_path)
        n_calls = len({c for e in events for c in e.call_ids()})
        open_calls = sum(1 for c in a_calls.values() if c.status.is_open)
        types = sorted({e.type.value for e in events})
        print(
            f"events to ingest: {len(events):,} ({n_calls:,} calls, {open_calls} still open; "
            f"types: {', '.join(types)})"
        )

        rng = random.Random(args.seed)
        shuffled = list(events)
        rng.shuffle(shuffled)
        modes = {
            "order": (f"in order, batches of {args.batch}", chunks(events, args.batch)),
            "shuffled": (f"shuffled, batches of {args.batch}", chunks(shuffled, args.batch)),
            "one": ("shuffled, one batch", [shuffled]),
        }
        wanted = [m.strip() for m in args.modes.split(",") if m.strip()]
        for m in wanted:
            if m not in modes:
                raise SystemExit(f"unknown mode {m!r}; choose from {', '.join(modes)}")

        results = []
        for m in wanted:
            label, batches = modes[m]
            floors, runs = [], []
            for r in range(args.rounds):
                floors.append(floor_ingest(tmp / f"floor-{m}-{r}.db", batches, final))
                runs.append(
                    desk_ingest(tmp / f"desk-b-{m}-{r}.db", town, batches, a_calls, a_officers)
                )
            run = sorted(runs, key=lambda x: x.secs)[len(runs) // 2]  # the median run
            if any(x.same_as_a != "yes" or not x.check_ok for x in runs):
                run = next(x for x in runs if x.same_as_a != "yes" or not x.check_ok)
            results.append((label, len(batches), statistics.median(floors), run))

        n = len(events)
        print(
            f"\n{n:,} events ({n_calls:,} calls) from desk D2 into a fresh desk D1, "
            f"median of {args.rounds} rounds:"
        )
        print(
            f"{'mode':<27} {'commits':>7} {'events/s':>9} {'calls/s':>8} {'floor ev/s':>10} "
            f"{'ratio':>6} {'CPU s':>6} {'refolded':>9} {'same as A':>9} {'check':>6}"
        )
        for label, commits, floor_secs, run in results:
            print(
                f"{label:<27} {commits:>7} {n / run.secs:>9,.0f} {n_calls / run.secs:>8,.0f} "
                f"{n / floor_secs:>10,.0f} {floor_secs / run.secs:>6.2f} {run.cpu_secs:>6.2f} "
                f"{run.refolded:>9,} {run.same_as_a if run.same_as_a == 'yes' else 'NO':>9} "
                f"{'ok' if run.check_ok else 'NO':>6}"
            )
        for label, _, _, run in results:
            print(
                f"{label}: new {run.new:,}, already {run.already}, conflicts reported by the "
                f"batches {run.conflicts:,}, conflict rows at the end {run.conflict_rows}; "
                f"same as A: {run.same_as_a}"
            )
        print(
            "ratio = desk events/s / floor events/s; refolded = events re-folded from history "
            "because they arrived after later ones\n(conflicts reported by a batch are those "
            "of the partial history it saw; the end state has none when it matches A)"
        )
        if args.profile:
            prof = cProfile.Profile()
            desk_ingest(
                tmp / "desk-b-profile.db",
                town,
                modes["shuffled"][1],
                a_calls,
                a_officers,
                profile=prof,
            )
            print_profile(prof, args.profile, f"shuffled ingest, batches of {args.batch}")
    finally:
        done_with(tmp, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
