"""The best few suggestions for a field, on one line under it.

The highlighted one (marked ``>`` and shown reversed, so it reads without colour) is what
Tab or Enter takes; Up and Down move the highlight. Only as many as fit are drawn (a line at a
time, the one with the highlighted suggestion), with ``n/m`` when some are off the line.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from cso_console.widgets.format import fit
from cso_console.widgets.steady import Steady

_GAP = "  "


class Candidates(Steady, Static):
    DEFAULT_CSS = """
    Candidates { height: 1; padding-left: 14; color: $text-muted; }
    """

    def __init__(self, *, id: str) -> None:
        super().__init__("", id=id, markup=False)
        self.items: list[tuple[str, str]] = []  # (what Tab puts in the field, what is shown)
        self.index = 0
        self.for_text: str | None = None  # the field's text these suggestions are for

    def show(self, items: list[tuple[str, str]], for_text: str | None = None) -> None:
        """New suggestions for the field's ``for_text``; the first is highlighted."""
        self.items = items
        self.for_text = for_text
        self.index = 0
        self._draw()

    def move(self, step: int) -> bool:
        """Move the highlight; False when there is nothing to move among."""
        if len(self.items) < 2:
            return False
        self.index = (self.index + step) % len(self.items)
        self._draw()
        return True

    @property
    def chosen(self) -> str | None:
        """What the highlighted suggestion puts in the field, or None when none is shown."""
        return self.items[self.index][0] if self.items else None

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if not self.items:
            self.update("")
            return
        width = max(self.content_size.width, 20)
        count = f" {self.index + 1}/{len(self.items)}" if len(self.items) > 1 else ""
        room = width - len(count)
        labels = [
            ("> " if i == self.index else "  ") + label for i, (_, label) in enumerate(self.items)
        ]
        pages: list[list[int]] = [[]]  # as many to a line as fit, in order
        used = 0
        for i, label in enumerate(labels):
            need = cell_len(label) + (len(_GAP) if pages[-1] else 0)
            if pages[-1] and used + need > room:
                pages.append([])
                need, used = cell_len(label), 0
            pages[-1].append(i)
            used += need
        shown = next(page for page in pages if self.index in page)
        out = Text()
        for n, i in enumerate(shown):
            if n:
                out.append(_GAP)
            label = fit(labels[i], min(cell_len(labels[i]), room)).rstrip()
            out.append(label, style="reverse bold" if i == self.index else "")
        if len(shown) < len(self.items):
            out.append(count)
        self.update(out)
