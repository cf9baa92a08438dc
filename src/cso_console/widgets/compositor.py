"""A compositor that draws only the screen lines an update needs.

When a few lines change (a cursor move, a clock in one row, the status line), Textual's
compositor asks every widget whose clip overlaps the changed area for *all* of its lines
and then keeps the changed ones. A widget placed on the screen itself has the whole
screen as its clip, so on the board every widget drew every line for a two-line cursor
move: three quarters of the move's drawing time. :class:`LineCompositor` asks each of
them for the lines inside the changed area only, and leaves out a widget whose part of
the area lies under one drawn over all of it (the screen under a list, a scroll bar
beside the changed cells): the chops keep the first strip of each cut, the top widget's.
What reaches the terminal is the same (``tests/test_compositor.py`` compares the two,
cell by cell inside each update, on the board and the call detail).

``_get_renders`` is a private hook of the pinned Textual (the same kind of promise as
``Steady._dispatch_message``): an upgrade must keep that test green.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class LineCompositor(Compositor):
    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:  # a full update: every line of every widget, as Textual does
            yield from super()._get_renders(crop)
            return
        top, bottom = crop.y, crop.bottom
        drawn: list[Region] = []
        for widget, (region, clip) in self.visible_widgets.items():  # the top one first
            if not crop.overlaps(clip):
                continue
            shown = region.intersection(clip)
            first, last = max(shown.y, top), min(shown.bottom, bottom)
            if last <= first or not shown.width:
                continue
            part = Region(shown.x, first, shown.width, last - first)
            needed = part.intersection(crop)
            if not needed or any(above.contains_region(needed) for above in drawn):
                continue  # outside the update, or under a widget drawn over all of it
            drawn.append(part)
            yield part, part, widget.render_lines(part.translate((-region.x, -region.y)))
