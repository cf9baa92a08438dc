"""Property tests: the same events fold to the same state whatever order they arrive in,
and a rebuild from the journal equals what the desk wrote one command at a time."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cso_console.domain import commands as c
from cso_console.domain.fold import Refused, State, fold
from cso_console.domain.model import Officer, OfficerStatus

from .test_domain_fold import Harness

OFFICERS = ["C10", "C11", "C12", "C13"]
LOCATIONS = ["200 Civic Center Drive", "220 Main Street", "behind the cannery", "city hall"]


def command_strategy() -> st.SearchStrategy[c.Command]:
    call = st.integers(1, 6).map(str)
    officer = st.sampled_from(OFFICERS)
    return st.one_of(
        st.builds(
            c.ReceiveCall,
            type_code=st.sampled_from(["NOISE", "PARK", "MVC", "WELF"]),
            location=st.sampled_from(LOCATIONS),
        ),
        st.builds(c.SignOn, officer=officer),
        st.builds(c.SignOff, officer=officer),
        st.builds(
            c.Dispatch,
            call=call,
            officers=st.lists(officer, min_size=1, max_size=2, unique=True).map(tuple),
        ),
        st.builds(c.MarkEnRoute, officer=officer),
        st.builds(c.MarkOnScene, officer=officer),
        st.builds(c.ClearUnit, officer=officer, disposition=st.sampled_from([None, "ADV"])),
        st.builds(c.CloseCall, call=call, disposition=st.just("RES")),
        st.builds(c.Cancel, call=call),
        st.builds(c.Reopen, call=call),
        st.builds(c.ChangePriority, call=call, priority=st.integers(1, 4)),
        st.builds(c.AddNote, call=call, text=st.just("note")),
        st.builds(c.LinkDuplicate, call=call, of_call=call),
        st.builds(c.Reassign, officer=officer, to_call=call),
        st.builds(
            c.SetOfficerStatus,
            officer=officer,
            status=st.sampled_from(
                [OfficerStatus.BREAK, OfficerStatus.AVAILABLE, OfficerStatus.BUSY]
            ),
        ),
        st.builds(c.AcknowledgeWelfare, officer=officer),
    )


def run(harness: Harness, cmds: list[c.Command]) -> None:
    for cmd in cmds:
        harness.clock.advance(seconds=30)
        try:
            harness.do(cmd)
        except (Refused, KeyError):
            # KeyError: a call ref that does not exist yet (the desk resolves refs first)
            pass


def fresh(town) -> State:
    return State(
        officers={
            o.call_sign: Officer(o.call_sign, o.name, o.skills, o.beat) for o in town.officers
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cmds=st.lists(command_strategy(), max_size=40), seed=st.integers(0, 10_000))
def test_any_arrival_order_folds_to_the_same_state(town, cmds, seed):
    h = Harness(town)
    run(h, cmds)
    shuffled = list(h.events)
    random.Random(seed).shuffle(shuffled)
    rebuilt = fold(fresh(town), shuffled)
    assert rebuilt.calls == h.state.calls
    assert rebuilt.officers == h.state.officers
    assert rebuilt.conflicts == []  # events the desk accepted never conflict


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    a=st.lists(command_strategy(), max_size=25),
    b=st.lists(command_strategy(), max_size=25),
    seed=st.integers(0, 10_000),
)
def test_two_desks_converge_whatever_the_interleaving(town, a, b, seed):
    """Two offline desks: merged in any order, every desk ends with the same board and
    the same conflicts for the lead."""
    d1, d2 = Harness(town), Harness(town)
    run(d1, a)
    run(d2, b)
    theirs = [
        e.replaced(desk_id="D2", call_id=e.call_id and e.call_id.replace("D1-", "D2-"))
        for e in d2.events
    ]
    merged = d1.events + theirs
    one = fold(fresh(town), merged)
    shuffled = list(merged)
    random.Random(seed).shuffle(shuffled)
    two = fold(fresh(town), shuffled)
    assert one.calls == two.calls and one.officers == two.officers
    assert one.conflicts == two.conflicts


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(cmds=st.lists(command_strategy(), max_size=30))
def test_rebuilt_projections_equal_incremental_ones(make_desk, cmds):
    """Through the real desk and a real SQLite file: check() folds the journal from scratch
    and compares every projection row with what the commands wrote."""
    import uuid

    desk = make_desk(f"{uuid.uuid4().hex}.db")
    for cmd in cmds:
        desk.clock.advance(seconds=30)  # type: ignore[attr-defined]
        desk.execute(cmd)
    report = desk.check()
    assert report.ok, report.problems
