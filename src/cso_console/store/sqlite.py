"""The desk's SQLite store: journal + projections, written together in one transaction.

The hot path (command -> events -> projections -> commit) is constant SQL on the DB-API
cursor, so sqlite3's statement cache applies and nothing is built per command. Officers and
operators are kept in memory and brought up to date from the change feed (rows with a
``changed_seq`` above the last one seen) inside each write transaction, before the command
is checked, so another writer's change is never missed.
"""

from __future__ import annotations

import copy
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cso_console.domain.callnumber import CallRef, parse_call_ref
from cso_console.domain.conflicts import OpenConflict
from cso_console.domain.events import Event
from cso_console.domain.fold import Conflict, State
from cso_console.domain.model import Call, Officer, Operator
from cso_console.domain.premises import CallLine
from cso_console.domain.search import CallQuery
from cso_console.store import rows, search_index
from cso_console.store.database import (
    StorageFull,
    StoreError,
    connect,
    connect_readonly,
    is_storage_full,
    open_readonly,
    plain_error,
    prepare,
)

_CALL_SQL_COLS = ", ".join(rows.CALL_COLUMN_NAMES)
_CALL_SELECT = f"SELECT {_CALL_SQL_COLS} FROM calls"
_ASSIGNMENT_SELECT = f"SELECT {', '.join(rows.ASSIGNMENT_COLUMNS)} FROM assignments"
_OFFICER_SELECT = f"SELECT {', '.join(rows.OFFICER_COLUMNS[:-1])} FROM officers"
_OPERATOR_SELECT = f"SELECT {', '.join(rows.OPERATOR_COLUMNS[:-1])} FROM operators"
_JOURNAL_SELECT = f"SELECT {', '.join(rows.JOURNAL_COLUMNS)} FROM journal"
_JOURNAL_ORDER = " ORDER BY hlc, desk_id, desk_seq"


def _upsert(table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    """INSERT, or UPDATE of every column. (A command's changes to a call it loaded go
    through :meth:`WriteTx._update_call`, which writes only the columns that changed.)"""
    marks = ", ".join("?" * len(columns))
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
    )


def _statements(suffix: str) -> tuple[str, str, str, str, str]:
    """The upserts of the projections (``suffix``: the tables a rebuild writes first)."""
    return (
        _upsert(f"calls{suffix}", (*rows.CALL_COLUMN_NAMES, "changed_seq"), ("call_id",)),
        _upsert(
            f"assignments{suffix}",
            rows.ASSIGNMENT_COLUMNS,
            ("call_id", "officer_id", "dispatched_at"),
        ),
        _upsert(f"officers{suffix}", rows.OFFICER_COLUMNS, ("officer_id",)),
        _upsert(f"operators{suffix}", rows.OPERATOR_COLUMNS, ("operator_id",)),
        f"INSERT INTO conflicts{suffix} (event_id, call_id, officer_id, reason, changed_seq) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO UPDATE SET reason = excluded.reason, "
        "changed_seq = excluded.changed_seq",
    )


# SQLite does not queue writers: one waiting for the lock (a console's command, `check
# --rebuild`) polls it, every 100 ms once it has waited a while, and seldom finds the
# instant between two transactions of a writer that runs them back to back (an intake's
# batches, a rebuild's). After a transaction that held the lock this long, the same store
# leaves it free a moment before its next one; short ones (a desk command) never wait.
LONG_HOLD_SECONDS = 0.05
LOCK_FREE_SECONDS = 0.02


def _leave_lock_free(seconds: float) -> None:
    time.sleep(seconds)


PROJECTIONS = ("assignments", "calls", "officers", "operators", "conflicts")
NEXT = "_next"  # where a rebuild writes the new projections before the swap
OLD = "_old"  # where the replaced projections wait to be emptied and dropped
CLOSE_WAIT = 30.0  # seconds close() waits for reads and writes in progress on other threads
INSERT_EVENT = (
    f"INSERT INTO journal (seq, {', '.join(rows.JOURNAL_COLUMNS)}) "
    f"VALUES (?, {', '.join('?' * len(rows.JOURNAL_COLUMNS))})"
)


class UnknownCall(LookupError):
    pass


def _in(n: int) -> str:
    return ", ".join("?" * n)


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


Raw = dict[str, tuple[tuple[Any, ...], dict[tuple[Any, ...], tuple[Any, ...]]]]


def load_assignments(
    cur: sqlite3.Cursor, call_ids: list[str], raw: Raw | None = None
) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {c: [] for c in call_ids}
    for chunk in _chunks(call_ids):
        q = f"{_ASSIGNMENT_SELECT} WHERE call_id IN ({_in(len(chunk))})"
        for r in cur.execute(q, chunk):
            out[r[0]].append(rows.assignment_from_row(r))
            if raw is not None:
                raw[r[0]][1][r[:3]] = r
    for found in out.values():
        found.sort(key=lambda a: (a.dispatched_at, a.officer_id))
    return out


def load_calls(
    cur: sqlite3.Cursor, where: str, params: Iterable[Any] = (), raw: Raw | None = None
) -> list[Call]:
    """Calls with their assignments; ``raw`` gets the rows as stored (call id -> (row,
    assignment rows by key)) for a writer that will write back only what changed."""
    found = cur.execute(f"{_CALL_SELECT} {where}", tuple(params)).fetchall()
    if raw is not None:
        for r in found:
            raw[r[0]] = (tuple(r), {})
    assignments = load_assignments(cur, [r[0] for r in found], raw)
    return [rows.call_from_row(r, assignments[r[0]]) for r in found]


def calls_by_ids(
    cur: sqlite3.Cursor, ids: Iterable[str], raw: Raw | None = None
) -> dict[str, Call]:
    out: dict[str, Call] = {}
    for chunk in _chunks(sorted(set(ids))):
        for c in load_calls(cur, f"WHERE call_id IN ({_in(len(chunk))})", chunk, raw):
            out[c.call_id] = c
    return out


def resolve_call_ref(
    cur: sqlite3.Cursor, ref: CallRef, desk_code: str, year: int, check: bool = True
) -> str:
    """The call number a typed reference means: full numbers as they are; a short number
    is this desk's call of this year, else the latest call anywhere with that sequence.
    (``check=False``: a full number is not looked up; the caller loads it anyway.)"""
    if ref.desk_code is not None:
        cid = f"{ref.desk_code}-{ref.year:02d}-{ref.seq:06d}"
        if not check:
            return cid
        if cur.execute("SELECT 1 FROM calls WHERE call_id = ?", (cid,)).fetchone() is None:
            raise UnknownCall(f"There is no call {cid}.")
        return cid
    mine = cur.execute(
        "SELECT call_id FROM calls WHERE desk_code = ? AND year = ? AND seq = ?",
        (desk_code, ref.year if ref.year is not None else year, ref.seq),
    ).fetchone()
    if mine is not None:
        return str(mine[0])
    if ref.year is not None:
        q = "SELECT call_id FROM calls WHERE seq = ? AND year = ? ORDER BY received_at DESC"
        found = cur.execute(q, (ref.seq, ref.year)).fetchone()
    else:
        q = "SELECT call_id FROM calls WHERE seq = ? ORDER BY received_at DESC"
        found = cur.execute(q, (ref.seq,)).fetchone()
    if found is None:
        raise UnknownCall(f"There is no call {ref.seq}.")
    return str(found[0])


def parse_ref(ref: str) -> CallRef:
    try:
        return parse_call_ref(ref)
    except ValueError as exc:
        raise UnknownCall(str(exc)) from None


@dataclass
class Changes:
    """What changed in the projections since a reader's cursor."""

    head: int  # the journal seq the reader has now seen up to
    generation: int  # changes when the projections are rebuilt: reload everything then
    calls: dict[str, Call] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    received: list[Event] = field(default_factory=list)  # calls taken since, any writer
    conflicts: int = 0  # conflict rows written since
    # rows a re-fold removed (their events became conflicts): gone from the board
    dropped_calls: set[str] = field(default_factory=set)
    dropped_officers: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(
            self.calls or self.officers or self.conflicts or self.dropped_calls
            or self.dropped_officers
        )  # fmt: skip


class WriteTx:
    """One BEGIN IMMEDIATE transaction on the writer connection."""

    def __init__(self, store: SqliteStore, cur: sqlite3.Cursor) -> None:
        self.store = store
        self.cur = cur
        self.desk_code = store.desk_code
        # Within the transaction nobody else writes: the high-water marks are read once
        # and then kept up to date by append() (a batch of commands needs no re-read).
        self._high: list[int] | None = None  # [journal seq, max hlc, this desk's desk_seq]
        self._call_seqs: dict[int, int] = {}
        # Rows of calls as loaded, so a save writes only the columns that changed (and
        # SQLite touches only the indexes over those): call id -> (row, assignment rows).
        self._as_loaded: dict[
            str, tuple[tuple[Any, ...], dict[tuple[Any, ...], tuple[Any, ...]]]
        ] = {}

    # reads inside the transaction --------------------------------------------

    def resolve(self, ref: str, year: int) -> str:
        """A typed call reference as a call number; a full number is checked when the
        state is loaded (:meth:`load_state` is always next)."""
        return resolve_call_ref(self.cur, parse_ref(ref), self.desk_code, year, check=False)

    def head(self) -> tuple[int, int]:
        """(the journal's last seq, the schema cookie: changes when tables are swapped)."""
        r = self.cur.execute(
            "SELECT (SELECT max(seq) FROM journal), (SELECT schema_version FROM "
            "pragma_schema_version)"
        ).fetchone()
        return int(r[0] or 0), int(r[1])

    def marks(self) -> tuple[int, int]:
        """At the start of the transaction, in one statement: (the journal's last seq,
        the schema cookie); the high-water marks of :meth:`high` come along."""
        r = self.cur.execute(
            "SELECT (SELECT max(seq) FROM journal), (SELECT schema_version FROM "
            "pragma_schema_version), (SELECT max(hlc) FROM journal), "
            "(SELECT max(desk_seq) FROM journal WHERE desk_id = ?)",
            (self.desk_code,),
        ).fetchone()
        self._high = [int(r[0] or 0), int(r[2] or 0), int(r[3] or 0)]
        return int(r[0] or 0), int(r[1])

    def high(self) -> tuple[int, int, int]:
        """(the journal's last seq, its highest HLC, this desk's last desk_seq)."""
        if self._high is None:
            r = self.cur.execute(
                "SELECT (SELECT max(seq) FROM journal), (SELECT max(hlc) FROM journal), "
                "(SELECT max(desk_seq) FROM journal WHERE desk_id = ?)",
                (self.desk_code,),
            ).fetchone()
            self._high = [int(r[0] or 0), int(r[1] or 0), int(r[2] or 0)]
        return self._high[0], self._high[1], self._high[2]

    def last_call_seq(self, year: int) -> int:
        """The last call number this desk gave out in ``year`` (a counter that only goes
        up: a call that later became a conflict keeps its number)."""
        if year not in self._call_seqs:
            r = self.cur.execute(
                "SELECT last FROM call_numbers WHERE desk_code = ? AND year = ?",
                (self.desk_code, year),
            ).fetchone()
            if r is None:  # first call of the year, or a file from before the counter
                r = self.cur.execute(
                    "SELECT max(seq) FROM calls WHERE desk_code = ? AND year = ?",
                    (self.desk_code, year),
                ).fetchone()
            self._call_seqs[year] = int(r[0] or 0)
        return self._call_seqs[year]

    def took_call_seq(self, year: int, seq: int) -> None:
        """Call numbers up to ``seq`` of this desk are given out (in this transaction)."""
        last = max(self.last_call_seq(year), seq)
        self._call_seqs[year] = last
        self.cur.execute(
            "INSERT INTO call_numbers (desk_code, year, last) VALUES (?, ?, ?) "
            "ON CONFLICT (desk_code, year) DO UPDATE SET last = excluded.last",
            (self.desk_code, year, last),
        )

    def source_owners(self, source_ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(sorted(set(source_ids))):
            q = f"SELECT source_id, call_id FROM calls WHERE source_id IN ({_in(len(chunk))})"
            out.update({r[0]: r[1] for r in self.cur.execute(q, chunk)})
        return out

    def load_state(self, call_ids: Iterable[str], officer_ids: Iterable[str]) -> State:
        """The calls and officers a command touches, plus the ones those point to.

        Officers and operators come from the in-memory copies (brought up to date at the
        start of the transaction); the state gets its own copies to change.
        """
        state = State()
        calls, officers = set(call_ids), set(officer_ids)
        known = self.store.officer_cache
        for _ in range(2):
            missing_calls = calls - state.calls.keys()
            if missing_calls:
                for c in calls_by_ids(self.cur, missing_calls, self._as_loaded).values():
                    state.calls[c.call_id] = c
                    officers |= {a.officer_id for a in c.active_assignments}
            for oid in officers - state.officers.keys():
                o = known.get(oid)
                if o is not None:
                    state.officers[oid] = copy.copy(o)
                    if o.current_call_id:
                        calls.add(o.current_call_id)
                    if o.queued_call_id:  # clearing may dispatch them to it
                        calls.add(o.queued_call_id)
        state.operators = {k: copy.copy(v) for k, v in self.store.operator_cache.items()}
        return state

    def existing_event_ids(self, ids: list[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(ids):
            q = f"SELECT event_id FROM journal WHERE event_id IN ({_in(len(chunk))})"
            out.update(r[0] for r in self.cur.execute(q, chunk))
        return out

    def taken_desk_seqs(self, keys: list[tuple[str, int]]) -> set[tuple[str, int]]:
        """Which (desk_id, desk_seq) pairs the journal already holds."""
        out: set[tuple[str, int]] = set()
        for desk_id, desk_seq in keys:
            q = "SELECT 1 FROM journal WHERE desk_id = ? AND desk_seq = ?"
            if self.cur.execute(q, (desk_id, desk_seq)).fetchone() is not None:
                out.add((desk_id, desk_seq))
        return out

    def max_order_key(self) -> tuple[int, str, int] | None:
        r = self.cur.execute(
            "SELECT hlc, desk_id, desk_seq FROM journal "
            "ORDER BY hlc DESC, desk_id DESC, desk_seq DESC LIMIT 1"
        ).fetchone()
        return (int(r[0]), str(r[1]), int(r[2])) if r else None

    def _events_touching(
        self, calls: set[str], officers: set[str], known: dict[str, Event] | None = None
    ) -> list[Event]:
        """Events naming these calls or officers (those in ``known`` are not read again)."""
        seen = known or {}
        found: dict[str, Event] = {}
        for chunk in _chunks(sorted(calls)):
            marks = _in(len(chunk))
            q = (
                f"{_JOURNAL_SELECT} WHERE call_id IN ({marks}) OR (type = "
                f"'officer.reassigned' AND json_extract(payload, '$.from_call_id') IN ({marks}))"
                f" OR (type = 'call.duplicate_linked' AND "
                f"json_extract(payload, '$.of_call_id') IN ({marks}))"
            )
            for r in self.cur.execute(q, chunk * 3):
                if r[0] not in found and r[0] not in seen:
                    found[r[0]] = rows.event_from_row(r)
        for chunk in _chunks(sorted(officers)):
            q = f"{_JOURNAL_SELECT} WHERE officer_id IN ({_in(len(chunk))})"
            for r in self.cur.execute(q, chunk):
                if r[0] not in found and r[0] not in seen:
                    found[r[0]] = rows.event_from_row(r)
        return list(found.values())

    def closure(self, calls: set[str], officers: set[str]) -> list[Event]:
        """Every event touching these calls and officers, and the calls and officers those
        events touch in turn, until no event outside the set touches anything in it.
        Calls that hold the same source id belong together too."""
        calls, officers = set(calls), set(officers)
        seen_calls: set[str] = set()
        seen_officers: set[str] = set()
        events: dict[str, Event] = {}
        while calls - seen_calls or officers - seen_officers:
            todo_calls, todo_officers = calls - seen_calls, officers - seen_officers
            seen_calls |= todo_calls
            seen_officers |= todo_officers
            for e in self._events_touching(todo_calls, todo_officers, events):
                if e.event_id in events:
                    continue
                events[e.event_id] = e
                calls.update(e.call_ids())
                if e.officer_id:
                    officers.add(e.officer_id)
            sources = sorted(
                {
                    e.payload["source_id"]
                    for e in events.values()
                    if e.type.value == "call.received" and e.payload.get("source_id")
                }
            )
            calls.update(self._source_claims(sources))
        return sorted(events.values(), key=lambda e: e.order_key)

    def _source_claims(self, sources: list[str]) -> set[str]:
        """Every call whose received event claimed one of these source ids."""
        out: set[str] = set()
        for chunk in _chunks(sources):
            q = (
                "SELECT call_id FROM journal WHERE type = 'call.received' AND "
                f"json_extract(payload, '$.source_id') IN ({_in(len(chunk))})"
            )
            out.update(r[0] for r in self.cur.execute(q, chunk))
        return out

    def operator_events(self, operators: set[str]) -> list[Event]:
        out = []
        for chunk in _chunks(sorted(operators)):
            q = (
                f"{_JOURNAL_SELECT} WHERE type LIKE 'operator.%' AND operator_id IN "
                f"({_in(len(chunk))})"
            )
            out += [rows.event_from_row(r) for r in self.cur.execute(q, chunk)]
        return out

    def all_events(self) -> list[Event]:
        return [rows.event_from_row(r) for r in self.cur.execute(_JOURNAL_SELECT)]

    def open_conflicts(self, id_starts: Iterable[str]) -> list[Conflict]:
        """The open conflicts whose event id starts with one of ``id_starts`` (a settlement
        names its conflict by the id, or by its start as the list shows it)."""
        out: list[Conflict] = []
        for start in sorted(set(id_starts)):
            q = (
                "SELECT event_id, call_id, officer_id, reason FROM conflicts "
                "WHERE substr(event_id, 1, ?) = ? LIMIT 10"
            )
            out += [Conflict(*r) for r in self.cur.execute(q, (len(start), start))]
        return out

    def forget_conflicts(self, event_ids: list[str]) -> None:
        for chunk in _chunks(event_ids):
            q = f"DELETE FROM conflicts WHERE event_id IN ({_in(len(chunk))})"
            self.cur.execute(q, chunk)

    def drop_missing(self, calls: set[str], officers: set[str], seq: int) -> None:
        """Remove projection rows the fold no longer has (an event that became a conflict),
        and say so in ``dropped`` so readers of the change feed hear of it."""
        gone: list[tuple[str, str, int]] = []
        for chunk in _chunks(sorted(calls)):
            marks = _in(len(chunk))
            self.cur.execute(f"DELETE FROM assignments WHERE call_id IN ({marks})", chunk)
            self.cur.execute(f"DELETE FROM calls WHERE call_id IN ({marks})", chunk)
            gone += [("call", cid, seq) for cid in chunk]
            for cid in chunk:
                self._as_loaded.pop(cid, None)
        for chunk in _chunks(sorted(officers)):
            q = f"DELETE FROM officers WHERE officer_id IN ({_in(len(chunk))})"
            self.cur.execute(q, chunk)
            gone += [("officer", oid, seq) for oid in chunk]
            for oid in chunk:
                self.store.officer_cache.pop(oid, None)
        if gone:
            self.cur.executemany(
                "INSERT INTO dropped (kind, id, changed_seq) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET changed_seq = excluded.changed_seq",
                gone,
            )

    def replace_projections(self, state: State, seq: int) -> None:
        """Rewrite every projection from a full state, in this transaction."""
        for table in PROJECTIONS:
            self.cur.execute(f"DELETE FROM {table}")
        self.store.officer_cache.clear()
        self.store.operator_cache.clear()
        self.save(state, list(state.calls), list(state.officers), seq, conflicts=state.conflicts)

    def migration_done(self) -> None:
        self.cur.execute("DROP TABLE IF EXISTS roster_v1")
        self.cur.execute("DELETE FROM meta WHERE key = 'needs_rebuild'")

    # writes -------------------------------------------------------------------

    def append(self, events: list[Event], first_seq: int) -> None:
        self.cur.executemany(
            INSERT_EVENT, [(first_seq + i, *rows.journal_row(e)) for i, e in enumerate(events)]
        )
        if self._high is not None and events:
            high = self._high
            high[0] = max(high[0], first_seq + len(events) - 1)
            high[1] = max(high[1], *(e.hlc for e in events))
            own = [e.desk_seq for e in events if e.desk_id == self.desk_code]
            high[2] = max(high[2], *own) if own else high[2]

    def save(
        self,
        state: State,
        call_ids: Iterable[str],
        officer_ids: Iterable[str],
        seq: int,
        *,
        conflicts: Iterable[Conflict] = (),
        replace_assignments: bool = False,
    ) -> None:
        """Write the named calls (with their assignments), officers, the operators of the
        state that changed and new conflicts, each stamped with the journal seq ``seq``;
        the conflicts the state saw settled leave the table."""
        if state.settled:
            self.forget_conflicts(list(state.settled))
        calls = [state.calls[c] for c in call_ids if c in state.calls]
        if calls and replace_assignments:  # a re-fold: the rows are written whole again
            for chunk in _chunks([c.call_id for c in calls]):
                marks = _in(len(chunk))
                self.cur.execute(f"DELETE FROM assignments WHERE call_id IN ({marks})", chunk)
                self.cur.execute(f"DELETE FROM calls WHERE call_id IN ({marks})", chunk)
            for c in calls:
                self._as_loaded.pop(c.call_id, None)
        known = [c for c in calls if c.call_id in self._as_loaded]
        for c in known:
            self._update_call(c, seq)
        officers = [state.officers[o] for o in officer_ids if o in state.officers]
        ops = self.store.operator_cache
        changed_ops = [o for k, o in state.operators.items() if ops.get(k) != o]
        new = [c for c in calls if c.call_id not in self._as_loaded] if known else calls
        self.write_rows("", new, officers, changed_ops, conflicts, seq)
        cache = self.store.officer_cache
        for o in officers:
            cache[o.officer_id] = copy.copy(o)
        for op in changed_ops:
            ops[op.operator_id] = copy.copy(op)

    def _update_call(self, call: Call, seq: int) -> None:
        """Write only what changed of a call loaded in this transaction."""
        old, old_assignments = self._as_loaded[call.call_id]
        new = rows.call_row(call, seq)
        changed = tuple(i for i, value in enumerate(old) if new[i] != value)
        self.cur.execute(_update_sql("calls", rows.CALL_COLUMN_NAMES, changed, "call_id = ?"),
                         (*(new[i] for i in changed), seq, call.call_id))  # fmt: skip
        if self.cur.rowcount != 1:  # not there after all: write it whole
            self._as_loaded.pop(call.call_id, None)
            self.write_rows("", [call], [], [], [], seq)
            return
        assignments = {}
        for a in call.assignments:
            row = rows.assignment_row(a)
            assignments[row[:3]] = row
            before = old_assignments.get(row[:3])
            if before is None:
                self.cur.execute(_STATEMENTS[""][1], row)
            elif before != row:
                diff = tuple(i for i in range(3, len(row)) if row[i] != before[i])
                sql = _update_sql(
                    "assignments",
                    rows.ASSIGNMENT_COLUMNS,
                    diff,
                    "call_id = ? AND officer_id = ? AND dispatched_at = ?",
                    stamped=False,
                )
                self.cur.execute(sql, (*(row[i] for i in diff), *row[:3]))
        self._as_loaded[call.call_id] = (new[:-1], assignments)

    def write_rows(
        self,
        suffix: str,
        calls: list[Call],
        officers: list[Officer],
        operators: list[Operator],
        conflicts: Iterable[Conflict],
        seq: int,
    ) -> None:
        """Upsert projection rows (into the tables named with ``suffix``)."""
        up_call, up_assignment, up_officer, up_operator, ins_conflict = _STATEMENTS[suffix]
        if calls:
            self.cur.executemany(up_call, [rows.call_row(c, seq) for c in calls])
            assignment_rows = [rows.assignment_row(a) for c in calls for a in c.assignments]
            if assignment_rows:
                self.cur.executemany(up_assignment, assignment_rows)
        if officers:
            self.cur.executemany(up_officer, [rows.officer_row(o, seq) for o in officers])
        if operators:
            self.cur.executemany(up_operator, [rows.operator_row(o, seq) for o in operators])
        conflict_rows = [(c.event_id, c.call_id, c.officer_id, c.reason, seq) for c in conflicts]
        if conflict_rows:
            self.cur.executemany(ins_conflict, conflict_rows)

    # a rebuild: new tables written in short transactions, then swapped ------------

    def create_next(self) -> None:
        """Empty copies of the projection tables (and their indexes), named ``*_next``."""
        self.drop_next()
        ddl = self.cur.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN "
            f"({_in(len(PROJECTIONS))}) AND sql IS NOT NULL ORDER BY type DESC",
            PROJECTIONS,
        ).fetchall()
        generation = int(self.head()[1])  # the schema cookie: higher than any index's yet
        made: set[str] = set()
        for kind, name, table, sql in ddl:
            if kind == "table":
                sql = re.sub(rf"^CREATE TABLE \"?{table}\"?", f"CREATE TABLE {table}{NEXT}", sql)
                sql = re.sub(r"REFERENCES \"?calls\"?\s*\(", f"REFERENCES calls{NEXT} (", sql)
            elif kind == "index":
                base = re.sub(r"__g\d+$", "", name)
                if base in made:
                    continue  # a second copy (rebuilds before 2026-12-02 made them): one is kept
                made.add(base)
                sql = re.sub(
                    rf"^CREATE (UNIQUE )?INDEX \"?{re.escape(name)}\"? ON \"?{table}\"?",
                    rf"CREATE \1INDEX {base}__g{generation} ON {table}{NEXT}",
                    sql,
                )
            else:
                continue
            self.cur.execute(sql)
        search_index.create(self.cur, NEXT)  # the text index of calls_next, kept by triggers

    def drop_next(self) -> None:
        search_index.drop_triggers(self.cur, NEXT)
        for table in PROJECTIONS:  # assignments first: it points to calls
            self.cur.execute(f"DROP TABLE IF EXISTS {table}{NEXT}")
        self.cur.execute(f"DROP TABLE IF EXISTS {search_index.TEXT}{NEXT}")

    def swap_next(self) -> None:
        """The ``*_next`` tables become the projections and the old ones ``*_old`` (renames
        only: quick at any size). A schema change: every reader's and writer's cache
        reloads."""
        self.drop_old()
        # The text index goes with its calls table: the triggers are made again on the
        # new one (the old rows are emptied later and must not touch the new index).
        search_index.drop_triggers(self.cur)
        search_index.drop_triggers(self.cur, NEXT)
        text = search_index.TEXT
        for table in (*PROJECTIONS, text):
            self.cur.execute(f"ALTER TABLE {table} RENAME TO {table}{OLD}")
        for table in (text, *reversed(PROJECTIONS)):
            self.cur.execute(f"ALTER TABLE {table}{NEXT} RENAME TO {table}")
        search_index.create(self.cur, indexes=False)  # calls_next brought its indexes
        self.store.officer_cache.clear()
        self.store.operator_cache.clear()

    def empty_old(self, rows_at_most: int) -> bool:
        """Delete up to ``rows_at_most`` rows of the ``*_old`` tables; True when they are
        empty (a table's pages are freed a little at a time, never all under one lock)."""
        have = {
            r[0]
            for r in self.cur.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%_old'"
            )
        }
        for table in (*PROJECTIONS, search_index.TEXT):  # assignments first: it points to calls
            name = f"{table}{OLD}"
            if name not in have:
                continue
            self.cur.execute(
                f"DELETE FROM {name} WHERE rowid IN (SELECT rowid FROM {name} LIMIT ?)",
                (rows_at_most,),
            )
            if self.cur.rowcount:
                return False
        return True

    def drop_old(self) -> None:
        for table in (*PROJECTIONS, search_index.TEXT):
            self.cur.execute(f"DROP TABLE IF EXISTS {table}{OLD}")


_STATEMENTS = {"": _statements(""), NEXT: _statements(NEXT)}
_UPDATES: dict[tuple[str, tuple[int, ...]], str] = {}


def _update_sql(
    table: str, columns: tuple[str, ...], changed: tuple[int, ...], where: str, stamped: bool = True
) -> str:
    """``UPDATE table SET <changed columns>[, changed_seq] WHERE ...``: one statement per
    set of changed columns (a handful in practice), built once and kept."""
    key = (table, changed)
    sql = _UPDATES.get(key)
    if sql is None:
        sets = [f"{columns[i]} = ?" for i in changed] + (["changed_seq = ?"] if stamped else [])
        sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {where}"
        _UPDATES[key] = sql
    return sql


class SqliteStore:
    """The desk's local database: the only place the desk touches SQL."""

    def __init__(
        self,
        path: str | Path,
        desk_code: str | None = None,
        extra_pragmas: dict[str, int] | None = None,
        *,
        readonly: bool = False,
    ) -> None:
        self.path = Path(path)
        self.extra_pragmas = extra_pragmas
        self.readonly = readonly
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        if readonly:
            self._w = open_readonly(self.path)
            try:
                row = self._w.execute("SELECT value FROM meta WHERE key = 'desk_code'").fetchone()
            except BaseException:
                self._w.close()
                raise
            self.desk_code = str(row[0]) if row else "D1"
            self._local.conn = self._w
            self._watch = self._w
        else:
            self.desk_code = prepare(self.path, desk_code, extra_pragmas)
            self._w = connect(self.path, extra_pragmas)
            try:
                self._watch = connect(self.path, extra_pragmas)
            except BaseException:  # (a full disk) no connection is left open behind
                self._w.close()
                raise
        self._watch_lock = threading.Lock()
        self._write_lock = threading.RLock()
        # Reads and writes in progress, on any thread: close() waits for them, and none
        # starts after it (a connection closed under a thread using it crashes SQLite).
        self._gate = threading.Condition()
        self._users = 0
        self._closed = False  # no new read or write is taken
        self._late = False  # close() returned before the last one ended
        self._shut = False  # the connections are closed (or being closed)
        self.officer_cache: dict[str, Officer] = {}
        self.operator_cache: dict[str, Operator] = {}
        self._cache_key: tuple[int, int] = (-1, -1)
        self._tx: WriteTx | None = None
        self._free_until = 0.0  # monotonic: the lock is left to others until then

    @contextmanager
    def _using(self) -> Iterator[None]:
        """One read or write in progress. Refused once the store is closed, unless this
        thread is already inside one (a read inside a write in progress is part of it)."""
        held = getattr(self._local, "uses", 0)
        with self._gate:
            if self._closed and not held:
                raise StoreError("The database is closed.")
            self._users += 1
        self._local.uses = held + 1
        try:
            yield
        finally:
            self._local.uses = held
            with self._gate:
                self._users -= 1
                last = self._closed and self._users == 0 and not self._shut
                if last:
                    self._shut = True
                self._gate.notify_all()
            if last and self._late:  # close() gave up waiting: the last one out shuts
                self._shut_connections()

    def close(self) -> None:
        """Close every connection once the reads and writes in progress (on any thread
        but this one) have ended; a read or write asked for after this is refused with
        a StoreError. Each is short; if one is still running after ``CLOSE_WAIT``
        seconds, close() returns and the last one to end closes the connections: never
        under a thread using them (SQLite's C code crashes)."""
        mine = getattr(self._local, "uses", 0)
        with self._gate:
            if self._closed:
                return
            self._closed = True
            ended = self._gate.wait_for(lambda: self._users <= mine, CLOSE_WAIT)
            if not ended or mine:
                self._late = True  # the last user shuts them (see _using)
                return
            self._shut = True
        self._shut_connections()

    def _shut_connections(self) -> None:
        for conn in {id(c): c for c in [self._w, self._watch, *self._readers]}.values():
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._readers.clear()

    # writing ------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[WriteTx]:
        """BEGIN IMMEDIATE ... COMMIT; anything raised rolls it all back.

        Nested use on the same thread (a batch of commands) joins the open transaction;
        another thread waits for it to end (one connection, one writer at a time).
        """
        if self.readonly:
            raise StoreError("This database was opened for reading only.")
        with self._using(), self._write_lock:
            if self._tx is not None:
                yield self._tx
                return
            with self._transaction() as tx:
                yield tx

    @contextmanager
    def _transaction(self) -> Iterator[WriteTx]:
        wait = self._free_until - time.monotonic()
        if wait > 0:
            _leave_lock_free(wait)
        cur = self._w.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._error(exc) from None
        began = time.monotonic()
        tx = WriteTx(self, cur)
        self._tx = tx
        try:
            self._refresh_caches(tx)
            yield tx
            cur.execute("COMMIT")
        except BaseException as exc:
            self._cache_key = (-1, -1)  # what we kept in memory may not have been written
            try:
                self._w.rollback() if self._w.in_transaction else None
            except sqlite3.Error:
                pass
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise
        finally:
            self._tx = None
            cur.close()
            ended = time.monotonic()
            if ended - began >= LONG_HOLD_SECONDS:
                self._free_until = ended + LOCK_FREE_SECONDS

    def _error(self, exc: sqlite3.Error) -> StoreError:
        if is_storage_full(exc, self.path):
            return StorageFull(
                "Not saved: the disk is full. Nothing was written; free space and try again."
            )
        if "locked" in str(exc) or "busy" in str(exc):
            return StoreError(
                "Not saved: the database is busy (another program is writing); try again."
            )
        return StoreError(f"Not saved: {plain_error(exc)}")

    def _refresh_caches(self, tx: WriteTx) -> None:
        key = tx.marks()
        if key == self._cache_key:
            return
        if key[1] != self._cache_key[1]:  # first time, or tables swapped: load everything
            self.officer_cache = {
                r[0]: rows.officer_from_row(r) for r in tx.cur.execute(_OFFICER_SELECT)
            }
            self.operator_cache = {
                r[0]: rows.operator_from_row(r) for r in tx.cur.execute(_OPERATOR_SELECT)
            }
        else:
            since = (self._cache_key[0],)
            for r in tx.cur.execute(f"{_OFFICER_SELECT} WHERE changed_seq > ?", since):
                self.officer_cache[r[0]] = rows.officer_from_row(r)
            q = "SELECT id FROM dropped WHERE kind = 'officer' AND changed_seq > ?"
            for (oid,) in tx.cur.execute(q, since).fetchall():
                if (
                    tx.cur.execute("SELECT 1 FROM officers WHERE officer_id = ?", (oid,)).fetchone()
                    is None
                ):
                    self.officer_cache.pop(oid, None)
            for r in tx.cur.execute(f"{_OPERATOR_SELECT} WHERE changed_seq > ?", since):
                self.operator_cache[r[0]] = rows.operator_from_row(r)
        self._cache_key = key

    def committed(self, head: int) -> None:
        """The transaction that wrote up to ``head`` is being committed by this store: the
        caches are current up to there."""
        self._cache_key = (head, self._cache_key[1])

    # reading ------------------------------------------------------------------

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly:
                conn = connect_readonly(self.path)
            else:
                conn = connect(self.path, self.extra_pragmas)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Cursor]:
        """One read transaction (a consistent snapshot) on this thread's connection;
        a read inside a read joins it."""
        with self._using():
            conn = self._reader()
            cur = conn.cursor()
            outer = not conn.in_transaction
            try:
                if outer:
                    cur.execute("BEGIN")
                yield cur
            except sqlite3.Error as exc:
                raise StoreError(f"The database could not be read: {plain_error(exc)}.") from None
            finally:
                if outer:
                    try:
                        conn.rollback()
                    except sqlite3.Error:
                        pass
                cur.close()

    def needs_rebuild(self) -> bool:
        with self.read() as cur:
            q = "SELECT 1 FROM meta WHERE key = 'needs_rebuild'"
            return cur.execute(q).fetchone() is not None

    def roster_v1(self) -> list[Officer]:
        with self.read() as cur:
            q = "SELECT officer_id, name, skills, home_beat FROM roster_v1 ORDER BY officer_id"
            return [
                Officer(r[0], r[1], tuple(x for x in (r[2] or "").split(";") if x), r[3])
                for r in cur.execute(q)
            ]

    def data_version(self) -> int:
        """Changes whenever any connection (this process or another) commits to the file."""
        with self._using(), self._watch_lock:
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def head(self) -> tuple[int, int]:
        with self.read() as cur:
            return WriteTx(self, cur).head()

    def changes_since(self, seq: int, generation: int | None = None) -> Changes:
        """Calls and officers changed since journal seq ``seq``, in one snapshot.

        If ``generation`` differs from the current one (the projections were rebuilt),
        ``calls`` holds every open call and ``officers`` every officer.
        """
        with self.read() as cur:
            head, gen = WriteTx(self, cur).head()
            out = Changes(head, gen)
            cursor = seq
            if generation is not None and generation != gen:
                seq = -1
            if head <= seq:
                return out
            if seq < 0:
                found = load_calls(cur, "WHERE is_open = 1")
            else:
                found = load_calls(cur, "WHERE changed_seq > ?", (seq,))
            out.calls = {c.call_id: c for c in found}
            q = f"{_OFFICER_SELECT} WHERE changed_seq > ?"
            out.officers = {r[0]: rows.officer_from_row(r) for r in cur.execute(q, (seq,))}
            q = (
                f"{_JOURNAL_SELECT} WHERE seq > ? AND type = 'call.received' AND EXISTS "
                "(SELECT 1 FROM calls WHERE calls.call_id = journal.call_id) ORDER BY seq"
            )
            out.received = [rows.event_from_row(r) for r in cur.execute(q, (max(cursor, 0),))]
            q = (
                "SELECT kind, id FROM dropped WHERE changed_seq > ? AND NOT EXISTS "
                "(SELECT 1 FROM calls WHERE kind = 'call' AND call_id = id) AND NOT EXISTS "
                "(SELECT 1 FROM officers WHERE kind = 'officer' AND officer_id = id)"
            )
            for kind, rid in cur.execute(q, (max(cursor, 0),)):
                (out.dropped_calls if kind == "call" else out.dropped_officers).add(rid)
            r = cur.execute("SELECT count(*) FROM conflicts WHERE changed_seq > ?", (seq,))
            out.conflicts = int(r.fetchone()[0])
            q = "SELECT count(*) FROM journal WHERE seq > ? AND type = 'conflict.settled'"
            out.conflicts += int(cur.execute(q, (max(seq, 0),)).fetchone()[0])
            return out

    def open_calls(self) -> list[Call]:
        with self.read() as cur:
            return load_calls(cur, "WHERE is_open = 1 ORDER BY priority, received_at")

    def officers(self) -> list[Officer]:
        with self.read() as cur:
            return [
                rows.officer_from_row(r)
                for r in cur.execute(f"{_OFFICER_SELECT} ORDER BY officer_id")
            ]

    def officers_by_id(self, ids: list[str]) -> dict[str, Officer]:
        with self.read() as cur:
            out: dict[str, Officer] = {}
            for chunk in _chunks(sorted(set(ids))):
                q = f"{_OFFICER_SELECT} WHERE officer_id IN ({_in(len(chunk))})"
                out.update({r[0]: rows.officer_from_row(r) for r in cur.execute(q, chunk)})
            return out

    def calls_by_id(self, ids: list[str]) -> dict[str, Call]:
        with self.read() as cur:
            return calls_by_ids(cur, ids)

    def call(self, call_id: str) -> Call | None:
        return self.calls_by_id([call_id]).get(call_id)

    def resolve(self, ref: str, year: int) -> str:
        parsed = parse_ref(ref)
        with self.read() as cur:
            return resolve_call_ref(cur, parsed, self.desk_code, year)

    def premise_history(
        self,
        keys: Iterable[str],
        blocks: Iterable[str] = (),
        exclude: str | None = None,
        limit: int = 50,
    ) -> list[CallLine]:
        """Calls at these places (newest first), then calls near them on these blocks."""
        with self.read() as cur:
            return search_index.premise_lines(cur, keys, blocks, exclude, limit)

    def search(self, query: CallQuery, limit: int = 50, year: int = 0) -> list[CallLine]:
        """The newest calls that meet every part of ``query``; a call number is that
        call (a short number: this desk's of ``year``, else the latest with it)."""
        with self.read() as cur:
            if query.number is None:
                return search_index.search_lines(cur, query, limit)
            try:
                cid = resolve_call_ref(cur, query.number, self.desk_code, year)
            except UnknownCall:
                return []
            return search_index.search_lines(cur, query, limit, call_id=cid)

    def call_events(self, call_id: str) -> list[Event]:
        # The JSON path is a literal so SQLite uses the expression index ix_journal_from_call.
        q = (
            f"{_JOURNAL_SELECT} WHERE call_id = ? OR (type = 'officer.reassigned' AND "
            f"json_extract(payload, '$.from_call_id') = ?){_JOURNAL_ORDER}"
        )
        with self.read() as cur:
            return [rows.event_from_row(r) for r in cur.execute(q, (call_id, call_id))]

    def open_conflicts(self) -> list[OpenConflict]:
        """Every open conflict, oldest first, with what its refused event was."""
        q = (
            "SELECT c.event_id, c.call_id, c.officer_id, c.reason, j.type, j.desk_id, "
            "j.occurred_at FROM conflicts c LEFT JOIN journal j ON j.event_id = c.event_id "
            "ORDER BY j.hlc, j.desk_id, j.desk_seq, c.event_id"
        )
        with self.read() as cur:
            return [
                OpenConflict(ev, call, officer, reason, kind or "?", desk or "?",
                             datetime.fromisoformat(when) if when else None)
                for ev, call, officer, reason, kind, desk, when in cur.execute(q)
            ]  # fmt: skip

    def operators(self) -> dict[str, Operator]:
        with self.read() as cur:
            return {r[0]: rows.operator_from_row(r) for r in cur.execute(_OPERATOR_SELECT)}

    def sign_in_history(
        self, operator_id: str, desk_id: str, limit: int = 64
    ) -> list[tuple[str, datetime]]:
        """The latest operator events about ``operator_id`` written at desk ``desk_id``,
        oldest first: (type, occurred_at)."""
        q = (
            "SELECT type, occurred_at FROM journal WHERE type LIKE 'operator.%' "
            "AND operator_id = ? AND desk_id = ? ORDER BY seq DESC LIMIT ?"
        )
        with self.read() as cur:
            found = cur.execute(q, (operator_id, desk_id, limit)).fetchall()
        return [(kind, datetime.fromisoformat(when)) for kind, when in reversed(found)]

    def events(self, since: str | None = None) -> Iterator[Event]:
        with self.read() as cur:
            if since:
                q = f"{_JOURNAL_SELECT} WHERE occurred_at >= ?{_JOURNAL_ORDER}"
                found = cur.execute(q, (since,))
            else:
                found = cur.execute(f"{_JOURNAL_SELECT}{_JOURNAL_ORDER}")
            for r in found:
                yield rows.event_from_row(r)

    def calls(self, since: str | None = None) -> Iterator[Call]:
        with self.read() as cur:
            if since:
                q = f"{_CALL_SELECT} WHERE received_at >= ? ORDER BY received_at, call_id"
                found = cur.execute(q, (since,))
            else:
                found = cur.execute(f"{_CALL_SELECT} ORDER BY received_at, call_id")
            other = cur.connection.cursor()
            while batch := found.fetchmany(1000):
                assignments = load_assignments(other, [r[0] for r in batch])
                for r in batch:
                    yield rows.call_from_row(r, assignments[r[0]])

    def count_events(self) -> int:
        with self.read() as cur:
            return int(cur.execute("SELECT count(*) FROM journal").fetchone()[0])


__all__ = ["Changes", "SqliteStore", "StorageFull", "StoreError", "UnknownCall", "WriteTx"]
