"""A terminal smaller than 80x24: one sentence instead of a squeezed screen.

It goes on top of whatever is on screen and leaves it alone (a form half typed keeps its
text and focus), and goes away by itself once the terminal is big enough again. Keys
pressed meanwhile do nothing: nobody acts on a screen they cannot see."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Static

from cso_console.widgets.steady import Steady

MIN_SIZE = Size(80, 24)


def too_small(size: Size) -> bool:
    return size.width < MIN_SIZE.width or size.height < MIN_SIZE.height


def too_small_words(size: Size) -> str:
    return (
        f"terminal too small: {size.width}x{size.height}, need {MIN_SIZE.width}x{MIN_SIZE.height}"
    )


class TooSmallScreen(Steady, Screen[None]):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen Static { width: auto; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Static(too_small_words(self.app.size), markup=False)

    def on_resize(self) -> None:
        self.fit()

    def on_screen_resume(self) -> None:
        self.fit()

    def fit(self) -> None:
        """Say the size now, or go once it is big enough."""
        size = self.app.size
        if not too_small(size):
            if self.app.screen is self:
                self.dismiss()
            return
        for line in self.query(Static):  # none yet before the screen is composed
            line.update(too_small_words(size))
