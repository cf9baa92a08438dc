"""Help: the keys of the screen underneath, generated from its bindings."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from cso_console.widgets.steady import Steady

_ASCII_KEYS = str.maketrans(
    {"\u2191": "up", "\u2193": "down", "\u2190": "left", "\u2192": "right", "\u23ce": "Enter"}
)


def key_lines(screen: Screen[Any]) -> list[str]:
    """One line per action of a screen (and the widgets it holds): keys, then words."""
    seen: dict[str, list[str]] = {}
    order: list[str] = []
    nodes = [screen, *screen.query("*")]
    for node in nodes:
        for binding in getattr(node, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = binding.key.split(",")
            shown = [
                screen.app.get_key_display(Binding(k.strip(), "")).translate(_ASCII_KEYS)
                for k in keys
            ]
            label = binding.description
            if label not in seen:
                seen[label] = []
                order.append(label)
            for s in shown:
                if s not in seen[label]:
                    seen[label].append(s)
    return [f"{' / '.join(seen[label]):<18} {label}" for label in order]


class HelpScreen(Steady, ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 60; height: auto; max-height: 22; border: ascii $accent;
                            background: $surface; padding: 0 1; }
    HelpScreen VerticalScroll { height: auto; max-height: 18; }
    """
    BINDINGS = [Binding("escape,question_mark,f1,q", "close", "Close help", id="help.close")]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.lines = key_lines(screen)
        self.screen_name = type(screen).__name__.replace("Screen", "")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"KEYS - {self.screen_name}", markup=False)
            with VerticalScroll():
                yield Static("\n".join(self.lines), markup=False)
            yield Static("Esc closes", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
