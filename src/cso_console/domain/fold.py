"""The fold: events in, state out, refusing what the rules forbid.

``apply(state, event, strict=True)`` raises :class:`Refused` when the event breaks a rule
(used by the desk to vet new events before they are written). With ``strict=False`` (rebuild,
events from other desks) a rule-breaking event changes nothing and is recorded as a
:class:`Conflict` for the shift lead instead: facts are never dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cso_console.domain.callnumber import short_number
from cso_console.domain.events import Event, EventType
from cso_console.domain.model import (
    Assignment,
    Call,
    CallStatus,
    Officer,
    OfficerStatus,
    Operator,
    Role,
)
from cso_console.domain.record import Invalid


class Refused(Exception):
    """A command or event the rules forbid; the message is meant for the desk assistant."""

    @property
    def reason(self) -> str:
        return str(self.args[0]) if self.args else "refused"


@dataclass(frozen=True)
class Conflict:
    event_id: str
    call_id: str | None
    officer_id: str | None
    reason: str


@dataclass
class Changed:
    """Which calls and officers an event (or a batch) touched."""

    call_ids: set[str] = field(default_factory=set)
    officer_ids: set[str] = field(default_factory=set)

    def merge(self, other: Changed) -> None:
        self.call_ids |= other.call_ids
        self.officer_ids |= other.officer_ids

    def __bool__(self) -> bool:
        return bool(self.call_ids or self.officer_ids)


@dataclass
class State:
    """Calls, officers and operators as the journal says they are.

    The desk works on a partial state (the calls and officers a command touches,
    loaded from the projections); a rebuild folds every event into a full one.
    """

    calls: dict[str, Call] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    operators: dict[str, Operator] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)  # open: not settled yet
    # refused event id -> its conflict, settled by a lead (``conflict.settled``)
    settled: dict[str, Conflict] = field(default_factory=dict)
    # source id (of an intake line, another agency's record) -> the call that holds it
    sources: dict[str, str] = field(default_factory=dict)


def _c(call_id: str) -> str:
    return f"Call {short_number(call_id)}"


def _need_call(state: State, event: Event) -> Call:
    if event.call_id is None or event.call_id not in state.calls:
        raise Refused(f"There is no call {short_number(event.call_id or '?')}.")
    return state.calls[event.call_id]


def _need_officer(state: State, event: Event) -> Officer:
    if event.officer_id is None or event.officer_id not in state.officers:
        raise Refused(f"There is no officer {event.officer_id or '?'} on the roster.")
    return state.officers[event.officer_id]


def _need_open(call: Call, doing: str) -> None:
    if not call.status.is_open:
        raise Refused(f"{_c(call.call_id)} is {call.status.value.lower()}; it cannot {doing}.")


def _need_assignment(call: Call, officer: Officer) -> Assignment:
    a = call.assignment_of(officer.officer_id)
    if a is None:
        raise Refused(f"{officer.officer_id} is not assigned to {_c(call.call_id).lower()}.")
    return a


def _set_officer(officer: Officer, status: OfficerStatus, event: Event) -> None:
    """A new status starts its time again, without a reason or an acknowledged timer."""
    if officer.status is not status:
        officer.status = status
        officer.status_since = event.occurred_at
        officer.status_reason = ""
        officer.timer_acked = 0


def _advance_call(call: Call, status: CallStatus, event: Event) -> None:
    """Move a call forward; never back (reopen is the one way back, handled apart)."""
    if status.rank > call.status.rank or call.status is CallStatus.SCHEDULED:
        call.status = status
        call.status_at = event.occurred_at


def _free_officer(state: State, officer_id: str, event: Event, changed: Changed) -> None:
    officer = state.officers.get(officer_id)
    if officer is not None:
        officer.current_call_id = None
        _set_officer(officer, OfficerStatus.AVAILABLE, event)
        changed.officer_ids.add(officer_id)


def _received(state: State, e: Event, ch: Changed) -> None:
    d = e.data()
    if e.call_id is None:
        raise Refused("A new call needs a number.")
    if e.call_id in state.calls:
        raise Refused(f"{_c(e.call_id)} already exists.")
    owner = state.sources.get(d.source_id) if d.source_id else None
    if owner is not None and owner != e.call_id:
        raise Refused(f"Source {d.source_id} is already call {short_number(owner)}.")
    state.calls[e.call_id] = Call(
        call_id=e.call_id,
        type_code=d.type_code,
        priority=d.priority,
        location=d.location,
        location_verified=d.location_verified,
        beat_id=d.beat_id,
        received_at=d.received_at,
        status=CallStatus.PENDING,
        status_at=e.occurred_at,
        caller_name=d.caller_name,
        caller_phone=d.caller_phone,
        narrative=d.narrative,
        source_id=d.source_id,
    )
    if d.source_id:
        state.sources[d.source_id] = e.call_id
    ch.call_ids.add(e.call_id)


def _dispatched(state: State, e: Event, ch: Changed) -> None:
    call, officer = _need_call(state, e), _need_officer(state, e)
    _need_open(call, "take a unit")
    if officer.status is OfficerStatus.OFF_DUTY:
        raise Refused(f"{officer.officer_id} is not signed on.")
    if officer.status is OfficerStatus.BREAK:
        raise Refused(f"{officer.officer_id} is on break.")
    if officer.status is OfficerStatus.OUT_OF_SERVICE:
        raise Refused(f"{officer.officer_id} is out of service.")
    if officer.current_call_id is not None or officer.status.on_call:
        where = short_number(officer.current_call_id or "?")
        raise Refused(f"{officer.officer_id} is already on call {where}.")
    role = Role(e.data().role)
    if role is Role.PRIMARY and any(a.role is Role.PRIMARY for a in call.active_assignments):
        role = Role.ASSIST
    if role is Role.ASSIST and not call.active_assignments:
        role = Role.PRIMARY
    call.assignments.append(
        Assignment(call.call_id, officer.officer_id, role, dispatched_at=e.occurred_at)
    )
    _advance_call(call, CallStatus.DISPATCHED, e)
    officer.current_call_id = call.call_id
    if officer.queued_call_id == call.call_id:
        officer.queued_call_id = None  # the stacked call, now theirs
    officer.calls_this_shift += 1
    _set_officer(officer, OfficerStatus.DISPATCHED, e)
    ch.call_ids.add(call.call_id)
    ch.officer_ids.add(officer.officer_id)


def stacked_call_ready(state: State, officer: Officer) -> str | None:
    """The call stacked on ``officer`` if it is still waiting for a unit (open, nobody on
    it): the one to dispatch them to as they clear. Else None (the stack lapses)."""
    q = officer.queued_call_id
    call = state.calls.get(q) if q else None
    if call is None or not call.status.is_open or call.active_assignments:
        return None
    return call.call_id


def _stacked(state: State, e: Event, ch: Changed) -> None:
    call, officer = _need_call(state, e), _need_officer(state, e)
    _need_open(call, "take a unit")
    who = officer.officer_id
    if officer.current_call_id is None:
        raise Refused(f"{who} is not on a call; dispatch them instead.")
    if officer.current_call_id == call.call_id or call.assignment_of(who) is not None:
        raise Refused(f"{who} is already on {_c(call.call_id).lower()}.")
    if call.active_assignments:
        units = ", ".join(a.officer_id for a in call.active_assignments)
        raise Refused(
            f"{_c(call.call_id)} already has {units} on it; only a call waiting for a unit "
            "is stacked."
        )
    q = officer.queued_call_id
    if q is not None and q != call.call_id and stacked_call_ready(state, officer) is not None:
        raise Refused(f"{who} already has call {short_number(q)} stacked next.")
    officer.queued_call_id = call.call_id
    ch.call_ids.add(call.call_id)
    ch.officer_ids.add(who)


def _stage(state: State, e: Event, ch: Changed, en_route: bool) -> None:
    call, officer = _need_call(state, e), _need_officer(state, e)
    _need_open(call, "change")
    a = _need_assignment(call, officer)
    if en_route:
        if a.on_scene_at is not None:
            raise Refused(f"{officer.officer_id} is already on scene; status only moves forward.")
        if a.en_route_at is not None:
            raise Refused(f"{officer.officer_id} is already en route.")
        a.en_route_at = e.occurred_at
        _set_officer(officer, OfficerStatus.EN_ROUTE, e)
        _advance_call(call, CallStatus.EN_ROUTE, e)
    else:
        if a.on_scene_at is not None:
            raise Refused(f"{officer.officer_id} is already on scene.")
        a.on_scene_at = e.occurred_at
        _set_officer(officer, OfficerStatus.ON_SCENE, e)
        _advance_call(call, CallStatus.ON_SCENE, e)
    ch.call_ids.add(call.call_id)
    ch.officer_ids.add(officer.officer_id)


def _cleared(state: State, e: Event, ch: Changed) -> None:
    call, officer = _need_call(state, e), _need_officer(state, e)
    a = _need_assignment(call, officer)
    d = e.data()
    a.cleared_at = e.occurred_at
    a.disposition = d.disposition
    if d.note:
        call.note_count += 1
    if officer.current_call_id == call.call_id:
        _free_officer(state, officer.officer_id, e, ch)
        if stacked_call_ready(state, officer) is None:
            officer.queued_call_id = None  # the stacked call ended or was taken meanwhile
    ch.call_ids.add(call.call_id)
    ch.officer_ids.add(officer.officer_id)


def _need_no_units(call: Call, doing: str) -> None:
    if call.active_assignments:
        units = ", ".join(a.officer_id for a in call.active_assignments)
        raise Refused(f"{_c(call.call_id)} still has {units} on it; clear them before {doing}.")


def _terminal(call: Call, status: CallStatus, e: Event, ch: Changed) -> None:
    call.status = status
    call.status_at = e.occurred_at
    call.closed_at = e.occurred_at
    ch.call_ids.add(call.call_id)


def _closed(state: State, e: Event, ch: Changed) -> None:
    call = _need_call(state, e)
    _need_open(call, "be closed again")
    _need_no_units(call, "closing it")
    d = e.data()
    call.disposition = d.disposition
    if d.note:
        call.note_count += 1
    _terminal(call, CallStatus.CLOSED, e, ch)


def _note(state: State, e: Event, ch: Changed) -> None:
    call = _need_call(state, e)
    call.note_count += 1
    ch.call_ids.add(call.call_id)


def _priority(state: State, e: Event, ch: Changed) -> None:
    call = _need_call(state, e)
    _need_open(call, "change priority")
    priority = e.data().priority
    if priority != call.priority:
        call.alert_acked_at = None  # a new target: its lateness is a new alert
    call.priority = priority
    ch.call_ids.add(call.call_id)


def _duplicate(state: State, e: Event, ch: Changed) -> None:
    call = _need_call(state, e)
    _need_open(call, "be linked")
    _need_no_units(call, "linking it")
    of = e.data().of_call_id
    if of == call.call_id:
        raise Refused("A call cannot be a duplicate of itself.")
    if of not in state.calls:
        raise Refused(f"There is no call {short_number(of)}.")
    if state.calls[of].duplicate_of == call.call_id:
        raise Refused(f"{_c(of)} is already a duplicate of {_c(call.call_id).lower()}.")
    call.duplicate_of = of
    _terminal(call, CallStatus.DUPLICATE, e, ch)


def _transferred(state: State, e: Event, ch: Changed) -> None:
    call = _need_call(state, e)
    _need_open(call, "be transferred")
    _need_no_units(call, "transferring it")
    call.transferred_to = e.data().to
    _terminal(call, CallStatus.TRANSFERRED, e, ch)


def _cancelled(state: State, e: Event, ch: Changed) -> None:
    call = _need_call(state, e)
    _need_open(call, "be cancelled")
    _need_no_units(call, "cancelling it")
    _terminal(call, CallStatus.CANCELLED, e, ch)


def _reopened(state: State, e: Event, ch: Changed) -> None:
    call = _need_call(state, e)
    if call.status.is_open:
        raise Refused(f"{_c(call.call_id)} is still open.")
    call.status = CallStatus.PENDING
    call.status_at = e.occurred_at
    call.disposition = None
    call.duplicate_of = None
    call.transferred_to = None
    call.closed_at = None
    ch.call_ids.add(call.call_id)


def _scheduled(state: State, e: Event, ch: Changed) -> None:
    call = _need_call(state, e)
    if call.status not in (CallStatus.PENDING, CallStatus.SCHEDULED):
        raise Refused(
            f"Only a pending call can be scheduled; {_c(call.call_id).lower()} is "
            f"{call.status.value.lower()}."
        )
    call.status = CallStatus.SCHEDULED
    call.status_at = e.occurred_at
    call.scheduled_for = e.data().until
    ch.call_ids.add(call.call_id)


def _signed_on(state: State, e: Event, ch: Changed) -> None:
    officer = _need_officer(state, e)
    if officer.status is not OfficerStatus.OFF_DUTY:
        raise Refused(f"{officer.officer_id} is already signed on.")
    data = e.data()
    officer.beat_id = data.beat_id or officer.home_beat
    officer.shift_skills = tuple(s for s in data.skills if s not in officer.skills)
    officer.calls_this_shift = 0
    officer.signed_on_at = e.occurred_at
    _set_officer(officer, OfficerStatus.AVAILABLE, e)
    ch.officer_ids.add(officer.officer_id)


def _signed_off(state: State, e: Event, ch: Changed) -> None:
    officer = _need_officer(state, e)
    if officer.status is OfficerStatus.OFF_DUTY:
        raise Refused(f"{officer.officer_id} is not signed on.")
    if officer.current_call_id is not None:
        raise Refused(
            f"{officer.officer_id} is on call {short_number(officer.current_call_id)}; "
            "clear them before signing off."
        )
    officer.beat_id = None
    officer.signed_on_at = None
    officer.shift_skills = ()
    officer.queued_call_id = None
    _set_officer(officer, OfficerStatus.OFF_DUTY, e)
    ch.officer_ids.add(officer.officer_id)


def _status_changed(state: State, e: Event, ch: Changed) -> None:
    officer = _need_officer(state, e)
    status = OfficerStatus(e.data().status)
    if status.on_call or status is OfficerStatus.OFF_DUTY:
        raise Refused(f"{status.value} is set by dispatch or sign-off, not directly.")
    if officer.status is OfficerStatus.OFF_DUTY:
        raise Refused(f"{officer.officer_id} is not signed on.")
    if officer.current_call_id is not None:
        raise Refused(
            f"{officer.officer_id} is on call {short_number(officer.current_call_id)}; "
            "clear them first."
        )
    if officer.status is status:
        words = {
            OfficerStatus.BREAK: "on break",
            OfficerStatus.BUSY: "busy",
            OfficerStatus.OUT_OF_SERVICE: "out of service",
        }.get(status, "available")
        raise Refused(f"{officer.officer_id} is already {words}.")
    _set_officer(officer, status, e)
    if status is not OfficerStatus.AVAILABLE:  # why on break, busy, out of service
        officer.status_reason = e.data().reason.strip()
    ch.officer_ids.add(officer.officer_id)


def _shift_changed(state: State, e: Event, ch: Changed) -> None:
    officer = _need_officer(state, e)
    if officer.status is OfficerStatus.OFF_DUTY:
        raise Refused(f"{officer.officer_id} is not signed on; sign them on instead.")
    d = e.data()
    skills = tuple(s for s in d.skills if s not in officer.skills)
    if (d.beat_id, skills) == (officer.beat_id, officer.shift_skills):
        raise Refused(f"{officer.officer_id} already works that beat with those skills.")
    officer.beat_id, officer.shift_skills = d.beat_id, skills
    ch.officer_ids.add(officer.officer_id)


def _timer_acked(state: State, e: Event, ch: Changed) -> None:
    """Covers the officer's present status only: a new status starts again at 0."""
    officer = _need_officer(state, e)
    officer.timer_acked = max(officer.timer_acked, e.data().level)
    ch.officer_ids.add(officer.officer_id)


def _reassigned(state: State, e: Event, ch: Changed) -> None:
    to_call, officer = _need_call(state, e), _need_officer(state, e)
    from_id = e.data().from_call_id
    if from_id == to_call.call_id:
        raise Refused(f"{officer.officer_id} is already on {_c(from_id).lower()}.")
    from_call = state.calls.get(from_id)
    if from_call is None or officer.current_call_id != from_id:
        raise Refused(f"{officer.officer_id} is not on call {short_number(from_id)}.")
    _need_open(to_call, "take a unit")
    a = _need_assignment(from_call, officer)
    a.cleared_at = e.occurred_at
    # A call left without any unit goes back to the queue to be dispatched again.
    if not from_call.active_assignments and from_call.status.is_open:
        from_call.status = CallStatus.PENDING
        from_call.status_at = e.occurred_at
    role = Role.ASSIST if to_call.active_assignments else Role.PRIMARY
    to_call.assignments.append(
        Assignment(to_call.call_id, officer.officer_id, role, dispatched_at=e.occurred_at)
    )
    _advance_call(to_call, CallStatus.DISPATCHED, e)
    officer.current_call_id = to_call.call_id
    officer.calls_this_shift += 1
    officer.status = OfficerStatus.DISPATCHED
    officer.status_since = e.occurred_at
    officer.timer_acked = 0  # a new dispatch: its own timer
    ch.call_ids |= {from_id, to_call.call_id}
    ch.officer_ids.add(officer.officer_id)


def _corrected(state: State, e: Event, ch: Changed) -> None:
    """Only what the correction names changes; a location brings its check and beat."""
    call = _need_call(state, e)
    d = e.data()
    given = d.fields_given
    if d.type_code:
        call.type_code = d.type_code
    if d.location:
        call.location = d.location
        call.location_verified = bool(d.location_verified)
        call.beat_id = d.beat_id
    if "narrative" in given:
        call.narrative = d.narrative or ""
    if "caller_name" in given:
        call.caller_name = d.caller_name or None
    if "caller_phone" in given:
        call.caller_phone = d.caller_phone or None
    ch.call_ids.add(call.call_id)


def _welfare(state: State, e: Event, ch: Changed) -> None:
    call, officer = _need_call(state, e), _need_officer(state, e)
    a = _need_assignment(call, officer)
    a.welfare_acked_at = e.occurred_at
    ch.call_ids.add(call.call_id)
    ch.officer_ids.add(officer.officer_id)


def _caller_viewed(state: State, e: Event, ch: Changed) -> None:
    _need_call(state, e)  # a fact for the record; the board does not change


def _alert_acked(state: State, e: Event, ch: Changed) -> None:
    call = _need_call(state, e)
    call.alert_acked_at = e.occurred_at
    ch.call_ids.add(call.call_id)


def _enrolled(state: State, e: Event, ch: Changed) -> None:
    if not e.officer_id:
        raise Refused("A roster entry needs a call sign.")
    d = e.data()
    officer = state.officers.get(e.officer_id)
    if officer is None:
        state.officers[e.officer_id] = Officer(e.officer_id, d.name, d.skills, d.home_beat)
    else:
        officer.name, officer.skills, officer.home_beat = d.name, d.skills, d.home_beat
    ch.officer_ids.add(e.officer_id)


def _operator_in(state: State, e: Event, ch: Changed) -> None:
    op = state.operators.get(e.operator_id)
    if op is None:  # signed in before operators were enrolled: the role it gave
        op = state.operators[e.operator_id] = Operator(e.operator_id, e.data().role)
    op.signed_in, op.signed_in_at = True, e.occurred_at


def _operator_enrolled(state: State, e: Event, ch: Changed) -> None:
    d = e.data()
    op = state.operators.get(e.operator_id)
    if op is None:
        op = state.operators[e.operator_id] = Operator(e.operator_id, d.role)
    op.name, op.role, op.enrolled, op.disabled = d.name, d.role, True, False
    if d.pin_hash:
        op.pin_hash = d.pin_hash


def _operator_pin_set(state: State, e: Event, ch: Changed) -> None:
    op = state.operators.get(e.operator_id)
    if op is not None:
        op.pin_hash = e.data().pin_hash


def _operator_disabled(state: State, e: Event, ch: Changed) -> None:
    op = state.operators.get(e.operator_id)
    if op is not None:
        op.disabled, op.signed_in = True, False


def _operator_out(state: State, e: Event, ch: Changed) -> None:
    op = state.operators.get(e.operator_id)
    if op is not None:
        op.signed_in = False


def _conflict_settled(state: State, e: Event, ch: Changed) -> None:
    """The conflict leaves the open list. The desk loads the conflicts a settlement names
    into its partial state; a settlement folded before its conflict (or after it was
    settled already) is refused, and so becomes a conflict of its own, for the lead."""
    event_id = e.data().event_id
    found = next((c for c in state.conflicts if c.event_id == event_id), None)
    if found is None:
        raise Refused(f"There is no open conflict over event {event_id[:8]}.")
    state.conflicts.remove(found)
    state.settled[event_id] = found


_HANDLERS: dict[EventType, Any] = {
    EventType.CALL_RECEIVED: _received,
    EventType.UNIT_DISPATCHED: _dispatched,
    EventType.UNIT_EN_ROUTE: lambda s, e, c: _stage(s, e, c, True),
    EventType.UNIT_ON_SCENE: lambda s, e, c: _stage(s, e, c, False),
    EventType.UNIT_CLEARED: _cleared,
    EventType.CALL_CLOSED: _closed,
    EventType.NOTE_ADDED: _note,
    EventType.PRIORITY_CHANGED: _priority,
    EventType.DUPLICATE_LINKED: _duplicate,
    EventType.CALL_TRANSFERRED: _transferred,
    EventType.CALL_CANCELLED: _cancelled,
    EventType.CALL_REOPENED: _reopened,
    EventType.CALL_SCHEDULED: _scheduled,
    EventType.OFFICER_SIGNED_ON: _signed_on,
    EventType.OFFICER_SIGNED_OFF: _signed_off,
    EventType.OFFICER_STATUS_CHANGED: _status_changed,
    EventType.OFFICER_REASSIGNED: _reassigned,
    EventType.WELFARE_ACKNOWLEDGED: _welfare,
    EventType.OPERATOR_SIGNED_IN: _operator_in,
    EventType.OPERATOR_SIGNED_OUT: _operator_out,
    EventType.OPERATOR_ENROLLED: _operator_enrolled,
    EventType.OPERATOR_PIN_SET: _operator_pin_set,
    EventType.OPERATOR_DISABLED: _operator_disabled,
    EventType.OPERATOR_PIN_REFUSED: lambda s, e, c: None,  # a fact for the record only
    EventType.CALLER_VIEWED: _caller_viewed,
    EventType.CALLERS_EXPORTED: lambda s, e, c: None,  # a fact for the record only
    EventType.ALERT_ACKNOWLEDGED: _alert_acked,
    EventType.OFFICER_ENROLLED: _enrolled,
    EventType.CALL_CORRECTED: _corrected,
    EventType.UNIT_STACKED: _stacked,
    EventType.CONFLICT_SETTLED: _conflict_settled,
    EventType.OFFICER_SHIFT_CHANGED: _shift_changed,
    EventType.TIMER_ACKNOWLEDGED: _timer_acked,
}


def apply(state: State, event: Event, *, strict: bool = True) -> Changed:
    """Fold one event into ``state``. See the module docstring for ``strict``.

    Handlers check every rule before they change anything, so a refused event leaves
    the state as it was.
    """
    changed = Changed()
    try:
        try:
            _HANDLERS[event.type](state, event, changed)
        except Invalid as exc:  # details written elsewhere that do not parse
            raise Refused(
                f"The event's details cannot be read ({exc.error_count()} errors)."
            ) from None
    except Refused as refusal:
        if strict:
            raise
        state.conflicts.append(
            Conflict(event.event_id, event.call_id, event.officer_id, refusal.reason)
        )
        return Changed(
            {event.call_id} if event.call_id else set(),
            {event.officer_id} if event.officer_id else set(),
        )
    return changed


def fold(state: State, events: Iterable[Event]) -> State:
    """Fold events in the journal's total order (hlc, desk, seq), whatever order they came in.

    Rule-breaking events become conflicts, never exceptions.
    """
    for event in sorted(events, key=lambda e: e.order_key):
        apply(state, event, strict=False)
    return state
