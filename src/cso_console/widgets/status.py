"""The status bar: clock, desk, the signed-in operator and role (from the operators
projection, never the login name), link state."""

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
        app = self.app
        desk = app.desk  # type: ignore[attr-defined]
        session = app.session  # type: ignore[attr-defined]
        who = f"{session.operator_id} ({session.role_words})" if session else "signed out"
        local = now.astimezone()
        self.update(
            terminal_safe(
                f"{local:%H:%M:%S}  {desk.town.name}  desk {desk.desk_code}  {who}  LOCAL (no hub)"
            ),
            layout=False,  # one line of fixed height: nothing else moves
        )
