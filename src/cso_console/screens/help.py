"""Help: the keys of the screen underneath, generated from its bindings, then what its
columns, abbreviations and marks mean (the screen's ``HELP_NOTES``), under the screen's
own name (``HELP_TITLE``)."""

from __future__ import annotations

import re
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from cso_console.domain.verbs import help_lines
from cso_console.widgets.keys import key_label, keys_of, own_bindings
from cso_console.widgets.steady import Steady


def key_lines(screen: Screen[Any]) -> list[str]:
    """One line per action of a screen (and the widgets it holds): the keys in force
    (the keymap file's where it moved one), then words."""
    app = screen.app
    seen: dict[str, list[str]] = {}
    order: list[str] = []
    for _, binding in own_bindings(screen):
        if not binding.description:
            continue
        label = binding.description
        if label not in seen:
            seen[label] = []
            order.append(label)
        for key in keys_of(app, binding):
            shown = key_label(app, key)
            if shown not in seen[label]:
                seen[label].append(shown)
    if not any(k.lower() == "tab" for keys in seen.values() for k in keys):  # the app's
        seen["Next / previous panel or field"] = ["Tab", "Shift+Tab"]
        order.append("Next / previous panel or field")
    return [f"{' / '.join(seen[label]):<18} {label}" for label in order]


def screen_title(screen: Screen[Any]) -> str:
    """The screen's name as people say it: ``Call detail``, not ``CallDetailScreen``."""
    title = getattr(screen, "HELP_TITLE", "")
    if title:
        return str(title)
    words = re.findall(r"[A-Z][a-z]*", type(screen).__name__.removesuffix("Screen"))
    return " ".join(words).capitalize() or "Console"


class HelpScreen(Steady, ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 60; height: auto; max-height: 22; border: ascii $accent;
                            background: $surface; padding: 0 1; }
    HelpScreen VerticalScroll { height: auto; max-height: 18; }
    HelpScreen #notes, HelpScreen #verbs { margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Close help", id="nav.back"),
        Binding("question_mark,f1", "close", "Close help", id="nav.help"),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.lines = key_lines(screen)
        self.screen_name = screen_title(screen)
        self.notes = str(getattr(screen, "HELP_NOTES", "")).strip("\n")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"HELP - {self.screen_name}", markup=False)
            with VerticalScroll():
                yield Static("KEYS\n" + "\n".join(self.lines), markup=False)
                if self.notes:
                    yield Static(self.notes, id="notes", markup=False)
                yield Static("\n".join(help_lines()), id="verbs", markup=False)
            yield Static("Esc closes - arrows / PgUp / PgDn scroll", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
