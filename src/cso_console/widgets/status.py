"""The status bar: clock, desk, operator, link state, last message."""

from __future__ import annotations

from datetime import datetime

from textual.widgets import Static

from cso_console.text import terminal_safe
from cso_console.widgets.steady import Steady


class StatusBar(Steady, Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def tick(self, now: datetime) -> None:
        desk = self.app.desk  # type: ignore[attr-defined]
        local = now.astimezone()
        self.update(
            terminal_safe(
                f"{local:%H:%M:%S}  {desk.town.name}  desk {desk.desk_code}  "
                f"op {desk.operator_id}  LOCAL (no hub)"
            )
        )
