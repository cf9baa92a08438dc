"""The fold and the rules, on plain objects: no database, no terminal."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from cso_console.domain.callnumber import format_call_number, parse_call_ref, short_number
from cso_console.domain.clock import FixedClock, HlcStamp, HybridLogicalClock
from cso_console.domain.commands import (
    Cancel,
    ClearUnit,
    CloseCall,
    Context,
    Dispatch,
    MarkEnRoute,
    MarkOnScene,
    Reassign,
    ReceiveCall,
    Reopen,
    SetOfficerStatus,
    SignOn,
    decide,
)
from cso_console.domain.events import stamp
from cso_console.domain.fold import Refused, State, apply, fold
from cso_console.domain.model import CallStatus, Officer, OfficerStatus, OperatorRole, Role

from .conftest import START


class Harness:
    """Decide + strict apply, the way the desk does, but in memory."""

    def __init__(self, town, role=OperatorRole.LEAD):
        self.town = town
        self.clock = FixedClock(START)
        self.hlc = HybridLogicalClock(self.clock)
        self.state = State(
            officers={
                o.call_sign: Officer(o.call_sign, o.name, o.skills, o.beat) for o in town.officers
            }
        )
        self.events = []
        self.role = role
        self.seq = 0

    def do(self, cmd):
        n = len([c for c in self.state.calls])

        def new_id():
            return format_call_number("D1", 26, n + 1)

        refs = {
            r: (format_call_number("D1", 26, int(r)) if r.isdigit() else r) for r in cmd.call_refs()
        }
        ctx = Context(self.town, self.clock.now(), self.role, new_id, refs)
        drafts = decide(self.state, ctx, cmd)
        out = []
        saved, seq = copy.deepcopy(self.state), self.seq
        try:
            self._apply_all(drafts, out)
        except Refused:
            self.state, self.seq = saved, seq  # like a rolled-back transaction
            raise
        self.events += out
        return out

    def _apply_all(self, drafts, out):
        for d in drafts:
            self.seq += 1
            e = stamp(
                d,
                desk_id="D1",
                desk_seq=self.seq,
                hlc=self.hlc.tick(),
                occurred_at=self.clock.now(),
                operator_id="op1",
            )
            apply(self.state, e, strict=True)
            out.append(e)

    def call(self, n):
        return self.state.calls[format_call_number("D1", 26, n)]


@pytest.fixture
def h(town):
    return Harness(town)


def test_call_lifecycle_and_assignment_timestamps(h):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    assert h.call(1).status is CallStatus.PENDING and h.call(1).beat_id == "B5"
    h.clock.advance(minutes=2)
    h.do(Dispatch(call="1", officers=("C10",)))
    h.clock.advance(minutes=3)
    h.do(MarkEnRoute(officer="C10"))
    h.clock.advance(minutes=4)
    h.do(MarkOnScene(officer="C10"))
    a = h.call(1).assignments[0]
    assert (a.role, a.dispatched_at, a.en_route_at, a.on_scene_at) == (
        Role.PRIMARY,
        START + timedelta(minutes=2),
        START + timedelta(minutes=5),
        START + timedelta(minutes=9),
    )
    h.do(ClearUnit(officer="C10", disposition="adv"))
    c = h.call(1)
    assert c.status is CallStatus.CLOSED and c.disposition == "ADV"
    assert h.state.officers["C10"].status is OfficerStatus.AVAILABLE
    assert h.state.officers["C10"].current_call_id is None


def test_last_unit_clearing_closes_the_call_and_not_before(h):
    for o in ("C10", "C11"):
        h.do(SignOn(officer=o))
    h.do(ReceiveCall(type_code="MVC", location="300 Washington Boulevard"))
    h.do(Dispatch(call="1", officers=("C10", "C11")))
    assert [a.role for a in h.call(1).assignments] == [Role.PRIMARY, Role.ASSIST]
    h.do(ClearUnit(officer="C11"))  # an assist may clear without a disposition
    assert h.call(1).status is CallStatus.DISPATCHED
    with pytest.raises(Refused, match="disposition is needed"):
        h.do(ClearUnit(officer="C10"))
    h.do(ClearUnit(officer="C10", disposition="RPT"))
    assert h.call(1).status is CallStatus.CLOSED


@pytest.mark.parametrize(
    "status, words",
    [(OfficerStatus.BREAK, "on break"), (OfficerStatus.OUT_OF_SERVICE, "out of service")],
)
def test_officer_on_break_or_out_of_service_cannot_be_dispatched(h, status, words):
    h.do(SignOn(officer="C10"))
    h.do(SetOfficerStatus(officer="C10", status=status))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    before = len(h.events)
    with pytest.raises(Refused, match=words):
        h.do(Dispatch(call="1", officers=("C10",)))
    assert len(h.events) == before


def test_officer_already_on_a_call_cannot_be_dispatched(h):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(ReceiveCall(type_code="PARK", location="220 Main Street"))
    h.do(Dispatch(call="1", officers=("C10",)))
    with pytest.raises(Refused, match="already on call 1"):
        h.do(Dispatch(call="2", officers=("C10",)))


def test_off_duty_officer_cannot_be_dispatched(h):
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    with pytest.raises(Refused, match="not signed on"):
        h.do(Dispatch(call="1", officers=("C10",)))


def test_closed_call_takes_no_unit(h):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(CloseCall(call="1", disposition="ADV"))
    with pytest.raises(Refused, match="closed"):
        h.do(Dispatch(call="1", officers=("C10",)))


def test_status_only_moves_forward(h):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(Dispatch(call="1", officers=("C10",)))
    h.do(MarkOnScene(officer="C10"))
    with pytest.raises(Refused, match="only moves forward"):
        h.do(MarkEnRoute(officer="C10"))
    with pytest.raises(Refused, match="already on scene"):
        h.do(MarkOnScene(officer="C10"))


def test_reopen_is_the_one_way_back(h):
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(CloseCall(call="1", disposition="UNF"))
    h.do(Reopen(call="1", reason="caller rang back"))
    c = h.call(1)
    assert c.status is CallStatus.PENDING and c.disposition is None and c.closed_at is None


def test_lead_only_commands_refused_for_desk_role(town):
    h = Harness(town, role=OperatorRole.DESK)
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    with pytest.raises(Refused, match="shift lead"):
        h.do(Cancel(call="1"))


def test_cancel_clears_units_first(h):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(Dispatch(call="1", officers=("C10",)))
    events = h.do(Cancel(call="1", reason="caller withdrew"))
    assert [e.type.value for e in events] == ["unit.cleared", "call.cancelled"]
    assert h.state.officers["C10"].status is OfficerStatus.AVAILABLE


def test_reassign_moves_the_officer_and_requeues_an_empty_call(h):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(ReceiveCall(type_code="MVC", location="300 Washington Boulevard"))
    h.do(Dispatch(call="1", officers=("C10",)))
    h.do(Reassign(officer="C10", to_call="2", reason="collision blocking road"))
    assert h.call(1).status is CallStatus.PENDING and not h.call(1).active_assignments
    assert h.call(2).status is CallStatus.DISPATCHED
    assert h.state.officers["C10"].current_call_id == h.call(2).call_id


def test_emergency_type_is_refused_unless_transferred(h):
    with pytest.raises(Refused, match="emergency"):
        h.do(ReceiveCall(type_code="FIRE", location="200 Civic Center Drive"))
    h.do(
        ReceiveCall(
            type_code="FIRE", location="200 Civic Center Drive", transfer_to="emergency dispatch"
        )
    )
    assert h.call(1).status is CallStatus.TRANSFERRED


def test_unknown_type_and_disposition_are_refused_in_words(h):
    with pytest.raises(Refused, match="'ZZZ' is not a call type"):
        h.do(ReceiveCall(type_code="ZZZ", location="200 Civic Center Drive"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    with pytest.raises(Refused, match="not a disposition"):
        h.do(CloseCall(call="1", disposition="NOPE"))


def test_lenient_fold_records_a_conflict_instead_of_raising(h):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(ReceiveCall(type_code="PARK", location="220 Main Street"))
    h.do(Dispatch(call="1", officers=("C10",)))
    # another desk, offline, sent C10 to call 2 as well
    other = h.events[-1].replaced(
        **{
            "event_id": "other-1",
            "desk_id": "D2",
            "desk_seq": 1,
            "hlc": h.hlc.tick(),
            "call_id": h.call(2).call_id,
        }
    )
    apply(h.state, other, strict=False)
    assert h.state.conflicts and "already on call 1" in h.state.conflicts[0].reason
    assert h.call(2).status is CallStatus.PENDING


def test_fold_orders_by_hlc_whatever_the_arrival(h, town):
    h.do(SignOn(officer="C10"))
    h.do(ReceiveCall(type_code="NOISE", location="200 Civic Center Drive"))
    h.do(Dispatch(call="1", officers=("C10",)))
    h.do(ClearUnit(officer="C10", disposition="ADV"))
    fresh = Harness(town).state
    rebuilt = fold(fresh, reversed(h.events))
    assert rebuilt.calls == h.state.calls and rebuilt.officers == h.state.officers


def test_call_numbers_and_short_forms():
    assert format_call_number("D1", 2026, 42) == "D1-26-000042"
    assert short_number("D1-26-000042") == "42"
    ref = parse_call_ref(" 42 ")
    assert (ref.desk_code, ref.seq) == (None, 42)
    assert parse_call_ref("d1-26-000042").desk_code == "D1"
    with pytest.raises(ValueError, match="not a call number"):
        parse_call_ref("forty-two")


def test_hlc_is_monotonic_when_the_wall_clock_goes_back():
    clock = FixedClock(START)
    hlc = HybridLogicalClock(clock)
    a = hlc.tick()
    clock.advance(minutes=-5)
    b = hlc.tick()
    assert b > a
    restarted = HybridLogicalClock(clock, last=b)
    assert restarted.tick() > b
    remote = HlcStamp(HlcStamp.unpack(b).physical_ms + 60_000, 7).pack()
    assert hlc.observe(remote) > remote
