"""The queue keeps its order as rows change and time passes without sorting every call:
after any run of new, changed and closed calls and ticks it is what a full sort gives
(P1 and LATE pinned first, then by priority, then by age)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from textual._context import active_app
from textual.app import App

from cso_console.domain.model import Call, CallStatus
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.widgets.boards import CallQueue, pinned_call

from .conftest import START

TOWN = load_town(bundled_town_dir())


@st.composite
def a_call(draw: st.DrawFn) -> Call:
    n = draw(st.integers(1, 30))
    received = START + timedelta(minutes=draw(st.integers(-200, 0)))
    status = draw(st.sampled_from([CallStatus.PENDING, CallStatus.DISPATCHED,
                                   CallStatus.SCHEDULED, CallStatus.CLOSED]))  # fmt: skip
    scheduled = None
    if status is CallStatus.SCHEDULED:
        scheduled = START + timedelta(minutes=draw(st.integers(-100, 100)))
    return Call(f"D1-26-{n:06d}", "NOISE", draw(st.integers(1, 4)), "Main Street", True,
                "B1", received, status=status, scheduled_for=scheduled)  # fmt: skip


def full_sort(queue: CallQueue) -> list[str]:
    now, town = queue.now, TOWN
    calls = sorted(
        queue.calls.values(),
        key=lambda c: (not pinned_call(c, town, now), c.priority, c.received_at, c.call_id),
    )
    return [c.call_id for c in calls]


@settings(max_examples=200, deadline=None)
@given(st.lists(a_call(), max_size=12), st.lists(st.one_of(a_call(), st.integers(0, 40))))
def test_the_queue_is_in_full_sort_order_after_any_changes_and_ticks(first, steps) -> None:
    active_app.set(App())  # a widget needs an app to refresh against; none runs
    queue = CallQueue()
    now = START
    queue.set_calls([c for c in {c.call_id: c for c in first}.values() if c.status.is_open],
                    TOWN, now)  # fmt: skip
    assert queue.keys == full_sort(queue)
    for step in steps:
        if isinstance(step, int):
            now += timedelta(minutes=step)
            queue.tick(now)
        else:
            queue.upsert({step.call_id: step}, {step.call_id})
        assert queue.keys == full_sort(queue)
        pinned = sum(pinned_call(c, TOWN, queue.now) for c in queue.calls.values())
        assert queue.pinned == pinned
    closed = {k: replace(c, status=CallStatus.CLOSED) for k, c in queue.calls.items()}
    queue.upsert(closed, set(closed))
    assert queue.keys == [] and queue.calls == {}
