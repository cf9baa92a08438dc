"""The `:` line: a CAD command (``D 42 C12``) typed at the bottom of any screen.

Enter reads the line (:mod:`cso_console.domain.verbs`) against the board as the console
has it; a line not understood says which word was wrong and stays for correcting. A
command goes to the desk through ``ConsoleApp.submit``; done, the line closes and the
screen's message line says so; refused, the reason shows here (the bell once) and the
line stays. Tab completes the word being typed and says what it is; Up/Down walk the
history (kept across restarts, see :mod:`cso_console.cmd_history`); Esc closes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cso_console import cmd_history
from cso_console.desk import Outcome
from cso_console.domain import commands as c
from cso_console.domain.model import Call, Officer
from cso_console.domain.verb_completion import Completion, complete
from cso_console.domain.verbs import (
    Board,
    Parsed,
    Show,
    VerbError,
    done_words,
    duplicate_words,
    parse,
)
from cso_console.widgets.message import MessageLine
from cso_console.widgets.steady import Steady

if TYPE_CHECKING:
    from cso_console.app import ConsoleApp

HINT = "Enter runs  Tab completes  Up/Down history  Esc closes  (? on a screen: the verbs)"


class CommandLineScreen(Steady, ModalScreen[None]):
    DEFAULT_CSS = """
    CommandLineScreen { background: transparent; }
    CommandLineScreen > Vertical { dock: bottom; height: 2; background: $surface; }
    CommandLineScreen #message { height: 1; padding: 0 1; }
    CommandLineScreen #message.error { text-style: bold; }
    CommandLineScreen Horizontal { height: 1; }
    CommandLineScreen #prompt { width: 2; padding-left: 1; }
    CommandLineScreen Input { width: 1fr; border: none; height: 1; padding: 0; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close the command line", id="command_line.close"),
        Binding("tab", "complete", "Complete", id="command_line.complete"),
        Binding("up", "history(-1)", "Older line", id="command_line.older"),
        Binding("down", "history(1)", "Newer line", id="command_line.newer"),
    ]

    def __init__(self, typed: str = "") -> None:
        """``typed``: the start of a line already there (the palette's ``D ``)."""
        super().__init__()
        self.start = typed
        self.history: list[str] = []
        self.at = 0  # where Up/Down are in the history (len: the line being typed)
        self.typed = ""  # the line being typed, kept while walking the history
        self.running = False  # a command is at the desk: Enter waits for its outcome
        self._cycle: tuple[str, int, list[Completion], int] | None = None

    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield MessageLine(id="message")
            with Horizontal():
                yield Static(":", id="prompt", markup=False)
                yield Input(id="line", compact=True)

    def on_mount(self) -> None:
        line = self.query_one(Input)
        line.cursor_blink = False
        if self.start:
            line.value = self.start
            line.cursor_position = len(self.start)
        line.focus()
        self.query_one(MessageLine).say(HINT)
        path = self.console.history_path
        self.console.read(lambda: cmd_history.load(path), self._loaded, owner=self)

    def _loaded(self, lines: list[str]) -> None:
        self.history = lines
        self.at = len(lines)

    def board(self) -> Board:
        app = self.console
        return Board(app.desk.town, app.known_officers(), app.known_calls(), app.desk.now())

    # Enter ------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.running:
            return
        text = event.value
        try:
            parsed = parse(text, self.board())
        except VerbError as exc:
            self.console.say(str(exc), error=True)  # the bell once; the line stays
            return
        self._remember(text)
        if isinstance(parsed.action, Show):
            self._show(parsed.action)
            return
        self.running = True
        busy = self._busy_officer(parsed.action)
        if busy is not None:
            self._offer_stack(parsed, busy)
            return
        self.console.submit(parsed.action, lambda out: self._settled(parsed, out))

    def _busy_officer(self, action: object) -> Officer | None:
        """The one officer a ``D`` line names, if the board has them on a call."""
        if not isinstance(action, c.Dispatch) or len(action.officers) != 1:
            return None
        officer = self.console.known_officers().get(action.officers[0])
        return officer if officer is not None and officer.current_call_id else None

    def _offer_stack(self, parsed: Parsed, officer: Officer) -> None:
        """``D`` to an officer on another call: ask to stack it on them, as the picker
        does (the call read off the UI loop first). No keeps the line for correcting."""
        from cso_console.screens.call_verbs import stack_words
        from cso_console.screens.confirm import ConfirmScreen

        desk, console = self.console.desk, self.console
        dispatch = cast(c.Dispatch, parsed.action)

        def found(call: Call | None) -> None:
            if not self.is_attached:  # closed meanwhile: nothing runs
                return
            if call is None or call.call_id == officer.current_call_id:  # the desk says
                console.submit(dispatch, lambda out: self._settled(parsed, out))
                return
            words = stack_words(call, officer, console.known_calls())
            if isinstance(words, str):
                self._settled(parsed, Outcome(False, words))
                return
            question, done = words

            def answered(yes: bool | None) -> None:
                if not yes:
                    self.running = False
                    return
                stack = c.StackCall(call=call.call_id, officer=officer.officer_id)
                console.submit(stack, lambda out: self._settled(parsed, out, done))

            self.app.push_screen(ConfirmScreen(question), answered)

        console.read(lambda: desk.find_call(dispatch.call), found)

    def _settled(self, parsed: Parsed, outcome: Outcome, done: str = "") -> None:
        self.running = False
        if outcome.ok:
            self._close()
            words = done or done_words(parsed, outcome.call_id)
            self.console.say(words)
            new = parsed.action
            if isinstance(new, c.ReceiveCall) and outcome.call_id:
                self._open_at_place(new, outcome.call_id, words)
        else:
            self.console.say(f"REFUSED: {parsed.words}: {outcome.reason}", error=True)

    def _open_at_place(self, new: c.ReceiveCall, call_id: str, words: str) -> None:
        """Calls open at the new call's place, read off the UI loop: the message line
        names the first, with the DUP line that links them."""
        desk = self.console.desk
        console = self.console

        def found(others: list[Call]) -> None:
            more = duplicate_words(call_id, others)
            if more:
                console.say(words + more)

        console.read(lambda: desk.likely_duplicates(new.location, new.type_code), found)

    def _close(self) -> bool:
        """Close the line if it is still on top: an answer may come back after Esc, or
        with the lock come over it (never dismissed in its place)."""
        if self.is_attached and self.app.screen is self:
            self.dismiss(None)
            return True
        return False

    def _remember(self, text: str) -> None:
        kept = cmd_history.keepable(text)
        if kept is None:
            return
        self.history = [x for x in self.history if x != kept] + [kept]
        self.at, self.typed = len(self.history), ""
        path = self.console.history_path
        self.console.read(lambda: cmd_history.remember(path, text), lambda _: None)

    def _show(self, show: Show) -> None:
        from cso_console.screens.board import BoardScreen
        from cso_console.screens.detail import CallDetailScreen
        from cso_console.screens.history import PremiseHistoryScreen

        app = self.console
        if show.what == "history":
            self._close()
            app.push_screen(PremiseHistoryScreen(place=show.target))
            return
        desk, ref = app.desk, show.target

        def found(call: object) -> None:
            if call is None:
                app.say(f"REFUSED: S {ref}: There is no call {ref}.", error=True)
                return
            if not self._close():
                return
            call_id = getattr(call, "call_id", "")
            for screen in app.screen_stack:  # selected on the board too, for Esc
                if isinstance(screen, BoardScreen) and call_id in app.known_calls():
                    screen.select_call(call_id)
            app.push_screen(CallDetailScreen.open_for(app, call_id, app.known_calls().get(call_id)))

        app.read(lambda: desk.find_call(ref), found)

    # keys -------------------------------------------------------------------

    def action_close(self) -> None:
        self._close()

    def action_complete(self) -> None:
        line = self.query_one(Input)
        text = line.value
        cycle = self._cycle
        if cycle is not None and text == cycle[0]:
            _, start, found, i = cycle
            i = (i + 1) % len(found)
        else:
            start, found = complete(text, self.board())
            i = 0
            if not found:
                self.console.say("Nothing to complete here.")
                return
        pick = found[i]
        done = text[:start] + pick.text + (" " if len(found) == 1 else "")
        line.value = done
        line.cursor_position = len(done)
        self._cycle = (done, start, found, i)
        more = f"  ({i + 1} of {len(found)}: Tab for the next)" if len(found) > 1 else ""
        self.console.say(pick.what + more)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        line = self.query_one(Input)
        if self.at == len(self.history):
            self.typed = line.value
        self.at = max(0, min(len(self.history), self.at + step))
        value = self.typed if self.at == len(self.history) else self.history[self.at]
        line.value = value
        line.cursor_position = len(value)
