"""The shift report and the handover on screen (``s``/F7 on the board).

The figures are the ones ``cso-console report`` prints: the same
:func:`~cso_console.domain.report.shift_report`, rendered by the same Markdown renderer,
read on the follower thread (never on the UI loop). ``h`` switches between the report and
the handover, ``r`` reads again; the text scrolls both ways at 80x24.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Static

from cso_console.domain.report import ShiftReport
from cso_console.report_formats import handover, markdown, read_report
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.steady import Steady

if TYPE_CHECKING:
    from cso_console.app import ConsoleApp


class ReportScreen(Steady, Screen[None]):
    DEFAULT_CSS = """
    ReportScreen #page { height: 1fr; }
    ReportScreen #text { width: auto; padding: 0 1; }
    ReportScreen #keys { dock: bottom; height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back to board", id="nav.back"),
        Binding("s,f7", "back", "Back to board", id="nav.report"),
        Binding("h", "switch", "Report/handover", id="report.switch"),
        Binding("r", "reload", "Read again", id="report.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: ShiftReport | None = None
        self.showing = "report"

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="page"):
            yield Static("Reading the journal ...", id="text", markup=False)
        yield KeyHints(
            ("report.switch", "report/handover"),
            ("report.reload", "read again"),
            "arrows/PgUp/PgDn scroll",
            ("nav.back", "back"),
        )

    def on_mount(self) -> None:
        self.query_one("#page").focus()
        self.action_reload()

    def action_reload(self) -> None:
        app = cast("ConsoleApp", self.app)
        desk = app.desk
        app.read(lambda: read_report(desk), self._got, owner=self)

    def _got(self, report: ShiftReport) -> None:
        self.report = report
        self._draw()

    def _draw(self) -> None:
        if self.report is None or not self.is_mounted:
            return
        ascii_only = cast("ConsoleApp", self.app).ascii_only
        text = (
            handover(self.report)
            if self.showing == "handover"
            else markdown(self.report, ascii_only)
        )
        self.query_one("#text", Static).update(text)

    def action_switch(self) -> None:
        self.showing = "handover" if self.showing == "report" else "report"
        self._draw()
        self.query_one("#page", ScrollableContainer).scroll_home(animate=False)

    def action_back(self) -> None:
        self.dismiss(None)
