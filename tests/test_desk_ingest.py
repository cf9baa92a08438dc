"""Desk.ingest: events written elsewhere, taken once, in one transaction with the caller's
cursor; what cannot be folded becomes a conflict for the lead, never an error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock
from cso_console.domain.events import Event
from cso_console.integrity import check_store

from .conftest import START


def _shift(desk: Desk) -> list[Event]:
    out: list[Event] = []
    for cmd in [
        c.ReceiveCall(type_code="NOISE", location="410 Elm Street", source_id="phone-1"),
        c.SignOn(officer="C10"),
        c.Dispatch(call="1", officers=("C10",)),
    ]:
        res = desk.execute(cmd)
        assert res.ok, res.reason
        out += res.events
    return out


def test_ingest_is_idempotent(make_desk: Callable[..., Desk]) -> None:
    a, b = make_desk("a.db", desk_code="D2"), make_desk("b.db")
    events = _shift(a)
    first = b.ingest(events)
    assert (first.new, first.already) == (3, 0)
    again = b.ingest(events + events)
    assert (again.new, again.already) == (0, 6)
    assert b.call("D2-26-000001").status.value == "DISPATCHED"  # type: ignore[union-attr]
    assert check_store(b.store).ok


def test_a_source_id_held_twice_folds_as_a_conflict(make_desk: Callable[..., Desk]) -> None:
    a = make_desk("a.db", desk_code="D2", clock=FixedClock(START - timedelta(minutes=5)))
    b = make_desk("b.db")
    theirs = _shift(a)
    mine = b.execute(c.ReceiveCall(type_code="PARK", location="220 Main Street",
                                   source_id="phone-1"))  # fmt: skip
    assert mine.ok
    report = b.ingest(theirs)  # older than b's call: the whole set is re-folded
    assert report.refolded_events and report.conflicts >= 1
    # the earlier claim wins, on every desk alike; b's call became a conflict
    assert b.call("D2-26-000001") is not None and b.call(mine.call_id or "") is None
    assert check_store(b.store).ok
    a.ingest([e for e in b.store.events() if e.desk_id == "D1"])
    assert check_store(a.store).ok and a.call(mine.call_id or "") is None


def test_unreadable_details_become_a_conflict(make_desk: Callable[..., Desk]) -> None:
    a, b = make_desk("a.db", desk_code="D2"), make_desk("b.db")
    events = _shift(a)
    broken = Event(**{**events[0].as_dict(), "payload": {"priority": "soon"}})
    report = b.ingest([broken, *events[1:]])
    assert report.conflicts >= 1
    assert check_store(b.store).ok


def test_ingest_and_cursor_are_one_transaction(make_desk: Callable[..., Desk]) -> None:
    a, b = make_desk("a.db", desk_code="D2"), make_desk("b.db")
    events = _shift(a)
    before = b.store.count_events()

    def cursor(tx: object) -> None:
        raise RuntimeError("the cursor could not be saved")

    with pytest.raises(RuntimeError):
        b.ingest(events, cursor=cursor)
    assert b.store.count_events() == before  # nothing of the batch stayed
    assert b.ingest(events).new == 3
