"""A list of calls found (a premise history, a search): one line each, never the caller."""

from __future__ import annotations

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import CallStatus
from cso_console.domain.premises import CallLine
from cso_console.widgets.format import fit, local_time, status_word
from cso_console.widgets.rowlist import RowList


def _outcome(line: CallLine) -> str:
    """The disposition of a call that ended with one, else its status."""
    if line.disposition:
        return line.disposition
    try:
        return status_word(CallStatus(line.status))
    except ValueError:
        return line.status


class CallLineList(RowList):
    """``= `` at the place itself, ``~ `` near it (same block); then number, date, type,
    outcome, location and the narrative's first line."""

    HEADER = f"  {fit('#', 6)} {fit('RECEIVED', 11)} {fit('TYPE', 6)} {fit('OUTCOME', 10)} " + (
        f"{fit('LOCATION', 18)} NARRATIVE"
    )

    def __init__(self, *, id: str | None = None, marks: bool = False) -> None:
        super().__init__(id=id)
        self.lines: dict[str, CallLine] = {}
        self.marks = marks  # mark same place / near (a premise history)
        self.empty = "  No calls."

    def set_lines(self, lines: list[CallLine], empty: str = "  No calls.") -> None:
        self.lines = {x.call_id: x for x in lines}
        self.empty = empty
        self.set_keys([x.call_id for x in lines])
        self.cursor = 0

    @property
    def selected(self) -> CallLine | None:
        key = self.selected_key
        return self.lines.get(key) if key is not None else None

    def render_row(self, key: str) -> tuple[str, str | None]:
        x = self.lines[key]
        mark = ("=" if x.same_place else "~") if self.marks else " "
        rest = max(4, self.scrollable_content_region.width - 59)
        text = (
            f"{mark} {fit(short_number(x.call_id), 6)} "
            f"{fit(local_time(x.received_at)[5:16], 11)} {fit(x.type_code, 6)} "
            f"{fit(_outcome(x), 10)} {fit(x.location, 18)} {fit(x.first_line, rest)}"
        )
        return text, None

    def empty_text(self) -> str:
        return self.empty
