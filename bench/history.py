"""Board and premise-history reads on a desk database with a long history.

Generates (or reuses, ``--db``) a desk database holding ``--calls`` calls (default
1,000,000), then times, over ``--reps`` repetitions each, the two reads the console does
against history:

  (a) ``SqliteStore.open_calls()``               the board's listing of open calls
  (b) ``Desk.premise_history(call_id)``          the calls at one call's place (its unit
                                                 left out), then the others on its block
  (c) ``Desk.search(line)``                      searches by number, type, beat, status,
                                                 time range and free text (FTS5 trigram)

beside a floor measured in the same run: the same SQL through raw ``sqlite3`` with
``fetchall()`` (no domain objects, no assignments).

How the history is made
-----------------------
The file is opened with ``Desk.open(path, town)`` and ``take_roster()`` first, so its
schema, indexes, triggers, header and roster events are the real ones. The history is then
simulated in time order (calls arriving, units dispatched when one is free, units clearing,
calls closing) through the domain's own ``decide`` -> ``stamp`` -> ``apply(strict=True)``
path, the same path ``Desk.execute`` takes minus the SQL. The journal rows, the
``calls``/``assignments`` projection rows and the final ``officers`` rows are made from
those events and domain objects with the functions in ``cso_console.store.rows`` and
written with ``executemany`` in large transactions (one per ``--batch`` calls) with
``PRAGMA synchronous=OFF`` on the generating connection only.

The journal holds the roster (``officer.enrolled``), ``officer.signed_on`` (one per roster
officer, at the start), ``call.received``, ``unit.dispatched``, ``unit.cleared`` and
``call.closed`` events; a rebuild from it gives back the stored projections (``--check``
verifies that with ``cso_console.integrity.check``; slow on large histories). Each journal
row gets the next ``seq``; each projection row the ``seq`` of the last event that changed
it.

Each call gets a narrative from a small list of phrases (so free text has something to
find). Calls go to a pool of street addresses (about one per 30 calls, with uneven weights, so a
typical address has a few dozen calls) plus a few landmark hot spots. The last ``--open``
calls stay open (some dispatched, the rest pending). Timing is never asserted.
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cso_console.desk import Desk
from cso_console.domain.callnumber import format_call_number
from cso_console.domain.clock import HybridLogicalClock
from cso_console.domain.commands import (
    ClearUnit,
    CloseCall,
    Command,
    Context,
    Dispatch,
    ReceiveCall,
    SignOn,
    decide,
)
from cso_console.domain.events import stamp
from cso_console.domain.fold import Changed, State, apply
from cso_console.domain.model import OfficerStatus, OperatorRole
from cso_console.domain.town import Town
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.store import SqliteStore
from cso_console.store import rows as r

TARGET_MS = 5.0
OPEN_SQL = "SELECT * FROM calls WHERE is_open=1 ORDER BY priority, received_at"
PREMISE_SQL = "SELECT * FROM calls WHERE place_key=? ORDER BY received_at DESC LIMIT 51"
BLOCK_SQL = "SELECT * FROM calls WHERE place_block=? ORDER BY received_at DESC LIMIT 101"
NARRATIVES = (
    "Music and shouting from the back garden", "Dog barking for over an hour",
    "Car parked across the driveway", "Grey sedan without plates left for weeks",
    "Group loitering by the entrance", "Fresh graffiti tags on the wall",
    "Loose brown dog near the school", "Neighbour has not seen the resident",
    "Streetlight out at the corner", "Shopping trolley abandoned in the road",
    "Generator running all night", "Wallet handed in at the counter",
    "Fallen branch blocking the footpath", "Smell of smoke, no flames seen",
    "Skateboarders on the steps again", "Van blocking the loading bay",
)  # fmt: skip
HISTORY_START = datetime(2016, 1, 1, tzinfo=UTC)
MEAN_GAP_S = 315.0  # ~100,000 calls a year
OPERATOR = "desk"


# ---------------------------------------------------------------------------------------
# generation


class _SimClock:
    """The simulation's 'now' (what Desk.execute would read from its clock)."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({names}) VALUES ({marks})"


JOURNAL_SQL = _insert_sql("journal", ("seq", *r.JOURNAL_COLUMNS))
CALLS_SQL = _insert_sql("calls", (*r.CALL_COLUMN_NAMES, "changed_seq"))
ASSIGNMENTS_SQL = _insert_sql("assignments", r.ASSIGNMENT_COLUMNS)
OFFICERS_SQL = (
    f"UPDATE officers SET {', '.join(f'{c} = ?' for c in r.OFFICER_COLUMNS[1:])} "
    "WHERE officer_id = ?"
)


def _address_pool(town: Town, size: int, rng: random.Random) -> list[str]:
    """``size`` distinct street addresses ('123 Elm Street'), spread over every range."""
    candidates: list[str] = []
    for s in town.streets:
        candidates.extend(f"{n} {s.name}" for n in range(s.low, s.high + 1, 2))
    rng.shuffle(candidates)
    return candidates[: max(1, min(size, len(candidates)))]


class Generator:
    """Simulates a desk's history and bulk-writes what the store would have written."""

    def __init__(
        self,
        path: Path,
        town: Town,
        calls: int,
        open_calls: int,
        batch: int,
        seed: int,
        progress: Callable[[str], None],
    ) -> None:
        self.path = path
        self.town = town
        self.n = calls
        self.n_open = min(open_calls, calls)
        self.batch = batch
        self.rng = random.Random(seed)
        self.progress = progress

        desk = Desk.open(path, town)  # real schema, triggers, header, WAL
        self.desk_code = desk.desk_code
        desk.take_roster()  # the roster as journal events, as `run` takes it
        desk.close()
        conn = sqlite3.connect(path)
        self.state = State()
        cols = ", ".join(r.OFFICER_COLUMNS[:-1])
        for row in conn.execute(f"SELECT {cols} FROM officers"):
            o = r.officer_from_row(row)
            self.state.officers[o.officer_id] = o
        known = conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
        self.seq: int = conn.execute("SELECT coalesce(max(seq), 0) FROM journal").fetchone()[0]
        conn.close()
        if known:
            raise SystemExit(f"{path} already has {known} calls; give a new --db path.")

        self.clock = _SimClock(HISTORY_START)
        self.hlc = HybridLogicalClock(self.clock)
        self.desk_seq = 0
        self.year_seq: dict[int, int] = {}
        self.queue: list[tuple[datetime, int, str, str]] = []  # (when, tiebreak, kind, call)
        self.tiebreak = 0
        self.plan: dict[str, dict[str, Any]] = {}

        self.j_rows: list[tuple[Any, ...]] = []
        self.c_rows: list[tuple[Any, ...]] = []
        self.a_rows: list[tuple[Any, ...]] = []
        self.closed_in_batch = 0
        self.written_calls = 0
        self.written_events = 0

        types = [t for t in town.call_types if not t.emergency]
        self.types = [t.code for t in types]
        # routine calls are common, urgent ones rare
        self.type_weights = [{1: 1, 2: 3, 3: 6, 4: 4}[t.priority] for t in types]
        self.closing_dispos = [
            d.code for d in town.dispositions if d.code not in ("XFER", "DUP", "CAN")
        ]
        pool = _address_pool(town, max(100, calls // 30), self.rng)
        weights = [self.rng.lognormvariate(0.0, 0.6) for _ in pool]
        lm_names = [lm.name for lm in town.landmarks]
        # landmarks: ~3% of calls in all, shared among the hot spots
        lm_weight = 0.03 * sum(weights) / 0.97 / len(lm_names)
        self.places = pool + lm_names
        self.place_cum = list(_accumulate(weights + [lm_weight] * len(lm_names)))
        self.by_beat: dict[str | None, list[str]] = {}
        for o in self.state.officers.values():
            self.by_beat.setdefault(o.home_beat, []).append(o.officer_id)

    # one command, the way Desk._execute does it, minus the SQL ----------------------------

    def run(self, cmd: Command, calls: dict[str, str] | None = None) -> list[str]:
        now = self.clock.now()
        new_ids: list[str] = []

        def new_call_id() -> str:
            year = now.year % 100
            seq = self.year_seq.get(year, 0) + 1
            self.year_seq[year] = seq
            new_ids.append(format_call_number(self.desk_code, year, seq))
            return new_ids[-1]

        ctx = Context(self.town, now, OperatorRole.LEAD, new_call_id, calls or {})
        changed = Changed()
        for draft in decide(self.state, ctx, cmd):
            self.desk_seq += 1
            ev = stamp(
                draft,
                desk_id=self.desk_code,
                desk_seq=self.desk_seq,
                hlc=self.hlc.tick(),
                occurred_at=now,
                operator_id=OPERATOR,
            )
            changed.merge(apply(self.state, ev, strict=True))
            self.seq += 1
            self.j_rows.append((self.seq, *r.journal_row(ev)))
        return new_ids

    def schedule(self, when: datetime, kind: str, call_id: str) -> None:
        self.tiebreak += 1
        heapq.heappush(self.queue, (when, self.tiebreak, kind, call_id))

    def finish_call(self, call_id: str) -> None:
        call = self.state.calls.pop(call_id)
        self.c_rows.append(r.call_row(call, self.seq))
        self.a_rows.extend(r.assignment_row(a) for a in call.assignments)
        self.plan.pop(call_id, None)
        self.closed_in_batch += 1

    # the simulation ------------------------------------------------------------------------

    def step(self, when: datetime, kind: str, call_id: str) -> None:
        self.clock.at = when
        plan = self.plan[call_id]
        call = self.state.calls[call_id]
        if kind == "dispatch":
            if plan["cancel"]:
                self.run(CloseCall(call=call_id, disposition="CAN"), {call_id: call_id})
                self.finish_call(call_id)
                return
            free = [
                o
                for o in self.state.officers.values()
                if o.status is OfficerStatus.AVAILABLE and o.current_call_id is None
            ]
            if not free:
                if not plan["stays_open"]:  # nobody free: try again in two minutes
                    self.schedule(when + timedelta(minutes=2), "dispatch", call_id)
                return
            local = [o for o in free if o.home_beat == call.beat_id] or free
            units = [self.rng.choice(local).officer_id]
            if plan["assist"]:
                others = [o.officer_id for o in free if o.officer_id != units[0]]
                if others:
                    units.append(self.rng.choice(others))
            self.run(Dispatch(call=call_id, officers=tuple(units)), {call_id: call_id})
            if plan["stays_open"]:
                return
            work = timedelta(minutes=self.rng.uniform(8, 45))
            for extra in units[1:]:
                self.schedule(when + work * self.rng.uniform(0.4, 0.9), "clear:" + extra, call_id)
            self.schedule(when + work, "clear:" + units[0], call_id)
        else:
            officer = kind.split(":", 1)[1]
            last = len(call.active_assignments) == 1
            dispo = plan["dispo"] if last else None
            self.run(
                ClearUnit(officer=officer, call=call_id, disposition=dispo), {call_id: call_id}
            )
            if last:
                self.finish_call(call_id)

    def drain_until(self, until: datetime | None) -> None:
        while self.queue and (until is None or self.queue[0][0] <= until):
            when, _, kind, call_id = heapq.heappop(self.queue)
            self.step(when, kind, call_id)

    def generate(self) -> None:
        t0 = time.perf_counter()
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA busy_timeout = 5000")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA synchronous = OFF")  # generation only: this connection
        self.conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
        self.conn.execute("PRAGMA temp_store = MEMORY")
        for officer in list(self.state.officers):
            self.run(SignOn(officer=officer))

        rng, when = self.rng, HISTORY_START
        first_open = self.n - self.n_open
        for i in range(self.n):
            when = when + timedelta(seconds=rng.expovariate(1.0 / MEAN_GAP_S))
            self.drain_until(when)
            self.clock.at = when
            place = rng.choices(self.places, cum_weights=self.place_cum)[0]
            type_code = rng.choices(self.types, weights=self.type_weights)[0]
            narrative = rng.choice(NARRATIVES)
            (call_id,) = self.run(
                ReceiveCall(type_code=type_code, location=place, narrative=narrative)
            )
            stays_open = i >= first_open
            self.plan[call_id] = {
                "stays_open": stays_open,
                "cancel": not stays_open and rng.random() < 0.05,
                "assist": rng.random() < 0.10,
                "dispo": rng.choice(self.closing_dispos),
            }
            if not stays_open or rng.random() < 0.5:
                self.schedule(
                    when + timedelta(minutes=rng.expovariate(1 / 4.0)), "dispatch", call_id
                )
            if self.closed_in_batch >= self.batch:
                self.flush()
                rate = self.written_calls / (time.perf_counter() - t0)
                self.progress(f"  {self.written_calls:>9,} calls written  ({rate:,.0f} calls/s)")
        # the open calls get their one chance of a unit; everything else runs to the end
        self.drain_until(None)
        for call_id in sorted(self.state.calls):
            call = self.state.calls.pop(call_id)
            self.c_rows.append(r.call_row(call, self.seq))
            self.a_rows.extend(r.assignment_row(a) for a in call.assignments)
        self.flush(final=True)
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()

    def flush(self, final: bool = False) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        if self.c_rows:
            conn.executemany(CALLS_SQL, self.c_rows)
        if self.a_rows:
            conn.executemany(ASSIGNMENTS_SQL, self.a_rows)
        if self.j_rows:
            conn.executemany(JOURNAL_SQL, self.j_rows)
        if final:
            officer_rows = [r.officer_row(o, self.seq) for o in self.state.officers.values()]
            conn.executemany(OFFICERS_SQL, [(*row[1:], row[0]) for row in officer_rows])
        conn.execute("COMMIT")
        self.written_calls += len(self.c_rows)
        self.written_events += len(self.j_rows)
        self.c_rows, self.a_rows, self.j_rows = [], [], []
        self.closed_in_batch = 0


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for v in values:
        total += v
        out.append(total)
    return out


# ---------------------------------------------------------------------------------------
# timing


def _time(fn: Callable[[], object], reps: int, warmup: int) -> tuple[float, float, int]:
    """Median and p95 in milliseconds, and the size of the last result."""
    result: object = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(reps):
        t = time.perf_counter_ns()
        result = fn()
        samples.append((time.perf_counter_ns() - t) / 1e6)
    samples.sort()
    p95 = samples[max(0, math.ceil(0.95 * len(samples)) - 1)]
    return statistics.median(samples), p95, len(result)  # type: ignore[arg-type]


def _raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("busy_timeout = 5000", "synchronous = FULL", "foreign_keys = ON"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def _plan(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> str:
    return "; ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def _sql_of(line: str, town: Town, now: datetime) -> tuple[str, tuple[Any, ...]]:
    from cso_console.domain.search import parse_query
    from cso_console.store.search_index import search_sql

    query = parse_query(line, town, now)
    sql, params = search_sql(query, 50, line if query.number is not None else None)
    return sql, tuple(params)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate a long desk history and time the board's open-call listing "
        "and one address's premise history against raw sqlite3 on the same "
        "file. Prints plain text; never asserts timing."
    )
    ap.add_argument(
        "--calls",
        type=int,
        default=1_000_000,
        help="calls in the generated history (default 1000000)",
    )
    ap.add_argument(
        "--db",
        type=Path,
        help="database file to use: reused if it already holds calls, else "
        "generated there and kept",
    )
    ap.add_argument(
        "--dir",
        type=Path,
        help="where the temp dir goes when --db is not given (default: the system temp dir)",
    )
    ap.add_argument(
        "--open",
        type=int,
        default=50,
        dest="open_calls",
        help="calls left open at the end of the history (default 50)",
    )
    ap.add_argument(
        "--batch", type=int, default=50_000, help="calls per generation transaction (default 50000)"
    )
    ap.add_argument("--reps", type=int, default=200, help="timed repetitions (default 200)")
    ap.add_argument("--warmup", type=int, default=10, help="untimed repetitions first")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument(
        "--check",
        action="store_true",
        help="after generating, rebuild from the journal and compare with the "
        "stored projections (cso_console.integrity.check; slow on large histories)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and its database")
    args = ap.parse_args(argv)

    town = load_town(bundled_town_dir())
    tmp: Path | None = None
    if args.db is not None:
        path = args.db
    else:
        base = args.dir or Path(tempfile.gettempdir())
        tmp = Path(tempfile.mkdtemp(prefix="bench-history-", dir=base))
        path = tmp / "history.db"
    try:
        return _run(args, town, path, tmp)
    finally:
        if tmp is not None:
            if args.keep:
                print(f"kept: {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)


def _run(args: argparse.Namespace, town: Town, path: Path, tmp: Path | None) -> int:
    def say(text: str) -> None:
        print(text, flush=True)

    say(f"database: {path}")
    existing = 0
    if path.exists() and path.stat().st_size:
        with sqlite3.connect(path) as probe:
            try:
                existing = probe.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
            except sqlite3.Error:
                existing = 0
    if existing:
        say(f"reusing {existing:,} calls (generation skipped)")
    else:
        say(
            f"generating {args.calls:,} calls (batches of {args.batch:,}, "
            f"synchronous=OFF during generation only) ..."
        )
        t0 = time.perf_counter()
        gen = Generator(path, town, args.calls, args.open_calls, args.batch, args.seed, say)
        gen.generate()
        secs = time.perf_counter() - t0
        say(
            f"generation: {secs:.1f} s for {gen.written_calls:,} calls and "
            f"{gen.written_events:,} journal events ({gen.written_calls / secs:,.0f} calls/s)"
        )
    size_mb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    say(f"file size: {size_mb:,.1f} MB")

    if args.check:
        from cso_console.integrity import check

        t0 = time.perf_counter()
        report = check(path)
        say(
            f"check: {'ok' if report.ok else 'PROBLEMS'} ({report.events:,} events, "
            f"{report.conflicts} conflicts, {time.perf_counter() - t0:.1f} s)"
        )
        for p in report.problems[:20]:
            say(f"  {p}")

    raw = _raw_connection(path)
    n_calls, n_open = raw.execute("SELECT COUNT(*), SUM(is_open) FROM calls").fetchone()
    n_assign_open = raw.execute(
        "SELECT COUNT(*) FROM assignments a JOIN calls c USING (call_id) WHERE c.is_open=1"
    ).fetchone()[0]
    counts = raw.execute(
        "SELECT place_key, COUNT(*) AS n FROM calls GROUP BY place_key ORDER BY n, place_key"
    ).fetchall()
    median_key, median_n = counts[len(counts) // 2]
    busiest_key, busiest_n = counts[-1]

    def call_at(key: str) -> tuple[str, str]:
        row = raw.execute(
            "SELECT call_id, place_block FROM calls WHERE place_key = ? "
            "ORDER BY received_at DESC LIMIT 1",
            (key,),
        ).fetchone()
        return str(row[0]), str(row[1])

    median_call, median_block = call_at(median_key)
    busiest_call, busiest_block = call_at(busiest_key)
    block_n = raw.execute(
        "SELECT COUNT(*) FROM calls WHERE place_block = ?", (median_block,)
    ).fetchone()[0]
    say(
        f"history: {n_calls:,} calls, {n_open} open ({n_assign_open} units on them), "
        f"{len(counts):,} distinct premises"
    )
    say(
        f"premise timed: {median_key!r} ({median_n} calls; the median premise), its block "
        f"{median_block!r} ({block_n} calls)"
    )
    say(f"busiest premise: {busiest_key!r} ({busiest_n} calls)")
    say("query plans (raw sqlite3):")
    say(f"  open calls, literal 1:  {_plan(raw, OPEN_SQL)}")
    say(f"  open calls, bound ?=1:  {_plan(raw, OPEN_SQL.replace('is_open=1', 'is_open=?'), (1,))}")
    say(f"  premise history:        {_plan(raw, PREMISE_SQL, (median_key,))}")
    say(f"  its block:              {_plan(raw, BLOCK_SQL, (median_block,))}")

    store = SqliteStore(path)
    desk = Desk(store, town)
    now = desk.now()
    last_number = raw.execute("SELECT call_id FROM calls ORDER BY rowid DESC LIMIT 1").fetchone()
    searches = [
        ("number", str(last_number[0])),
        ("type + beat", "type:NOISE beat:B2"),
        ("status:open", "status:open"),
        ("status:cancelled", "status:cancelled"),
        ("from/to (a week)", "from:2020-03-01 to:2020-03-08"),
        ("text, common", "barking"),
        ("text, rare", "trolley"),
        ("text + beat + status", "graffiti beat:B4 status:closed"),
        ("text, street part", "elm str"),
        ("text, not found", "zebrafish"),
        ("rare type, old month", "type:HAZ beat:B7 from:2016-02-01 to:2016-03-01"),
        # the hard ones: filters that meet few rows of the index the plan walks
        ("rare type + beat", "type:SIGNAL beat:B1"),
        ("common text, one day", "barking from:2016-06-01 to:2016-06-01"),
        ("common text, rare type", "barking type:SIGNAL beat:B1"),
        # a bare word that names a type: that text, or calls of that type
        ("type word", "park"),
        ("type word, two types", "dog"),
    ]

    def raw_open() -> list[Any]:
        return raw.execute(OPEN_SQL).fetchall()

    def raw_premise(key: str, block: str) -> Callable[[], list[Any]]:
        def both() -> list[Any]:
            return (
                raw.execute(PREMISE_SQL, (key,)).fetchall()
                + raw.execute(BLOCK_SQL, (block,)).fetchall()
            )

        return both

    def raw_search(line: str) -> Callable[[], list[Any]]:
        from cso_console.domain.search import parse_query
        from cso_console.store.search_index import search_sql

        query = parse_query(line, town, now)
        call_id = line if query.number is not None else None
        sql, params = search_sql(query, 50, call_id)
        return lambda: raw.execute(sql, params).fetchall()

    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("(a) open_calls()", store.open_calls, raw_open),
        (
            "(b) premise_history(median)",
            lambda: desk.premise_history(median_call),
            raw_premise(median_key, median_block),
        ),
        (
            "    premise_history(busiest)",
            lambda: desk.premise_history(busiest_call),
            raw_premise(busiest_key, busiest_block),
        ),
    ]
    for label, line in searches:
        say(f"  search {label:<22}{_plan(raw, *_sql_of(line, town, now))}")
        cases.append(
            (f"(c) {label}", lambda line=line: desk.search(line), raw_search(line))  # type: ignore[misc]
        )
    say(f"\ntimings over {args.reps} repetitions ({args.warmup} warm-up), milliseconds:")
    say(
        f"{'read':<30} {'rows':>5} {'store med':>10} {'store p95':>10} "
        f"{'raw med':>8} {'raw p95':>8} {'x raw':>6}  within {TARGET_MS:g} ms (med/p95)"
    )
    for name, store_fn, raw_fn in cases:
        s_med, s_p95, rows = _time(store_fn, args.reps, args.warmup)
        r_med, r_p95, _ = _time(raw_fn, args.reps, args.warmup)
        ok = "/".join("yes" if v <= TARGET_MS else "NO" for v in (s_med, s_p95))
        say(
            f"{name:<30} {rows:>5} {s_med:>10.3f} {s_p95:>10.3f} {r_med:>8.3f} "
            f"{r_p95:>8.3f} {s_med / r_med:>6.1f}  {ok}"
        )
    say(f"target: each store read within {TARGET_MS:g} ms")
    store.close()
    raw.close()
    if tmp is None and args.db is not None:
        say(f"kept: {path} (--db)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
