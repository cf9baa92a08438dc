"""Intake: a new call. Location and type are enough to save."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from cso_console.desk import Desk, Outcome
from cso_console.domain import commands as c
from cso_console.domain.callnumber import short_number
from cso_console.domain.commands import EMERGENCY_DISPATCH
from cso_console.domain.places import Place
from cso_console.domain.town import CallType
from cso_console.screens.confirm import ConfirmScreen
from cso_console.screens.picker import Choice, PickerScreen
from cso_console.text import terminal_safe
from cso_console.widgets.candidates import Candidates
from cso_console.widgets.format import status_word
from cso_console.widgets.keys import KeyHints, hint_line
from cso_console.widgets.message import MessageLine
from cso_console.widgets.steady import Steady

if TYPE_CHECKING:
    from cso_console.app import ConsoleApp


def _place_label(p: Place) -> str:
    beat = p.beat_id or "beat ?"
    note = f" ({p.note})" if p.note and p.kind in ("address", "street") else ""
    return terminal_safe(f"{p.text} {beat}{note}")


class IntakeScreen(Steady, Screen[str | None]):
    DEFAULT_CSS = """
    IntakeScreen { layout: vertical; padding: 0 1; }
    IntakeScreen #title { text-style: bold; height: 1; }
    IntakeScreen .row { height: 1; margin-top: 1; }
    IntakeScreen .row Label { width: 14; }
    IntakeScreen .row Input { width: 1fr; border: none; height: 1; padding: 0; }
    IntakeScreen .info { height: 1; padding-left: 14; color: $text-muted; }
    IntakeScreen .info.warn { color: $warning; text-style: bold; }
    IntakeScreen #save { margin-top: 1; border: ascii $accent; height: 3; min-width: 12; }
    IntakeScreen #message { height: 1; }
    IntakeScreen #keys { dock: bottom; height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("tab", "take_and_next", "Take the suggestion, next field", id="form.take_next"),
        Binding(
            "shift+tab", "app.focus_previous", "Back a field, taking nothing", id="form.previous"
        ),
        Binding("down", "candidate(1)", "Next suggestion", id="form.next_suggestion"),
        Binding("up", "candidate(-1)", "Previous suggestion", id="form.previous_suggestion"),
        Binding("f10", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("question_mark,f1", "help", "Help", id="nav.help"),
    ]

    @property
    def desk(self) -> Desk:
        return self.console.desk

    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("NEW CALL", id="title")
        with Horizontal(classes="row"):
            yield Label("Location")
            yield Input(
                id="location",
                placeholder="number + street, landmark, or as told",
                compact=True,
            )
        yield Static("", id="location-info", classes="info", markup=False)
        yield Candidates(id="location-candidates")
        with Horizontal(classes="row"):
            yield Label("Type")
            yield Input(id="type", placeholder="code or any word of its label", compact=True)
        yield Static("", id="type-info", classes="info", markup=False)
        yield Candidates(id="type-candidates")
        with Horizontal(classes="row"):
            yield Label("Priority 1-4")
            yield Input(
                id="priority",
                placeholder="from the type",
                max_length=1,
                restrict=r"[1-4]?",
                compact=True,
            )
        with Horizontal(classes="row"):
            yield Label("Caller name")
            yield Input(id="caller_name", compact=True)
        with Horizontal(classes="row"):
            yield Label("Caller phone")
            yield Input(id="caller_phone", compact=True)
        with Horizontal(classes="row"):
            yield Label("Narrative")
            yield Input(id="narrative", compact=True)
        with Vertical():
            yield Button("Save (F10)", id="save")
        yield MessageLine(id="message")
        yield KeyHints(
            ("form.take_next", "takes >"),
            (("form.previous_suggestion", "form.next_suggestion"), "other suggestions"),
            ("form.previous", "back"),
            ("form.save", "save"),
            ("form.cancel", ""),
            sep=" - ",
        )

    def on_mount(self) -> None:
        for inp in self.query(Input):
            inp.cursor_blink = False
        self.query_one("#save", Button).label = f"Save ({hint_line(self, [('form.save', '')])})"
        self.query_one("#location", Input).focus()
        self._priority_from_type = True
        self._priority_of_type = ""  # what the type last put in Priority
        self.saving = False  # a save is with the desk: no second one, no leaving

    # live feedback ----------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "location":
            self._show_location(event.value)
        elif event.input.id == "type":
            self._show_type(event.value)
        elif event.input.id == "priority":  # typed by hand: the type no longer sets it
            self._priority_from_type = event.value in ("", self._priority_of_type)

    def _show_location(self, text: str) -> None:
        info = self.query_one("#location-info", Static)
        shown = self.query_one("#location-candidates", Candidates)
        if not text.strip():
            info.update("")
            shown.show([])
            return
        try:
            found = self.desk.town.places.find(text)
        except ValueError as exc:  # only punctuation so far: nothing to look up yet
            info.update(str(exc))
            info.add_class("warn")
            shown.show([])
            return
        loc = found.location
        if loc.verified:
            beat = self.desk.town.beat_by_id.get(loc.beat_id or "")
            where = f"{beat.id} {beat.name}" if beat else "beat unknown"
            info.update(terminal_safe(f"-> {loc.text} ({loc.kind}), beat {where}"))
            info.remove_class("warn")
        else:
            info.update("UNVERIFIED location: taken as typed, beat unknown")
            info.add_class("warn")
        items = [(p.text, _place_label(p)) for p in found.candidates]
        if items and not loc.verified:
            items.append((text, "as typed (unverified)"))
        if [value for value, _ in items] == [text]:
            items = []  # nothing to take but what is there
        shown.show(items, text)

    def _type(self) -> CallType | None:
        text = self.query_one("#type", Input).value.strip()
        if not text:
            return None
        return self.desk.town.find_call_type(text.split()[0]) or self.desk.town.find_call_type(text)

    def _show_type(self, text: str) -> None:
        info = self.query_one("#type-info", Static)
        shown = self.query_one("#type-candidates", Candidates)
        items = [
            (f"{t.code} {t.label}", terminal_safe(f"{t.code} {t.label}"))
            for t in self.desk.town.find_call_types(text)
        ]
        ct = self._type()
        if ct is not None and [value for value, _ in items] == [text.strip()]:
            items = []  # the field already says it
        shown.show(items, text)
        if ct is None:
            if not text.strip():
                info.update("")
            elif items:
                info.update("not a type yet: Tab takes the highlighted one")
            else:
                info.update("unknown type")
            info.set_class(bool(text.strip()), "warn")
            return
        extra = f", needs {ct.skill}" if ct.skill else ""
        if ct.emergency:
            info.update(f"EMERGENCY {ct.code} {ct.label}: transfer to {EMERGENCY_DISPATCH}")
            info.add_class("warn")
        else:
            info.update(f"{ct.code} {ct.label}, default P{ct.priority}{extra}")
            info.remove_class("warn")
        if self._priority_from_type:
            self._priority_of_type = str(ct.priority)
            self.query_one("#priority", Input).value = self._priority_of_type

    # keys -------------------------------------------------------------------

    def _candidates_of(self, widget: object) -> Candidates | None:
        if isinstance(widget, Input) and widget.id in ("location", "type"):
            return self.query_one(f"#{widget.id}-candidates", Candidates)
        return None

    def action_take_and_next(self) -> None:
        """Tab (and Enter in Location or Type): the highlighted suggestion, then onwards."""
        field = self.focused
        shown = self._candidates_of(field)
        if isinstance(field, Input) and shown is not None:
            if shown.for_text != field.value:  # typed faster than the suggestions came
                (self._show_location if field.id == "location" else self._show_type)(field.value)
            chosen = shown.chosen
            if chosen is not None and chosen != field.value:
                field.value = chosen
                field.cursor_position = len(chosen)
        self.focus_next()

    def action_candidate(self, step: int) -> None:
        shown = self._candidates_of(self.focused)
        if shown is not None:
            shown.move(step)

    # save -------------------------------------------------------------------

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    def _say(self, text: str) -> None:
        self.query_one(MessageLine).say(text)
        self.app.bell()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_take_and_next()

    def action_save(self) -> None:
        if self.saving:
            self._say("Still saving this call; wait for it.")
            return
        location = self._value("location")
        ct = self._type()
        if not location:
            self._say("A location is needed.")
            self.query_one("#location", Input).focus()
            return
        if ct is None:
            self._say("A known call type is needed (type a code or label).")
            self.query_one("#type", Input).focus()
            return
        if ct.emergency:

            def transfer(yes: bool | None) -> None:
                if yes:
                    self._save(ct.code, transfer_to=EMERGENCY_DISPATCH)

            self.app.push_screen(
                ConfirmScreen(
                    f"{ct.code} {ct.label} is an emergency: it cannot go to a CSO.\n"
                    f"Record the call and transfer it to {EMERGENCY_DISPATCH}?"
                ),
                transfer,
            )
            return
        dups = self.desk.likely_duplicates(location, ct.code)
        if dups:
            choices = [Choice("", "Save as a NEW call")] + [
                Choice(
                    d.call_id,
                    f"Duplicate of {short_number(d.call_id):>5} {d.type_code:<6} "
                    f"{status_word(d.status):<10} {d.location[:30]}",
                )
                for d in dups
            ]

            def picked(value: str | None) -> None:
                if value is None:
                    return
                self._save(ct.code, duplicate_of=value or None)

            self.app.push_screen(
                PickerScreen(
                    f"{len(dups)} open call(s) at this place: link as duplicate?", choices
                ),
                picked,
            )
            return
        self._save(ct.code)

    def _save(
        self, type_code: str, duplicate_of: str | None = None, transfer_to: str | None = None
    ) -> None:
        priority = self._value("priority")
        cmd = c.ReceiveCall(
            type_code=type_code,
            location=self._value("location"),
            priority=int(priority) if priority else None,
            caller_name=self._value("caller_name") or None,
            caller_phone=self._value("caller_phone") or None,
            narrative=self._value("narrative"),
            duplicate_of=duplicate_of,
            transfer_to=transfer_to,
        )
        self.saving = True
        self.console.submit(cmd, lambda outcome: self._saved(outcome, duplicate_of, transfer_to))

    def _saved(self, outcome: Outcome, duplicate_of: str | None, transfer_to: str | None) -> None:
        self.saving = False
        if not self.is_attached:
            return
        if not outcome.ok:
            self._say(f"REFUSED: {outcome.reason}")
            return
        if self.app.screen is not self:
            self.pop_until_active()  # help or a question opened meanwhile
        self.dismiss(outcome.call_id)
        number = short_number(outcome.call_id or "")
        if duplicate_of:
            self.app.notify(f"Call {number} saved as duplicate of {short_number(duplicate_of)}.")
        elif transfer_to:
            self.app.notify(f"Call {number} recorded and transferred to {transfer_to}.")

    def action_cancel(self) -> None:
        if self.saving:
            self._say("Saving this call; Esc works again once it is saved or refused.")
            return
        if not any(inp.value.strip() for inp in self.query(Input)):
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard this new call?"), answered)

    def action_help(self) -> None:
        from cso_console.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
