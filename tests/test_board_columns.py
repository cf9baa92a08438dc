"""The board's headers sit over their columns, and a call number of any size shows whole
(call 50001 was once cut to `500~`; the header drifted when the widths changed)."""

from __future__ import annotations

from datetime import timedelta

from cso_console.domain.model import Call, Officer, OfficerStatus
from cso_console.domain.town import Town
from cso_console.widgets.boards import CallQueue, OfficerBoard

from .conftest import START


def test_queue_header_over_its_columns_and_numbers_whole(town: Town) -> None:
    queue = CallQueue()
    call = Call("D1-26-050001", "NOISE", 3, "410 Elm Street", True, "B1",
                START - timedelta(minutes=5))  # fmt: skip
    queue.set_calls([call], town)
    queue.now = START
    row, _ = queue.render_row(call.call_id)
    assert "50001" in row and "~" not in row.split()[0]
    for title, value in (("#", "50001"), ("TYPE", "NOISE"), ("LOCATION", "410 Elm"),
                         ("BEAT", "B1"), ("STATUS", "PENDING")):  # fmt: skip
        at = queue.header().index(title)
        if title == "#":  # right-aligned: the number ends under the mark
            assert row.index(value) + len(value) - 1 == at
        else:
            assert row.index(value) == at, title


def test_officer_header_over_its_columns() -> None:
    board = OfficerBoard()
    o = Officer("C10", "Maria Delgado", (), "B1", OfficerStatus.AVAILABLE, START)
    board.set_officers([o])
    board.now = START
    row, _ = board.render_row("C10")
    for title, value in (("UNIT", "C10"), ("NAME", "Maria"), ("STATUS", "AVAILABLE"),
                         ("BEAT", "B1")):  # fmt: skip
        assert row.index(value) == board.header().index(title), title
