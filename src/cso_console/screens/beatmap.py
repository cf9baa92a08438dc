"""The beat map, full screen: pending calls and officers per beat."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from cso_console.widgets.beatmap import beat_counts, counts_table, render_map


class BeatMapScreen(Screen[None]):
    DEFAULT_CSS = """
    BeatMapScreen { padding: 0 1; }
    BeatMapScreen #keys { dock: bottom; height: 1; color: $text-muted; }
    """
    BINDINGS = [Binding("escape,m,f6", "back", "Back to board", id="map.back")]

    def compose(self) -> ComposeResult:
        desk = self.app.desk  # type: ignore[attr-defined]
        counts = beat_counts(desk.town, desk.open_calls(), desk.officers())
        yield Static(render_map(desk.town, counts), id="map", markup=False)
        yield Static(counts_table(desk.town, counts), id="counts", markup=False)
        yield Static(
            "P pending calls  U units on duty  ! calls waiting   Esc back", id="keys", markup=False
        )

    def action_back(self) -> None:
        self.dismiss(None)
