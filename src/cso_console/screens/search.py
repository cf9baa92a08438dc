"""Search (``/``): one line of filters, the newest calls that meet them all; Enter opens.

The line is read by :func:`cso_console.domain.search.parse_query` (a sentence when it
cannot be); the desk runs it off the UI's loop. Caller name and phone are never searched.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from cso_console.domain.premises import CallLine
from cso_console.screens.actions import DeskActions
from cso_console.text import terminal_safe
from cso_console.widgets.calllines import CallLineList
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.message import MessageLine

LIMIT = 50
SEARCH_NOTES = """
Words on the line, all of them must hold:
42  D1-26-000042   the call with that number
type:noise  t:dog  call types (code or label word)
beat:B2            calls in that beat
status:open  s:closed  (pending, dispatched, en-route,
                   on-scene, cancelled, transferred...)
last:8h  last:2d   received in the last hours/days
from:2026-11-21 to:2026-11-22T08:00  agency time
other words        text in location, narrative and
                   notes (3 letters or more; "a phrase")
Caller name and phone are never searched.
Newest first, at most 50.
"""


class SearchScreen(DeskActions):
    HELP_TITLE = "Search"
    HELP_NOTES = SEARCH_NOTES
    DEFAULT_CSS = """
    SearchScreen { layout: vertical; }
    SearchScreen #line { height: 1; border: none; padding: 0 1; }
    SearchScreen #title { height: 1; padding: 0 1; text-style: bold; }
    SearchScreen CallLineList { height: 1fr; border: ascii $primary; }
    SearchScreen CallLineList:focus { border: ascii $accent; }
    SearchScreen #message { height: 1; padding: 0 1; }
    SearchScreen #message.error { text-style: bold; }
    SearchScreen #keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="nav.back"),
        Binding("enter", "open", "Open call", id="call.open"),
        Binding("slash", "edit", "Edit the search", id="search.edit"),
        Binding("f1", "help", "Help", id="nav.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.searching = False
        self.searched = ""  # the last line searched, once its results are in

    def compose(self) -> ComposeResult:
        yield Input(id="line", placeholder="e.g. barking beat:B2 last:7d", compact=True)
        yield Static("SEARCH: type filters and words, Enter searches", id="title", markup=False)
        yield CallLineList(id="list")
        yield MessageLine(id="message")
        yield KeyHints(
            "Enter search/open  Down results",
            ("search.edit", "edit"),
            ("nav.back", "back"),
            ("nav.help", "help"),
        )

    def on_mount(self) -> None:
        line = self.query_one("#line", Input)
        line.cursor_blink = False
        line.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_search(event.value)

    def run_search(self, text: str) -> None:
        if self.searching:
            self.say("Still searching; a moment.")
            return
        self.searching = True
        desk = self.desk

        def ask() -> list[CallLine] | str:
            try:
                return desk.search(text, LIMIT)
            except ValueError as exc:
                return str(exc)

        self.console.read(ask, lambda found: self._found(text, found), owner=self)

    def _found(self, text: str, found: list[CallLine] | str) -> None:
        self.searching = False
        if isinstance(found, str):
            self.say(found, error=True)
            return
        self.searched = text
        more = " (the newest 50)" if len(found) >= LIMIT else ""
        said = terminal_safe(" ".join(text.split()))
        self.query_one("#title", Static).update(
            f"FOUND {len(found)}{more} for: {said}" if found else f"Nothing found for: {said}"
        )
        results = self.query_one(CallLineList)
        results.set_lines(found, "  No call meets all of that.")
        if found:
            results.focus()

    def on_key(self, event: events.Key) -> None:
        super().on_key(event)
        if event.key == "down" and self.query_one("#line", Input).has_focus:
            self.query_one(CallLineList).focus()

    def action_open(self) -> None:
        from cso_console.screens.detail import CallDetailScreen

        results = self.query_one(CallLineList)
        if self.query_one("#line", Input).has_focus:
            return  # Enter in the line searches (Input.Submitted)
        line = results.selected
        if line is None:
            self.say("No call to open: type a search and press Enter.")
            return
        self.app.push_screen(CallDetailScreen.open_for(self.app, line.call_id))

    def action_edit(self) -> None:
        self.query_one("#line", Input).focus()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        from cso_console.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
