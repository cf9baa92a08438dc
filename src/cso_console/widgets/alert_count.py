"""The alerts on the sign-in and lock screens: their count by kind, no call data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static

from cso_console.domain.conflicts import LABEL as CONFLICT
from cso_console.widgets.steady import Steady

if TYPE_CHECKING:  # the sign-in screen is drawn before the domain is loaded
    from cso_console.domain.alerts import Alert


def alert_count_line(alerts: list[Alert], conflicts: int = 0) -> str:
    """``ALERTS: 1 WELFARE, 2 LATE P1`` (most urgent kind first; open conflicts last, as
    ``1 CONFLICT``), or ``No alerts.``"""
    from cso_console.domain.alerts import count_by_kind

    return count_line(count_by_kind(alerts), conflicts)


def count_line(counts: list[tuple[str, int]], conflicts: int = 0) -> str:
    """The same from counts by kind."""
    words = [f"{n} {label}" for label, n in counts]
    if conflicts:
        words.append(f"{conflicts} {CONFLICT}")
    return "ALERTS: " + ", ".join(words) if words else "No alerts."


class AlertCount(Steady, Static):
    """Redrawn on the app's tick from the board's alert line underneath (the board keeps
    following the journal and rings the bell for a new alert while this is on top)."""

    DEFAULT_CSS = """
    AlertCount { height: auto; }
    AlertCount.-active { background: $error 30%; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._text = ""

    def on_mount(self) -> None:
        self.refresh_count()

    def refresh_count(self) -> None:
        app: Any = self.app
        # by its name: the sign-in screen counts before the board (and the domain) is loaded
        strips = [s for screen in app.screen_stack for s in screen.query("AlertsStrip")]
        if app.rows_loading or not any(s.shown for s in strips):
            return  # not worked out yet: "No alerts." would not be true
        counts = app.alert_counts()
        conflicts = len(app.conflicts)
        text = count_line(counts, conflicts)
        self.set_class(bool(counts or conflicts), "-active")
        if text != self._text:
            self._text = text
            self.update(text)  # labels are our own words: kinds and priorities
