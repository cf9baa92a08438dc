"""Commands: what a user (or a script) asks the desk to do, and how each becomes events.

:func:`decide` turns a command into event drafts against the current state. It checks the
inputs (known call type, disposition, role); the rules about state are checked when the
desk folds the drafts strictly (:func:`cso_console.domain.fold.apply`), so each rule lives
in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal

from cso_console.domain.alerts import acked_level, late_level, sla_share, timer_alert
from cso_console.domain.callnumber import short_number
from cso_console.domain.events import (
    AlertAcknowledged,
    CallClosed,
    CallCorrected,
    CallersExported,
    CallReceived,
    CallScheduled,
    CallTransferred,
    ConflictSettled,
    Draft,
    DuplicateLinked,
    EventType,
    NoPayload,
    NoteAdded,
    OfficerReassigned,
    OfficerShiftChanged,
    OfficerSignedOn,
    OfficerStatusChanged,
    OperatorDisabled,
    OperatorEnrolled,
    OperatorPinSet,
    OperatorSignedIn,
    PriorityChanged,
    TimerAcknowledged,
    UnitCleared,
    UnitDispatched,
    WithReason,
)
from cso_console.domain.fold import Refused, State, stacked_call_ready
from cso_console.domain.model import OfficerStatus, Operator, OperatorRole, Role
from cso_console.domain.record import Record, after, field
from cso_console.domain.town import Town

EMERGENCY_DISPATCH = "emergency dispatch"


class Command(Record):
    strip_text: ClassVar[bool] = True
    lead_only: ClassVar[bool] = False

    def call_refs(self) -> list[str]:
        """Call references (as typed) the desk must resolve to call numbers."""
        values = self.__dict__
        return [v for k in ("call", "of_call", "to_call") if (v := values.get(k))]

    def officer_refs(self) -> list[str]:
        values = self.__dict__
        refs = [values.get("officer")] + list(values.get("officers", ()))
        return [r for r in refs if r]


def _upper(v: str) -> str:
    return v.strip().upper()


CallSign = Annotated[str, after(_upper), field(min_length=1)]


class ReceiveCall(Command):
    """A new call. Location + type are enough."""

    type_code: str = field(min_length=1)
    location: str = field(min_length=1)
    priority: int | None = field(default=None, ge=1, le=4)
    caller_name: str | None = None
    caller_phone: str | None = None
    narrative: str = ""
    received_at: datetime | None = None
    source_id: str | None = None
    # Ids an earlier version derived for the same line: looked up, never stored (intake).
    earlier_source_ids: tuple[str, ...] = ()
    duplicate_of: str | None = None  # link at once instead of queueing
    transfer_to: str | None = None  # emergency types: hand over, record it

    def call_refs(self) -> list[str]:
        return [self.duplicate_of] if self.duplicate_of else []


class Dispatch(Command):
    """Send units to a call; the first is primary unless the call already has one."""

    call: str
    officers: tuple[CallSign, ...] = field(min_length=1)
    reasons: tuple[str, ...] = ()  # why the first officer was chosen, as the picker said


class _OfficerOnCall(Command):
    officer: CallSign
    call: str | None = None  # defaults to the officer's current call


class MarkEnRoute(_OfficerOnCall):
    pass


class MarkOnScene(_OfficerOnCall):
    pass


class AcknowledgeWelfare(_OfficerOnCall):
    pass


class ClearUnit(_OfficerOnCall):
    """Clear one unit; the last unit clearing closes the call with the disposition."""

    disposition: str | None = None
    note: str = ""


class CloseCall(Command):
    call: str
    disposition: str
    note: str = ""


class AddNote(Command):
    call: str
    text: str = field(min_length=1)


class ChangePriority(Command):
    call: str
    priority: int = field(ge=1, le=4)
    reason: str = ""


class LinkDuplicate(Command):
    call: str
    of_call: str


class Transfer(Command):
    call: str
    to: str = field(min_length=1)
    reason: str = ""


class Cancel(Command):
    lead_only: ClassVar[bool] = True
    call: str
    reason: str = ""


class Reopen(Command):
    lead_only: ClassVar[bool] = True
    call: str
    reason: str = ""


class Schedule(Command):
    call: str
    until: datetime


class SignOn(Command):
    """Sign an officer on for the shift: a beat (their home beat if none), and skills for
    this shift beyond the roster's (``ON C12 B3 +animal``)."""

    lead_only: ClassVar[bool] = True
    officer: CallSign
    beat: str | None = None
    skills: tuple[str, ...] = ()


class ChangeShift(Command):
    """Move an on-duty officer to another beat and/or set their skills for the rest of the
    shift (beyond the roster's; replaces those given at sign-on), without signing them
    off and on. ``beat`` None keeps theirs; ``skills`` None keeps theirs."""

    lead_only: ClassVar[bool] = True
    officer: CallSign
    beat: str | None = None
    skills: tuple[str, ...] | None = None


class SignOff(Command):
    lead_only: ClassVar[bool] = True
    officer: CallSign


class SetOfficerStatus(Command):
    officer: CallSign
    status: OfficerStatus
    reason: str = ""


class Reassign(Command):
    lead_only: ClassVar[bool] = True
    officer: CallSign
    to_call: str
    reason: str = ""


class CorrectCall(Command):
    """Correct what intake recorded. Fields left None stay as they are; ``""`` clears a
    caller field or the narrative. Only what differs from the call is recorded."""

    call: str
    type_code: str | None = None
    location: str | None = None
    narrative: str | None = None
    caller_name: str | None = None
    caller_phone: str | None = None


class StackCall(Command):
    """Queue a waiting call next for an officer who is on another call: they are
    dispatched to it as they clear (one stacked call per officer)."""

    call: str
    officer: CallSign


class ViewCaller(Command):
    """Caller details were shown: the record keeps who looked, and when."""

    call: str


class AcknowledgeAlert(Command):
    """The late-pending alert of a call was seen and acknowledged: the one standing now,
    past the target or past twice it (recorded as the event's level)."""

    call: str


class AcknowledgeTimer(Command):
    """The officer-timer alert standing on ``officer`` (dispatched but not en route, a
    break or out of service too long) was seen: recorded at its level, so every desk
    hears it; it alerts again at twice the limit, and afresh in the next status."""

    officer: CallSign


def _operator_name(v: str) -> str:
    v = v.strip()
    if not v or len(v) > 40 or not v.isprintable():
        raise ValueError("An operator id is 1 to 40 printable characters.")
    return v


OperatorId = Annotated[str, after(_operator_name)]


class SignIn(Command):
    """A sign-in whose PIN the desk has checked. The role is the operators projection's;
    ``role`` counts only for an operator never enrolled (journals from before)."""

    operator_id: OperatorId
    role: OperatorRole = OperatorRole.DESK


class SignOut(Command):
    operator_id: OperatorId


class EnrollOperator(Command):
    """Add an operator (or change their name and role). Lead only, except the very first
    operator of a journal, who must be a lead."""

    operator: OperatorId
    name: str = field(min_length=1, max_length=80)
    role: OperatorRole = OperatorRole.DESK
    pin_hash: str | None = None


class SetPin(Command):
    """A new PIN hash: the operator's own (the desk checked the old PIN), a lead's doing,
    or the database file owner's reset from the CLI."""

    operator: OperatorId
    pin_hash: str = field(min_length=1)
    by_owner: bool = False


class DisableOperator(Command):
    lead_only: ClassVar[bool] = True
    operator: OperatorId


class ExportCallers(Command):
    """An export with caller name and phone is about to be written (a lead only)."""

    lead_only: ClassVar[bool] = True
    kind: Literal["calls", "events"]
    since: str | None = field(default=None, max_length=100)


class RefusePin(Command):
    """A wrong PIN was given for ``operator`` at this desk."""

    operator: OperatorId


class SettleConflict(Command):
    """A lead settles the conflict over a refused event (its id, or the start of it as
    the conflicts list shows it), with a reason. ``keep``: the journal stays as folded."""

    lead_only: ClassVar[bool] = True
    event_id: str = field(min_length=4, max_length=100)
    choice: Literal["keep"] = "keep"
    reason: str = field(min_length=1, max_length=500)


@dataclass
class Context:
    """What :func:`decide` needs besides the state: the town, the time, who is asking."""

    town: Town
    now: datetime
    operator_role: OperatorRole
    new_call_id: Callable[[], str]
    # call refs as typed -> call numbers, resolved by the desk
    calls: dict[str, str]
    operator_id: str = ""


def _cid(ctx: Context, ref: str) -> str:
    return ctx.calls[ref]


def _disposition(ctx: Context, code: str | None, required: bool, what: str) -> str | None:
    if not code:
        if required:
            raise Refused(f"A disposition is needed to close {what}.")
        return None
    c = code.strip().upper()
    if c not in ctx.town.disposition_by_code:
        raise Refused(f"'{code}' is not a disposition (try ADV, RPT, GOA ...).")
    return c


def _officer_call(state: State, ctx: Context, cmd: _OfficerOnCall) -> str:
    if cmd.officer not in state.officers:
        raise Refused(f"There is no officer {cmd.officer} on the roster.")
    if cmd.call:
        return _cid(ctx, cmd.call)
    current = state.officers[cmd.officer].current_call_id
    if current is None:
        raise Refused(f"{cmd.officer} is not on a call.")
    return current


def _clear_all(state: State, call_id: str, disposition: str | None) -> list[Draft]:
    call = state.calls.get(call_id)
    if call is None:
        raise Refused(f"There is no call {short_number(call_id)}.")
    return [
        Draft(
            type=EventType.UNIT_CLEARED,
            call_id=call_id,
            officer_id=a.officer_id,
            payload=UnitCleared(disposition=disposition),
        )
        for a in call.active_assignments
    ]


# The most a new call's text may hold, whoever writes it (a feed, the console's form): a
# call is read on an 80-column screen, so a 10 MB narrative is a mistake, not a call.
CALL_TEXT_LIMITS = {
    "type_code": ("type", 40),
    "location": ("location", 200),
    "caller_name": ("caller name", 100),
    "caller_phone": ("caller phone", 40),
    "narrative": ("narrative", 4000),
    "source_id": ("source id", 200),
}
# A call received before this is a mistake in the feed (and a time no clock can show).
EARLIEST_RECEIVED = datetime(2000, 1, 1, tzinfo=UTC)


def check_call_text(cmd: ReceiveCall, now: datetime) -> None:
    """Refuse a new call whose text is too long or holds a NUL, or whose time is not one a
    desk can show: every writer of calls obeys the same limits."""
    values = cmd.__dict__
    for name, (label, limit) in CALL_TEXT_LIMITS.items():
        value = values.get(name)
        if not value:
            continue
        if len(value) > limit:
            raise Refused(f"The {label} is longer than {limit:,} characters.")
        if "\x00" in value:
            raise Refused(f"The {label} holds a NUL character.")
    when = cmd.received_at
    if when is not None:
        if when.tzinfo is None:
            raise Refused("The time received has no time zone.")
        if when < EARLIEST_RECEIVED:
            raise Refused("The time received is before 2000.")
        if when > now:
            raise Refused("The time received is in the future.")


def _receive(state: State, ctx: Context, cmd: ReceiveCall) -> list[Draft]:
    check_call_text(cmd, ctx.now)
    ct = ctx.town.find_call_type(cmd.type_code)
    if ct is None:
        raise Refused(f"'{cmd.type_code}' is not a call type.")
    try:
        loc = ctx.town.resolve_location(cmd.location)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if ct.emergency and not cmd.transfer_to:
        raise Refused(
            f"{ct.code} ({ct.label}) is an emergency: transfer it to {EMERGENCY_DISPATCH}; "
            "it cannot be dispatched to a CSO."
        )
    call_id = ctx.new_call_id()
    drafts = [
        Draft(
            type=EventType.CALL_RECEIVED,
            call_id=call_id,
            payload=CallReceived(
                type_code=ct.code,
                priority=cmd.priority or ct.priority,
                location=loc.text,
                location_verified=loc.verified,
                beat_id=loc.beat_id,
                caller_name=cmd.caller_name or None,
                caller_phone=cmd.caller_phone or None,
                narrative=cmd.narrative,
                received_at=cmd.received_at or ctx.now,
                source_id=cmd.source_id,
            ),
        )
    ]
    if cmd.duplicate_of:
        drafts.append(
            Draft(
                type=EventType.DUPLICATE_LINKED,
                call_id=call_id,
                payload=DuplicateLinked(of_call_id=_cid(ctx, cmd.duplicate_of)),
            )
        )
    elif cmd.transfer_to:
        drafts.append(
            Draft(
                type=EventType.CALL_TRANSFERRED,
                call_id=call_id,
                payload=CallTransferred(to=cmd.transfer_to, reason=f"{ct.label}: emergency type"),
            )
        )
    return drafts


def _correct(state: State, ctx: Context, cmd: CorrectCall) -> list[Draft]:
    call_id = _cid(ctx, cmd.call)
    call = state.calls.get(call_id)
    if call is None:
        raise Refused(f"There is no call {short_number(call_id)}.")
    values = cmd.__dict__
    for name, (label, limit) in CALL_TEXT_LIMITS.items():
        value = values.get(name)
        if value and len(value) > limit:
            raise Refused(f"The {label} is longer than {limit:,} characters.")
        if value and "\x00" in value:
            raise Refused(f"The {label} holds a NUL character.")
    changed: dict[str, object] = {}
    if cmd.type_code:
        ct = ctx.town.find_call_type(cmd.type_code)
        if ct is None:
            raise Refused(f"'{cmd.type_code}' is not a call type.")
        if ct.emergency:
            raise Refused(
                f"{ct.code} ({ct.label}) is an emergency: transfer the call to "
                f"{EMERGENCY_DISPATCH} (T) instead."
            )
        if ct.code != call.type_code:
            changed["type_code"] = ct.code
    if cmd.location:
        try:
            loc = ctx.town.resolve_location(cmd.location)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        if (loc.text, loc.verified, loc.beat_id) != (
            call.location,
            call.location_verified,
            call.beat_id,
        ):
            changed |= {
                "location": loc.text,
                "location_verified": loc.verified,
                "beat_id": loc.beat_id,
            }
    if cmd.narrative is not None and cmd.narrative != call.narrative:
        changed["narrative"] = cmd.narrative
    for name in ("caller_name", "caller_phone"):
        value = values[name]
        if value is not None and (value or None) != getattr(call, name):
            changed[name] = value or None
    if not changed:
        raise Refused(f"Call {short_number(call_id)} already says that: nothing to correct.")
    return [
        Draft(
            type=EventType.CALL_CORRECTED,
            call_id=call_id,
            payload=CallCorrected.from_dict(changed),
        )
    ]


def _then_stacked(state: State, drafts: list[Draft]) -> list[Draft]:
    """An officer who clears with a call stacked on them is dispatched to it at once (if
    it still waits for a unit): the journal says so, as a dispatch of its own."""
    out = list(drafts)
    for d in drafts:
        if d.type is not EventType.UNIT_CLEARED or d.officer_id is None:
            continue
        officer = state.officers.get(d.officer_id)
        if officer is None or officer.current_call_id != d.call_id:
            continue
        nxt = stacked_call_ready(state, officer)
        if nxt is not None and nxt != d.call_id:
            out.append(
                Draft(
                    type=EventType.UNIT_DISPATCHED,
                    call_id=nxt,
                    officer_id=officer.officer_id,
                    payload=UnitDispatched(role=Role.PRIMARY, reasons=("stacked next",)),
                )
            )
    return out


def _dispatch(state: State, ctx: Context, cmd: Dispatch) -> list[Draft]:
    call_id = _cid(ctx, cmd.call)
    call = state.calls.get(call_id)
    if call is not None:
        ct = ctx.town.call_type_by_code.get(call.type_code)
        if ct is not None and ct.emergency:
            raise Refused(
                f"Call {short_number(call_id)} is an emergency type; transfer it to "
                f"{EMERGENCY_DISPATCH}."
            )
    if len(set(cmd.officers)) != len(cmd.officers):
        raise Refused("The same officer is named twice.")
    # The journal says what happened: a unit sent to a call that has a primary assists.
    has_primary = call is not None and any(a.role is Role.PRIMARY for a in call.active_assignments)
    return [
        Draft(
            type=EventType.UNIT_DISPATCHED,
            call_id=call_id,
            officer_id=o,
            payload=UnitDispatched(
                role=Role.PRIMARY if i == 0 and not has_primary else Role.ASSIST,
                reasons=cmd.reasons if i == 0 else (),
            ),
        )
        for i, o in enumerate(cmd.officers)
    ]


def _clear(state: State, ctx: Context, cmd: ClearUnit) -> list[Draft]:
    call_id = _officer_call(state, ctx, cmd)
    call = state.calls.get(call_id)
    if call is None:
        raise Refused(f"There is no call {short_number(call_id)}.")
    others = [a for a in call.active_assignments if a.officer_id != cmd.officer]
    last = not others and call.assignment_of(cmd.officer) is not None
    dispo = _disposition(ctx, cmd.disposition, last, f"call {short_number(call_id)}")
    drafts = [
        Draft(
            type=EventType.UNIT_CLEARED,
            call_id=call_id,
            officer_id=cmd.officer,
            payload=UnitCleared(disposition=dispo, note=cmd.note),
        )
    ]
    if last and dispo:
        drafts.append(
            Draft(
                type=EventType.CALL_CLOSED, call_id=call_id, payload=CallClosed(disposition=dispo)
            )
        )
    return drafts


def _close(state: State, ctx: Context, cmd: CloseCall) -> list[Draft]:
    call_id = _cid(ctx, cmd.call)
    dispo = _disposition(ctx, cmd.disposition, True, f"call {short_number(call_id)}")
    assert dispo is not None
    return _clear_all(state, call_id, dispo) + [
        Draft(
            type=EventType.CALL_CLOSED,
            call_id=call_id,
            payload=CallClosed(disposition=dispo, note=cmd.note),
        )
    ]


def _ending(state: State, ctx: Context, call_ref: str, draft: Draft) -> list[Draft]:
    call_id = _cid(ctx, call_ref)
    return _clear_all(state, call_id, None) + [draft]


def enrolled_operators(state: State) -> list[str]:
    return [k for k, o in state.operators.items() if o.enrolled]


def _operator_admin(
    state: State, ctx: Context, cmd: EnrollOperator | SetPin | DisableOperator | RefusePin
) -> list[Draft]:
    lead = ctx.operator_role is OperatorRole.LEAD
    by = ctx.operator_id
    match cmd:
        case EnrollOperator():
            if not enrolled_operators(state):
                if cmd.role is not OperatorRole.LEAD:
                    raise Refused("The first operator must be a shift lead.")
            elif not lead:
                raise Refused("Only a shift lead can add or change operators.")
            payload = OperatorEnrolled(
                name=cmd.name.strip(), role=cmd.role, pin_hash=cmd.pin_hash, by=by
            )
            return [
                Draft(type=EventType.OPERATOR_ENROLLED, operator_id=cmd.operator, payload=payload)
            ]
        case SetPin():
            _enrolled(state, cmd.operator)
            if cmd.by_owner:
                by = "file owner"
            elif cmd.operator != ctx.operator_id and not lead:
                raise Refused("Only a shift lead can set another operator's PIN.")
            return [
                Draft(
                    type=EventType.OPERATOR_PIN_SET,
                    operator_id=cmd.operator,
                    payload=OperatorPinSet(pin_hash=cmd.pin_hash, by=by),
                )
            ]
        case DisableOperator():
            op = _enrolled(state, cmd.operator)
            if op.disabled:
                raise Refused(f"Operator {cmd.operator} is already disabled.")
            leads = [
                o for o in state.operators.values()
                if o.enrolled and not o.disabled and o.role is OperatorRole.LEAD
            ]  # fmt: skip
            if op.role is OperatorRole.LEAD and len(leads) <= 1:
                raise Refused(f"{cmd.operator} is the last shift lead; add another lead first.")
            return [
                Draft(
                    type=EventType.OPERATOR_DISABLED,
                    operator_id=cmd.operator,
                    payload=OperatorDisabled(by=by),
                )
            ]
        case RefusePin():
            return [
                Draft(
                    type=EventType.OPERATOR_PIN_REFUSED,
                    operator_id=cmd.operator,
                    payload=NoPayload(),
                )
            ]


def _enrolled(state: State, operator_id: str) -> Operator:
    op = state.operators.get(operator_id)
    if op is None or not op.enrolled:
        raise Refused(f"There is no operator {operator_id}.")
    return op


def _shift_skills(ctx: Context, held: tuple[str, ...], typed: tuple[str, ...]) -> list[str]:
    """Skill codes typed (``+animal``), checked against the town's, without those held."""
    known = {s.code.lower() for s in ctx.town.skills}
    skills: list[str] = []
    for raw in typed:
        code = raw.strip().lstrip("+").lower()
        if not code:
            continue
        if code not in known:
            raise Refused(f"'{raw.strip()}' is not a skill (try {', '.join(sorted(known))}).")
        if code not in held and code not in skills:
            skills.append(code)
    return skills


def _beat(ctx: Context, beat: str | None) -> str | None:
    if beat and beat.upper() not in ctx.town.beat_by_id:
        raise Refused(f"'{beat}' is not a beat.")
    return beat.upper() if beat else None


def _sign_on(state: State, ctx: Context, cmd: SignOn) -> list[Draft]:
    beat = _beat(ctx, cmd.beat)
    officer = state.officers.get(cmd.officer)
    skills = _shift_skills(ctx, officer.skills if officer is not None else (), cmd.skills)
    return [
        Draft(
            type=EventType.OFFICER_SIGNED_ON,
            officer_id=cmd.officer,
            payload=OfficerSignedOn(beat_id=beat, skills=tuple(skills)),
        )
    ]


def _change_shift(state: State, ctx: Context, cmd: ChangeShift) -> list[Draft]:
    officer = state.officers.get(cmd.officer)
    if officer is None:
        raise Refused(f"There is no officer {cmd.officer} on the roster.")
    beat = _beat(ctx, cmd.beat) or officer.beat_id or officer.home_beat
    if beat is None:
        raise Refused(f"Give {cmd.officer} a beat.")
    skills = (
        officer.shift_skills
        if cmd.skills is None
        else tuple(_shift_skills(ctx, officer.skills, cmd.skills))
    )
    return [
        Draft(
            type=EventType.OFFICER_SHIFT_CHANGED,
            officer_id=cmd.officer,
            payload=OfficerShiftChanged(beat_id=beat, skills=skills),
        )
    ]


def _view_caller(state: State, call_id: str) -> list[Draft]:
    """A look at the caller's details is a fact for the record; with none to show there
    is nothing to look at and nothing to record."""
    call = state.calls.get(call_id)
    if call is None:
        raise Refused(f"There is no call {short_number(call_id)}.")
    if not (call.caller_name or call.caller_phone):
        raise Refused(f"Call {short_number(call_id)} has no caller details.")
    return [Draft(type=EventType.CALLER_VIEWED, call_id=call_id, payload=NoPayload())]


def _acknowledge_alert(state: State, ctx: Context, call_id: str) -> list[Draft]:
    call = state.calls.get(call_id)
    if call is None:
        raise Refused(f"There is no call {short_number(call_id)}.")
    level = late_level(sla_share(call, ctx.town, ctx.now))
    if level == 0:
        raise Refused(
            f"Call {short_number(call_id)} is not late: there is no alert to acknowledge."
        )
    if acked_level(call, ctx.town) >= level:
        raise Refused(f"The alert on call {short_number(call_id)} is already acknowledged.")
    return [
        Draft(
            type=EventType.ALERT_ACKNOWLEDGED,
            call_id=call_id,
            payload=AlertAcknowledged(level=level),
        )
    ]


def _settle(state: State, ctx: Context, cmd: SettleConflict) -> list[Draft]:
    """The desk has put the open conflicts whose event id starts with ``cmd.event_id``
    into ``state.conflicts``."""
    found = [c for c in state.conflicts if c.event_id.startswith(cmd.event_id)]
    if not found:
        raise Refused(f"There is no open conflict over event {cmd.event_id}.")
    if len(found) > 1:
        raise Refused(f"{len(found)} conflicts start with {cmd.event_id}: give more of the id.")
    if not cmd.reason.strip():
        raise Refused("Settling a conflict needs a reason.")
    conflict = found[0]
    return [
        Draft(
            type=EventType.CONFLICT_SETTLED,
            call_id=conflict.call_id,
            officer_id=conflict.officer_id,
            payload=ConflictSettled(
                event_id=conflict.event_id,
                choice=cmd.choice,
                reason=cmd.reason,
                by=ctx.operator_id,
            ),
        )
    ]


def _acknowledge_timer(state: State, ctx: Context, officer_id: str) -> list[Draft]:
    officer = state.officers.get(officer_id)
    if officer is None:
        raise Refused(f"There is no officer {officer_id} on the roster.")
    alert = timer_alert(officer, ctx.town, ctx.now)
    if alert is None:
        raise Refused(f"{officer_id} has no timer alert to acknowledge.")
    if officer.timer_acked >= alert.level:
        raise Refused(f"The timer alert on {officer_id} is already acknowledged.")
    return [
        Draft(
            type=EventType.TIMER_ACKNOWLEDGED,
            officer_id=officer_id,
            payload=TimerAcknowledged(level=alert.level),
        )
    ]


def decide(state: State, ctx: Context, cmd: Command) -> list[Draft]:
    """The events ``cmd`` amounts to, or :class:`Refused` with a reason."""
    return _then_stacked(state, _decide(state, ctx, cmd))


def _decide(state: State, ctx: Context, cmd: Command) -> list[Draft]:
    if cmd.lead_only and ctx.operator_role is not OperatorRole.LEAD:
        raise Refused("Only a shift lead can do that.")
    c = ctx.calls
    match cmd:
        case ReceiveCall():
            return _receive(state, ctx, cmd)
        case Dispatch():
            return _dispatch(state, ctx, cmd)
        case MarkEnRoute() | MarkOnScene() | AcknowledgeWelfare():
            kind = {
                MarkEnRoute: EventType.UNIT_EN_ROUTE,
                MarkOnScene: EventType.UNIT_ON_SCENE,
                AcknowledgeWelfare: EventType.WELFARE_ACKNOWLEDGED,
            }[type(cmd)]
            return [
                Draft(
                    type=kind,
                    call_id=_officer_call(state, ctx, cmd),
                    officer_id=cmd.officer,
                    payload=NoPayload(),
                )
            ]
        case ClearUnit():
            return _clear(state, ctx, cmd)
        case CloseCall():
            return _close(state, ctx, cmd)
        case AddNote():
            return [
                Draft(
                    type=EventType.NOTE_ADDED, call_id=c[cmd.call], payload=NoteAdded(text=cmd.text)
                )
            ]
        case ChangePriority():
            return [
                Draft(
                    type=EventType.PRIORITY_CHANGED,
                    call_id=c[cmd.call],
                    payload=PriorityChanged(priority=cmd.priority, reason=cmd.reason),
                )
            ]
        case LinkDuplicate():
            return _ending(
                state,
                ctx,
                cmd.call,
                Draft(
                    type=EventType.DUPLICATE_LINKED,
                    call_id=c[cmd.call],
                    payload=DuplicateLinked(of_call_id=c[cmd.of_call]),
                ),
            )
        case Transfer():
            return _ending(
                state,
                ctx,
                cmd.call,
                Draft(
                    type=EventType.CALL_TRANSFERRED,
                    call_id=c[cmd.call],
                    payload=CallTransferred(to=cmd.to, reason=cmd.reason),
                ),
            )
        case Cancel():
            return _ending(
                state,
                ctx,
                cmd.call,
                Draft(
                    type=EventType.CALL_CANCELLED,
                    call_id=c[cmd.call],
                    payload=WithReason(reason=cmd.reason),
                ),
            )
        case Reopen():
            return [
                Draft(
                    type=EventType.CALL_REOPENED,
                    call_id=c[cmd.call],
                    payload=WithReason(reason=cmd.reason),
                )
            ]
        case Schedule():
            if cmd.until <= ctx.now:
                raise Refused("A call can only be scheduled for a time still to come.")
            return [
                Draft(
                    type=EventType.CALL_SCHEDULED,
                    call_id=c[cmd.call],
                    payload=CallScheduled(until=cmd.until),
                )
            ]
        case SignOn():
            return _sign_on(state, ctx, cmd)
        case ChangeShift():
            return _change_shift(state, ctx, cmd)
        case SignOff():
            return [
                Draft(
                    type=EventType.OFFICER_SIGNED_OFF, officer_id=cmd.officer, payload=NoPayload()
                )
            ]
        case SetOfficerStatus():
            return [
                Draft(
                    type=EventType.OFFICER_STATUS_CHANGED,
                    officer_id=cmd.officer,
                    payload=OfficerStatusChanged(status=cmd.status, reason=cmd.reason),
                )
            ]
        case Reassign():
            officer = state.officers.get(cmd.officer)
            if officer is None:
                raise Refused(f"There is no officer {cmd.officer} on the roster.")
            if officer.current_call_id is None:
                raise Refused(f"{cmd.officer} is not on a call; dispatch them instead.")
            return [
                Draft(
                    type=EventType.OFFICER_REASSIGNED,
                    call_id=c[cmd.to_call],
                    officer_id=cmd.officer,
                    payload=OfficerReassigned(
                        from_call_id=officer.current_call_id, reason=cmd.reason
                    ),
                )
            ]
        case CorrectCall():
            return _correct(state, ctx, cmd)
        case StackCall():
            return [
                Draft(
                    type=EventType.UNIT_STACKED,
                    call_id=c[cmd.call],
                    officer_id=cmd.officer,
                    payload=NoPayload(),
                )
            ]
        case ViewCaller():
            return _view_caller(state, c[cmd.call])
        case AcknowledgeAlert():
            return _acknowledge_alert(state, ctx, c[cmd.call])
        case AcknowledgeTimer():
            return _acknowledge_timer(state, ctx, cmd.officer)
        case SignIn():
            op = state.operators.get(cmd.operator_id)
            if op is not None and op.disabled:
                raise Refused(f"Operator {cmd.operator_id} is disabled.")
            role = op.role if op is not None and op.enrolled else cmd.role
            return [
                Draft(
                    type=EventType.OPERATOR_SIGNED_IN,
                    operator_id=cmd.operator_id,
                    payload=OperatorSignedIn(role=role),
                )
            ]
        case SignOut():
            return [
                Draft(
                    type=EventType.OPERATOR_SIGNED_OUT,
                    operator_id=cmd.operator_id,
                    payload=NoPayload(),
                )
            ]
        case ExportCallers():
            return [
                Draft(
                    type=EventType.CALLERS_EXPORTED,
                    payload=CallersExported(kind=cmd.kind, since=cmd.since),
                )
            ]
        case EnrollOperator() | SetPin() | DisableOperator() | RefusePin():
            return _operator_admin(state, ctx, cmd)
        case SettleConflict():
            return _settle(state, ctx, cmd)
    raise Refused(f"Unknown command {type(cmd).__name__}.")
