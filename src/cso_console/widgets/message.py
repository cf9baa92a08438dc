"""The message line: what the last action did, and "saving..." while a command is slow."""

from __future__ import annotations

from textual.widgets import Static

from cso_console.text import terminal_safe
from cso_console.widgets.steady import Steady


class MessageLine(Steady, Static):
    DEFAULT_CSS = """
    MessageLine { height: 1; }
    MessageLine.error { text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.text = ""
        self.is_saving = False

    def say(self, text: str, error: bool = False) -> None:
        self.text = terminal_safe(text)  # messages quote data: call types, names, reasons
        self.set_class(error, "error")
        self._show()

    def clear(self) -> None:
        """The last message goes (the next action has begun); "saving..." stays."""
        if self.text:
            self.text = ""
            self.remove_class("error")
            self._show()

    def reset(self) -> None:
        """As a new line starts: empty, not saving (a screen opened again)."""
        self.text = ""
        self.is_saving = False
        self.remove_class("error")
        self._show()

    def saving(self, on: bool) -> None:
        """Show "saving..." while a command has been running a while; once it starts,
        the older message goes (it was about something else)."""
        if on == self.is_saving:
            return
        if on:
            self.text = ""
            self.remove_class("error")
        self.is_saving = on
        self._show()

    def _show(self) -> None:
        text = (
            (f"{self.text}  saving..." if self.text else "saving...")
            if self.is_saving
            else self.text
        )
        self.update(text, layout=False)  # one line of fixed height: nothing else moves
