"""Events: the facts the journal records. Everything on screen is folded from these."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from cso_console.domain.model import OfficerStatus, OperatorRole, Role
from cso_console.domain.record import Record, field


class EventType(StrEnum):
    CALL_RECEIVED = "call.received"
    UNIT_DISPATCHED = "unit.dispatched"
    UNIT_EN_ROUTE = "unit.en_route"
    UNIT_ON_SCENE = "unit.on_scene"
    UNIT_CLEARED = "unit.cleared"
    CALL_CLOSED = "call.closed"
    NOTE_ADDED = "call.note_added"
    PRIORITY_CHANGED = "call.priority_changed"
    DUPLICATE_LINKED = "call.duplicate_linked"
    CALL_TRANSFERRED = "call.transferred"
    CALL_CANCELLED = "call.cancelled"
    CALL_REOPENED = "call.reopened"
    CALL_SCHEDULED = "call.scheduled"
    OFFICER_SIGNED_ON = "officer.signed_on"
    OFFICER_SIGNED_OFF = "officer.signed_off"
    OFFICER_STATUS_CHANGED = "officer.status_changed"
    OFFICER_REASSIGNED = "officer.reassigned"
    WELFARE_ACKNOWLEDGED = "officer.welfare_acknowledged"
    OPERATOR_SIGNED_IN = "operator.signed_in"
    OPERATOR_SIGNED_OUT = "operator.signed_out"
    CALLER_VIEWED = "call.caller_viewed"
    ALERT_ACKNOWLEDGED = "call.alert_acknowledged"
    OFFICER_ENROLLED = "officer.enrolled"
    # Operator events name the operator they are about as the event's operator_id (the
    # one who did it, where that is someone else, is the payload's ``by``).
    OPERATOR_ENROLLED = "operator.enrolled"
    OPERATOR_PIN_SET = "operator.pin_set"
    OPERATOR_DISABLED = "operator.disabled"
    OPERATOR_PIN_REFUSED = "operator.pin_refused"
    CALL_CORRECTED = "call.corrected"
    UNIT_STACKED = "unit.stacked"
    # An export with caller details was asked for (by a signed-in lead, before any output).
    CALLERS_EXPORTED = "callers.exported"
    # A lead looked at a conflict (an event the fold refused) and settled it, with a reason.
    CONFLICT_SETTLED = "conflict.settled"
    # A lead moved an on-duty officer to another beat or changed their shift skills.
    OFFICER_SHIFT_CHANGED = "officer.shift_changed"
    # An officer-timer alert (dispatched not en route, break or out of service too long)
    # was seen: ``level`` 1 past the limit, 2 past twice it.
    TIMER_ACKNOWLEDGED = "officer.timer_acknowledged"


class _Payload(Record):
    pass


class CallReceived(_Payload):
    type_code: str
    priority: int = field(ge=1, le=4)
    location: str
    location_verified: bool
    beat_id: str | None = None
    caller_name: str | None = None
    caller_phone: str | None = None
    narrative: str = ""
    received_at: datetime
    source_id: str | None = None


class UnitDispatched(_Payload):
    role: Role
    reasons: tuple[str, ...] = ()  # why this officer was chosen (the recommendation's words)


class NoPayload(_Payload):
    pass


class AlertAcknowledged(_Payload):
    """A late call's alert was seen: ``level`` 1 past its target, 2 past twice it."""

    level: int = field(default=1, ge=1, le=2)  # events written before levels were level 1


class UnitCleared(_Payload):
    disposition: str | None = None
    note: str = ""


class CallClosed(_Payload):
    disposition: str
    note: str = ""


class NoteAdded(_Payload):
    text: str = field(min_length=1)


class PriorityChanged(_Payload):
    priority: int = field(ge=1, le=4)
    reason: str = ""


class DuplicateLinked(_Payload):
    of_call_id: str


class CallTransferred(_Payload):
    to: str
    reason: str = ""


class WithReason(_Payload):
    reason: str = ""


class CallScheduled(_Payload):
    until: datetime


class CallCorrected(_Payload):
    """What a correction changed, and only that (what it was before is in the journal).
    A corrected location always brings its check and beat (``beat_id`` None: unknown);
    ``caller_name``/``caller_phone`` None here clears them."""

    type_code: str | None = None
    location: str | None = None
    location_verified: bool | None = None
    beat_id: str | None = None
    narrative: str | None = None
    caller_name: str | None = None
    caller_phone: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Only the fields the correction names."""
        given = self.fields_given
        return {k: v for k, v in super().to_json().items() if k in given}


class OfficerSignedOn(_Payload):
    beat_id: str | None = None
    # Skills for this shift beyond the roster's (sign-ons written before had none).
    skills: tuple[str, ...] = ()


class OfficerStatusChanged(_Payload):
    status: OfficerStatus
    reason: str = ""


class OfficerReassigned(_Payload):
    from_call_id: str
    reason: str = ""


class CallersExported(_Payload):
    """What was exported with its callers: ``calls`` or ``events``, and from when (the
    ``--since`` as given; none: everything)."""

    kind: str = field(pattern="^(calls|events)$")
    since: str | None = field(default=None, max_length=100)


class OfficerShiftChanged(_Payload):
    """The beat and the shift skills (beyond the roster's) the officer has from now."""

    beat_id: str
    skills: tuple[str, ...] = ()


class TimerAcknowledged(_Payload):
    level: int = field(default=1, ge=1, le=2)


class ConflictSettled(_Payload):
    """A lead settled the conflict over the refused event ``event_id``. The one choice is
    ``keep``: the journal stays as folded and the refused event is set aside (a lead who
    wants otherwise acts with the usual verbs first: reassign, reopen ...)."""

    event_id: str = field(min_length=1, max_length=100)
    choice: str = field(default="keep", pattern="^keep$")
    reason: str = field(min_length=1, max_length=500)
    by: str


class OperatorSignedIn(_Payload):
    role: OperatorRole


class OfficerEnrolled(_Payload):
    """An officer on the roster, or a change to their name, skills or home beat."""

    name: str = field(min_length=1)
    skills: tuple[str, ...] = ()
    home_beat: str | None = None


class OperatorEnrolled(_Payload):
    """An operator of this centre, or a change to their name or role."""

    name: str = field(min_length=1)
    role: OperatorRole
    pin_hash: str | None = None  # a salted slow hash (cso_console.pins); never exported
    by: str


class OperatorPinSet(_Payload):
    pin_hash: str
    by: str  # the operator themself, a lead, or "file owner" (a reset from the CLI)


class OperatorDisabled(_Payload):
    by: str


PAYLOADS: dict[EventType, type[_Payload]] = {
    EventType.CALL_RECEIVED: CallReceived,
    EventType.UNIT_DISPATCHED: UnitDispatched,
    EventType.UNIT_EN_ROUTE: NoPayload,
    EventType.UNIT_ON_SCENE: NoPayload,
    EventType.UNIT_CLEARED: UnitCleared,
    EventType.CALL_CLOSED: CallClosed,
    EventType.NOTE_ADDED: NoteAdded,
    EventType.PRIORITY_CHANGED: PriorityChanged,
    EventType.DUPLICATE_LINKED: DuplicateLinked,
    EventType.CALL_TRANSFERRED: CallTransferred,
    EventType.CALL_CANCELLED: WithReason,
    EventType.CALL_REOPENED: WithReason,
    EventType.CALL_SCHEDULED: CallScheduled,
    EventType.OFFICER_SIGNED_ON: OfficerSignedOn,
    EventType.OFFICER_SIGNED_OFF: NoPayload,
    EventType.OFFICER_STATUS_CHANGED: OfficerStatusChanged,
    EventType.OFFICER_REASSIGNED: OfficerReassigned,
    EventType.WELFARE_ACKNOWLEDGED: NoPayload,
    EventType.OPERATOR_SIGNED_IN: OperatorSignedIn,
    EventType.OPERATOR_SIGNED_OUT: NoPayload,
    EventType.CALLER_VIEWED: NoPayload,
    EventType.ALERT_ACKNOWLEDGED: AlertAcknowledged,
    EventType.OFFICER_ENROLLED: OfficerEnrolled,
    EventType.OPERATOR_ENROLLED: OperatorEnrolled,
    EventType.OPERATOR_PIN_SET: OperatorPinSet,
    EventType.OPERATOR_DISABLED: OperatorDisabled,
    EventType.OPERATOR_PIN_REFUSED: NoPayload,
    EventType.CALL_CORRECTED: CallCorrected,
    EventType.UNIT_STACKED: NoPayload,
    EventType.CALLERS_EXPORTED: CallersExported,
    EventType.CONFLICT_SETTLED: ConflictSettled,
    EventType.OFFICER_SHIFT_CHANGED: OfficerShiftChanged,
    EventType.TIMER_ACKNOWLEDGED: TimerAcknowledged,
}

# Fields that identify a caller: kept out of default exports and off the board.
CALLER_FIELDS = ("caller_name", "caller_phone")
# Fields no export, report or screen ever shows, whoever asks.
SECRET_FIELDS = ("pin_hash",)


class Draft(Record):
    """An event decided by the domain, not yet stamped by the store."""

    type: EventType
    call_id: str | None = None
    officer_id: str | None = None
    operator_id: str | None = None  # the operator an operator event is about
    payload: _Payload

    def payload_dict(self) -> dict[str, Any]:
        return self.payload.to_json()


# Events that name a second call in their payload (and the key that holds it).
_OTHER_CALL = {
    EventType.OFFICER_REASSIGNED: "from_call_id",
    EventType.DUPLICATE_LINKED: "of_call_id",
}


class Event(Record):
    """One journal entry: a fact, stamped with who, where and when."""

    event_id: str
    desk_id: str
    desk_seq: int
    hlc: int
    occurred_at: datetime
    operator_id: str
    type: EventType
    call_id: str | None = None
    officer_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def order_key(self) -> tuple[int, str, int]:
        """The total order of the fold, the same on every desk."""
        return (self.hlc, self.desk_id, self.desk_seq)

    def data(self) -> Any:
        """The typed payload (its model in ``PAYLOADS``), parsed once, when first asked."""
        data = self.__dict__.get("_data")
        if data is None:
            data = self.__dict__["_data"] = PAYLOADS[self.type].from_dict(self.payload)
        return data

    def call_ids(self) -> list[str]:
        """Every call this event touches or whose state it depends on: a reassignment also
        touches the call left, a duplicate link the call it points to."""
        out = [self.call_id] if self.call_id else []
        key = _OTHER_CALL.get(self.type)
        if key is not None:
            other = self.payload.get(key)
            if isinstance(other, str) and other:
                out.append(other)
        return out


def new_event_id() -> str:
    return str(uuid.uuid4())


def stamp(
    draft: Draft,
    *,
    desk_id: str,
    desk_seq: int,
    hlc: int,
    occurred_at: datetime,
    operator_id: str,
    event_id: str | None = None,
) -> Event:
    # The draft and its payload were validated when they were made; the stamp's fields
    # come from the desk. Constructing without re-validation keeps the write path cheap.
    event = Event.unchecked(
        event_id=event_id or new_event_id(),
        desk_id=desk_id,
        desk_seq=desk_seq,
        hlc=hlc,
        occurred_at=occurred_at,
        operator_id=draft.operator_id or operator_id,
        type=draft.type,
        call_id=draft.call_id,
        officer_id=draft.officer_id,
        payload=draft.payload_dict(),
    )
    event.__dict__["_data"] = draft.payload  # already typed: the fold need not parse it again
    return event
