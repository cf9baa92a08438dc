"""A yes/no question that defaults to no."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from cso_console.text import terminal_safe
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.steady import Steady


class ConfirmScreen(Steady, ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 50; height: auto; border: ascii $warning;
                               padding: 0 1; background: $surface; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(terminal_safe(self.question), markup=False)  # may quote data
            yield KeyHints(
                ("confirm.yes", "yes"), ("confirm.no", "no"), sep="   ", classes="keys",
                every=True,
            )  # fmt: skip

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
