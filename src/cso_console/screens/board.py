"""The board: call queue, officer board, beat map panel, alerts and the status bar."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from cso_console.domain import commands as c
from cso_console.domain.alerts import current_alerts
from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, Officer
from cso_console.screens.actions import DeskActions, call_bindings
from cso_console.widgets.alerts import AlertsStrip
from cso_console.widgets.beatmap import beat_counts, render_map
from cso_console.widgets.boards import CallQueue, OfficerBoard
from cso_console.widgets.message import MessageLine
from cso_console.widgets.status import StatusBar

if TYPE_CHECKING:
    from cso_console.app import Feed

WIDE = (120, 32)


class BoardScreen(DeskActions):
    DEFAULT_CSS = """
    BoardScreen { layout: vertical; }
    BoardScreen #main { height: 1fr; }
    BoardScreen #lists { width: 1fr; }
    BoardScreen CallQueue { height: 1fr; border: ascii $primary; }
    BoardScreen OfficerBoard { height: 1fr; border: ascii $secondary; }
    BoardScreen CallQueue:focus, BoardScreen OfficerBoard:focus { border: ascii $accent; }
    BoardScreen #map { width: 78; border: ascii $secondary; display: none; }
    BoardScreen.-map #map { display: block; }
    BoardScreen.-map.-narrow #lists { display: none; }
    BoardScreen.-map.-narrow #map { width: 1fr; }
    BoardScreen #message { height: 1; padding: 0 1; }
    BoardScreen #message.error { text-style: bold; }
    BoardScreen #keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("n,f2", "new_call", "New call", id="board.new_call"),
        *call_bindings("board"),
        Binding("a", "available", "Available", id="board.available"),
        Binding("b", "break", "Break", id="board.break"),
        Binding("enter", "open_call", "Open call", id="board.open_call"),
        Binding("x", "acknowledge", "Ack alert", id="board.acknowledge"),
        Binding("m,f6", "map", "Beat map", id="board.map"),
        Binding("p", "toggle_map", "Map panel", id="board.toggle_map"),
        Binding("s,f7", "report", "Shift report", id="board.report"),
        Binding("question_mark,f1", "help", "Help", id="board.help"),
        Binding("q", "quit", "Quit", id="board.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="main"):
            with Vertical(id="lists"):
                yield CallQueue(id="queue")
                yield OfficerBoard(id="officers")
            yield Static("", id="map", markup=False)
        yield AlertsStrip(id="alerts")
        yield MessageLine(id="message")
        yield Static(
            "n new  d dispatch  e/o/c status  Enter open  Tab panel  ? help  q quit",
            id="keys",
            markup=False,
        )

    def on_mount(self) -> None:
        self.reload()
        self.tick(self.desk.now())
        self.query_one(CallQueue).focus()
        self._fit(self.app.size.width, self.app.size.height)

    def on_resize(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)

    def _fit(self, width: int, height: int) -> None:
        wide = width >= WIDE[0] and height >= WIDE[1]
        self.set_class(not wide, "-narrow")
        if wide:
            self.add_class("-map")

    # model ----------------------------------------------------------------

    def reload(self) -> None:
        self.query_one(CallQueue).set_calls(self.desk.open_calls(), self.desk.town)
        self.query_one(OfficerBoard).set_officers(self.desk.officers())
        self._refresh_map()

    def follow(self, changes: Feed, full: bool) -> bool:
        """Take the calls and officers the journal says changed (any writer); only those
        rows change. True when that raised a new alert (the app rings once)."""
        if not self.is_mounted:
            return False  # the first load, still to come, reads them anyway
        queue, board = self.query_one(CallQueue), self.query_one(OfficerBoard)
        if full:
            calls = [c for c in changes.calls.values() if c.status.is_open]
            queue.set_calls(calls, self.desk.town)
            board.set_officers(list(changes.officers.values()))
        else:
            dropped_calls = changes.dropped_calls
            dropped_officers = changes.dropped_officers
            if changes.calls or dropped_calls:  # a dropped call leaves the queue
                queue.upsert(changes.calls, set(changes.calls) | dropped_calls)
            if changes.officers:
                board.upsert(changes.officers)
            if dropped_officers:
                board.forget(dropped_officers)
            if not (changes.calls or changes.officers or dropped_calls or dropped_officers):
                return False
        self._refresh_map()
        return self._alerts(self.desk.now())

    def _refresh_map(self) -> None:
        if not self.has_class("-map"):
            return
        queue, board = self.query_one(CallQueue), self.query_one(OfficerBoard)
        counts = beat_counts(
            self.desk.town, list(queue.calls.values()), list(board.officers.values())
        )
        self.query_one("#map", Static).update(render_map(self.desk.town, counts))

    def tick(self, now: datetime) -> None:
        self.query_one(StatusBar).tick(now)
        self.query_one(CallQueue).tick(now)
        self.query_one(OfficerBoard).tick(now)
        if self._alerts(now):
            self.app.bell()

    def _alerts(self, now: datetime) -> bool:
        """Alerts from the calls on the queue; True when one is new (ring once for it)."""
        calls = list(self.query_one(CallQueue).calls.values())
        return self.query_one(AlertsStrip).show(current_alerts(calls, self.desk.town, now))

    # targets ----------------------------------------------------------------

    def target_call(self) -> Call | None:
        return self.query_one(CallQueue).selected

    def target_officer(self) -> Officer | None:
        board = self.query_one(OfficerBoard)
        if board.has_focus:
            return board.selected
        return super().target_officer()

    def select_call(self, call_id: str) -> None:
        queue = self.query_one(CallQueue)
        queue.select_key(call_id)
        queue.focus()

    # actions ----------------------------------------------------------------

    def action_new_call(self) -> None:
        from cso_console.screens.intake import IntakeScreen

        def saved(call_id: str | None) -> None:
            if call_id:
                self.select_call(call_id)

        self.app.push_screen(IntakeScreen(), saved)

    def action_open_call(self) -> None:
        from cso_console.screens.detail import CallDetailScreen

        call = self.target_call()
        call_id = call.call_id if call is not None else None
        if self.query_one(OfficerBoard).has_focus:
            officer = self.query_one(OfficerBoard).selected
            call_id = officer.current_call_id if officer else None
        if call_id is None:
            self.say("Select a call first.", error=True)
            return
        known = self.query_one(CallQueue).calls.get(call_id)
        self.app.push_screen(CallDetailScreen(call_id, known))

    def action_acknowledge(self) -> None:
        alerts = self.query_one(AlertsStrip).alerts
        if not alerts:
            self.say("No alert to acknowledge.")
            return
        top = alerts[0]
        if top.kind == "welfare" and top.officer_id:
            self.run_command(
                c.AcknowledgeWelfare(officer=top.officer_id, call=top.call_id),
                f"Welfare check on {top.officer_id} acknowledged.",
            )
        else:
            self.run_command(
                c.AcknowledgeAlert(call=top.call_id),
                f"Alert on call {short_number(top.call_id)} acknowledged.",
            )

    def action_map(self) -> None:
        from cso_console.screens.beatmap import BeatMapScreen

        self.app.push_screen(BeatMapScreen())

    def action_toggle_map(self) -> None:
        self.toggle_class("-map")
        self._refresh_map()
        if self.has_class("-map") and self.has_class("-narrow"):
            self.say("Map panel shown; p hides it.")

    def action_report(self) -> None:
        from cso_console.screens.report import ReportScreen

        self.app.push_screen(ReportScreen())

    def action_help(self) -> None:
        from cso_console.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self.console.action_quit_asked()  # one quit question, whichever key asked it
