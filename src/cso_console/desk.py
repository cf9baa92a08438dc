"""The desk: the one API for the console, the command line, the CLI, imports and tests.

A command comes in, is checked against the current state and turned into events; the
events and the projections they change are written in one ``BEGIN IMMEDIATE``
transaction, and only after COMMIT is the command acknowledged. A refused command
changes nothing and says why. After each commit, subscribers hear which calls and
officers changed.

The desk is never the only writer: ``intake``, another console or the hub write to the
same file. Readers follow the journal with :meth:`Desk.changes_since`; events written
elsewhere (another desk, the hub) come in through :meth:`Desk.ingest`, which leaves the
projections exactly as the fold of every event in ``(hlc, desk_id, desk_seq)`` order.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cso_console import desk_operators
from cso_console.domain.callnumber import format_call_number, short_number
from cso_console.domain.clock import Clock, HybridLogicalClock, SystemClock
from cso_console.domain.commands import (
    Command,
    Context,
    ReceiveCall,
    RefusePin,
    SettleConflict,
    decide,
)
from cso_console.domain.conflicts import OpenConflict
from cso_console.domain.events import (
    Event,
    EventType,
    OfficerEnrolled,
    stamp,
)
from cso_console.domain.fold import Changed, Conflict, Refused, State, apply, fold
from cso_console.domain.model import Call, Officer, Operator, OperatorRole
from cso_console.domain.premises import CallLine, premise_blocks
from cso_console.domain.recommend import Recommendation, likely_duplicates, recommend
from cso_console.domain.search import parse_query
from cso_console.domain.town import RosterOfficer, Town, normalize_place
from cso_console.store import StorageFull, StoreError
from cso_console.store.sqlite import Changes, SqliteStore, UnknownCall, WriteTx

if TYPE_CHECKING:
    from cso_console.integrity import CheckReport

Subscriber = Callable[[Changed], None]

# Roster events taken from the town files: written by the operator "system" under the
# desk id "town" (not a valid desk code), with ids and order derived from their content,
# so two desks with the same town files write the same events.
ROSTER_DESK = "town"
SYSTEM_OPERATOR = "system"
ROSTER_TIME = datetime(2000, 1, 1, tzinfo=UTC)
_ROSTER_NS = uuid.UUID("6f1c2d4e-8b0a-4c1e-9a53-2c7d5e0b9f10")


@dataclass
class Outcome:
    """What became of a command."""

    ok: bool
    reason: str = ""
    events: list[Event] = field(default_factory=list)
    changed: Changed = field(default_factory=Changed)
    already: bool = False  # an intake whose source_id was taken before: nothing to do
    call_id: str | None = None  # the call a new-call command created
    wait: float = 0.0  # a refused PIN: seconds before the next try is heard
    full: bool = False  # refused because the disk is full

    def __bool__(self) -> bool:
        return self.ok


@dataclass
class IngestReport:
    """What :meth:`Desk.ingest` did with a batch of events from elsewhere."""

    new: int = 0
    already: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (event id, why)
    refolded_events: int = 0  # events re-folded because some came out of order
    conflicts: int = 0
    changed: Changed = field(default_factory=Changed)


def roster_events(
    roster: Iterable[RosterOfficer], known: dict[str, Officer], revisions: dict[str, int]
) -> list[Event]:
    """Roster events for the town's officers the journal does not know as they are.

    ``revisions`` counts the roster events each officer already has; a new one takes the
    next revision as its HLC, so revisions of one officer fold in order, before every
    operational event, on every desk alike.
    """
    out = []
    for o in roster:
        have = known.get(o.call_sign)
        if have is not None and (have.name, have.skills, have.home_beat) == (
            o.name,
            tuple(o.skills),
            o.beat,
        ):
            continue
        rev = revisions.get(o.call_sign, 0) + 1
        payload = OfficerEnrolled(name=o.name, skills=tuple(o.skills), home_beat=o.beat)
        body = json.dumps([o.call_sign, rev, payload.to_json()], sort_keys=True)
        event_id = str(uuid.uuid5(_ROSTER_NS, body))
        digest = int(hashlib.sha256(body.encode()).hexdigest()[:12], 16)
        out.append(
            Event(
                event_id=event_id,
                desk_id=ROSTER_DESK,
                desk_seq=digest,
                hlc=rev,
                occurred_at=ROSTER_TIME,
                operator_id=SYSTEM_OPERATOR,
                type=EventType.OFFICER_ENROLLED,
                officer_id=o.call_sign,
                payload=payload.to_json(),
            )
        )
    return out


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
        # The role of an operator the journal does not enroll, while it enrolls nobody
        # (journals from before operators, tests); once anyone is enrolled the operators
        # projection decides, and anyone else is a desk operator.
        self._unenrolled_role = operator_role
        self.desk_code = store.desk_code
        self._hlc = HybridLogicalClock(self.clock)
        self._lock = threading.RLock()
        self._subscribers: list[Subscriber] = []
        self._batch_changed: Changed | None = None
        self._own: set[str] = set()  # event ids this desk object wrote (bounded)
        if not store.readonly:
            self._finish_migration()

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
        readonly: bool = False,
    ) -> Desk:
        store = SqliteStore(path, desk_code, extra_pragmas, readonly=readonly)
        try:
            return cls(
                store, town, clock=clock, operator_id=operator_id, operator_role=operator_role
            )
        except BaseException:  # nothing left open behind a desk that did not open
            store.close()
            raise

    def close(self) -> None:
        self.store.close()

    # commands -------------------------------------------------------------

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Be told, after each commit, which calls and officers changed."""
        self._subscribers.append(fn)
        return lambda: self._subscribers.remove(fn)

    def _notify(self, changed: Changed) -> None:
        if changed:
            for fn in list(self._subscribers):
                fn(changed)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run several commands in one transaction (all-or-nothing for what succeeded;
        a refused command writes nothing and the others go on). Subscribers hear once."""
        with self._lock:
            self._batch_changed = Changed()
            try:
                with self.store.write():
                    yield
                changed = self._batch_changed
            finally:
                self._batch_changed = None
        self._notify(changed)

    def execute(self, cmd: Command) -> Outcome:
        """Check, write and acknowledge one command. Never raises for a refusal."""
        with self._lock:
            try:
                outcome = self._execute(cmd)
            except Refused as r:
                return Outcome(False, r.reason)
            except UnknownCall as exc:
                return Outcome(False, str(exc.args[0]))
            except StoreError as exc:
                if self._batch_changed is not None:
                    raise  # the batch's transaction is gone: the caller must know
                return Outcome(False, str(exc), full=isinstance(exc, StorageFull))
            if self._batch_changed is not None:
                self._batch_changed.merge(outcome.changed)
                return outcome
        self._notify(outcome.changed)
        return outcome

    def _stamp(self, tx: WriteTx) -> tuple[int, int]:
        """(this desk's last desk_seq, the journal's last seq), with the HLC caught up."""
        head, db_hlc, seq = tx.high()
        if db_hlc > self._hlc.last:
            self._hlc.observe(db_hlc)
        return seq, head

    # operators (desk_operators.py) ----------------------------------------------

    def operators(self) -> dict[str, Operator]:
        return self.store.operators()

    def verify_pin(self, operator_id: str, pin: str) -> Outcome:
        return desk_operators.verify_pin(self, operator_id, pin)

    def sign_in(self, operator_id: str, pin: str) -> Outcome:
        return desk_operators.sign_in(self, operator_id, pin)

    def sign_out(self) -> Outcome:
        return desk_operators.sign_out(self)

    def add_operator(
        self, operator_id: str, name: str, role: OperatorRole, pin: str | None
    ) -> Outcome:
        return desk_operators.add_operator(self, operator_id, name, role, pin)

    def set_pin(self, operator_id: str, new_pin: str, old_pin: str | None = None) -> Outcome:
        return desk_operators.set_pin(self, operator_id, new_pin, old_pin)

    def reset_pin_as_owner(self, operator_id: str, new_pin: str) -> Outcome:
        return desk_operators.reset_pin_as_owner(self, operator_id, new_pin)

    def disable_operator(self, operator_id: str) -> Outcome:
        return desk_operators.disable_operator(self, operator_id)

    @property
    def operator_role(self) -> OperatorRole:
        """The role the desk's operator acts with (read now)."""
        return self._role(self.store.operators())

    def _role(self, operators: dict[str, Operator]) -> OperatorRole:
        op = operators.get(self.operator_id)
        if op is not None and op.enrolled:
            return OperatorRole.DESK if op.disabled else op.role
        if any(o.enrolled for o in operators.values()):
            return OperatorRole.DESK
        return self._unenrolled_role

    def _execute(self, cmd: Command) -> Outcome:
        now = self.clock.now()
        year = now.year % 100
        with self.store.write() as tx:
            operators = self.store.operator_cache  # current: refreshed as the lock was taken
            role = self._role(operators)
            me = operators.get(self.operator_id)
            if me is not None and me.disabled and not isinstance(cmd, RefusePin):
                return Outcome(False, f"Operator {self.operator_id} is disabled.")
            if cmd.lead_only and role is not OperatorRole.LEAD:
                return Outcome(False, "Only a shift lead can do that.")  # before any lookup
            if isinstance(cmd, ReceiveCall) and (cmd.source_id or cmd.earlier_source_ids):
                ids = [i for i in (cmd.source_id, *cmd.earlier_source_ids) if i]
                owners = tx.source_owners(ids)
                known = next((i for i in ids if i in owners), None)
                if known:
                    taken = owners[known]
                    held = tx.load_state([taken], []).calls.get(taken)
                    if held is not None and not self._same_call(held, cmd):
                        return Outcome(False, (
                            f"source id {known} was taken as call "
                            f"{short_number(taken)} with other details; not taken again"
                        ))  # fmt: skip
                    return Outcome(True, f"already taken as {taken}", already=True, call_id=taken)
            calls = {ref: tx.resolve(ref, year) for ref in cmd.call_refs()}
            state = tx.load_state(calls.values(), cmd.officer_refs())
            if isinstance(cmd, SettleConflict):
                state.conflicts = tx.open_conflicts([cmd.event_id])
            for cid in calls.values():
                if cid not in state.calls:
                    raise UnknownCall(f"There is no call {cid}.")
            new_ids: list[str] = []

            def new_call_id() -> str:
                seq = tx.last_call_seq(year) + 1 + len(new_ids)
                new_ids.append(format_call_number(self.desk_code, year, seq))
                return new_ids[-1]

            ctx = Context(self.town, now, role, new_call_id, calls, self.operator_id)
            drafts = decide(state, ctx, cmd)
            desk_seq, head = self._stamp(tx)
            events: list[Event] = []
            changed = Changed()
            for i, draft in enumerate(drafts, 1):
                ev = stamp(
                    draft,
                    desk_id=self.desk_code,
                    desk_seq=desk_seq + i,
                    hlc=self._hlc.tick(),
                    occurred_at=now,
                    operator_id=self.operator_id,
                )
                changed.merge(apply(state, ev, strict=True))
                events.append(ev)
            last = head + len(events)
            if new_ids:  # taken only now that the command stands
                tx.took_call_seq(year, tx.last_call_seq(year) + len(new_ids))
            tx.append(events, head + 1)
            tx.save(state, changed.call_ids, changed.officer_ids, last)
            self.store.committed(last)
            self._remember(events)  # before COMMIT: a reader may see them at once
        return Outcome(
            True, events=events, changed=changed, call_id=new_ids[0] if new_ids else None
        )

    def _same_call(self, held: Call, cmd: ReceiveCall) -> bool:
        """Whether a line re-sent under a taken source id says what the call says (a re-run
        of the same file), rather than something else under the same id."""
        ct = self.town.find_call_type(cmd.type_code)
        try:
            place = normalize_place(self.town.resolve_location(cmd.location).text)
        except ValueError:
            return False
        return (
            (ct.code if ct else cmd.type_code) == held.type_code
            and place == normalize_place(held.location)
            and cmd.narrative == held.narrative
            and (cmd.caller_name or None) == held.caller_name
            and (cmd.caller_phone or None) == held.caller_phone
        )

    def _remember(self, events: list[Event]) -> None:
        if len(self._own) > 10_000:
            self._own.clear()
        self._own.update(e.event_id for e in events)

    # events from elsewhere --------------------------------------------------

    def ingest(
        self, events: Iterable[Event], *, cursor: Callable[[WriteTx], None] | None = None
    ) -> IngestReport:
        """Take events written elsewhere (another desk, the hub, the town's roster).

        Idempotent by event id, in one transaction together with whatever ``cursor`` the
        caller keeps (called inside it). Afterwards the projections are exactly the fold
        of every event in ``(hlc, desk_id, desk_seq)`` order, whatever order they came in:
        an event older than the journal's head re-folds the calls and officers it touches,
        and those they touch in turn, from their histories.
        """
        report = IngestReport()
        with self._lock:
            with self.store.write() as tx:
                self._ingest(tx, list(events), report)
                if cursor is not None:
                    cursor(tx)
            if self._batch_changed is not None:  # told after the batch commits
                self._batch_changed.merge(report.changed)
                return report
        self._notify(report.changed)
        return report

    def _ingest(self, tx: WriteTx, events: list[Event], report: IngestReport) -> None:
        unique: dict[str, Event] = {}
        for e in events:
            unique.setdefault(e.event_id, e)
        have = tx.existing_event_ids(list(unique))
        candidates = [e for k, e in unique.items() if k not in have]
        report.already = len(events) - len(candidates)
        new = []
        taken = tx.taken_desk_seqs([(e.desk_id, e.desk_seq) for e in candidates])
        for e in sorted(candidates, key=lambda e: e.order_key):
            if e.desk_id == self.desk_code:
                report.refused.append((e.event_id, (
                    f"written by another database with this desk's code ({self.desk_code}); "
                    "give each desk its own code"
                )))  # fmt: skip
            elif (e.desk_id, e.desk_seq) in taken:
                report.refused.append((e.event_id, (
                    f"desk {e.desk_id} event {e.desk_seq} is already here as another event: "
                    "two databases use that desk's code"
                )))  # fmt: skip
            else:
                new.append(e)
        report.new = len(new)
        if not new:
            return
        top = tx.max_order_key()
        head = tx.head()[0]
        last = head + len(new)
        tx.append(new, head + 1)
        remote = [e.hlc for e in new if e.desk_id != ROSTER_DESK]
        if remote and max(remote) > self._hlc.last:
            self._hlc.observe(max(remote))
        if top is None or new[0].order_key > top:
            # In order: fold on top of the current state of what they touch.
            call_ids = {c for e in new for c in e.call_ids()}
            officer_ids = {e.officer_id for e in new if e.officer_id}
            state = tx.load_state(call_ids, officer_ids)
            state.sources = tx.source_owners(_source_ids(new))
            state.conflicts = tx.open_conflicts(_settled_ids(new))
            before = {c.event_id for c in state.conflicts}
            changed = Changed()
            for e in new:
                changed.merge(apply(state, e, strict=False))
            conflicts = [c for c in state.conflicts if c.event_id not in before]
            tx.save(state, changed.call_ids, changed.officer_ids, last, conflicts=conflicts)
        else:
            changed, conflicts, n = self._refold(tx, new, last)
            report.refolded_events = n
        report.conflicts = len(conflicts)
        report.changed = changed
        self.store.committed(last)

    def _refold(
        self, tx: WriteTx, new: list[Event], last: int
    ) -> tuple[Changed, list[Conflict], int]:
        """Re-fold, from their whole histories, the calls and officers the late events
        touch and everything those touch in turn (a closed set: no event outside it
        touches anything in it), and write them back."""
        calls = {c for e in new for c in e.call_ids()}
        officers = {e.officer_id for e in new if e.officer_id}
        operators = {e.operator_id for e in new if e.type.value.startswith("operator.")}
        history = tx.closure(calls, officers)
        history += tx.operator_events(operators)
        state = fold(State(), history)
        ids = [e.event_id for e in history]
        tx.forget_conflicts(ids)
        calls |= {c for e in history for c in e.call_ids()}
        officers |= {e.officer_id for e in history if e.officer_id}
        tx.drop_missing(calls - state.calls.keys(), officers - state.officers.keys(), last)
        tx.save(state, calls, officers, last, conflicts=state.conflicts, replace_assignments=True)
        return Changed(calls, officers), state.conflicts, len(history)

    def take_roster(self) -> IngestReport:
        """Take the town's roster in where it differs from the journal's (only ``run``
        does this; readers never do)."""
        with self._lock:
            with self.store.read() as cur:
                known = {o.officer_id: o for o in self.store.officers()}
                revisions = dict(
                    cur.execute(
                        "SELECT officer_id, count(*) FROM journal WHERE desk_id = ? "
                        "GROUP BY officer_id",
                        (ROSTER_DESK,),
                    ).fetchall()
                )
            events = roster_events(self.town.officers, known, revisions)
            return self.ingest(events) if events else IngestReport()

    def _finish_migration(self) -> None:
        """A file upgraded from schema 1 keeps its roster as events, then its projections
        are rebuilt from the journal."""
        if not self.store.needs_rebuild():
            return
        old = self.store.roster_v1()
        roster = [
            RosterOfficer.unchecked(
                call_sign=o.officer_id, name=o.name, skills=o.skills, beat=o.home_beat
            )
            for o in old
        ]
        with self._lock, self.store.write() as tx:
            if not tx.cur.execute("SELECT 1 FROM meta WHERE key = 'needs_rebuild'").fetchone():
                return  # another program finished the upgrade first
            events = roster_events(roster, {}, {})
            state = self._full_state(tx, extra=events)
            tx.append(events, tx.head()[0] + 1)
            tx.replace_projections(state, tx.head()[0])
            tx.migration_done()

    def _full_state(self, tx: WriteTx, extra: list[Event]) -> State:
        return fold(State(), [*tx.all_events(), *extra])

    def check(self, rebuild: bool = False) -> CheckReport:
        """Projections == the fold of the journal (``rebuild``: rewrite them from it).
        See :mod:`cso_console.integrity`."""
        from cso_console import integrity

        return integrity.rebuild(self) if rebuild else integrity.check_store(self.store)

    # the change feed --------------------------------------------------------

    def data_version(self) -> int:
        """Cheap: changes whenever anyone commits to the file."""
        return self.store.data_version()

    def changes_since(self, seq: int, generation: int | None = None) -> Changes:
        """Calls and officers changed since journal seq ``seq`` (any writer); calls
        received since are listed in ``received`` with ``mine`` telling ours apart."""
        return self.store.changes_since(seq, generation)

    def wrote(self, event_id: str) -> bool:
        """Whether this desk object wrote the event (to tell other writers' calls apart)."""
        return event_id in self._own

    def head(self) -> tuple[int, int]:
        return self.store.head()

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

    def open_conflicts(self) -> list[OpenConflict]:
        """Events the fold refused that no lead has settled yet, oldest first."""
        return self.store.open_conflicts()

    def call_events(self, call_id: str) -> list[Event]:
        return self.store.call_events(call_id)

    def premise_history(self, call_id: str, limit: int = 50) -> list[CallLine]:
        """Earlier calls at the place of call ``call_id`` (its unit left out; a landmark
        and the address it stands at are one place), newest first; then calls near it:
        other numbers on the same block. The call itself is left out."""
        call = self.store.call(call_id)
        if call is None:
            return []
        keys, blocks = premise_blocks(call.location, self.town.places)
        return self.store.premise_history(keys, blocks, exclude=call_id, limit=limit)

    def place_history(self, location: str, limit: int = 50) -> list[CallLine]:
        """Calls at a place typed as in intake (``PH 12 main st``), newest first; then
        calls near it: other numbers on the same block."""
        try:
            where = self.town.resolve_location(location).text
        except ValueError:
            where = location
        keys, blocks = premise_blocks(where, self.town.places)
        return self.store.premise_history(keys, blocks, limit=limit)

    def search(self, text: str, limit: int = 50) -> list[CallLine]:
        """The newest calls a search line asks for (see :mod:`cso_console.domain.search`);
        ``ValueError`` with a sentence when the line cannot be read."""
        now = self.now()
        query = parse_query(text, self.town, now)
        return self.store.search(query, limit, year=now.year % 100)

    def recommend(self, call_id: str) -> list[Recommendation]:
        """Officers ranked for a call, each with its reasons."""
        call = self.store.call(call_id)
        if call is None:
            return []
        return recommend(call, self.store.officers(), self.town, self.now())

    def likely_duplicates(self, location: str, type_code: str | None = None) -> list[Call]:
        """Open, recent calls at the place a typed location resolves to (compared by place:
        ``200 civic center dr`` is the Town Hall), calls of ``type_code`` first."""
        try:
            key = self.town.resolve_location(location).key
        except ValueError:
            return []
        return likely_duplicates(
            key, self.store.open_calls(), self.now(), self.town.place_key, type_code
        )

    def call(self, call_id: str) -> Call | None:
        return self.store.call(call_id)

    def officer(self, officer_id: str) -> Officer | None:
        return self.store.officers_by_id([officer_id]).get(officer_id)

    def calls_by_id(self, call_ids: list[str]) -> dict[str, Call]:
        return self.store.calls_by_id(call_ids)

    def officers_by_id(self, officer_ids: list[str]) -> dict[str, Officer]:
        return self.store.officers_by_id(officer_ids)


def _payload_ids(events: list[Event], kind: EventType, key: str) -> list[str]:
    """The non-empty ``key`` of every ``kind`` event's payload."""
    out = []
    for e in events:
        if e.type is kind:
            value = e.payload.get(key)
            if isinstance(value, str) and value:
                out.append(value)
    return out


def _source_ids(events: list[Event]) -> list[str]:
    return _payload_ids(events, EventType.CALL_RECEIVED, "source_id")


def _settled_ids(events: list[Event]) -> list[str]:
    """The refused events that settlements among ``events`` name."""
    return _payload_ids(events, EventType.CONFLICT_SETTLED, "event_id")


__all__ = ["Changes", "Desk", "IngestReport", "Outcome", "StorageFull", "roster_events"]
