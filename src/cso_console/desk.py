"""The desk: the one API for the console, the command line, the CLI, imports and tests.

A command comes in, is checked against the current state and turned into events; the
events and the projections they change are written in one ``BEGIN IMMEDIATE``
transaction, and only after COMMIT is the command acknowledged. A refused command
changes nothing and says why. After each commit, subscribers hear which calls and
officers changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cso_console.domain.callnumber import format_call_number
from cso_console.domain.clock import Clock, HybridLogicalClock, SystemClock
from cso_console.domain.commands import Command, Context, ReceiveCall, decide
from cso_console.domain.events import Event, stamp
from cso_console.domain.fold import Changed, Refused, State, apply, fold
from cso_console.domain.model import Call, Officer, OperatorRole
from cso_console.domain.recommend import Recommendation, likely_duplicates, recommend
from cso_console.domain.town import Town, normalize_place
from cso_console.store import SqliteStore, StorageFull, StoreError, UnknownCall

Subscriber = Callable[[Changed], None]


@dataclass
class Outcome:
    """What became of a command."""

    ok: bool
    reason: str = ""
    events: list[Event] = field(default_factory=list)
    changed: Changed = field(default_factory=Changed)
    already: bool = False  # an intake whose source_id was taken before: nothing to do
    call_id: str | None = None  # the call a new-call command created

    def __bool__(self) -> bool:
        return self.ok


@dataclass
class CheckReport:
    problems: list[str]
    events: int
    conflicts: int
    rebuilt: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class Desk:
    """One console installation: its store, its town, its clock, its operator."""

    def __init__(
        self,
        store: SqliteStore,
        town: Town,
        *,
        clock: Clock | None = None,
        operator_id: str = "desk",
        operator_role: OperatorRole = OperatorRole.LEAD,
    ) -> None:
        self.store = store
        self.town = town
        self.clock = clock or SystemClock()
        self.operator_id = operator_id
        self.operator_role = operator_role
        self.desk_code = store.desk_code
        self._hlc = HybridLogicalClock(self.clock)
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        store.seed_roster(town.officers)

    @classmethod
    def open(
        cls,
        path: str | Path,
        town: Town,
        *,
        desk_code: str | None = None,
        clock: Clock | None = None,
        operator_id: str = "desk",
        operator_role: OperatorRole = OperatorRole.LEAD,
        extra_pragmas: dict[str, int] | None = None,
    ) -> Desk:
        store = SqliteStore(path, desk_code, extra_pragmas)
        return cls(store, town, clock=clock, operator_id=operator_id, operator_role=operator_role)

    def close(self) -> None:
        self.store.close()

    # commands -------------------------------------------------------------

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Be told, after each commit, which calls and officers changed."""
        self._subscribers.append(fn)
        return lambda: self._subscribers.remove(fn)

    def execute(self, cmd: Command) -> Outcome:
        """Check, write and acknowledge one command. Never raises for a refusal."""
        with self._lock:
            try:
                outcome = self._execute(cmd)
            except Refused as r:
                return Outcome(False, r.reason)
            except UnknownCall as exc:
                return Outcome(False, str(exc.args[0]))
            except StorageFull as exc:
                return Outcome(False, str(exc))
            except StoreError as exc:
                return Outcome(False, str(exc))
        if outcome.ok and outcome.changed:
            for fn in list(self._subscribers):
                fn(outcome.changed)
        return outcome

    def _execute(self, cmd: Command) -> Outcome:
        now = self.clock.now()
        year = now.year % 100
        with self.store.write() as tx:
            if isinstance(cmd, ReceiveCall) and cmd.source_id:
                taken = tx.source_taken(cmd.source_id)
                if taken:
                    return Outcome(True, f"already taken as {taken}", already=True, call_id=taken)
            calls = {ref: tx.resolve(ref, year) for ref in cmd.call_refs()}
            officers = cmd.officer_refs()
            state = tx.load_state(calls.values(), officers)
            new_ids: list[str] = []

            def new_call_id() -> str:
                seq = tx.last_call_seq(year) + 1 + len(new_ids)
                new_ids.append(format_call_number(self.desk_code, year, seq))
                return new_ids[-1]

            ctx = Context(self.town, now, self.operator_role, new_call_id, calls)
            drafts = decide(state, ctx, cmd)
            db_hlc, seq = tx.journal_high()
            if db_hlc > self._hlc.last:
                self._hlc.observe(db_hlc)
            events: list[Event] = []
            changed = Changed()
            for i, draft in enumerate(drafts, 1):
                ev = stamp(
                    draft,
                    desk_id=self.desk_code,
                    desk_seq=seq + i,
                    hlc=self._hlc.tick(),
                    occurred_at=now,
                    operator_id=self.operator_id,
                )
                changed.merge(apply(state, ev, strict=True))
                events.append(ev)
            tx.append(events)
            tx.save(state, changed)
        return Outcome(
            True, events=events, changed=changed, call_id=new_ids[0] if new_ids else None
        )

    # reads ----------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def open_calls(self) -> list[Call]:
        return self.store.open_calls()

    def officers(self) -> list[Officer]:
        return self.store.officers()

    def find_call(self, ref: str) -> Call | None:
        """A call by full or short number, or None."""
        try:
            return self.store.call(self.store.resolve(ref, self.now().year % 100))
        except UnknownCall:
            return None

    def call_events(self, call_id: str) -> list[Event]:
        return self.store.call_events(call_id)

    def premise_history(self, location: str, limit: int = 50) -> list[Call]:
        """Every call at the place a typed location resolves to, newest first."""
        loc = self.town.resolve_location(location)
        return self.store.premise_history(normalize_place(loc.text), limit)

    def recommend(self, call_id: str) -> list[Recommendation]:
        """Officers ranked for a call, each with its reasons."""
        call = self.store.call(call_id)
        if call is None:
            return []
        return recommend(call, self.store.officers(), self.town, self.now())

    def likely_duplicates(self, location: str) -> list[Call]:
        """Open, recent calls at the place a typed location resolves to."""
        try:
            loc = self.town.resolve_location(location)
        except ValueError:
            return []
        key = normalize_place(loc.text)
        return likely_duplicates(key, self.store.open_calls_at(key), self.now())

    def call(self, call_id: str) -> Call | None:
        return self.store.call(call_id)

    def officer(self, officer_id: str) -> Officer | None:
        return self.store.officers_by_id([officer_id]).get(officer_id)

    def calls_by_id(self, call_ids: list[str]) -> dict[str, Call]:
        return self.store.calls_by_id(call_ids)

    def officers_by_id(self, officer_ids: list[str]) -> dict[str, Officer]:
        return self.store.officers_by_id(officer_ids)

    # integrity ------------------------------------------------------------

    def rebuild_state(self) -> State:
        """Fold the whole journal from scratch, starting from the roster as stored."""
        state = State()
        for o in self.store.officers():
            state.officers[o.officer_id] = Officer(o.officer_id, o.name, o.skills, o.home_beat)
        return fold(state, self.store.events())

    def check(self, rebuild: bool = False) -> CheckReport:
        """SQLite integrity, journal numbering, and rebuilt projections == stored ones."""
        problems = self.store.sqlite_checks()
        with self._lock:
            state = self.rebuild_state()
            if rebuild:
                self.store.replace_projections(state)
            differences = self._compare(state)
        problems += differences
        return CheckReport(problems, self.store.count_events(), len(state.conflicts), rebuild)

    def _compare(self, state: State) -> list[str]:
        from cso_console.store import rows as r

        expected = {
            "calls": {tuple(r.call_row(c).values()) for c in state.calls.values()},
            "assignments": {
                tuple(r.assignment_row(a).values())
                for c in state.calls.values()
                for a in c.assignments
            },
            "officers": {tuple(r.officer_row(o).values()) for o in state.officers.values()},
            "operators": {tuple(r.operator_row(o).values()) for o in state.operators.values()},
            "conflicts": {(c.event_id, c.call_id, c.officer_id, c.reason) for c in state.conflicts},
        }
        with self.store.read() as conn:
            stored = self.store.projection_rows(conn)
        out = []
        for name, rows_expected in expected.items():
            missing, extra = rows_expected - stored[name], stored[name] - rows_expected
            for row in sorted(missing, key=str)[:5]:
                out.append(f"{name}: rebuilt row not stored: {row[0]} ...")
            for row in sorted(extra, key=str)[:5]:
                out.append(f"{name}: stored row not rebuilt: {row[0]} ...")
            if len(missing) + len(extra) > 10:
                out.append(f"{name}: {len(missing)} missing, {len(extra)} extra rows in all")
        return out
