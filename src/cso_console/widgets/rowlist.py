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
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cso_console.widgets.steady import Steady

_Line = tuple[str, str | None, bool, bool]  # text, component class, cursor, underlined
ROWS_KEPT = 512  # worded rows kept (a few screens' worth)


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
    cursor = reactive(0, always_update=True, repaint=False)  # watch_cursor draws its rows

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: list[str] = []
        self.pinned = 0  # the first rows, always drawn under the header
        self.now = datetime.now(UTC)
        self._drawn: dict[int, _Line] = {}  # screen line -> what it showed when drawn
        self._strips: LRUCache[tuple[_Line, int, int], Strip] = LRUCache(256)
        self._styles: dict[tuple[str | None, bool, bool], Style] = {}
        # key -> (row's model object, width, now, render_row's answer): a row is worded
        # again only when its object, the width or the time changed (see row_stamp). A
        # dict: Textual's LRUCache keeps the first value set for a key.
        self._rows: dict[str, tuple[object, int, datetime, tuple[str, str | None]]] = {}
        self._frame: tuple[int, int, int, int] | None = None  # see _view

    # model ----------------------------------------------------------------

    def set_keys(
        self, keys: list[str], pinned: int = 0, before: tuple[str | None, int, int] | None = None
    ) -> None:
        """Replace the rows, keeping the cursor on the same key when it is still there;
        the first ``pinned`` of them stay in view. ``before``: (selected key, pinned,
        rows) as they were, when ``keys`` is the list of rows changed in place."""
        current, *was = before or (self.selected_key, self.pinned, len(self.keys))
        self.keys = keys
        self.pinned = max(0, min(pinned, len(keys)))
        width = self.scrollable_content_region.width or len(self.header())
        # Pinned rows take screen lines the scrolled rows would have had: the content
        # is as tall as without them (row r sits on content line r + 1).
        self.virtual_size = Size(width, len(keys) + 1)
        try:
            cursor = keys.index(current) if current is not None else -1
        except ValueError:
            cursor = -1
        if cursor < 0:
            cursor = min(self.cursor, max(0, len(keys) - 1))
        if cursor != self.cursor:
            self.cursor = cursor  # kept in view, its two rows drawn
        elif was != [self.pinned, len(keys)] and self._scroll_to_row(cursor):
            self.refresh()  # more pinned rows or fewer rows: scrolled to keep it in view
        self.refresh_changed()  # a row re-placed moves the lines between, not the list

    def select_key(self, key: str) -> None:
        if key in self.keys:
            self.cursor = self.keys.index(key)

    @property
    def selected_key(self) -> str | None:
        return self.keys[self.cursor] if 0 <= self.cursor < len(self.keys) else None

    def tick(self, now: datetime) -> None:
        self.now = now
        self.refresh_changed()

    # cursor ---------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.keys) - 1)) if self.keys else 0

    def watch_cursor(self, old: int, new: int) -> None:
        if self._scroll_to_row(new):
            self.refresh()  # every line moved
            return
        self._frame = self._view()
        try:  # only the two rows the cursor left and reached are drawn again
            self.refresh_row(old)
            self.refresh_row(new)
        finally:
            self._frame = None

    def _scroll_to_row(self, row: int) -> bool:
        """Scroll so that ``row`` is in view; True when the list scrolled."""
        # Content line r holds row r; the header takes the top screen line, so keeping
        # lines r and r+1 in view keeps row r visible under it. Under k pinned rows,
        # lines r-k .. r+1 must be in view; a pinned row is always in view.
        _, height, pinned, before = self._view()
        in_view = before <= row - pinned and row + 2 <= before + height
        if row >= pinned and not in_view:
            self.scroll_to_region(
                Region(0, row - pinned, 1, pinned + 2),
                animate=False,
                force=True,
                x_axis=False,
                immediate=True,
            )
        return self.scroll_offset.y != before

    def refresh_row(self, row: int) -> None:
        """Draw one row again (nothing when it is out of view)."""
        width, height, pinned, scroll_y = self._view()
        y = row + 1 if row < pinned else row + 1 - scroll_y
        if 0 < y < height:
            self.refresh(Region(0, y, width, 1))

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

    def row_stamp(self, key: str) -> object | None:
        """The object a row is worded from (a new version is a new object), for the
        cache of worded rows; None: worded afresh every time."""
        return None

    def _worded(self, key: str, width: int) -> tuple[str, str | None]:
        stamp = self.row_stamp(key)
        if stamp is None:
            return self.render_row(key)
        cached = self._rows.get(key)
        if cached is not None and cached[0] is stamp and cached[1:3] == (width, self.now):
            return cached[3]
        row = self.render_row(key)
        if len(self._rows) >= ROWS_KEPT:
            self._rows.clear()  # rows scrolled past long ago
        self._rows[key] = (stamp, width, self.now, row)
        return row

    def _view(self) -> tuple[int, int, int, int]:
        """(width, height, pinned rows drawn, scroll y): once a pass over the lines (a
        drawing, a look for changed lines), not once a line."""
        if self._frame is not None:
            return self._frame
        region = self.scrollable_content_region
        # pinned rows drawn: all of them, but at least one line is left to scroll in
        pinned = min(self.pinned, max(0, region.height - 2))
        return region.width, region.height, pinned, self.scroll_offset.y

    def _line(self, y: int) -> _Line:
        """What screen line ``y`` shows: (text, component, cursor row, underlined)."""
        if y == 0:
            return self.header(), "rowlist--header", False, False
        width, _, pinned, scroll_y = self._view()
        row = y - 1 if y <= pinned else scroll_y + y - 1
        if row >= len(self.keys):
            if not self.keys and row == 0:
                return self.empty_text(), None, False, False
            return "", None, False, False
        text, component = self._worded(self.keys[row], width)
        # rows scroll under the last pinned one: a line marks it
        return text, component, row == self.cursor, y == pinned and scroll_y > 0

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame = self._view()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        line = self._line(y)
        self._drawn[y] = line
        scroll_x = self.scroll_offset.x
        width = self._view()[0]
        key = (line, scroll_x, width)
        strip = self._strips.get(key)
        if strip is None:
            text, component, cursor, underline = line
            style = self._style(component, cursor, underline)
            strip = Strip([Segment(text, style)]).crop_extend(scroll_x, scroll_x + width, style)
            self._strips[key] = strip
        return strip

    def refresh_changed(self) -> None:
        """Draw again only the lines whose words changed since they were drawn (a clock
        ticking in a column changes some rows, not the list)."""
        self._frame = self._view()
        width, height = self._frame[:2]
        try:
            for y in range(height):
                if self._drawn.get(y) != self._line(y):
                    self.refresh(Region(0, y, width, 1))
        finally:
            self._frame = None

    def _style(self, component: str | None, cursor: bool, underline: bool) -> Style:
        key = (component, cursor, underline)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style
            if component:
                style = self.get_component_rich_style(component)
            if cursor:
                style = style + self.get_component_rich_style("rowlist--cursor")
            if underline:
                style = style + Style(underline=True)
            self._styles[key] = style
        return style

    def notify_style_update(self) -> None:
        # focus, the theme, NO_COLOR: every style and strip is made again
        self._styles.clear()
        self._strips.clear()
        self._rows.clear()
        self._drawn.clear()
        super().notify_style_update()

    def empty_text(self) -> str:
        return "  (none)"
