"""The desk's SQLite store: journal + projections, written together in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, insert, literal_column, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError

from cso_console.domain.callnumber import CallRef, parse_call_ref
from cso_console.domain.events import Event
from cso_console.domain.fold import Changed, State
from cso_console.domain.model import Call, Officer
from cso_console.domain.town import RosterOfficer
from cso_console.store import rows
from cso_console.store.database import (
    StorageFull,
    StoreError,
    is_storage_full,
    make_engine,
    prepare,
)
from cso_console.store.tables import (
    AssignmentRow,
    CallRow,
    ConflictRow,
    JournalRow,
    OfficerRow,
    OperatorRow,
)

J = JournalRow.__table__  # type: ignore[attr-defined]
C = CallRow.__table__  # type: ignore[attr-defined]
A = AssignmentRow.__table__  # type: ignore[attr-defined]
O = OfficerRow.__table__  # type: ignore[attr-defined]  # noqa: E741
OP = OperatorRow.__table__  # type: ignore[attr-defined]
CF = ConflictRow.__table__  # type: ignore[attr-defined]


class UnknownCall(LookupError):
    pass


def _load_assignments(conn: Connection, call_ids: Iterable[str]) -> dict[str, list[Any]]:
    ids = list(call_ids)
    out: dict[str, list[Any]] = {c: [] for c in ids}
    if not ids:
        return out
    q = (
        select(A)
        .where(A.c.call_id.in_(ids))
        .order_by(A.c.call_id, A.c.dispatched_at, A.c.officer_id)
    )
    for r in conn.execute(q):
        out[r.call_id].append(rows.assignment_from_row(r))
    return out


def _calls(conn: Connection, where: Any, order: Any = None, limit: int | None = None) -> list[Call]:
    q = select(C).where(where)
    if order is not None:
        q = q.order_by(*order)
    if limit:
        q = q.limit(limit)
    found = conn.execute(q).all()
    assignments = _load_assignments(conn, [r.call_id for r in found])
    return [rows.call_from_row(r, assignments[r.call_id]) for r in found]


def resolve_call_ref(conn: Connection, ref: CallRef, desk_code: str, year: int) -> str:
    """The call number a typed reference means: full numbers as they are; a short number
    is this desk's call of this year, else the latest call anywhere with that sequence."""
    if ref.desk_code is not None:
        cid = f"{ref.desk_code}-{ref.year:02d}-{ref.seq:06d}"
        if conn.execute(select(C.c.call_id).where(C.c.call_id == cid)).first() is None:
            raise UnknownCall(f"There is no call {cid}.")
        return cid
    q = select(C.c.call_id).where(C.c.seq == ref.seq)
    if ref.year is not None:
        q = q.where(C.c.year == ref.year)
    found: list[str] = [r.call_id for r in conn.execute(q.order_by(C.c.received_at.desc()))]
    mine = [c for c in found if c.startswith(f"{desk_code}-{(ref.year or year):02d}-")]
    if mine:
        return mine[0]
    if not found:
        raise UnknownCall(f"There is no call {ref.seq}.")
    return found[0]


class WriteTx:
    """One BEGIN IMMEDIATE transaction of a desk command."""

    def __init__(self, conn: Connection, desk_code: str) -> None:
        self.conn = conn
        self.desk_code = desk_code

    def resolve(self, ref: str, year: int) -> str:
        try:
            parsed = parse_call_ref(ref)
        except ValueError as exc:
            raise UnknownCall(str(exc)) from None
        return resolve_call_ref(self.conn, parsed, self.desk_code, year)

    def journal_high(self) -> tuple[int, int]:
        """(highest HLC in the journal, this desk's last desk_seq), in one statement."""
        q = select(
            func.max(J.c.hlc),
            select(func.max(J.c.desk_seq)).where(J.c.desk_id == self.desk_code).scalar_subquery(),
        )
        hlc, seq = self.conn.execute(q).one()
        return int(hlc or 0), int(seq or 0)

    def last_call_seq(self, year: int) -> int:
        q = select(func.max(C.c.seq)).where(C.c.desk_code == self.desk_code, C.c.year == year)
        return int(self.conn.execute(q).scalar() or 0)

    def source_taken(self, source_id: str) -> str | None:
        q = select(C.c.call_id).where(C.c.source_id == source_id)
        return self.conn.execute(q).scalar_one_or_none()

    def load_state(self, call_ids: Iterable[str], officer_ids: Iterable[str]) -> State:
        """The calls and officers a command touches, plus the ones those point to."""
        state = State()
        calls, officers = set(call_ids), set(officer_ids)
        for _ in range(2):
            missing_calls = calls - state.calls.keys()
            for c in _calls(self.conn, C.c.call_id.in_(missing_calls)) if missing_calls else []:
                state.calls[c.call_id] = c
                officers |= {a.officer_id for a in c.active_assignments}
            missing = officers - state.officers.keys()
            if missing:
                for r in self.conn.execute(select(O).where(O.c.officer_id.in_(missing))):
                    o = rows.officer_from_row(r)
                    state.officers[o.officer_id] = o
                    if o.current_call_id:
                        calls.add(o.current_call_id)
        for r in self.conn.execute(select(OP)):
            op = rows.operator_from_row(r)
            state.operators[op.operator_id] = op
        return state

    def append(self, events: list[Event]) -> None:
        self.conn.execute(insert(J), [rows.journal_row(e) for e in events])

    def save(self, state: State, changed: Changed) -> None:
        save_projections(self.conn, state, changed.call_ids, changed.officer_ids)
        if state.conflicts:
            self.conn.execute(
                sqlite_insert(CF).on_conflict_do_nothing(),
                [
                    {
                        "event_id": c.event_id,
                        "call_id": c.call_id,
                        "officer_id": c.officer_id,
                        "reason": c.reason,
                    }
                    for c in state.conflicts
                ],
            )


def _upsert(table: Any, key: str) -> Any:
    stmt = sqlite_insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[key],
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name != key},
    )


# Built once: constructing an upsert costs more than running it.
_UPSERT_CALL = _upsert(C, "call_id")
_UPSERT_OFFICER = _upsert(O, "officer_id")
_UPSERT_OPERATOR = _upsert(OP, "operator_id")


def save_projections(
    conn: Connection, state: State, call_ids: Iterable[str], officer_ids: Iterable[str]
) -> None:
    call_rows = [rows.call_row(state.calls[c]) for c in call_ids if c in state.calls]
    if call_rows:
        ids = [r["call_id"] for r in call_rows]
        conn.execute(delete(A).where(A.c.call_id.in_(ids)))
        conn.execute(_UPSERT_CALL, call_rows)
        assignment_rows = [rows.assignment_row(a) for c in ids for a in state.calls[c].assignments]
        if assignment_rows:
            conn.execute(insert(A), assignment_rows)
    officer_rows = [rows.officer_row(state.officers[o]) for o in officer_ids if o in state.officers]
    if officer_rows:
        conn.execute(_UPSERT_OFFICER, officer_rows)
    op_rows = [rows.operator_row(o) for o in state.operators.values()]
    if op_rows:
        conn.execute(_UPSERT_OPERATOR, op_rows)


@dataclass
class Integrity:
    problems: list[str]
    events: int
    calls: int


class SqliteStore:
    """The desk's local database: the only place the desk touches SQL."""

    def __init__(
        self,
        path: str | Path,
        desk_code: str | None = None,
        extra_pragmas: dict[str, int] | None = None,
    ) -> None:
        self.path = Path(path)
        self.desk_code = prepare(self.path, desk_code, extra_pragmas)
        self._writer = make_engine(self.path, immediate=True, extra_pragmas=extra_pragmas)
        self._reader = make_engine(self.path, immediate=False, extra_pragmas=extra_pragmas)

    def close(self) -> None:
        self._writer.dispose()
        self._reader.dispose()

    @contextmanager
    def write(self) -> Iterator[WriteTx]:
        """BEGIN IMMEDIATE ... COMMIT; anything raised rolls it all back."""
        try:
            with self._writer.begin() as conn:
                yield WriteTx(conn, self.desk_code)
        except (OperationalError, IntegrityError) as exc:
            if is_storage_full(exc):
                raise StorageFull(
                    "Not saved: the disk is full. Nothing was written; free space and try again."
                ) from None
            if isinstance(exc, OperationalError) and "locked" in str(exc.orig):
                raise StoreError("Not saved: the database is busy; try again.") from None
            raise

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._reader.begin() as conn:
            yield conn

    # roster ---------------------------------------------------------------

    def seed_roster(self, roster: Iterable[RosterOfficer]) -> None:
        """Put roster officers the database does not know yet on the board (off duty), and
        keep names/skills/home beats of known ones in step with the roster file."""
        roster = list(roster)
        with self.write() as tx:
            known = {r.officer_id: r for r in tx.conn.execute(select(O))}
            new = [o for o in roster if o.call_sign not in known]
            if new:
                tx.conn.execute(
                    insert(O),
                    [rows.officer_row(Officer(o.call_sign, o.name, o.skills, o.beat)) for o in new],
                )
            for o in roster:
                k = known.get(o.call_sign)
                if k is not None and (k.name, k.skills, k.home_beat) != (
                    o.name,
                    ";".join(o.skills),
                    o.beat,
                ):
                    tx.conn.execute(
                        O.update()
                        .where(O.c.officer_id == o.call_sign)
                        .values(name=o.name, skills=";".join(o.skills), home_beat=o.beat)
                    )

    # reads ----------------------------------------------------------------

    def open_calls(self) -> list[Call]:
        with self.read() as conn:
            return _calls(conn, C.c.is_open == 1, (C.c.priority, C.c.received_at))

    def officers(self) -> list[Officer]:
        with self.read() as conn:
            return [
                rows.officer_from_row(r) for r in conn.execute(select(O).order_by(O.c.officer_id))
            ]

    def officers_by_id(self, ids: list[str]) -> dict[str, Officer]:
        with self.read() as conn:
            return {
                r.officer_id: rows.officer_from_row(r)
                for r in conn.execute(select(O).where(O.c.officer_id.in_(ids)))
            }

    def calls_by_id(self, ids: list[str]) -> dict[str, Call]:
        with self.read() as conn:
            return {c.call_id: c for c in _calls(conn, C.c.call_id.in_(ids))}

    def call(self, call_id: str) -> Call | None:
        with self.read() as conn:
            found = _calls(conn, C.c.call_id == call_id)
        return found[0] if found else None

    def resolve(self, ref: str, year: int) -> str:
        try:
            parsed = parse_call_ref(ref)
        except ValueError as exc:
            raise UnknownCall(str(exc)) from None
        with self.read() as conn:
            return resolve_call_ref(conn, parsed, self.desk_code, year)

    def premise_history(self, location_key: str, limit: int = 50) -> list[Call]:
        with self.read() as conn:
            return _calls(conn, C.c.location_key == location_key, (C.c.received_at.desc(),), limit)

    def open_calls_at(self, location_key: str) -> list[Call]:
        with self.read() as conn:
            return _calls(
                conn,
                (C.c.location_key == location_key) & (C.c.is_open == 1),
                (C.c.received_at.desc(),),
            )

    def call_events(self, call_id: str) -> list[Event]:
        q = (
            select(J)
            .where(
                (J.c.call_id == call_id)
                # The path must be a literal, not a bound parameter, or SQLite will not use
                # the expression index ix_journal_from_call and scans the whole journal.
                | (
                    (J.c.type == "officer.reassigned")
                    & (
                        func.json_extract(J.c.payload, literal_column("'$.from_call_id'"))
                        == call_id
                    )
                )
            )
            .order_by(J.c.hlc, J.c.desk_id, J.c.desk_seq)
        )
        with self.read() as conn:
            return [rows.event_from_row(r) for r in conn.execute(q)]

    def events(self, since: str | None = None) -> Iterator[Event]:
        q = select(J).order_by(J.c.hlc, J.c.desk_id, J.c.desk_seq)
        if since:
            q = q.where(J.c.occurred_at >= since)
        with self.read() as conn:
            for r in conn.execution_options(yield_per=2000).execute(q):
                yield rows.event_from_row(r)

    def calls(self, since: str | None = None) -> Iterator[Call]:
        q = select(C).order_by(C.c.received_at, C.c.call_id)
        if since:
            q = q.where(C.c.received_at >= since)
        with self.read() as conn:
            for batch in conn.execution_options(yield_per=1000).execute(q).partitions():
                assignments = _load_assignments(conn, [r.call_id for r in batch])
                for r in batch:
                    yield rows.call_from_row(r, assignments[r.call_id])

    def count_events(self) -> int:
        with self.read() as conn:
            return int(conn.execute(select(func.count()).select_from(J)).scalar() or 0)

    # integrity ------------------------------------------------------------

    def projection_rows(self, conn: Connection) -> dict[str, set[tuple[Any, ...]]]:
        out = {}
        for name, table in (
            ("calls", C),
            ("assignments", A),
            ("officers", O),
            ("operators", OP),
            ("conflicts", CF),
        ):
            cols = [c.name for c in table.columns]
            out[name] = {tuple(r) for r in conn.execute(select(*[table.c[c] for c in cols]))}
        return out

    def sqlite_checks(self) -> list[str]:
        problems = []
        with self.read() as conn:
            res = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            if res != ["ok"]:
                problems += [f"integrity: {r}" for r in res]
            for r in conn.exec_driver_sql("PRAGMA foreign_key_check"):
                problems.append(f"foreign key: {tuple(r)}")
            gaps = conn.execute(
                text(
                    "SELECT desk_id, COUNT(*), MIN(desk_seq), MAX(desk_seq) FROM journal "
                    "GROUP BY desk_id"
                )
            ).all()
            for desk, n, lo, hi in gaps:
                if (lo, hi) != (1, n):
                    problems.append(f"journal: desk {desk} has {n} events numbered {lo}..{hi}")
        return problems

    def replace_projections(self, state: State) -> None:
        """Rewrite every projection from a full state (``check --rebuild``)."""
        with self.write() as tx:
            for table in (A, C, O, OP, CF):
                tx.conn.execute(delete(table))
            save_projections(tx.conn, state, list(state.calls), list(state.officers))
            if state.conflicts:
                tx.conn.execute(
                    insert(CF),
                    [
                        {
                            "event_id": c.event_id,
                            "call_id": c.call_id,
                            "officer_id": c.officer_id,
                            "reason": c.reason,
                        }
                        for c in state.conflicts
                    ],
                )


__all__ = ["SqliteStore", "StorageFull", "StoreError", "UnknownCall", "WriteTx"]
