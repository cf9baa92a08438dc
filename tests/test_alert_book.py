"""The alert book (incremental) says what the full scan (``current_alerts``) says: the same
top alert, the same counts by kind, the same list, through random row changes, ticks and
acknowledgements; and it rings for a new alert once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cso_console.domain.alert_book import AlertBook
from cso_console.domain.alerts import acked_timer_keys, count_by_kind, current_alerts
from cso_console.domain.model import (
    Assignment,
    Call,
    CallStatus,
    Officer,
    OfficerStatus,
    Role,
)
from cso_console.domain.town import Town
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir

from .conftest import START

TOWN = load_town(bundled_town_dir())
TYPES = [t.code for t in TOWN.call_types][:6]
STATUSES = [
    CallStatus.PENDING,
    CallStatus.SCHEDULED,
    CallStatus.ON_SCENE,
    CallStatus.DISPATCHED,
    CallStatus.CLOSED,
]
OFFICER_STATUSES = [
    OfficerStatus.AVAILABLE,
    OfficerStatus.DISPATCHED,
    OfficerStatus.BREAK,
    OfficerStatus.OUT_OF_SERVICE,
    OfficerStatus.ON_SCENE,
]


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


@st.composite
def a_call(draw: st.DrawFn, n: int) -> Call:
    status = draw(st.sampled_from(STATUSES))
    received = at(draw(st.integers(-300, 0)))
    call = Call(
        f"D1-26-{n:06d}",
        draw(st.sampled_from(TYPES)),
        draw(st.integers(1, 4)),
        "Main Street",
        True,
        "B1",
        received,
        status=status,
        status_at=received + timedelta(minutes=draw(st.integers(0, 30))),
        scheduled_for=at(draw(st.integers(-200, 100))) if status is CallStatus.SCHEDULED else None,
        alert_acked_at=draw(st.none() | st.integers(-200, 0).map(at)),
    )
    if status is CallStatus.ON_SCENE:
        arrived = at(draw(st.integers(-120, 0)))
        call.assignments.append(
            Assignment(
                call.call_id,
                f"C{n}",
                Role.PRIMARY,
                arrived - timedelta(minutes=5),
                en_route_at=arrived - timedelta(minutes=3),
                on_scene_at=arrived,
                welfare_acked_at=draw(st.none() | st.integers(-60, 0).map(at)),
            )
        )
    return call


@st.composite
def an_officer(draw: st.DrawFn, n: int) -> Officer:
    return Officer(
        f"C{n}",
        "Name",
        (),
        "B1",
        status=draw(st.sampled_from(OFFICER_STATUSES)),
        status_since=at(draw(st.integers(-200, 0))),
        timer_acked=draw(st.integers(0, 2)),  # the journal's acknowledgement, if any
    )


@st.composite
def a_shift(draw: st.DrawFn) -> tuple[list[Call], list[Officer], list[tuple]]:
    calls = [draw(a_call(n)) for n in range(draw(st.integers(0, 12)))]
    officers = [draw(an_officer(n)) for n in range(draw(st.integers(0, 6)))]
    steps: list[tuple] = []
    for _ in range(draw(st.integers(1, 25))):
        what = draw(st.sampled_from(["tick", "call", "officer", "ack"]))
        if what == "tick":
            steps.append(("tick", draw(st.integers(0, 90))))
        elif what == "call":
            steps.append(("call", draw(a_call(draw(st.integers(0, 14))))))
        elif what == "officer":
            steps.append(("officer", draw(an_officer(draw(st.integers(0, 7))))))
        else:
            steps.append(("ack", None))
    return calls, officers, steps


def same(book: AlertBook, calls: dict[str, Call], officers: dict[str, Officer],
         town: Town, now: datetime) -> None:  # fmt: skip
    acked = acked_timer_keys(officers.values())  # as the board's full scan took them
    full = current_alerts(
        [c for c in calls.values() if c.status.is_open], officers.values(), town, now, acked
    )
    assert book.alerts(now) == full
    assert book.top(now) == (full[0] if full else None)
    assert book.counts() == count_by_kind(full)
    assert len(book) == len(full)


@settings(max_examples=300, deadline=None)
@given(a_shift())
def test_the_book_says_what_the_full_scan_says(shift) -> None:
    calls_list, officers_list, steps = shift
    now = START
    calls = {c.call_id: c for c in calls_list}
    officers = {o.officer_id: o for o in officers_list}
    book = AlertBook(TOWN)
    book.load([c for c in calls.values() if c.status.is_open], officers.values(), now)
    same(book, calls, officers, TOWN, now)
    for what, value in steps:
        if what == "tick":
            now += timedelta(minutes=value, seconds=value % 7)
            book.advance(now)
        elif what == "call":
            calls[value.call_id] = value
            book.update([value], now=now)
        elif what == "officer":
            officers[value.officer_id] = value
            book.update(officers=[value], now=now)
        else:  # acknowledge the top officer timer: the journal's event sets its level
            top = next((a for a in book.alerts(now) if a.kind.value == "timer"), None)
            if top is not None and top.officer_id is not None:
                acked = replace(officers[top.officer_id], timer_acked=top.level)
                officers[acked.officer_id] = acked
                book.update(officers=[acked], now=now)
        same(book, calls, officers, TOWN, now)


def test_a_new_alert_rings_once_and_a_standing_one_does_not_ring_again() -> None:
    received = at(0)
    call = Call("D1-26-000001", "NOISE", 2, "Main Street", True, "B1", received,
                status_at=received)  # fmt: skip
    book = AlertBook(TOWN)
    book.load([call], [], received)
    target = TOWN.target_minutes(2)
    assert not book.advance(at(target - 1))
    assert book.advance(at(target))  # late now: ring
    assert not book.advance(at(target + 1))  # still late: quiet
    assert not book.update([replace(call, note_count=1)], now=at(target + 2))  # same alert
    assert book.advance(at(2 * target))  # twice the target: a new level rings again
    closed = replace(call, status=CallStatus.CLOSED)
    assert not book.update([closed], now=at(2 * target + 1))
    assert book.top(at(2 * target + 1)) is None and book.counts() == []
