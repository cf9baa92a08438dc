"""The call verbs a desk gives after intake, on plain objects: correcting a call (only what
changed is recorded), reassigning (the call left goes back to pending), stacking a call on
a busy officer (dispatched to them when they clear)."""

from __future__ import annotations

import pytest

from cso_console.domain.commands import (
    Cancel,
    ClearUnit,
    CorrectCall,
    Dispatch,
    Reassign,
    ReceiveCall,
    SignOff,
    SignOn,
    StackCall,
)
from cso_console.domain.events import EventType
from cso_console.domain.fold import Refused, State, fold
from cso_console.domain.model import CallStatus, Officer, OfficerStatus, OperatorRole

from .test_domain_fold import Harness


@pytest.fixture
def h(town):
    return Harness(town)


def _refold(h):
    roster = h.town.officers
    state = State(
        officers={o.call_sign: Officer(o.call_sign, o.name, o.skills, o.beat) for o in roster}
    )
    return fold(state, h.events)


def test_a_correction_records_only_what_changed(h):
    h.do(
        ReceiveCall(
            type_code="NOISE", location="200 Civic Center Drive", narrative="loud music",
            caller_name="Pat Doe", caller_phone="555-0100",
        )
    )  # fmt: skip
    before = h.call(1)
    assert before.beat_id == "B5"
    (event,) = h.do(
        CorrectCall(call="1", location="410 Elm Street", narrative="loud music",
                    caller_phone="555-0199")
    )  # fmt: skip
    assert event.type is EventType.CALL_CORRECTED
    # the narrative was the same: not recorded; the location brings its beat and check
    assert set(event.payload) == {"location", "location_verified", "beat_id", "caller_phone"}
    call = h.call(1)
    assert call.location == "410 Elm Street" and call.location_verified
    assert call.beat_id != "B5" and call.beat_id is not None
    assert call.caller_phone == "555-0199" and call.caller_name == "Pat Doe"
    assert call.narrative == "loud music"
    assert _refold(h).calls[call.call_id] == call  # the journal says the same


def test_a_correction_to_an_unknown_place_is_kept_unverified_with_no_beat(h):
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    (event,) = h.do(CorrectCall(call="1", location="behind the old mill"))
    assert event.payload["beat_id"] is None and event.payload["location_verified"] is False
    call = h.call(1)
    assert (call.location_verified, call.beat_id) == (False, None)
    assert _refold(h).calls[call.call_id] == call


def test_a_correction_of_type_and_clearing_the_caller(h):
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive", caller_name="Pat"))
    (event,) = h.do(CorrectCall(call="1", type_code="park", caller_name=""))
    assert event.payload == {"type_code": "PARK", "caller_name": None}
    assert h.call(1).type_code == "PARK" and h.call(1).caller_name is None


def test_a_correction_that_changes_nothing_or_is_wrong_is_refused(h):
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive", narrative="x"))
    with pytest.raises(Refused, match="nothing to correct"):
        h.do(CorrectCall(call="1", narrative="x", type_code="NOISE"))
    with pytest.raises(Refused, match="not a call type"):
        h.do(CorrectCall(call="1", type_code="ZZZ"))
    with pytest.raises(Refused, match="emergency"):
        h.do(CorrectCall(call="1", type_code="FIRE"))
    with pytest.raises(Refused, match="longer than"):
        h.do(CorrectCall(call="1", narrative="x" * 5000))
    assert not [e for e in h.events if e.type is EventType.CALL_CORRECTED]


def test_reassign_leaves_a_call_with_another_unit_as_it_was(h):
    for o in ("C10", "C11"):
        h.do(SignOn(officer=o))
    h.do(ReceiveCall(type_code="MVC", location="300 Washington Boulevard"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(Dispatch(call="1", officers=("C10", "C11")))
    h.do(Reassign(officer="C11", to_call="2", reason="closer"))
    assert h.call(1).status is CallStatus.DISPATCHED
    assert [a.officer_id for a in h.call(1).active_assignments] == ["C10"]
    h.do(Reassign(officer="C10", to_call="2", reason="needed there"))
    assert h.call(1).status is CallStatus.PENDING and not h.call(1).active_assignments
    assert _refold(h).calls[h.call(1).call_id].status is CallStatus.PENDING


def test_a_stacked_call_is_dispatched_when_the_officer_clears(h):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(ReceiveCall(type_code="PARK", location="220 Main Street"))
    h.do(Dispatch(call="1", officers=("C10",)))
    (stacked,) = h.do(StackCall(call="2", officer="C10"))
    assert stacked.type is EventType.UNIT_STACKED
    officer = h.state.officers["C10"]
    assert officer.queued_call_id == h.call(2).call_id
    assert h.call(2).status is CallStatus.PENDING  # still waiting: nobody is on it yet
    events = h.do(ClearUnit(officer="C10", disposition="ADV"))
    assert [e.type for e in events] == [
        EventType.UNIT_CLEARED,
        EventType.CALL_CLOSED,
        EventType.UNIT_DISPATCHED,
    ]
    assert h.call(2).status is CallStatus.DISPATCHED
    assert officer.current_call_id == h.call(2).call_id and officer.queued_call_id is None
    assert officer.status is OfficerStatus.DISPATCHED
    again = _refold(h)
    assert again.officers["C10"] == officer and again.calls[h.call(2).call_id] == h.call(2)


def test_stacking_is_refused_where_the_brief_says_no(h):
    h.do(SignOn(officer="C10"))
    h.do(SignOn(officer="C11"))
    for place in ("200 Civic Center Drive", "220 Main Street", "410 Elm Street", "1 Elm St"):
        h.do(ReceiveCall(type_code="NOISE", location=place))
    with pytest.raises(Refused, match="not on a call"):
        h.do(StackCall(call="2", officer="C10"))  # free: dispatch them instead
    h.do(Dispatch(call="1", officers=("C10",)))
    with pytest.raises(Refused, match="already on"):
        h.do(StackCall(call="1", officer="C10"))
    h.do(Dispatch(call="3", officers=("C11",)))
    with pytest.raises(Refused, match="already has C11 on it"):
        h.do(StackCall(call="3", officer="C10"))  # d sends an assist instead
    h.do(StackCall(call="2", officer="C10"))
    with pytest.raises(Refused, match="already has call 2 stacked"):
        h.do(StackCall(call="4", officer="C10"))  # one stacked call at most


def test_a_stacked_call_closed_meanwhile_is_not_dispatched(h):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(ReceiveCall(type_code="PARK", location="220 Main Street"))
    h.do(Dispatch(call="1", officers=("C10",)))
    h.do(StackCall(call="2", officer="C10"))
    h.do(Cancel(call="2", reason="caller withdrew"))
    events = h.do(ClearUnit(officer="C10", disposition="ADV"))
    assert EventType.UNIT_DISPATCHED not in [e.type for e in events]
    assert h.state.officers["C10"].queued_call_id is None
    assert h.state.officers["C10"].status is OfficerStatus.AVAILABLE
    h.do(SignOff(officer="C10"))


def test_a_desk_operator_cannot_reassign_and_nothing_is_written(town):
    h = Harness(town, role=OperatorRole.DESK)
    with pytest.raises(Refused, match="Only a shift lead"):
        h.do(Reassign(officer="C10", to_call="2", reason="x"))
    assert h.events == []


def test_a_corrected_caller_is_kept_out_of_exports_without_include_caller(desk):
    from cso_console.export import event_records

    assert desk.execute(ReceiveCall(type_code="NOISE", location="410 Elm Street")).ok
    out = desk.execute(
        CorrectCall(call="1", caller_name="Quinn Vance", caller_phone="555-0133", narrative="n")
    )
    assert out.ok, out.reason
    (plain,) = [e for e in event_records(desk, None, False) if e["type"] == "call.corrected"]
    assert plain["payload"] == {"narrative": "n"}
    assert "Quinn" not in str(list(event_records(desk, None, False)))
    (full,) = [e for e in event_records(desk, None, True) if e["type"] == "call.corrected"]
    assert full["payload"]["caller_name"] == "Quinn Vance"


@pytest.mark.parametrize(
    "text, minutes",
    [("+30m", 30), ("30m", 30), ("1h", 60), ("2h30m", 150), ("+1h 5m", 65), ("10:30", 30),
     ("09:00", 23 * 60)],
)  # fmt: skip
def test_a_hold_time_is_read_from_what_is_typed(text, minutes):
    from datetime import UTC, datetime

    from cso_console.domain.schedule import schedule_time

    now = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    assert (schedule_time(text, now, UTC) - now).total_seconds() == minutes * 60


@pytest.mark.parametrize("text", ["soon", "0m", "25:00", "9999h", "", "12:7"])
def test_a_hold_time_that_is_not_one_is_refused_in_words(text):
    from datetime import UTC, datetime

    from cso_console.domain.schedule import schedule_time

    with pytest.raises(ValueError, match=r"\w+ "):
        schedule_time(text, datetime(2026, 11, 21, 10, 0, tzinfo=UTC), UTC)
