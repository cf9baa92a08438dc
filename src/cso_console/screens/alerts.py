"""The alerts list (`!`): every standing alert in the brief's order; acknowledge from here.

The list is the board's: the board works the alerts out on its tick and whenever the
journal changes, and this screen shows them. A shift lead also sees the open conflicts
(events the fold refused), after the alerts, as the app last read them. Enter opens the
alert's call (or, for an officer with no call, selects the officer on the board); `x`
acknowledges the selected alert, or settles the selected conflict with a reason; Esc
goes back.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cso_console.domain import commands as c
from cso_console.domain.alerts import Alert, AlertKind
from cso_console.domain.callnumber import short_number
from cso_console.domain.conflicts import LABEL as CONFLICT
from cso_console.domain.conflicts import OpenConflict
from cso_console.screens.actions import DeskActions
from cso_console.widgets.boards import OfficerBoard
from cso_console.widgets.format import fit
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.message import MessageLine
from cso_console.widgets.rowlist import RowList

if TYPE_CHECKING:
    from cso_console.app import Feed


def acknowledge(screen: DeskActions, alert: Alert) -> None:
    """Acknowledge one alert as a journal event: a welfare check, a late call, an officer
    timer (which alerts again at twice its limit)."""
    if alert.kind is AlertKind.WELFARE and alert.officer_id and alert.call_id:
        screen.run_command(
            c.AcknowledgeWelfare(officer=alert.officer_id, call=alert.call_id),
            f"Welfare check on {alert.officer_id} acknowledged.",
        )
    elif alert.kind is AlertKind.LATE and alert.call_id:
        twice = " (twice the target)" if alert.level == 2 else ""
        screen.run_command(
            c.AcknowledgeAlert(call=alert.call_id),
            f"Late alert on call {short_number(alert.call_id)}{twice} acknowledged.",
        )
    elif alert.officer_id:
        who = alert.officer_id
        again = (
            "it alerts again at twice the limit"
            if alert.level == 1
            else f"no more until {who}'s status changes"
        )
        screen.run_command(
            c.AcknowledgeTimer(officer=who), f"Timer on {who} acknowledged; {again}."
        )


def settle(screen: DeskActions, conflict: OpenConflict) -> None:
    """Ask why, then settle the conflict (``keep``: the journal stays as folded)."""
    from cso_console.screens.call_verbs import ask_reason

    def because(reason: str) -> None:
        screen.run_command(
            c.SettleConflict(event_id=conflict.event_id, reason=reason),
            f"Conflict over event {conflict.short_id} settled: the journal stays as it is.",
        )

    ask_reason(screen, f"Why settle the conflict over event {conflict.short_id}?", because)


class AlertList(RowList):
    """One row per standing alert: its kind, then what it says; then the open conflicts."""

    HEADER = f"  {fit('KIND', 8)} ALERT"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.alerts: dict[str, Alert | OpenConflict] = {}

    def set_alerts(self, alerts: list[Alert], conflicts: list[OpenConflict] | None = None) -> None:
        rows: dict[str, Alert | OpenConflict] = {a.key: a for a in alerts}
        rows |= {f"conflict:{k.event_id}": k for k in conflicts or ()}
        if list(rows) == self.keys and rows == self.alerts:
            return
        self.alerts = rows
        self.set_keys(list(rows))

    @property
    def selected(self) -> Alert | OpenConflict | None:
        key = self.selected_key
        return self.alerts.get(key) if key is not None else None

    def render_row(self, key: str) -> tuple[str, str | None]:
        a = self.alerts[key]
        width = max(10, self.scrollable_content_region.width - 12)
        if isinstance(a, OpenConflict):
            return f"  {fit(CONFLICT, 8)} {fit(f'{a.short_id} {a.text()}', width)}", None
        text = a.text.removeprefix(a.label).lstrip()
        return f"  {fit(a.label, 8)} {fit(text, width)}", "rowlist--red"

    def empty_text(self) -> str:
        return "  No alerts."


def open_alerts(screen: DeskActions) -> None:
    """Push the alerts list; an officer chosen there (Enter on an officer with no call)
    is selected on the officer board when ``screen`` has one."""

    alerts = AlertsScreen()

    def closed(_: None) -> None:
        officer_id = alerts.chosen_officer
        if not officer_id:
            return
        board = next(iter(screen.query(OfficerBoard)), None)
        if board is None:
            screen.say(f"{officer_id} has no call; the board's officer list shows them.")
            return
        board.select_key(officer_id)
        board.focus()
        screen.say(f"{officer_id} selected on the officer board.")

    screen.app.push_screen(alerts, closed)


class AlertsScreen(DeskActions):
    DEFAULT_CSS = """
    AlertsScreen { layout: vertical; }
    AlertsScreen #title { height: 1; padding: 0 1; text-style: bold; }
    AlertsScreen AlertList { height: 1fr; border: ascii $error; }
    AlertsScreen AlertList:focus { border: ascii $accent; }
    AlertsScreen #message { height: 1; padding: 0 1; }
    AlertsScreen #message.error { text-style: bold; }
    AlertsScreen #keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="nav.back"),
        Binding("enter", "open", "Open call (or officer)", id="call.open"),
        Binding("x", "acknowledge", "Ack alert / settle conflict", id="alert.acknowledge"),
        Binding("question_mark,f1", "help", "Help", id="nav.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.chosen_officer: str | None = None  # Enter on an officer with no call

    def compose(self) -> ComposeResult:
        yield Static("", id="title", markup=False)
        yield AlertList(id="list")
        yield MessageLine(id="message")
        yield KeyHints(
            ("alert.acknowledge", "ack/settle"),
            ("call.open", "open"),
            (("nav.down", "nav.up"), "move"),
            ("nav.back", "back"),
            ("nav.help", "help"),
        )

    def on_mount(self) -> None:
        self._show()
        self.query_one(AlertList).focus()

    def tick(self, now: datetime) -> None:
        self._show()

    def follow(self, changes: Feed, full: bool) -> bool:
        if self.is_mounted:
            self._show()
        return False  # the board rings for a new alert

    def conflicts_changed(self) -> None:
        """The app read the open conflicts again."""
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        alerts = self.console.standing_alerts()
        conflicts = self.console.conflicts
        title = (
            f"ALERTS: {len(alerts)} standing, most urgent first"
            if alerts
            else "ALERTS: none standing"
        )
        if conflicts:
            title += f"; {len(conflicts)} conflict{'s' if len(conflicts) > 1 else ''} to settle"
        self.query_one("#title", Static).update(title)
        self.query_one(AlertList).set_alerts(alerts, conflicts)

    @property
    def selected(self) -> Alert | OpenConflict | None:
        return self.query_one(AlertList).selected

    # actions ----------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_acknowledge(self) -> None:
        alert = self.selected
        if alert is None:
            self.say("No alert to acknowledge.")
            return
        if isinstance(alert, OpenConflict):
            settle(self, alert)
            return
        acknowledge(self, alert)

    def action_open(self) -> None:
        from cso_console.screens.detail import CallDetailScreen

        alert = self.selected
        if alert is None:
            self.say("No alert selected.")
            return
        if isinstance(alert, OpenConflict) and not (alert.call_id or alert.officer_id):
            self.say("This conflict is about no call or officer: x settles it.")
            return
        if alert.call_id is not None:
            known = self.console.known_calls().get(alert.call_id)
            self.app.push_screen(CallDetailScreen.open_for(self.app, alert.call_id, known))
            return
        self.chosen_officer = alert.officer_id  # whoever opened the list selects them
        self.dismiss(None)

    def action_help(self) -> None:
        from cso_console.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
