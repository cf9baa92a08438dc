"""Sign-in: operator id and PIN, checked by the desk off the UI loop.

:class:`PinScreen` is what the sign-in and the lock screens share: the desk's refusals
as sentences, the wait the desk asks for after a wrong PIN (counted down on the app's
1 s tick, by the desk's clock; the PIN field stays shut until then, for that operator
only: another operator may still sign in), and the standing alerts counted by kind. No
call data is drawn on either.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from cso_console.text import terminal_safe
from cso_console.widgets.alert_count import AlertCount
from cso_console.widgets.keys import Hint, KeyHints
from cso_console.widgets.steady import Steady

# The sign-in is the console's first paint: the desk (and the domain under it) is loaded
# and opened after it, on a thread (see ConsoleApp's opener); what is typed meanwhile
# waits for it.
if TYPE_CHECKING:
    from cso_console.app import ConsoleApp
    from cso_console.desk import Desk, Outcome
    from cso_console.session import Session

    Checked = tuple[Outcome, Session | None]
else:
    Checked = tuple  # (Outcome, Session | None): named in annotations, never built


def guarded(check: Callable[[], Checked]) -> Checked:
    """Run a PIN check; a failure of the file becomes a refusal (the screen never waits
    for an answer that will not come)."""
    try:
        return check()
    except Exception as exc:
        from cso_console.desk import Outcome

        return Outcome(False, f"The PIN could not be checked: {exc}"), None


def time_left(seconds: float) -> str:
    s = max(1, math.ceil(seconds))
    return f"{s // 60}:{s % 60:02d} min" if s >= 60 else f"{s} s"


def desk_line(console: ConsoleApp, now: datetime) -> str:
    desk = console.desk
    return terminal_safe(f"{now.astimezone():%H:%M:%S}  {desk.town.name}  desk {desk.desk_code}")


def form_css(screen: str) -> str:
    """The layout of the desk's form screens (sign-in, lock, first run), for ``screen``."""
    return """
    {screen} { layout: vertical; padding: 0 1; }
    {screen} #title { text-style: bold; height: 1; }
    {screen} #desk { height: 1; color: $text-muted; }
    {screen} #who { height: auto; margin-top: 1; }
    {screen} .row { height: 1; margin-top: 1; }
    {screen} .row Label { width: 14; }
    {screen} .row Input { width: 1fr; border: none; height: 1; padding: 0; }
    {screen} #feedback { height: auto; margin-top: 1; }
    {screen} #feedback.error { text-style: bold; }
    {screen} #alert-count { margin-top: 1; }
    {screen} #keys { dock: bottom; height: 1; color: $text-muted; }
    """.replace("{screen}", screen)


class PinScreen(Steady, Screen[None]):
    DEFAULT_CSS = form_css("PinScreen")
    TITLE_TEXT = ""
    KEY_HINTS: tuple[Hint, ...] = ()  # the key-hint line (see widgets/keys.py)

    def __init__(self, operator_id: str = "") -> None:
        super().__init__()
        self.preset = operator_id
        self.checking = False  # a PIN is with the desk: no second one
        self.waiting_for = ""  # the operator the desk asked to wait
        self.wait_until: datetime | None = None
        self.reason = ""

    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    @property
    def desk(self) -> Desk:
        return self.console.desk

    def compose(self) -> ComposeResult:
        yield Static(self.TITLE_TEXT, id="title", markup=False)
        yield Static("", id="desk", markup=False)
        yield Static(self.who_text(), id="who", markup=False)
        with Horizontal(classes="row"):
            yield Label("Operator id")
            yield Input(value=self.preset, id="operator", max_length=40, compact=True)
        with Horizontal(classes="row"):
            yield Label("PIN")
            yield Input(id="pin", password=True, max_length=64, compact=True)
        yield Static("", id="feedback", markup=False)
        yield AlertCount(id="alert-count")
        yield KeyHints(*self.KEY_HINTS)

    def who_text(self) -> str:
        return ""

    def on_mount(self) -> None:
        for inp in self.query(Input):
            inp.cursor_blink = False
        self.query_one("#pin" if self.preset else "#operator", Input).focus()
        if self.console.ready:  # otherwise the desk line comes with the desk
            self.tick(self.desk.now())

    # what the subclasses decide ------------------------------------------------

    def job(self, operator_id: str, pin: str) -> Callable[[], Checked]:
        """The check, made on the UI thread (it takes what it needs with it) and run on
        the follower thread."""
        raise NotImplementedError

    def accepted(self, session: Session | None) -> None:
        raise NotImplementedError

    # the form --------------------------------------------------------------------

    def say(self, text: str, error: bool = False) -> None:
        line = self.query_one("#feedback", Static)
        line.update(terminal_safe(text))
        line.set_class(error, "error")

    def _operator(self) -> str:
        return self.query_one("#operator", Input).value.strip()

    def _waiting(self, operator_id: str) -> bool:
        return self.wait_until is not None and operator_id == self.waiting_for

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "operator":
            self._shut_pin(self._waiting(self._operator()))

    def _shut_pin(self, shut: bool) -> None:
        pin = self.query_one("#pin", Input)
        if pin.disabled != shut:
            pin.disabled = shut
            if not shut and self.app.focused is None:
                pin.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "operator":
            pin = self.query_one("#pin", Input)
            if pin.disabled:
                self.say(self._wait_words(), error=True)
            else:
                pin.focus()
        elif event.input.id == "pin":
            self.attempt()

    def attempt(self) -> None:
        if self.checking:
            return
        operator_id = self._operator()
        pin_input = self.query_one("#pin", Input)
        pin = pin_input.value
        if not operator_id:
            self.say("Type your operator id first.", error=True)
            self.query_one("#operator", Input).focus()
            return
        if self._waiting(operator_id):
            self.say(self._wait_words(), error=True)
            return
        if not pin:
            self.say("Type your PIN, then Enter.", error=True)
            pin_input.focus()
            return
        pin_input.value = ""  # never kept on screen longer than needed
        self.checking = True
        self.say("Checking the PIN...")
        job = self.job(operator_id, pin)
        self.console.read(
            lambda: guarded(job),
            lambda result: self._checked(operator_id, result),
            owner=self,
        )

    def _checked(self, operator_id: str, result: Checked) -> None:
        self.checking = False
        outcome, session = result
        if outcome.ok:
            self.accepted(session)
            return
        self.reason = outcome.reason
        if outcome.wait > 0:
            self.waiting_for = operator_id
            self.wait_until = self.desk.now() + timedelta(seconds=outcome.wait)
            self._shut_pin(self._waiting(self._operator()))
            self.say(self._wait_words(), error=True)
        else:
            self.say(outcome.reason, error=True)

    def _wait_words(self) -> str:
        if self.wait_until is None:
            return self.reason
        left = (self.wait_until - self.desk.now()).total_seconds()
        return f"{self.reason} Next try for {self.waiting_for} in {time_left(left)}."

    def tick(self, now: datetime) -> None:
        """The app's 1 s tick: the clock, the alerts, the wait counted down."""
        self.query_one("#desk", Static).update(desk_line(self.console, now))
        self.query_one(AlertCount).refresh_count()
        if self.wait_until is None:
            return
        if now >= self.wait_until:
            self.wait_until = None
            self._shut_pin(False)
            self.say(f"{self.reason} Try again.", error=True)
        else:
            self.say(self._wait_words(), error=True)


class SignInScreen(PinScreen):
    """The console opens here when the journal has operators (on a journal with none,
    it hands over to the first run)."""

    TITLE_TEXT = "CSO CONSOLE - SIGN IN"
    KEY_HINTS = ("Enter next field / sign in  Tab next field  ctrl+c quit",)

    def __init__(self, operator_id: str = "", note: str = "") -> None:
        super().__init__(operator_id)
        self.note = note  # what brought the console here: "ana signed out."

    def who_text(self) -> str:
        return "Type your operator id and PIN."

    def on_mount(self) -> None:
        super().on_mount()
        if self.note:
            self.say(self.note)
        console = self.console  # its desk, once open: the read waits for it

        def enrolled() -> bool:  # on the follower thread, where the session code loads
            from cso_console.session import anyone_enrolled

            return anyone_enrolled(console.desk)

        self.console.read(enrolled, self._enrolled, owner=self)

    def _enrolled(self, anyone: bool) -> None:
        if not anyone:
            from cso_console.screens.firstrun import FirstRunScreen

            self.app.switch_screen(FirstRunScreen())

    def job(self, operator_id: str, pin: str) -> Callable[[], Checked]:
        from cso_console.session import sign_in

        console = self.console  # an Enter before the desk is open: the check waits for it
        return lambda: sign_in(console.desk, operator_id, pin)

    def accepted(self, session: Session | None) -> None:
        if session is not None:
            self.console.signed_in(session)
