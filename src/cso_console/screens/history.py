"""Premise history (``h``): earlier calls at the selected call's place, then near it.

The place is the location without its unit; a landmark and the address it stands at are
one place; near means another number on the same block (the same hundred of the same
street); an intersection is the same whichever street is said first. Enter opens a call.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call
from cso_console.domain.premises import CallLine
from cso_console.screens.actions import DeskActions
from cso_console.text import terminal_safe
from cso_console.widgets.calllines import CallLineList
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.message import MessageLine

HISTORY_NOTES = """
=   a call at this place (the unit left out; a landmark
    is also the address it stands at)
~   a call near it: another number on the same block
Newest first, this place before the block; the call
itself is not listed. OUTCOME is the disposition of a
closed call, else its status.
"""


def open_history(screen: DeskActions) -> None:
    """Push the premise history of the screen's selected call."""
    call = screen.target_call()
    if call is None:
        screen.say("Select a call first: h shows the history of its place.", error=True)
        return
    screen.app.push_screen(PremiseHistoryScreen(call))


class PremiseHistoryScreen(DeskActions):
    HELP_TITLE = "Premise history"
    HELP_NOTES = HISTORY_NOTES
    DEFAULT_CSS = """
    PremiseHistoryScreen { layout: vertical; }
    PremiseHistoryScreen #title { height: 1; padding: 0 1; text-style: bold; }
    PremiseHistoryScreen CallLineList { height: 1fr; border: ascii $primary; }
    PremiseHistoryScreen CallLineList:focus { border: ascii $accent; }
    PremiseHistoryScreen #message { height: 1; padding: 0 1; }
    PremiseHistoryScreen #message.error { text-style: bold; }
    PremiseHistoryScreen #keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="nav.back"),
        Binding("enter", "open", "Open call", id="call.open"),
        Binding("question_mark,f1", "help", "Help", id="nav.help"),
    ]

    def __init__(self, call: Call | None = None, place: str = "") -> None:
        """The history of a call's place, or of a place typed (``PH 12 main st``)."""
        super().__init__()
        self.call = call
        self.place = place
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static("", id="title", markup=False)
        yield CallLineList(id="list", marks=True)
        yield MessageLine(id="message")
        yield KeyHints(
            ("call.open", "open call"),
            (("nav.down", "nav.up"), "move"),
            "= this place  ~ same block",
            ("nav.back", "back"),
            ("nav.help", "help"),
        )

    def on_mount(self) -> None:
        self._title("looking...")
        self.query_one(CallLineList).set_lines([], "  Looking up the history...")
        self.query_one(CallLineList).focus()
        desk, call, place = self.desk, self.call, self.place
        if call is None:
            self.console.read(lambda: desk.place_history(place), self._loaded, owner=self)
        else:
            self.console.read(lambda: desk.premise_history(call.call_id), self._loaded, owner=self)

    def _title(self, counts: str) -> None:
        if self.call is None:
            title = f"HISTORY of {terminal_safe(self.place)}: {counts}"
        else:
            where = terminal_safe(self.call.location)
            title = f"HISTORY of {where} (call {short_number(self.call.call_id)}): {counts}"
        self.query_one("#title", Static).update(title)

    def _loaded(self, lines: list[CallLine]) -> None:
        self.loaded = True
        same = sum(1 for x in lines if x.same_place)
        self._title(f"{same} here, {len(lines) - same} near")
        self.query_one(CallLineList).set_lines(
            lines, "  No earlier calls at this place or on its block."
        )

    def target_call(self) -> Call | None:
        return None  # the keys here open calls; they do not act on one

    def action_open(self) -> None:
        from cso_console.screens.detail import CallDetailScreen

        line = self.query_one(CallLineList).selected
        if line is None:
            self.say("No call to open.")
            return
        self.app.push_screen(CallDetailScreen.open_for(self.app, line.call_id))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        from cso_console.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
