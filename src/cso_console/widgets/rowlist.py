"""A keyboard list on the Line API: only visible rows are rendered, one cursor, no DataTable.

Subclasses give ``row_keys`` and ``render_row``; a change to one row refreshes that line.
The first ``pinned`` rows stay on the lines under the header while the rest scroll
beneath them (the queue pins its P1 and LATE calls there).
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cso_console.widgets.steady import Steady


class RowList(Steady, ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"rowlist--cursor", "rowlist--header", "rowlist--amber", "rowlist--red"}
    DEFAULT_CSS = """
    RowList { scrollbar-size-vertical: 1; overflow-x: hidden; }
    RowList > .rowlist--cursor { background: $accent 40%; text-style: bold; }
    RowList:focus > .rowlist--cursor { background: $accent; color: $text; text-style: bold; }
    RowList > .rowlist--header { text-style: bold; color: $text-muted; }
    RowList > .rowlist--amber { color: $warning; }
    RowList > .rowlist--red { color: $error; text-style: bold; }
    /* NO_COLOR: urgent rows as bright as the rest (their ! / !! marks say it), the
       selection in reverse video in the focused list, underlined in the other */
    RowList:nocolor > .rowlist--amber { color: $foreground; }
    RowList:nocolor > .rowlist--red { color: $foreground; text-style: bold; }
    RowList:nocolor > .rowlist--cursor { text-style: underline; }
    RowList:nocolor:focus > .rowlist--cursor { text-style: bold reverse; }
    """
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="nav.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="nav.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="nav.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="nav.pagedown"),
        Binding("home", "goto(0)", "First", show=False, id="nav.home"),
        Binding("end", "goto(-1)", "Last", show=False, id="nav.end"),
    ]
    HEADER = ""
    cursor = reactive(0, always_update=True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: list[str] = []
        self.pinned = 0  # the first rows, always drawn under the header
        self.now = datetime.now(UTC)

    # model ----------------------------------------------------------------

    def set_keys(self, keys: list[str], pinned: int = 0) -> None:
        """Replace the rows, keeping the cursor on the same key when it is still there;
        the first ``pinned`` of them stay in view."""
        current = self.selected_key
        self.keys = keys
        self.pinned = max(0, min(pinned, len(keys)))
        width = self.scrollable_content_region.width or len(self.header())
        # Pinned rows take screen lines the scrolled rows would have had: the content
        # is as tall as without them (row r sits on content line r + 1).
        self.virtual_size = Size(width, len(keys) + 1)
        if current in keys:
            self.cursor = keys.index(current)
        else:
            self.cursor = min(self.cursor, max(0, len(keys) - 1))
        self.refresh()

    def shown_pinned(self) -> int:
        """Pinned rows drawn: all of them, but at least one line is left to scroll in."""
        return min(self.pinned, max(0, self.scrollable_content_region.height - 2))

    def select_key(self, key: str) -> None:
        if key in self.keys:
            self.cursor = self.keys.index(key)

    @property
    def selected_key(self) -> str | None:
        return self.keys[self.cursor] if 0 <= self.cursor < len(self.keys) else None

    def tick(self, now: datetime) -> None:
        self.now = now
        self.refresh()

    # cursor ---------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.keys) - 1)) if self.keys else 0

    def watch_cursor(self, old: int, new: int) -> None:
        # Content line r holds row r; the header takes the top screen line, so keeping
        # lines r and r+1 in view keeps row r visible under it. Under k pinned rows,
        # lines r-k .. r+1 must be in view; a pinned row is always in view.
        self.refresh()
        pinned = self.shown_pinned()
        if new < pinned:
            return
        self.scroll_to_region(
            Region(0, new - pinned, 1, pinned + 2),
            animate=False,
            force=True,
            x_axis=False,
            immediate=True,
        )

    def action_move(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, delta: int) -> None:
        self.cursor += delta * max(1, self.scrollable_content_region.height - 2)

    def action_goto(self, index: int) -> None:
        self.cursor = index if index >= 0 else len(self.keys) - 1

    # rendering ------------------------------------------------------------

    def header(self) -> str:
        """The column titles, laid out for the current width."""
        return self.HEADER

    def render_row(self, key: str) -> tuple[str, str | None]:
        """(text, component class or None) for one row."""
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            style = self.get_component_rich_style("rowlist--header")
            return self._strip(self.header(), style, scroll_x, width)
        pinned = self.shown_pinned()
        row = y - 1 if y <= pinned else scroll_y + y - 1
        if row >= len(self.keys):
            if not self.keys and row == 0:
                return self._strip(self.empty_text(), base, scroll_x, width)
            return Strip.blank(width, base)
        text, component = self.render_row(self.keys[row])
        style = base
        if component:
            style = self.get_component_rich_style(component)
        if row == self.cursor:
            style = style + self.get_component_rich_style("rowlist--cursor")
        if y == pinned and scroll_y > 0:  # rows scroll under this one
            style = style + Style(underline=True)
        return self._strip(text, style, scroll_x, width)

    def empty_text(self) -> str:
        return "  (none)"

    @staticmethod
    def _strip(text: str, style: Style, scroll_x: int, width: int) -> Strip:
        return Strip([Segment(text, style)]).crop_extend(scroll_x, scroll_x + width, style)
