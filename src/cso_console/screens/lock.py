"""The lock: pushed on top of whatever is on screen (ctrl+l, or after the idle minutes),
it hides the call data but keeps counting and ringing the alerts. Underneath, nothing
moves: a half-typed call is still there when the lock goes.

Enter with the signed-in operator's PIN unlocks; with a shift lead's id and PIN the lead
takes the session over (recorded as a sign-out and a sign-in). F9 signs out (a PIN
again). Quitting from here needs a PIN too: ctrl+c or ctrl+q asks for it.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.widgets import Input, Static

from cso_console.screens.signin import Checked, PinScreen
from cso_console.session import Session, pin_quits, sign_out, unlock

UNLOCK, SIGN_OUT, QUIT = "unlock", "sign out", "quit"
ASK = {
    UNLOCK: "PIN, then Enter, unlocks. A shift lead's id and PIN takes the session over.",
    SIGN_OUT: "To sign {op} out, type the PIN (theirs or a shift lead's), then Enter.",
    QUIT: "To quit the console, type the PIN (theirs or a shift lead's), then Enter.",
}


class LockScreen(PinScreen):
    TITLE_TEXT = "CSO CONSOLE - LOCKED"
    KEY_HINTS = (
        "Enter unlock",
        ("desk.sign_out", "sign out"),
        "ctrl+c quit (needs a PIN)",
        ("nav.back", "back"),
    )
    BINDINGS = [
        Binding("f9", "sign_out", "Sign out (needs a PIN)", id="desk.sign_out"),
        Binding("escape", "back", "Back to unlocking", id="nav.back"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(session.operator_id)
        self.session = session
        self.mode = self.asked = UNLOCK

    def who_text(self) -> str:
        s = self.session
        return (
            f"Locked. {s.operator_id} is signed in ({s.role_words}); the calls are hidden.\n"
            + ASK[self.mode].format(op=s.operator_id)
        )

    def _ask(self, mode: str) -> None:
        self.mode = mode
        self.query_one("#who", Static).update(self.who_text())
        self.say("")
        pin = self.query_one("#pin", Input)
        if not pin.disabled:
            pin.focus()

    def action_sign_out(self) -> None:
        self._ask(SIGN_OUT)

    def action_back(self) -> None:
        self._ask(UNLOCK)

    def ask_quit(self) -> None:
        """ctrl+c / ctrl+q while locked: a PIN, not a yes."""
        self._ask(QUIT)

    def job(self, operator_id: str, pin: str) -> Callable[[], Checked]:
        desk, session, mode = self.desk, self.session, self.mode
        self.asked = mode  # what the answer is for, whatever is pressed meanwhile
        if mode == SIGN_OUT:
            return lambda: (sign_out(desk, session, operator_id, pin), None)
        if mode == QUIT:
            return lambda: (pin_quits(desk, session, operator_id, pin), None)
        return lambda: unlock(desk, session, operator_id, pin)

    def attempt(self) -> None:
        if self.mode == UNLOCK and self._operator() != self.session.operator_id:
            if not self.console.idle:  # the first operator's commands are still saving
                self.say("Saving the last command; try again in a moment.", error=True)
                return
        super().attempt()

    def accepted(self, session: Session | None) -> None:
        if self.asked == QUIT:
            self.console.quit_now()
        elif self.asked == SIGN_OUT:
            self.console.signed_out(self.session.operator_id)
        elif session is not None:
            self.console.unlocked(session)
