"""The desk actions the board and the call detail share: one key, one desk command."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual import events
from textual.binding import Binding
from textual.screen import Screen

from cso_console.desk import Desk, Outcome
from cso_console.domain import commands as c
from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, Officer, OfficerStatus
from cso_console.domain.recommend import recommend
from cso_console.screens import call_verbs
from cso_console.screens.picker import Choice, PickerScreen, TextPrompt
from cso_console.widgets.compositor import LineCompositor
from cso_console.widgets.format import status_word
from cso_console.widgets.message import MessageLine
from cso_console.widgets.steady import Steady

if TYPE_CHECKING:
    from cso_console.app import ConsoleApp


def call_bindings() -> list[Binding]:
    """The keys that act on a call, the same on every screen that has them."""
    return [
        Binding("d,f3", "dispatch", "Dispatch", id="call.dispatch"),
        Binding("e", "en_route", "En route", id="officer.en_route"),
        Binding("o", "on_scene", "On scene", id="officer.on_scene"),
        Binding("c,f4", "clear", "Clear/close", id="call.clear"),
        Binding("N", "note", "Add note", id="call.note"),
        *call_verbs.verb_bindings(),
    ]


class DeskActions(Steady, Screen[None]):
    """Mixed into screens that act on a call and/or an officer."""

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        self._compositor = LineCompositor()  # draws only the lines an update changed

    @property
    def desk(self) -> Desk:
        return self.console.desk

    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    # what the keys act on (screens override) --------------------------------

    def target_call(self) -> Call | None:
        return None

    def target_officer(self) -> Officer | None:
        """The selected officer, or the selected call's primary officer."""
        call = self.target_call()
        if call is not None and call.primary is not None:
            officer_id = call.primary.officer_id
            return self.console.known_officers().get(officer_id) or self.desk.officer(officer_id)
        return None

    # feedback ---------------------------------------------------------------

    def say(self, text: str, error: bool = False) -> None:
        """On the message line; an error is a refusal: it says so and rings the bell."""
        self.console.say(("REFUSED: " if error else "") + text, error=error)

    _message_lines: list[MessageLine] | None = None  # found at the first key

    def on_key(self, event: events.Key) -> None:
        """A key starts the next action: what the message line said about the last one
        goes (it runs before the key's binding, so the key's own answer stays). The
        screen's lines are found once (its widgets are composed once), not per key."""
        if self._message_lines is None:
            self._message_lines = list(self.query(MessageLine))
        for line in self._message_lines:
            line.clear()

    def run_command(
        self,
        cmd: c.Command,
        done: str | Callable[[], str],
        then: Callable[[Outcome], None] | None = None,
    ) -> None:
        """Hand the command to the desk's writer and return at once; the message line
        says ``done`` (or why it was refused) when the outcome is back. ``done`` may be
        a function, asked then: the board already has the rows the command touched."""

        def settled(outcome: Outcome) -> None:
            if outcome.ok:
                self.say(done if isinstance(done, str) else done())
            else:
                self.say(outcome.reason, error=True)
            if then is not None:
                then(outcome)

        self.console.submit(cmd, settled)

    # actions ----------------------------------------------------------------

    def action_dispatch(self) -> None:
        call = self.target_call()
        if call is None:
            self.say("Select a call first.", error=True)
            return
        if not call.status.is_open:
            self.say(
                f"Call {short_number(call.call_id)} is {status_word(call.status).lower()}.",
                error=True,
            )
            return
        choices = []
        # Ranked from the calls and officers the board holds (it follows the journal):
        # no database read while the key is handled; the desk checks the dispatch itself.
        officers = list(self.console.known_officers().values())
        reasons: dict[str, tuple[str, ...]] = {}
        for r in recommend(call, officers, self.desk.town, self.desk.now()):
            o = r.officer
            reasons[o.officer_id] = r.reasons
            label = f"{o.officer_id:<4} {o.name[:16]:<16} {', '.join(r.reasons)}"
            if len(label) > 72:
                label = label[:71] + "~"
            why = f"{o.officer_id} is {r.reasons[0]}." if not r.available else ""
            # One on another call can still be chosen: the call is offered to them stacked.
            can = r.available or o.current_call_id is not None
            choices.append(Choice(o.officer_id, label, can, o.name, why))
        verb = "Assist" if call.active_assignments else "Dispatch"
        title = (
            f"{verb} to call {short_number(call.call_id)}: {call.type_code} "
            f"{call.location[:30]} ({call.beat_id or 'beat ?'})"
        )

        def chosen(officer_id: str | None) -> None:
            busy = self.console.known_officers().get(officer_id or "")
            if busy is not None and busy.current_call_id and busy.current_call_id != call.call_id:
                call_verbs.offer_stack(self, call, busy)
                return
            if officer_id:
                role = "to assist on" if call.active_assignments else "to"
                why = reasons.get(officer_id, ())
                lacks = [r.removeprefix("LACKS ") for r in why if r.startswith("LACKS ")]
                note = f" (lacks {', '.join(lacks)})" if lacks else ""
                self.run_command(
                    c.Dispatch(call=call.call_id, officers=(officer_id,), reasons=why),
                    f"{officer_id} dispatched {role} call {short_number(call.call_id)}{note}.",
                )

        self.app.push_screen(PickerScreen(title, choices), chosen)

    def _officer_step(self, kind: type[c.MarkEnRoute] | type[c.MarkOnScene], word: str) -> None:
        officer = self.target_officer()
        if officer is None:
            self.say("Select an officer, or a call with an officer on it.", error=True)
            return
        self.run_command(kind(officer=officer.officer_id), f"{officer.officer_id} {word}.")

    def action_en_route(self) -> None:
        self._officer_step(c.MarkEnRoute, "en route")

    def action_on_scene(self) -> None:
        self._officer_step(c.MarkOnScene, "on scene")

    def officer_in_focus(self) -> bool:
        """Whether the keys act on an officer the operator chose (the officer board has
        the focus) rather than on the selected call's unit."""
        return False

    def action_clear(self) -> None:
        officer = self.target_officer()
        call = self.target_call()
        if officer is not None and not officer.current_call_id and self.officer_in_focus():
            self.say(f"{officer.officer_id} is not on a call; nothing to clear.", error=True)
            return
        if officer is not None and officer.current_call_id:
            call_id = officer.current_call_id
        elif call is not None:
            call_id = call.call_id
            if not call.status.is_open:  # refuse now, not after a disposition is picked
                self.say(
                    f"Call {short_number(call_id)} is {status_word(call.status).lower()}; "
                    "there is nothing to clear.",
                    error=True,
                )
                return
        else:
            self.say("Select a call or an officer on a call.", error=True)
            return
        choices = [Choice(d.code, f"{d.code:<5} {d.label}") for d in self.desk.town.dispositions]
        who = officer.officer_id if officer and officer.current_call_id == call_id else None
        title = (
            f"Clear {who} from call {short_number(call_id)}: disposition"
            if who
            else f"Close call {short_number(call_id)}: disposition"
        )

        def chosen(code: str | None) -> None:
            if not code:
                return
            if who:
                number = short_number(call_id)

                def cleared() -> str:
                    text = f"{who} cleared from call {number} ({code})."
                    if call_id not in self.console.known_calls():  # the last one on it
                        text += f" Call {number} closed: nobody else was on it."
                    return text

                self.run_command(c.ClearUnit(officer=who, call=call_id, disposition=code), cleared)
            else:
                self.run_command(
                    c.CloseCall(call=call_id, disposition=code),
                    f"Call {short_number(call_id)} closed ({code}).",
                )

        self.app.push_screen(PickerScreen(title, choices), chosen)

    def _set_status(self, status: OfficerStatus, word: str) -> None:
        officer = self.target_officer()
        if officer is None:
            self.say("Select an officer first.", error=True)
            return
        self.run_command(
            c.SetOfficerStatus(officer=officer.officer_id, status=status),
            f"{officer.officer_id} {word}.",
        )

    def action_available(self) -> None:
        self._set_status(OfficerStatus.AVAILABLE, "available")

    def action_break(self) -> None:
        self._set_status(OfficerStatus.BREAK, "on break")

    def action_note(self) -> None:
        call = self.target_call()
        if call is None:
            self.say("Select a call first.", error=True)
            return

        def typed(text: str | None) -> None:
            if text:
                self.run_command(
                    c.AddNote(call=call.call_id, text=text),
                    f"Note added to call {short_number(call.call_id)}.",
                )

        self.app.push_screen(TextPrompt(f"Note for call {short_number(call.call_id)}"), typed)

    # the call verbs (screens/call_verbs.py) --------------------------------------

    def action_reassign(self) -> None:
        call_verbs.reassign(self)

    def action_cancel_call(self) -> None:
        call_verbs.cancel(self)

    def action_reopen(self) -> None:
        call_verbs.reopen(self)

    def action_schedule(self) -> None:
        call_verbs.schedule(self)

    def action_transfer(self) -> None:
        call_verbs.transfer(self)

    def action_priority(self) -> None:
        call_verbs.priority(self)

    def action_link(self) -> None:
        call_verbs.link(self)

    def action_correct(self) -> None:
        call_verbs.correct(self)
