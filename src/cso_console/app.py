"""The Textual application: screens on top of one desk."""

from __future__ import annotations

import locale
import sys

from textual.app import App
from textual.binding import Binding
from textual.scrollbar import ScrollBar, ScrollBarRender

from cso_console.desk import Desk
from cso_console.domain.fold import Changed


class ConsoleApp(App[int]):
    """The shift console. Every clock on screen is driven by one 1 s tick."""

    TITLE = "CSO Console"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    Screen { background: $background; }
    """
    BINDINGS = [
        Binding("ctrl+c", "quit_now", "Quit at once", show=False, priority=True, id="app.quit_now")
    ]

    def __init__(self, desk: Desk, *, ascii_only: bool = False) -> None:
        super().__init__()
        self.desk = desk
        self.ascii_only = ascii_only
        self._unsubscribe = desk.subscribe(self._desk_changed)

    def on_mount(self) -> None:
        from cso_console.screens.board import BoardScreen

        self.push_screen(BoardScreen())
        self.set_interval(1.0, self._tick, name="tick")

    def _tick(self) -> None:
        from cso_console.screens.board import BoardScreen

        now = self.desk.now()
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen):
                screen.tick(now)

    def _desk_changed(self, changed: Changed) -> None:
        for screen in self.screen_stack:
            handler = getattr(screen, "desk_changed", None)
            if handler is not None:
                handler(changed)

    def action_quit_now(self) -> None:
        self.exit(0)

    def on_unmount(self) -> None:
        self._unsubscribe()


class _AsciiScrollBarRender(ScrollBarRender):
    """Scrollbar thumbs as reverse-video spaces: no block glyphs a console font may lack."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


def wants_ascii(flag: bool) -> bool:
    """--ascii, or a terminal whose encoding is not UTF-8."""
    encoding = getattr(sys.stdout, "encoding", None) or locale.getpreferredencoding(False)
    return flag or "utf" not in encoding.lower().replace("-", "")


def run_console(desk: Desk, *, ascii_only: bool = False) -> int:
    ascii_only = wants_ascii(ascii_only)
    if ascii_only:
        ScrollBar.renderer = _AsciiScrollBarRender
    app = ConsoleApp(desk, ascii_only=ascii_only)
    result = app.run(mouse=False)
    return int(result or 0)
