"""The alerts strip: words, not colour alone; stays until acknowledged."""

from __future__ import annotations

from textual.widgets import Static

from cso_console.domain.alerts import Alert
from cso_console.text import terminal_safe
from cso_console.widgets.steady import Steady


class AlertsStrip(Steady, Static):
    DEFAULT_CSS = """
    AlertsStrip { height: 1; padding: 0 1; }
    AlertsStrip.-active { background: $error 30%; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.alerts: list[Alert] = []
        self._seen: set[str] = set()
        self._text = ""

    def show(self, alerts: list[Alert]) -> bool:
        """Show the standing alerts; True when one is new (ring the bell once for it)."""
        self.alerts = alerts
        keys = {a.key for a in alerts}
        new = bool(keys - self._seen)
        self._seen |= keys
        self.set_class(bool(alerts), "-active")
        if not alerts:
            text = "No alerts."
        else:
            more = f" (+{len(alerts) - 1})" if len(alerts) > 1 else ""
            text = f"{alerts[0].text}{more}  x=ack"
        if text != self._text:
            self._text = text
            self.update(terminal_safe(text))
        return new
