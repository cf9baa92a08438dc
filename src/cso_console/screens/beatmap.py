"""The beat map, full screen: pending calls and officers per beat."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from cso_console.widgets.beatmap import beat_counts, counts_table, map_panel
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.steady import Steady

if TYPE_CHECKING:
    from cso_console.app import ConsoleApp, Feed


class BeatMapScreen(Steady, Screen[None]):
    HELP_TITLE = "Beat map"
    DEFAULT_CSS = """
    BeatMapScreen #counts { margin: 1 0; }
    BeatMapScreen { padding: 0 1; }
    BeatMapScreen #keys { dock: bottom; height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back to board", id="nav.back"),
        Binding("m,f6", "back", "Back to board", id="nav.map"),
        # on a short terminal the table runs below the map: the keys scroll to it
        Binding("down,j", "scroll_down", "Scroll down", id="nav.down"),
        Binding("up,k", "scroll_up", "Scroll up", id="nav.up"),
        Binding("pagedown", "page_down", "Page down", id="nav.pagedown"),
        Binding("pageup", "page_up", "Page up", id="nav.pageup"),
        Binding("home", "scroll_home", "Top", id="nav.home"),
        Binding("end", "scroll_end", "Bottom", id="nav.end"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="map", markup=False)
        yield Static("", id="counts", markup=False)
        yield KeyHints(("nav.back", "back to the board"))

    def on_mount(self) -> None:
        self._draw()

    def follow(self, changes: Feed, full: bool) -> bool:
        if self.is_mounted and (full or changes.calls or changes.officers):
            self._draw()
        return False

    def _draw(self) -> None:
        """From the calls and officers the board holds (it follows the journal)."""
        app = cast("ConsoleApp", self.app)
        town = app.desk.town
        calls, officers = app.known_calls(), app.known_officers()
        counts = beat_counts(town, list(calls.values()), list(officers.values()))
        self.query_one("#map", Static).update(map_panel(town, counts))
        self.query_one("#counts", Static).update(counts_table(town, counts))

    def action_back(self) -> None:
        self.dismiss(None)
