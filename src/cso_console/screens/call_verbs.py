"""The call verbs after intake, shared by the board and the call detail: reassign, cancel,
reopen, schedule, transfer, change priority, link or unlink a duplicate, correct a call,
and stacking a call on an officer who is on another one.

Each asks what it needs (pickers, a reason, a time), then hands one command to the desk;
the desk decides. Lead-only verbs look up the operator's role first (off the UI loop), so
a desk operator hears the refusal before typing a reason, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.binding import Binding

from cso_console.domain import commands as c
from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, Officer, OperatorRole
from cso_console.domain.schedule import schedule_time
from cso_console.screens.confirm import ConfirmScreen
from cso_console.screens.picker import Choice, PickerScreen, TextPrompt
from cso_console.widgets.format import local_time, status_word

if TYPE_CHECKING:
    from cso_console.screens.actions import DeskActions

LEAD_ONLY = "Only a shift lead can do that."
OTHER_AGENCY = "another agency"


def verb_bindings() -> list[Binding]:
    """The keys of the verbs, the same on the board and in the call detail."""
    return [
        Binding("r", "reassign", "Reassign (lead)", id="call.reassign"),
        Binding("P", "priority", "Change priority", id="call.priority"),
        Binding("T", "transfer", "Transfer", id="call.transfer"),
        Binding("X", "cancel_call", "Cancel call (lead)", id="call.cancel"),
        Binding("L", "link", "Link/unlink duplicate", id="call.link"),
        Binding("E", "correct", "Correct the call", id="call.correct"),
        Binding("H", "schedule", "Hold until (schedule)", id="call.schedule"),
    ]


def reopen_binding() -> Binding:
    """Reopen: in the call detail (closed calls are not on the board's queue)."""
    return Binding("O", "reopen", "Reopen (lead)", id="call.reopen")


# helpers --------------------------------------------------------------------------


def _number(call: Call | str) -> str:
    return short_number(call if isinstance(call, str) else call.call_id)


def _need_call(screen: DeskActions) -> Call | None:
    call = screen.target_call()
    if call is None:
        screen.say("Select a call first.", error=True)
    return call


def _need_open(screen: DeskActions, call: Call, doing: str) -> bool:
    if call.status.is_open:
        return True
    screen.say(
        f"Call {_number(call)} is {status_word(call.status).lower()}; it cannot {doing}.",
        error=True,
    )
    return False


def as_lead(screen: DeskActions, then: Callable[[], None]) -> None:
    """Go on with ``then`` only if the signed-in operator is a shift lead (read off the
    UI loop); a desk operator hears why at once and nothing is written."""
    desk = screen.desk

    def known(role: OperatorRole) -> None:
        if role is OperatorRole.LEAD:
            then()
        else:
            screen.say(LEAD_ONLY, error=True)

    screen.console.read(lambda: desk.operator_role, known, owner=screen)


def ask_reason(screen: DeskActions, title: str, then: Callable[[str], None]) -> None:
    def typed(text: str | None) -> None:
        if text:
            then(text)

    screen.app.push_screen(TextPrompt(title), typed)


def _call_choices(screen: DeskActions, but: str, why: str = "") -> list[Choice]:
    """The open calls the board has, ``but`` one: most urgent first."""
    calls = sorted(
        (k for k in screen.console.known_calls().values() if k.call_id != but),
        key=lambda k: (k.priority, k.received_at),
    )
    return [
        Choice(
            k.call_id,
            f"{_number(k):>5} P{k.priority} {k.type_code:<6} {k.location[:36]:<36} "
            f"{status_word(k.status)[:10]}",
            search=_number(k),
        )
        for k in calls
    ]


def _officers(screen: DeskActions) -> dict[str, Officer]:
    return screen.console.known_officers()


# reassign -------------------------------------------------------------------------


def reassign(screen: DeskActions) -> None:
    """The selected officer (or the selected call's unit) leaves their call for another
    one; a call with no unit on it takes an officer from another call instead."""
    officer = screen.target_officer() if screen_has_officer(screen) else None
    call = None if officer is not None else screen.target_call()
    if call is None and officer is None:
        screen.say("Select a call, or an officer on a call.", error=True)
        return

    def go() -> None:
        if officer is not None:
            _reassign_officer(screen, officer)
        elif call is not None and call.active_assignments:
            units = [a.officer_id for a in call.active_assignments]
            if len(units) == 1:
                _reassign_from(screen, units[0], call.call_id)
                return
            choices = [Choice(u, f"{u:<5} {a.role.value}") for u, a in zip(
                units, call.active_assignments, strict=True)]  # fmt: skip

            def picked(unit: str | None) -> None:
                if unit:
                    _reassign_from(screen, unit, call.call_id)

            screen.app.push_screen(
                PickerScreen(f"Reassign which unit from call {_number(call)}?", choices), picked
            )
        elif call is not None:
            _reassign_to(screen, call)

    as_lead(screen, go)


def screen_has_officer(screen: DeskActions) -> bool:
    """The officer board has the focus (its selection is what the keys act on)."""
    from cso_console.widgets.boards import OfficerBoard

    return any(board.has_focus for board in screen.query(OfficerBoard))


def _reassign_officer(screen: DeskActions, officer: Officer) -> None:
    if officer.current_call_id is None:
        screen.say(f"{officer.officer_id} is not on a call; d dispatches them.", error=True)
        return
    _reassign_from(screen, officer.officer_id, officer.current_call_id)


def _reassign_from(screen: DeskActions, unit: str, from_call: str) -> None:
    choices = _call_choices(screen, from_call)
    if not choices:
        screen.say("There is no other open call to send them to.", error=True)
        return

    def picked(to_call: str | None) -> None:
        if to_call:
            _reassign_why(screen, unit, from_call, to_call)

    title = f"Reassign {unit} from call {_number(from_call)} to which call?"
    screen.app.push_screen(PickerScreen(title, choices), picked)


def _reassign_to(screen: DeskActions, call: Call) -> None:
    if not _need_open(screen, call, "take a unit"):
        return
    busy = sorted(
        (o for o in _officers(screen).values() if o.current_call_id),
        key=lambda o: o.officer_id,
    )
    if not busy:
        screen.say(f"No officer is on a call; d dispatches one to call {_number(call)}.")
        return
    choices = [
        Choice(o.officer_id, f"{o.officer_id:<5} {o.name[:20]:<20} on call "
               f"{_number(o.current_call_id or '')} ({status_word(o.status).lower()})")
        for o in busy
    ]  # fmt: skip

    def picked(unit: str | None) -> None:
        officer = _officers(screen).get(unit or "")
        if unit and officer is not None and officer.current_call_id:
            _reassign_why(screen, unit, officer.current_call_id, call.call_id)

    title = f"Call {_number(call)} has no unit: reassign which officer to it?"
    screen.app.push_screen(PickerScreen(title, choices), picked)


def _reassign_why(screen: DeskActions, unit: str, from_call: str, to_call: str) -> None:
    def because(reason: str) -> None:
        def done() -> str:
            left = screen.console.known_calls().get(from_call)
            text = f"{unit} reassigned from call {_number(from_call)} to call {_number(to_call)}."
            if left is not None and not left.active_assignments:
                text += f" Call {_number(from_call)} is back to pending."
            return text

        screen.run_command(c.Reassign(officer=unit, to_call=to_call, reason=reason), done)

    title = f"Why reassign {unit} from call {_number(from_call)} to call {_number(to_call)}?"
    ask_reason(screen, title, because)


# cancel, reopen, transfer, priority -------------------------------------------------


def cancel(screen: DeskActions) -> None:
    call = _need_call(screen)
    if call is None or not _need_open(screen, call, "be cancelled"):
        return

    def go() -> None:
        def because(reason: str) -> None:
            screen.run_command(
                c.Cancel(call=call.call_id, reason=reason), f"Call {_number(call)} cancelled."
            )

        ask_reason(screen, f"Why cancel call {_number(call)}?", because)

    as_lead(screen, go)


def reopen(screen: DeskActions) -> None:
    call = _need_call(screen)
    if call is None:
        return
    if call.status.is_open:
        screen.say(f"Call {_number(call)} is still open.", error=True)
        return

    def go() -> None:
        def because(reason: str) -> None:
            screen.run_command(
                c.Reopen(call=call.call_id, reason=reason),
                f"Call {_number(call)} reopened: pending again.",
            )

        ask_reason(screen, f"Why reopen call {_number(call)}?", because)

    as_lead(screen, go)


def transfer(screen: DeskActions) -> None:
    call = _need_call(screen)
    if call is None or not _need_open(screen, call, "be transferred"):
        return
    choices = [
        Choice(c.EMERGENCY_DISPATCH, "emergency dispatch (fire, police, ambulance)"),
        Choice(OTHER_AGENCY, "another agency (type its name next)"),
    ]

    def because(to: str) -> Callable[[str], None]:
        def run(reason: str) -> None:
            screen.run_command(
                c.Transfer(call=call.call_id, to=to, reason=reason),
                f"Call {_number(call)} transferred to {to}.",
            )

        return run

    def named(agency: str | None) -> None:
        if agency:
            ask_reason(screen, f"Why transfer call {_number(call)} to {agency}?", because(agency))

    def picked(to: str | None) -> None:
        if to == OTHER_AGENCY:
            screen.app.push_screen(TextPrompt("Transfer to which agency?"), named)
        elif to:
            ask_reason(screen, f"Why transfer call {_number(call)} to {to}?", because(to))

    screen.app.push_screen(PickerScreen(f"Transfer call {_number(call)} to", choices), picked)


def priority(screen: DeskActions) -> None:
    call = _need_call(screen)
    if call is None or not _need_open(screen, call, "change priority"):
        return
    town = screen.desk.town
    words = {1: "urgent", 2: "high", 3: "routine", 4: "low / scheduled"}
    choices = [
        Choice(str(p), f"P{p}  {words[p]:<16} target {town.target_minutes(p)} min"
               + ("   (now)" if p == call.priority else ""), enabled=p != call.priority,
               why=f"Call {_number(call)} is P{p} already.")
        for p in (1, 2, 3, 4)
    ]  # fmt: skip

    def picked(value: str | None) -> None:
        if value:
            screen.run_command(
                c.ChangePriority(call=call.call_id, priority=int(value)),
                f"Call {_number(call)} is now P{value}.",
            )

    screen.app.push_screen(PickerScreen(f"Priority of call {_number(call)}", choices), picked)


# schedule ---------------------------------------------------------------------------


def schedule(screen: DeskActions) -> None:
    call = _need_call(screen)
    if call is None:
        return
    if call.active_assignments or not call.status.is_open:
        screen.say(
            f"Only a call waiting for a unit can be held; call {_number(call)} is "
            f"{status_word(call.status).lower()}.",
            error=True,
        )
        return

    def typed(text: str | None) -> None:
        if not text:
            return
        now = screen.desk.now()
        try:
            until = schedule_time(text, now, now.astimezone().tzinfo)
        except ValueError as exc:
            screen.say(str(exc), error=True)
            return
        screen.run_command(
            c.Schedule(call=call.call_id, until=until),
            f"Call {_number(call)} held until {local_time(until)}; pending from then.",
        )

    title = f"Hold call {_number(call)} until (+30m, 1h, 2h30m or HH:MM)"
    screen.app.push_screen(TextPrompt(title), typed)


# duplicates ---------------------------------------------------------------------------


def link(screen: DeskActions) -> None:
    """Link the call as a duplicate of another; on a duplicate, undo the link (a lead's
    reopen, with a reason)."""
    call = _need_call(screen)
    if call is None:
        return
    if call.duplicate_of:
        of = call.duplicate_of

        def go() -> None:
            def because(reason: str) -> None:
                screen.run_command(
                    c.Reopen(call=call.call_id, reason=f"not a duplicate of {_number(of)}: "
                             + reason),
                    f"Call {_number(call)} unlinked from call {_number(of)}: pending again.",
                )  # fmt: skip

            ask_reason(screen, f"Why unlink call {_number(call)} from call {_number(of)}?", because)

        as_lead(screen, go)
        return
    if not _need_open(screen, call, "be linked"):
        return
    here = screen.desk.town.place_key(call.location)
    choices = _call_choices(screen, call.call_id)
    same = [ch for ch in choices if _place(screen, ch.value) == here]
    choices = same + [ch for ch in choices if ch not in same]
    if not choices:
        screen.say("There is no other open call to link it to.", error=True)
        return

    def picked(of: str | None) -> None:
        if of:
            screen.run_command(
                c.LinkDuplicate(call=call.call_id, of_call=of),
                f"Call {_number(call)} linked as a duplicate of call {_number(of)}.",
            )

    title = f"Call {_number(call)} is a duplicate of (same place first)"
    screen.app.push_screen(PickerScreen(title, choices), picked)


def _place(screen: DeskActions, call_id: str) -> str:
    known = screen.console.known_calls().get(call_id)
    return screen.desk.town.place_key(known.location) if known else ""


# correct ----------------------------------------------------------------------------

_FIELDS = [
    ("location", "Location (found in the town: beat and check follow)"),
    ("type_code", "Type"),
    ("narrative", "Narrative"),
    ("caller_name", "Caller name"),
    ("caller_phone", "Caller phone"),
    ("clear_caller", "Clear the caller's details"),
]


def correct(screen: DeskActions) -> None:
    call = _need_call(screen)
    if call is None:
        return
    choices = [Choice(k, label) for k, label in _FIELDS]

    def send(**fields: str | None) -> None:
        screen.run_command(
            c.CorrectCall(call=call.call_id, **fields),
            lambda: _corrected_words(screen, call.call_id, fields),
        )

    def typed(field: str) -> Callable[[str | None], None]:
        def got(text: str | None) -> None:
            if text:
                send(**{field: text})

        return got

    def picked(field: str | None) -> None:
        number = _number(call)
        if field == "type_code":
            types = [
                Choice(t.code, f"{t.code:<6} {t.label}", not t.emergency, t.label,
                       f"{t.code} is an emergency type: T transfers the call instead.")
                for t in screen.desk.town.call_types
            ]  # fmt: skip

            def chosen(code: str | None) -> None:
                if code:
                    send(type_code=code)

            screen.app.push_screen(PickerScreen(f"Type of call {number}", types), chosen)
        elif field == "clear_caller":

            def sure(yes: bool | None) -> None:
                if yes:
                    send(caller_name="", caller_phone="")

            screen.app.push_screen(ConfirmScreen(f"Clear the caller of call {number}?"), sure)
        elif field == "narrative":
            prompt = TextPrompt(f"Narrative of call {number}", value=call.narrative)
            screen.app.push_screen(prompt, typed("narrative"))
        elif field:
            # Caller details are typed afresh, never shown here (v reveals them, recorded).
            label = dict(_FIELDS)[field].split(" (")[0]
            prompt = TextPrompt(f"{label} of call {number}: the corrected one")
            screen.app.push_screen(prompt, typed(field))

    screen.app.push_screen(PickerScreen(f"Correct call {_number(call)}: which?", choices), picked)


def _corrected_words(screen: DeskActions, call_id: str, fields: dict[str, str | None]) -> str:
    number = _number(call_id)
    call = screen.console.known_calls().get(call_id)
    if "location" in fields and call is not None:
        check = "" if call.location_verified else ", NOT VERIFIED"
        return (
            f"Call {number} corrected: location {call.location} "
            f"({call.beat_id or 'beat unknown'}{check})."
        )
    if "type_code" in fields:
        return f"Call {number} corrected: type {fields['type_code']} (P unchanged; P changes it)."
    what = "caller details" if "caller_name" in fields or "caller_phone" in fields else "narrative"
    return f"Call {number} corrected: {what}."


# stacking ---------------------------------------------------------------------------


def stack_words(call: Call, officer: Officer, calls: dict[str, Call]) -> tuple[str, str] | str:
    """Stacking ``call`` on ``officer`` (on another call): the question and what is said
    when done; or why not (a call is stacked on them already), from the board's calls."""
    number, other = _number(call), _number(officer.current_call_id or "")
    if officer.queued_call_id and officer.queued_call_id != call.call_id:
        queued = calls.get(officer.queued_call_id)
        if queued is not None and not queued.active_assignments:
            return (
                f"{officer.officer_id} is on call {other} with call "
                f"{_number(queued)} stacked next already."
            )
    question = (
        f"{officer.officer_id} is on call {other}. Stack call {number} on them, "
        "dispatched to them as they clear?"
    )
    done = (
        f"Call {number} stacked on {officer.officer_id}: dispatched to them as they "
        f"clear call {other}."
    )
    return question, done


def offer_stack(screen: DeskActions, call: Call, officer: Officer) -> None:
    """The officer picked for ``call`` is on another call: offer to stack it on them."""
    words = stack_words(call, officer, screen.console.known_calls())
    if isinstance(words, str):
        screen.say(words, error=True)
        return
    question, done = words

    def answered(yes: bool | None) -> None:
        if yes:
            screen.run_command(c.StackCall(call=call.call_id, officer=officer.officer_id), done)

    screen.app.push_screen(ConfirmScreen(question), answered)
