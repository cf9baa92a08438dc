"""``check``: is the file sound, and are the projections exactly the fold of the journal?
``check --rebuild``: rewrite the projections from the journal without locking anyone out
for longer than the final write.

``check`` is a reader: it opens the file read-only and compares inside one read
transaction (a consistent snapshot), so a writer beside it causes no false alarm.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cso_console.desk import Desk
from cso_console.domain.events import Event, EventType
from cso_console.domain.fold import Changed, State, apply, fold
from cso_console.store import StoreError, rows, search_index
from cso_console.store.sqlite import NEXT, SqliteStore, WriteTx


@dataclass
class CheckReport:
    problems: list[str]
    events: int
    conflicts: int
    rebuilt: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


_JOURNAL = f"SELECT seq, {', '.join(rows.JOURNAL_COLUMNS)} FROM journal"
_PROJECTIONS = {
    "calls": rows.CALL_COLUMN_NAMES,
    "assignments": rows.ASSIGNMENT_COLUMNS,
    "officers": rows.OFFICER_COLUMNS[:-1],
    "operators": rows.OPERATOR_COLUMNS[:-1],
    "conflicts": ("event_id", "call_id", "officer_id", "reason"),
}


def _events(cur: sqlite3.Cursor, where: str = "", params: tuple[Any, ...] = ()) -> list[Event]:
    return [rows.event_from_row(r[1:]) for r in cur.execute(f"{_JOURNAL} {where}", params)]


def sqlite_checks(cur: sqlite3.Cursor, desk_code: str) -> list[str]:
    problems = []
    res = [r[0] for r in cur.execute("PRAGMA integrity_check")]
    if res != ["ok"]:
        problems += [f"integrity: {r}" for r in res]
    for r in cur.execute("PRAGMA foreign_key_check"):
        problems.append(f"foreign key: {tuple(r)}")
    # This desk's own events are numbered without holes (other desks' events may arrive
    # in part and in any order; the town's roster is numbered by content).
    q = "SELECT desk_id, COUNT(*), MIN(desk_seq), MAX(desk_seq) FROM journal WHERE desk_id = ?"
    for desk, n, lo, hi in cur.execute(q, (desk_code,)).fetchall():
        if not n:
            continue
        if (lo, hi) != (1, n):
            problems.append(f"journal: desk {desk} has {n} events numbered {lo}..{hi}")
    return problems


def expected_rows(state: State, events: list[Event]) -> dict[str, set[tuple[Any, ...]]]:
    calls = state.calls.values()
    notes = search_index.notes_of(events)
    return {
        # the text index: what each call says, never its caller (kept by triggers)
        "call_text": {
            (c.call_id, c.location, c.narrative, notes.get(c.call_id, "")) for c in calls
        },
        "calls": {rows.call_row(c)[:-1] for c in calls},
        "assignments": {rows.assignment_row(a) for c in calls for a in c.assignments},
        "officers": {rows.officer_row(o)[:-1] for o in state.officers.values()},
        "operators": {rows.operator_row(o)[:-1] for o in state.operators.values()},
        "conflicts": {(c.event_id, c.call_id, c.officer_id, c.reason) for c in state.conflicts},
    }


def stored_rows(cur: sqlite3.Cursor) -> dict[str, set[tuple[Any, ...]]]:
    out = {
        name: {tuple(r) for r in cur.execute(f"SELECT {', '.join(cols)} FROM {name}")}
        for name, cols in _PROJECTIONS.items()
    }
    out["call_text"] = search_index.stored_text(cur)
    return out


def compare(
    state: State, stored: dict[str, set[tuple[Any, ...]]], events: list[Event]
) -> list[str]:
    out = []
    for name, want in expected_rows(state, events).items():
        missing, extra = want - stored[name], stored[name] - want
        for row in sorted(missing, key=str)[:5]:
            out.append(f"{name}: rebuilt row not stored: {row[0]} ...")
        for row in sorted(extra, key=str)[:5]:
            out.append(f"{name}: stored row not rebuilt: {row[0]} ...")
        if len(missing) + len(extra) > 10:
            out.append(f"{name}: {len(missing)} missing, {len(extra)} extra rows in all")
    return out


def check(path: Path) -> CheckReport:
    """Read-only: SQLite's own checks, journal numbering, projections == fold."""
    store = SqliteStore(path, readonly=True)
    try:
        return check_store(store)
    finally:
        store.close()


def check_store(store: SqliteStore) -> CheckReport:
    """The checks of :func:`check` inside one read transaction of ``store``."""
    with store.read() as cur:
        problems = sqlite_checks(cur, store.desk_code)
        events = _events(cur)
        state = fold(State(), events)
        problems += compare(state, stored_rows(cur), events)
    return CheckReport(problems, len(events), len(state.conflicts))


BATCH_CALLS = 400  # calls (with their assignments) written per short transaction


def rebuild(desk: Desk) -> CheckReport:
    """Rewrite the projections from the journal without locking anyone out for long.

    The journal is folded from a read snapshot with no lock held; the new projections
    are written into ``*_next`` tables in short transactions (other writers go on between
    them); then one short transaction folds what was committed since the snapshot into
    them and swaps them in. The result is checked afterwards from a read snapshot.
    """
    store = desk.store
    with _only_rebuild(store.path):
        return _rebuild(desk)


@contextmanager
def _only_rebuild(path: Path) -> Iterator[None]:
    """One rebuild of a file at a time (a lock file beside it, released if we die)."""
    try:
        fd = os.open(f"{path}.rebuild.lock", os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as exc:
        raise StoreError(f"{path}: cannot rebuild here ({exc.strerror}).") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StoreError(
                f"{path}: another `check --rebuild` is running on this database; "
                "let it finish first."
            ) from None
        yield
    finally:
        os.close(fd)


def _rebuild(desk: Desk) -> CheckReport:
    store = desk.store
    with store.read() as cur:
        head = int(cur.execute("SELECT coalesce(max(seq), 0) FROM journal").fetchone()[0])
        events = _events(cur, "WHERE seq <= ?", (head,))
    state = fold(State(), events)
    top = max((e.order_key for e in events), default=None)
    with store.write() as tx:
        tx.create_next()
    try:
        _write_all(store, state, head)
        with desk.batch(), store.write() as tx:
            later = _events(tx.cur, "WHERE seq > ? ORDER BY seq", (head,))
            later.sort(key=lambda e: e.order_key)
            seq = tx.head()[0]
            settles = any(e.type is EventType.CONFLICT_SETTLED for e in later)
            if later and top is not None and (later[0].order_key < top or settles):
                # One came out of order meanwhile, or a conflict was settled: fold it all
                # (rare; under the lock).
                state = fold(State(), events + later)
                tx.drop_next()
                tx.create_next()
                _write_state(tx, state, seq)
            elif later:
                before = len(state.conflicts)
                changed = Changed()
                for e in later:
                    changed.merge(apply(state, e, strict=False))
                calls = [state.calls[c] for c in changed.call_ids if c in state.calls]
                for c in calls:
                    tx.cur.execute(f"DELETE FROM assignments{NEXT} WHERE call_id = ?", (c.call_id,))
                officers = [state.officers[o] for o in changed.officer_ids if o in state.officers]
                tx.write_rows(
                    NEXT, calls, officers, list(state.operators.values()),
                    state.conflicts[before:], seq,
                )  # fmt: skip
            tx.swap_next()
    except BaseException:
        try:
            with store.write() as tx:
                tx.drop_next()
        except StoreError:
            pass
        raise
    while True:  # the old tables, emptied a little at a time, then dropped
        with store.write() as tx:
            if tx.empty_old(BATCH_CALLS * 5):
                tx.drop_old()
                break
    report = check_store(store)
    return CheckReport(report.problems, report.events, report.conflicts, rebuilt=True)


def _write_state(tx: WriteTx, state: State, seq: int) -> None:
    tx.write_rows(
        NEXT, list(state.calls.values()), list(state.officers.values()),
        list(state.operators.values()), state.conflicts, seq,
    )  # fmt: skip


def _write_all(store: SqliteStore, state: State, seq: int) -> None:
    calls = list(state.calls.values())
    for i in range(0, len(calls), BATCH_CALLS):
        with store.write() as tx:
            tx.write_rows(NEXT, calls[i : i + BATCH_CALLS], [], [], [], seq)
    with store.write() as tx:
        tx.write_rows(
            NEXT, [], list(state.officers.values()), list(state.operators.values()),
            state.conflicts, seq,
        )  # fmt: skip
