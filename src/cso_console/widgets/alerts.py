"""The alert line: the alert `x` acknowledges, and the others counted by kind.

Words, not colour alone; an alert stays until acknowledged. The counts are never cut (a
LATE P1 must not hide behind "+1"): the top alert's text gives way first.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static

from cso_console.domain.alerts import Alert, count_by_kind
from cso_console.domain.conflicts import LABEL as CONFLICT
from cso_console.widgets.format import fit
from cso_console.widgets.steady import Steady

HINT = "  x ack  ! all"
MIN_HEAD = 20  # cells of the shown alert kept however many kinds follow


def alert_line(alerts: list[Alert], width: int, conflicts: int = 0) -> str:
    """One line of at most ``width`` cells: ``LATE P1 call 12 ... | +1 WELFARE, 2 TIMER``;
    ``conflicts``: the open conflicts a lead sees, counted last (``1 CONFLICT``)."""
    if not alerts:
        if conflicts:
            return fit(f"{conflicts} {CONFLICT} for the lead to settle{HINT}", width).rstrip()
        return fit("No alerts.", width).rstrip()
    top, rest = alerts[0], alerts[1:]
    counts = [f"{n} {label}" for label, n in count_by_kind(rest)]
    if conflicts:
        counts.append(f"{conflicts} {CONFLICT}")
    tail = f" | +{', '.join(counts)}" if counts else ""
    room = width - cell_len(tail) - len(HINT)
    if room >= cell_len(top.text):  # the hint goes before the alert is cut
        return fit(top.text + tail + HINT, width).rstrip()
    # Narrower than the brief's 80 columns: the alert keeps a readable start, and the
    # counts, most urgent kind first, are cut from the end.
    room = max(width - cell_len(tail), min(MIN_HEAD, width))
    return fit(fit(top.text, room).rstrip() + tail, width).rstrip()


class AlertsStrip(Steady, Static):
    DEFAULT_CSS = """
    AlertsStrip { height: 1; padding: 0 1; }
    AlertsStrip.-active { background: $error 30%; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.alerts: list[Alert] = []
        self.conflicts = 0  # open conflicts, counted for a lead (the app sets it)
        self._seen: set[str] = set()
        self._text = ""
        self.shown = False  # the alerts have been worked out once (the board's first tick)

    def show(self, alerts: list[Alert]) -> bool:
        """Show the standing alerts; True when one is new (ring the bell once for it)."""
        self.alerts = alerts
        self.shown = True
        new = False
        for a in alerts:
            if a.key not in self._seen:
                self._seen.add(a.key)
                new = True
        self._draw()
        return new

    def set_conflicts(self, n: int) -> None:
        self.conflicts = n
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        self.set_class(bool(self.alerts or self.conflicts), "-active")
        width = self.content_region.width or 78
        text = alert_line(self.alerts, width, self.conflicts)
        if text != self._text:
            self._text = text
            self.update(text)  # fit() made every data string in it terminal-safe
