"""The alert line: the alert `x` acknowledges, and the others counted by kind.

Words, not colour alone; an alert stays until acknowledged. The counts are never cut (a
LATE P1 must not hide behind "+1"): the top alert's text gives way first.
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from textual.widgets import Static

from cso_console.domain.alert_book import AlertBook
from cso_console.domain.alerts import Alert, count_by_kind
from cso_console.domain.conflicts import LABEL as CONFLICT
from cso_console.widgets.format import fit
from cso_console.widgets.steady import Steady

HINT = "  x ack  ! all"
MIN_HEAD = 20  # cells of the shown alert kept however many kinds follow


def alert_line(alerts: list[Alert], width: int, conflicts: int = 0) -> str:
    """One line of at most ``width`` cells: ``LATE P1 call 12 ... | +1 WELFARE, 2 TIMER``;
    ``conflicts``: the open conflicts a lead sees, counted last (``1 CONFLICT``)."""
    top = alerts[0] if alerts else None
    return top_line(top, count_by_kind(alerts[1:]), width, conflicts)


def rest_counts(top: Alert, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The counts by kind without the top alert (it is shown in words)."""
    out = [(label, n - 1 if label == top.label else n) for label, n in counts]
    return [(label, n) for label, n in out if n > 0]


def top_line(top: Alert | None, rest: list[tuple[str, int]], width: int, conflicts: int = 0) -> str:
    """The top alert in words, then the others (``rest``) counted by kind, then the open
    conflicts."""
    if top is None:
        if conflicts:
            return fit(f"{conflicts} {CONFLICT} for the lead to settle{HINT}", width).rstrip()
        return fit("No alerts.", width).rstrip()
    counts = [f"{n} {label}" for label, n in rest]
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
        self.book: AlertBook | None = None
        self.now: datetime | None = None
        self.top: Alert | None = None
        self.counts: list[tuple[str, int]] = []
        self.conflicts = 0  # open conflicts, counted for a lead (the app sets it)
        self._text = ""
        self.shown = False  # the alerts have been worked out once (the board's first tick)

    @property
    def alerts(self) -> list[Alert]:
        """Every standing alert in order, in words (built on asking: the alerts list)."""
        if self.book is None or self.now is None:
            return []
        return self.book.alerts(self.now)

    def show(self, book: AlertBook, now: datetime) -> None:
        """Show the book's top alert and the others counted by kind (only the top one is
        put into words)."""
        self.book, self.now = book, now
        self.top = book.top(now)
        self.counts = book.counts()
        self.shown = True
        self._draw()

    def set_conflicts(self, n: int) -> None:
        self.conflicts = n
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        self.set_class(self.top is not None or self.conflicts > 0, "-active")
        width = self.content_region.width or 78
        rest = rest_counts(self.top, self.counts) if self.top is not None else []
        text = top_line(self.top, rest, width, self.conflicts)
        if text != self._text:
            self._text = text
            # fit() made every data string in it terminal-safe; one line: no relayout
            self.update(text, layout=False)
