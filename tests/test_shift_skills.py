"""Skills for the shift: a lead signs an officer on with skills beyond their roster's
(`ON <unit> [<beat>] [+skill...]`); the recommendation counts them, sign-off drops them,
and sign-on events written before there were shift skills still fold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cso_console.domain import commands as c
from cso_console.domain.events import Event, EventType
from cso_console.domain.fold import Refused, State, apply
from cso_console.domain.model import Officer, OfficerStatus

from .test_domain_fold import Harness


def test_sign_on_with_skills_for_the_shift(town):
    h = Harness(town)
    h.do(c.SignOn(officer="C11", beat="b2", skills=("Animal", "first-aid")))
    o = h.state.officers["C11"]
    assert o.beat_id == "B2" and o.shift_skills == ("animal", "first-aid")
    assert o.skills == ("parking",)  # the roster's skills are left as they are
    assert o.skills_now == ("parking", "animal", "first-aid")
    h.do(c.SignOff(officer="C11"))
    assert h.state.officers["C11"].shift_skills == ()


def test_an_unknown_skill_is_refused_and_a_held_one_is_not_added_twice(town):
    h = Harness(town)
    with pytest.raises(Refused, match="'juggling' is not a skill"):
        h.do(c.SignOn(officer="C11", skills=("juggling",)))
    h.do(c.SignOn(officer="C11", skills=("parking", "animal")))
    assert h.state.officers["C11"].shift_skills == ("animal",)


def test_a_sign_on_event_from_before_shift_skills_still_folds():
    state = State(officers={"C10": Officer("C10", "Maria", ("traffic",), "B1")})
    old = Event(event_id="e1", desk_id="D1", desk_seq=1, hlc=1,
                occurred_at=datetime(2026, 1, 1, tzinfo=UTC), operator_id="op",
                type=EventType.OFFICER_SIGNED_ON, officer_id="C10",
                payload={"beat_id": None})  # fmt: skip
    apply(state, old, strict=True)
    o = state.officers["C10"]
    assert o.status is OfficerStatus.AVAILABLE and o.shift_skills == ()


def test_the_recommendation_counts_skills_for_the_shift(desk):
    from cso_console.domain.recommend import recommend

    assert desk.execute(c.SignOn(officer="C11", beat="B1", skills=("animal",)))
    assert desk.execute(c.ReceiveCall(type_code="STRAY", location="1000 Main Street"))
    call = desk.open_calls()[0]
    ranked = recommend(call, desk.officers(), desk.town, desk.now())
    c11 = next(r for r in ranked if r.officer.officer_id == "C11")
    assert "has animal" in c11.reasons


def test_shift_skills_survive_the_store_and_a_rebuild(desk):
    assert desk.execute(c.SignOn(officer="C11", skills=("animal",)))
    assert desk.officer("C11").shift_skills == ("animal",)
    desk.check(rebuild=True)
    assert desk.officer("C11").shift_skills == ("animal",)
    assert desk.officer("C11").skills == ("parking",)
