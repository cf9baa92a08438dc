"""The board: the call queue, the officer board and the status bar."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from cso_console.domain.fold import Changed
from cso_console.screens.confirm import ConfirmScreen
from cso_console.widgets.boards import CallQueue, OfficerBoard
from cso_console.widgets.status import StatusBar


class BoardScreen(Screen[None]):
    DEFAULT_CSS = """
    BoardScreen { layout: vertical; }
    BoardScreen CallQueue { height: 1fr; border: ascii $primary; }
    BoardScreen OfficerBoard { height: 1fr; border: ascii $secondary; }
    BoardScreen CallQueue:focus, BoardScreen OfficerBoard:focus { border: ascii $accent; }
    BoardScreen #message { height: 1; }
    """
    BINDINGS = [
        Binding("q", "quit", "Quit", id="board.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield CallQueue(id="queue")
        yield OfficerBoard(id="officers")
        yield Static("", id="message")

    def on_mount(self) -> None:
        self.reload()
        self.tick(self.app.desk.now())  # type: ignore[attr-defined]
        self.query_one(CallQueue).focus()

    def reload(self) -> None:
        desk = self.app.desk  # type: ignore[attr-defined]
        self.query_one(CallQueue).set_calls(desk.open_calls(), desk.town)
        self.query_one(OfficerBoard).set_officers(desk.officers())

    def desk_changed(self, changed: Changed) -> None:
        self.reload()

    def tick(self, now: datetime) -> None:
        self.query_one(StatusBar).tick(now)
        self.query_one(CallQueue).tick(now)
        self.query_one(OfficerBoard).tick(now)

    def action_quit(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.app.exit(0)

        self.app.push_screen(ConfirmScreen("Quit CSO Console?"), answered)
