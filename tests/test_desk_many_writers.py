"""Two desk files exchanging events in any order: the projections of each are always the
sorted fold of its journal (rebuild == incremental), nothing is lost, and once every event
has crossed both ways the two boards are the same, conflicts included."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock
from cso_console.domain.events import EventType
from cso_console.domain.model import OfficerStatus
from cso_console.domain.town import Town
from cso_console.domain.town_files import load_town
from cso_console.integrity import check_store, stored_rows
from cso_console.paths import bundled_town_dir
from cso_console.store import search_index

from .conftest import START

TOWN: Town = load_town(bundled_town_dir())
OFFICERS = ["C10", "C11", "C12"]
PLACES = ["410 Elm Street", "220 Main Street", "Harbor Falls Town Hall"]
DISPOS = ["ADV", "RPT", "GOA"]
STATUSES = [OfficerStatus.AVAILABLE, OfficerStatus.BREAK, OfficerStatus.BUSY]


def _stored(desk: Desk) -> dict[str, set[tuple[object, ...]]]:
    with desk.store.read() as cur:
        return stored_rows(cur)


class TwoDesks(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="cso-two-desks-"))
        self.clocks = [FixedClock(START), FixedClock(START + timedelta(seconds=7))]
        self.desks = [
            Desk.open(self.folder / f"{code}.db", TOWN, desk_code=code, clock=clock,
                      operator_id=f"op-{code}")
            for code, clock in zip(("D1", "D2"), self.clocks, strict=True)
        ]  # fmt: skip
        for d in self.desks:
            d.take_roster()
        self.kinds: set[EventType] = set()
        self.written: list[set[str]] = [set(), set()]

    def teardown(self) -> None:
        for d in self.desks:
            d.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _calls(self, i: int) -> list[str]:
        return sorted(call.call_id for call in self.desks[i].store.calls())

    def _run(self, i: int, cmd: c.Command) -> bool:
        self.clocks[i].advance(seconds=random.Random(len(self.written[i])).randint(1, 90))
        out = self.desks[i].execute(cmd)
        if out.ok:
            self.kinds |= {e.type for e in out.events}
            self.written[i] |= {e.event_id for e in out.events}
        return out.ok

    @initialize(i=st.integers(0, 1))
    def a_shift_so_far(self, i: int) -> None:
        """Every kind of event once on one desk, so the random steps mix with all of them."""
        desk = self.desks[i]
        year = f"{desk.desk_code}-26-"
        for cmd in [
            c.SignIn(operator_id=f"op-{desk.desk_code}", role="lead"),
            c.SignOn(officer="C13"),
            c.SignOn(officer="C14"),
            c.ReceiveCall(type_code="NOISE", location="410 Elm Street"),
            c.ReceiveCall(type_code="PARK", location="220 Main Street", caller_name="A. Caller"),
            c.ReceiveCall(type_code="NOISE", location="410 Elm Street"),
            c.ReceiveCall(type_code="STRAY", location="Harbor Falls Town Hall"),
            c.Dispatch(call=year + "000001", officers=("C13",)),
            c.MarkEnRoute(officer="C13"),
            c.MarkOnScene(officer="C13"),
            c.AcknowledgeWelfare(officer="C13"),
            c.Reassign(officer="C13", to_call=year + "000002", reason="closer"),
            c.AddNote(call=year + "000001", text="Back in the queue"),
            c.StackCall(call=year + "000001", officer="C13"),  # theirs as they clear
            c.ChangePriority(call=year + "000001", priority=2),
            c.LinkDuplicate(call=year + "000003", of_call=year + "000001"),
            c.Reopen(call=year + "000003", reason="not the same"),
            c.Transfer(call=year + "000003", to="emergency dispatch"),
            c.AcknowledgeAlert(call=year + "000004"),  # still pending, and late by then
            c.CorrectCall(
                call=year + "000004",
                location="410 Elm Street",
                narrative="a stray dog",
                caller_phone="555-0142",
            ),  # fmt: skip
            c.Cancel(call=year + "000004", reason="withdrawn"),
            c.Schedule(call=year + "000001", until=self.clocks[i].now() + timedelta(hours=6)),
            c.ViewCaller(call=year + "000002"),
            c.ExportCallers(kind="calls", since="8h"),
            c.ChangeShift(officer="C14", beat="B5", skills=("events",)),
            c.SetOfficerStatus(officer="C14", status=OfficerStatus.BREAK, reason="lunch"),
            c.AcknowledgeTimer(officer="C14"),  # on break past the limit by then
            c.SignOff(officer="C14"),
            c.ClearUnit(officer="C13", disposition="ADV"),
            c.SignOut(operator_id=f"op-{desk.desk_code}"),
            c.EnrollOperator(operator=f"op-{desk.desk_code}", name="The lead", role="lead"),
            c.EnrollOperator(operator=f"d-{desk.desk_code}", name="A desk assistant"),
            c.SetPin(operator=f"d-{desk.desk_code}", pin_hash="scrypt$16384$8$1$AAAA$BBBB"),
            c.RefusePin(operator=f"d-{desk.desk_code}"),
            c.DisableOperator(operator=f"d-{desk.desk_code}"),
        ]:
            if isinstance(cmd, c.AcknowledgeAlert | c.AcknowledgeTimer):  # only when late
                self.clocks[i].advance(seconds=3 * 3600)
            assert self._run(i, cmd), cmd

    @rule(i=st.integers(0, 1), place=st.sampled_from(PLACES), src=st.integers(0, 3))
    def receive(self, i: int, place: str, src: int) -> None:
        # The same source id on both desks now and then: one of them becomes a conflict.
        source = f"feed-{src}" if src < 2 else None
        self._run(i, c.ReceiveCall(type_code="NOISE", location=place, source_id=source))

    @rule(i=st.integers(0, 1), o=st.sampled_from(OFFICERS), on=st.booleans())
    def sign(self, i: int, o: str, on: bool) -> None:
        self._run(i, c.SignOn(officer=o) if on else c.SignOff(officer=o))

    @rule(i=st.integers(0, 1), o=st.sampled_from(OFFICERS), s=st.sampled_from(STATUSES))
    def status(self, i: int, o: str, s: OfficerStatus) -> None:
        self._run(i, c.SetOfficerStatus(officer=o, status=s))

    @rule(i=st.integers(0, 1), o=st.sampled_from(OFFICERS), data=st.data())
    def dispatch(self, i: int, o: str, data: st.DataObject) -> None:
        calls = self._calls(i)
        if calls:
            call = data.draw(st.sampled_from(calls))
            self._run(i, c.SignOn(officer=o))
            self._run(i, c.Dispatch(call=call, officers=(o,)))

    @rule(i=st.integers(0, 1), o=st.sampled_from(OFFICERS), step=st.integers(0, 3))
    def progress(self, i: int, o: str, step: int) -> None:
        kinds = [c.MarkEnRoute, c.MarkOnScene, c.AcknowledgeWelfare]
        if step < 3:
            self._run(i, kinds[step](officer=o))
        else:
            self._run(i, c.ClearUnit(officer=o, disposition="ADV"))

    @rule(i=st.integers(0, 1), o=st.sampled_from(OFFICERS), data=st.data())
    def reassign(self, i: int, o: str, data: st.DataObject) -> None:
        calls = self._calls(i)
        if calls:
            to = data.draw(st.sampled_from(calls))
            self._run(i, c.Reassign(officer=o, to_call=to, reason="closer"))

    @rule(i=st.integers(0, 1), data=st.data())
    def schedule(self, i: int, data: st.DataObject) -> None:
        calls = self._calls(i)
        if calls:
            call = data.draw(st.sampled_from(calls))
            until = self.clocks[i].now() + timedelta(hours=1)
            self._run(i, c.Schedule(call=call, until=until))

    @rule(i=st.integers(0, 1), o=st.sampled_from(OFFICERS), beat=st.sampled_from(["B1", "B5"]))
    def shift(self, i: int, o: str, beat: str) -> None:
        self._run(i, c.ChangeShift(officer=o, beat=beat))
        self._run(i, c.AcknowledgeTimer(officer=o))

    @rule(i=st.integers(0, 1))
    def settle(self, i: int) -> None:
        """A lead settles the oldest open conflict (the other desk hears of it later)."""
        found = self.desks[i].open_conflicts()
        if found:
            self._run(i, c.SettleConflict(event_id=found[0].event_id, reason="seen"))

    @rule(i=st.integers(0, 1), on=st.booleans())
    def operator(self, i: int, on: bool) -> None:
        op = f"op-{self.desks[i].desk_code}"
        self._run(i, c.SignIn(operator_id=op, role="lead") if on else c.SignOut(operator_id=op))

    @precondition(lambda self: any(self._calls(0)) or any(self._calls(1)))
    @rule(i=st.integers(0, 1), data=st.data())
    def act_on_call(self, i: int, data: st.DataObject) -> None:
        calls = self._calls(i)
        if not calls:
            return
        call = data.draw(st.sampled_from(calls))
        o = data.draw(st.sampled_from(OFFICERS))
        other = data.draw(st.sampled_from(calls))
        cmd = data.draw(
            st.sampled_from(
                [
                    c.Dispatch(call=call, officers=(o,)),
                    c.MarkEnRoute(officer=o),
                    c.MarkOnScene(officer=o),
                    c.ClearUnit(officer=o, disposition=DISPOS[len(call) % 3]),
                    c.CloseCall(call=call, disposition="ADV"),
                    c.AddNote(call=call, text="Caller rang back"),
                    c.ChangePriority(call=call, priority=1),
                    c.LinkDuplicate(call=call, of_call=other),
                    c.Transfer(call=call, to="emergency dispatch"),
                    c.Cancel(call=call, reason="caller withdrew"),
                    c.Reopen(call=call, reason="caller rang again"),
                    c.Reassign(officer=o, to_call=other, reason="closer"),
                    c.AcknowledgeWelfare(officer=o),
                    c.AcknowledgeAlert(call=call),
                    c.ViewCaller(call=call),
                    c.StackCall(call=call, officer=o),
                    c.CorrectCall(call=call, location=PLACES[len(other) % 3], narrative=other),
                ]
            )
        )
        self._run(i, cmd)

    @rule(src=st.integers(0, 1), data=st.data())
    def exchange(self, src: int, data: st.DataObject) -> None:
        """Some of one desk's events reach the other, in any order, maybe twice."""
        events = list(self.desks[src].store.events())
        if not events:
            return
        picked = data.draw(st.lists(st.sampled_from(events), max_size=12))
        data.draw(st.randoms()).shuffle(picked)
        self.desks[1 - src].ingest(picked)

    @invariant()
    def projections_are_the_sorted_fold(self) -> None:
        for d in self.desks:
            report = check_store(d.store)
            assert report.ok, report.problems

    @invariant()
    def nothing_written_is_lost(self) -> None:
        for i, d in enumerate(self.desks):
            have = {e.event_id for e in d.store.events()}
            assert self.written[i] <= have

    def converge(self) -> None:
        a, b = self.desks
        a_events, b_events = list(a.store.events()), list(b.store.events())
        random.Random(7).shuffle(a_events)
        random.Random(8).shuffle(b_events)
        b.ingest(a_events)
        a.ingest(b_events)
        for d in self.desks:
            report = check_store(d.store)
            assert report.ok, report.problems
        assert {e.event_id for e in a.store.events()} == {e.event_id for e in b.store.events()}
        sa, sb = _stored(a), _stored(b)
        for table in sa:
            assert sa[table] == sb[table], repr(
                (table, sa[table] - sb[table], sb[table] - sa[table])
            )


REACHED: set[EventType] = {EventType.OFFICER_ENROLLED}  # the roster, taken by each desk


class TwoDesksConverge(TwoDesks):
    def teardown(self) -> None:
        try:
            REACHED.update(self.kinds)
            self.converge()
        finally:
            super().teardown()


SETTINGS = settings(
    max_examples=int(os.environ.get("CSO_TWO_DESKS_EXAMPLES", "60")),
    stateful_step_count=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    if os.environ.get("CSO_NO_SHRINK")
    else [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_two_desks_exchanging_events_in_any_order() -> None:
    run_state_machine_as_test(TwoDesksConverge, settings=SETTINGS)
    # The commands reached every kind of event (else the test proves less than it says).
    assert set(EventType) - REACHED == set()


def _two_desks_with_notes(folder: Path) -> tuple[Desk, Desk]:
    """Two desks, one call, a note on each; each file received the notes in another order
    (D2: its own note, then D1's older one)."""
    clocks = [FixedClock(START), FixedClock(START + timedelta(seconds=7))]
    a, b = (
        Desk.open(folder / f"{code}.db", TOWN, desk_code=code, clock=clock, operator_id=code)
        for code, clock in zip(("D1", "D2"), clocks, strict=True)
    )
    for d in (a, b):
        d.take_roster()
    call = a.execute(c.ReceiveCall(type_code="NOISE", location="410 Elm Street")).call_id
    assert call is not None
    b.ingest(list(a.store.events()))
    clocks[0].advance(seconds=60)
    clocks[1].advance(seconds=60)
    assert a.execute(c.AddNote(call=call, text="first, on D1")).ok
    assert b.execute(c.AddNote(call=call, text="second, on D2")).ok  # later by its clock
    b.ingest(list(a.store.events()))
    a.ingest(list(b.store.events()))
    return a, b


FOLD_ORDER_NOTES = "first, on D1\nsecond, on D2"


def test_notes_from_two_desks_are_searched_in_the_same_order_on_both(tmp_path: Path) -> None:
    """A call's notes, written on two desks and arriving in different orders, make the
    same text on both (the fold's order, not the order each file received them)."""
    a, b = _two_desks_with_notes(tmp_path)
    try:
        texts = [_stored(d)["call_text"] for d in (a, b)]
        assert texts[0] == texts[1]
        assert {row[3] for row in texts[0]} == {FOLD_ORDER_NOTES}
        for d in (a, b):
            assert check_store(d.store).ok
    finally:
        a.close()
        b.close()


def test_a_schema_5_file_gets_its_notes_in_the_fold_order(tmp_path: Path) -> None:
    """Schema 5 kept the notes in the file's order; opening the file again (schema 6)
    remakes the text index's triggers and refills it."""
    a, b = _two_desks_with_notes(tmp_path)
    a.close()
    b.close()
    path = tmp_path / "D2.db"
    conn = sqlite3.connect(path)
    for name in ("calls_text_insert", "calls_text_update", "calls_text_delete"):
        conn.execute(f"DROP TRIGGER {name}")
    for ddl in search_index.triggers_ddl():  # as schema 5 made them
        conn.execute(ddl.replace("ORDER BY hlc, desk_id, desk_seq", "ORDER BY seq"))
    conn.execute("DELETE FROM call_text")
    conn.execute(
        "INSERT INTO call_text (rowid, location, narrative, notes) SELECT rowid, location, "
        "narrative, 'second, on D2' || char(10) || 'first, on D1' FROM calls"
    )
    conn.execute("DELETE FROM schema_version WHERE version = 6")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    upgraded = Desk.open(path, TOWN, desk_code="D2", operator_id="D2")
    try:
        assert {row[3] for row in _stored(upgraded)["call_text"]} == {FOLD_ORDER_NOTES}
        assert check_store(upgraded.store).ok
        with upgraded.store.read() as cur:
            sql = cur.execute(
                "SELECT group_concat(sql) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'calls_text_%'"
            ).fetchone()[0]
        assert "ORDER BY seq" not in sql and sql.count("ORDER BY hlc, desk_id, desk_seq") == 2
    finally:
        upgraded.close()
