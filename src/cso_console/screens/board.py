"""The board: call queue, officer board, beat map panel, alerts and the status bar."""

from __future__ import annotations

import gc
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cso_console.domain.alert_book import AlertBook
from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, Officer
from cso_console.screens.actions import DeskActions, call_bindings
from cso_console.screens.alerts import acknowledge, open_alerts
from cso_console.widgets.alerts import AlertsStrip
from cso_console.widgets.beatmap import beat_counts, map_panel, map_width
from cso_console.widgets.boards import CallQueue, OfficerBoard
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.message import MessageLine
from cso_console.widgets.status import StatusBar


def settled() -> None:
    """The board's rows are loaded: they live as long as the board, so the collector
    stops looking at them (a full collection over 20,000 calls took tens of ms, in the
    middle of a tick). Garbage among them is still freed by reference counts. The
    collector, off while the console started (cli.cmd_run), runs again from here."""
    gc.collect()
    gc.freeze()
    gc.enable()


if TYPE_CHECKING:
    from cso_console.app import Feed

LISTS_MIN = 80  # the queue and the officer board need this many columns, all columns shown
WIDE_ROWS = 32  # and the panel needs this many rows


BOARD_NOTES = """
CALL QUEUE (top)
#         call number
P         priority, 1 most urgent
TYPE      call type code (the detail says it in words)
LOCATION  where; ?place = not verified (not in the town)
BEAT      the beat it is in; -- = unknown beat
STATUS    PENDING, SCHEDULED, DISPATCHED, EN ROUTE,
          ON SCENE
AGE       since received: 4:05 min:s, 3h05, 2d04 days
UNITS     officers on the call (call signs)
!!        LATE: waiting past its priority's target
!         due: three quarters of the target gone
P1 and LATE calls are pinned on top; the rest scrolls
under them (a line marks where).

OFFICERS (bottom): free officers first, off duty last
UNIT      call sign         STATUS  AVAILABLE, DISPATCHED,
          EN ROUTE, ON SCENE, BUSY, BREAK, OUT OF
          SERVICE, OFF DUTY
BEAT      where they are    CALL    call number; 4+9: on
          call 4, call 9 stacked next (theirs as they clear)
TIME      in this status    SHIFT   calls this shift

ALERT LINE: the most urgent alert; x acknowledges it.
MAP (m, or the panel on a wide terminal): calls waiting
and officers free in each beat.
"""


class BoardScreen(DeskActions):
    HELP_TITLE = "Board"
    HELP_NOTES = BOARD_NOTES
    # One grid, no containers: fewer widgets to lay out, paint and pass each key along.
    # Without the panel one column; with it (-map) the panel takes a second column beside
    # the queue and the officer board, and the one-line widgets span both.
    DEFAULT_CSS = """
    BoardScreen { layout: grid; grid-size: 1; grid-rows: 1 1fr 1fr 1 1 1; }
    BoardScreen.-map { grid-size: 2; grid-columns: 1fr auto; }
    BoardScreen.-map StatusBar, BoardScreen.-map AlertsStrip, BoardScreen.-map MessageLine,
    BoardScreen.-map KeyHints { column-span: 2; }
    BoardScreen CallQueue { height: 1fr; border: ascii $primary; }
    BoardScreen OfficerBoard { height: 1fr; border: ascii $secondary; }
    BoardScreen CallQueue:focus, BoardScreen OfficerBoard:focus { border: ascii $accent; }
    BoardScreen #map {
        width: auto; row-span: 2; border: ascii $secondary; padding: 0 1; display: none;
    }
    BoardScreen.-map #map { display: block; }
    BoardScreen #message { height: 1; padding: 0 1; }
    BoardScreen #message.error { text-style: bold; }
    BoardScreen #keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("n,f2", "new_call", "New call", id="call.new"),
        *call_bindings(),
        Binding("a", "available", "Available", id="officer.available"),
        Binding("b", "break", "Break", id="officer.break"),
        Binding("enter", "open_call", "Open call", id="call.open"),
        Binding("x", "acknowledge", "Ack alert", id="alert.acknowledge"),
        Binding("exclamation_mark", "alerts", "Alerts list", id="nav.alerts"),
        Binding("m,f6", "map", "Beat map", id="nav.map"),
        Binding("p", "toggle_map", "Map panel", id="nav.map_panel"),
        Binding("s,f7", "report", "Shift report", id="nav.report"),
        Binding("R,f5", "roster", "Roster", id="nav.roster"),
        Binding("h", "history", "Premise history", id="nav.history"),
        Binding("slash", "search", "Search calls", id="nav.search"),
        Binding("question_mark,f1", "help", "Help", id="nav.help"),
        # the app's keys, from every screen; here so help lists them (F9 on the lock signs out)
        Binding("ctrl+l", "app.lock", "Lock the console", id="desk.lock"),
        Binding("ctrl+p", "app.palette", "Command palette", id="desk.palette"),
        Binding("q", "quit", "Quit", id="desk.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield CallQueue(id="queue")
        # the map panel (#map) comes here when it first fits (_fit): one widget fewer to
        # pass every key and paint along on a terminal that never shows it
        yield OfficerBoard(id="officers")
        yield AlertsStrip(id="alerts")
        yield MessageLine(id="message")
        yield KeyHints(
            ("call.new", "new"),
            ("call.dispatch", "dispatch"),
            (("officer.en_route", "officer.on_scene", "call.clear"), "status"),
            ("call.open", "open"),
            "Tab panel",
            ("nav.help", "help"),
            ("desk.quit", "quit"),
        )

    def __init__(self) -> None:
        super().__init__()
        self.map_wanted = True  # p hides the panel (and shows it again) where it fits
        self.book: AlertBook | None = None  # made on mount: it needs the desk's town
        self.loading_rows = True  # until the first read of the rows is back (see reload)

    def on_mount(self) -> None:
        self.query_one(CallQueue).border_title = "loading..."
        self.reload()
        self.tick(self.desk.now())
        self.query_one(CallQueue).focus()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def wide_size(self) -> tuple[int, int]:
        """The smallest terminal with room for the map panel beside whole lists."""
        return LISTS_MIN + map_width(self.desk.town) + 4, WIDE_ROWS  # + border and padding

    def _fit(self) -> None:
        """The map panel beside the lists when both fit whole; it never squeezes the
        queue or takes its place (the full map is one key away: m)."""
        width, height = self.wide_size()
        room = self.app.size.width >= width and self.app.size.height >= height
        if room and self.map_wanted and not self.query("#map"):
            panel = Static("", id="map", markup=False)  # beside both lists: 2 grid rows
            self.mount(panel, after=self.query_one(CallQueue))
        self.set_class(room and self.map_wanted, "-map")
        self._refresh_map()

    # model ----------------------------------------------------------------

    def reload(self) -> None:
        """Every open call and officer, read on the follower thread: the board is painted
        first, empty and "loading...", and the keys typed meanwhile wait for the rows (see
        ConsoleApp._ready_for_keys). Changes the follower hands on before the rows come
        are in them (it reads them after), so the board takes none until then."""
        desk = self.desk
        self.console.read(lambda: (desk.open_calls(), desk.officers()), self._loaded, owner=self)

    def _loaded(self, rows: tuple[list[Call], list[Officer]]) -> None:
        calls, officers = rows
        now, queue = self.desk.now(), self.query_one(CallQueue)
        queue.set_calls(calls, self.desk.town, now)
        queue.border_title = None
        self.query_one(OfficerBoard).set_officers(officers)
        self.alert_book().load(calls, officers, now)
        self.loading_rows = False
        self._refresh_map()
        self.query_one(AlertsStrip).show(self.alert_book(), now)
        self.console.alerts_loaded()
        self.call_after_refresh(settled)  # the rows painted first: a full collection is ms

    def alert_book(self) -> AlertBook:
        if self.book is None:
            self.book = AlertBook(self.desk.town)
        return self.book

    def follow(self, changes: Feed, full: bool) -> bool:
        """Take the calls and officers the journal says changed (any writer); only those
        rows change. True when that raised a new alert (the app rings once)."""
        if not self.is_mounted or self.loading_rows:
            return False  # the first load, still to come, reads them anyway
        queue, board = self.query_one(CallQueue), self.query_one(OfficerBoard)
        book, now = self.alert_book(), self.desk.now()
        if full:
            calls = [c for c in changes.calls.values() if c.status.is_open]
            queue.set_calls(calls, self.desk.town, now)
            board.set_officers(list(changes.officers.values()))
            new = book.load(calls, changes.officers.values(), now)
            settled()
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
            new = book.update(
                changes.calls.values(),
                changes.officers.values(),
                now,
                gone_calls=dropped_calls,
                gone_officers=dropped_officers,
            )
        self._refresh_map()
        self.query_one(AlertsStrip).show(book, now)
        return new

    def _refresh_map(self) -> None:
        if not self.has_class("-map"):
            return
        queue, board = self.query_one(CallQueue), self.query_one(OfficerBoard)
        counts = beat_counts(
            self.desk.town, list(queue.calls.values()), list(board.officers.values())
        )
        self.query_one("#map", Static).update(map_panel(self.desk.town, counts))

    def tick(self, now: datetime) -> None:
        self.query_one(StatusBar).tick(now)
        self.query_one(CallQueue).tick(now)
        self.query_one(OfficerBoard).tick(now)
        book = self.alert_book()
        new = book.advance(now)  # only the rows whose deadline passed
        self.query_one(AlertsStrip).show(book, now)
        if new:
            self.app.bell()

    # targets ----------------------------------------------------------------

    def target_call(self) -> Call | None:
        return self.query_one(CallQueue).selected

    def target_officer(self) -> Officer | None:
        board = self.query_one(OfficerBoard)
        if board.has_focus:
            return board.selected
        return super().target_officer()

    def officer_in_focus(self) -> bool:
        return self.query_one(OfficerBoard).has_focus

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
                self.say(self._saved_words(call_id))

        self.app.push_screen(IntakeScreen(), saved)

    def _saved_words(self, call_id: str) -> str:
        number = short_number(call_id)
        call = self.query_one(CallQueue).calls.get(call_id)
        if call is None:  # linked or transferred at once: not on the queue
            return f"Call {number} saved; it is not on the queue (see its detail)."
        return (
            f"Call {number} saved: P{call.priority} {call.type_code} at {call.location} "
            f"({call.beat_id or 'beat unknown'}); d dispatches."
        )

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
        self.app.push_screen(CallDetailScreen.open_for(self.app, call_id, known))

    def action_acknowledge(self) -> None:
        top = self.query_one(AlertsStrip).top
        if top is None:
            self.say("No alert to acknowledge.")
            return
        acknowledge(self, top)

    def action_alerts(self) -> None:
        open_alerts(self)

    def action_map(self) -> None:
        from cso_console.screens.beatmap import BeatMapScreen

        self.app.push_screen(BeatMapScreen())

    def action_toggle_map(self) -> None:
        width, height = self.wide_size()
        if self.app.size.width < width or self.app.size.height < height:
            self.say(
                f"The map panel needs a terminal of {width}x{height} or more; "
                "m shows the full beat map.",
                error=True,
            )
            return
        self.map_wanted = not self.map_wanted
        self._fit()
        self.say("Map panel shown; p hides it." if self.map_wanted else "Map panel hidden.")

    def action_history(self) -> None:
        from cso_console.screens.history import open_history

        open_history(self)

    def action_search(self) -> None:
        from cso_console.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_report(self) -> None:
        from cso_console.screens.report import ReportScreen

        self.app.push_screen(ReportScreen())

    def action_roster(self) -> None:
        from cso_console.screens.roster import RosterScreen

        self.app.push_screen(RosterScreen())

    def action_help(self) -> None:
        from cso_console.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self.console.action_quit_asked()  # one quit question, whichever key asked it
