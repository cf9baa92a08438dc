"""The first run: on a journal with no operator, the first person enrolls as its shift
lead (id, name, PIN twice) and is signed in; then the officers can be signed on."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from cso_console import pins
from cso_console.desk import Desk
from cso_console.screens.signin import Checked, desk_line, form_css, guarded
from cso_console.session import anyone_enrolled, first_lead
from cso_console.text import terminal_safe
from cso_console.widgets.alert_count import AlertCount
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.steady import Steady

if TYPE_CHECKING:
    from cso_console.app import ConsoleApp

FIELDS = ("operator", "name", "pin", "again")
NEXT_STEP = "Sign officers on: o on each, Esc for the board."


def _enroll(desk: Desk, operator_id: str, name: str, pin: str) -> tuple[Checked, bool]:
    """On the follower thread: the outcome, and whether anyone is enrolled now."""
    result = guarded(lambda: first_lead(desk, operator_id, name, pin))
    try:
        return result, result[0].ok or anyone_enrolled(desk)
    except Exception:
        return result, False


class FirstRunScreen(Steady, Screen[None]):
    DEFAULT_CSS = form_css("FirstRunScreen")
    BINDINGS = [Binding("f10", "create", "Create the lead and sign in", id="form.save")]

    def __init__(self) -> None:
        super().__init__()
        self.saving = False

    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("CSO CONSOLE - FIRST RUN", id="title", markup=False)
        yield Static("", id="desk", markup=False)
        yield Static(
            "Nobody is enrolled on this desk's journal yet. Enroll yourself as its first "
            "shift lead; you can add the other operators after.",
            id="who",
            markup=False,
        )
        rows = [
            ("operator", "Operator id", {"max_length": 40, "placeholder": "e.g. initials"}),
            ("name", "Name", {"max_length": 80}),
            ("pin", "PIN", {"password": True, "max_length": 64, "placeholder": "4 to 64"}),
            ("again", "PIN again", {"password": True, "max_length": 64}),
        ]
        for field, label, options in rows:
            with Horizontal(classes="row"):
                yield Label(label)
                yield Input(id=field, compact=True, **options)  # type: ignore[arg-type]
        yield Static("", id="feedback", markup=False)
        yield AlertCount(id="alert-count")
        yield KeyHints(
            "Enter next field  Tab/Shift+Tab move",
            ("form.save", "create and sign in"),
            "ctrl+c quit",
        )

    def on_mount(self) -> None:
        for inp in self.query(Input):
            inp.cursor_blink = False
        self.query_one("#operator", Input).focus()
        self.tick(self.console.desk.now())

    def tick(self, now: datetime) -> None:
        self.query_one("#desk", Static).update(desk_line(self.console, now))
        self.query_one(AlertCount).refresh_count()

    def say(self, text: str, error: bool = False) -> None:
        line = self.query_one("#feedback", Static)
        line.update(terminal_safe(text))
        line.set_class(error, "error")

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def _refuse(self, text: str, field: str) -> None:
        self.say(text, error=True)
        self.query_one(f"#{field}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field = event.input.id or ""
        if field in FIELDS[:-1]:
            self.query_one(f"#{FIELDS[FIELDS.index(field) + 1]}", Input).focus()
        else:
            self.action_create()

    def action_create(self) -> None:
        if self.saving:
            return
        operator_id, name = self._value("operator").strip(), self._value("name").strip()
        pin, again = self._value("pin"), self._value("again")
        if not operator_id:
            return self._refuse("Type an operator id for the first lead.", "operator")
        if not name:
            return self._refuse("Type the lead's name.", "name")
        try:
            pins.check_rules(pin)
        except ValueError as exc:
            return self._refuse(str(exc), "pin")
        if pin != again:
            self.query_one("#again", Input).value = ""
            return self._refuse("The two PINs differ: type the PIN again.", "again")
        self.saving = True
        self.say("Enrolling the first shift lead...")
        desk = self.console.desk
        self.console.read(lambda: _enroll(desk, operator_id, name, pin), self._done, owner=self)

    def _done(self, result: object) -> None:
        self.saving = False
        checked, anyone = cast("tuple[Checked, bool]", result)
        outcome, session = checked
        if outcome.ok and session is not None:
            from cso_console.screens.roster import RosterScreen

            words = f"Lead {session.operator_id} enrolled, signed in. {NEXT_STEP}"
            self.console.signed_in(session, words)
            self.app.push_screen(RosterScreen())  # a shift starts by signing officers on
            self.app.call_after_refresh(self.console.say, words)
            return
        if anyone:  # another desk enrolled someone meanwhile: sign in as usual
            from cso_console.screens.signin import SignInScreen

            self.app.switch_screen(SignInScreen(self._value("operator").strip()))
            return
        self.say(outcome.reason, error=True)
