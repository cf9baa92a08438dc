"""Re-folds that drop, re-own or re-word rows, and what else writes to the file at the
same time: numbers never given twice, nothing acknowledged lost, readers told of
deletions, one rebuild at a time, events from a clashing desk refused one by one."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cso_console import integrity
from cso_console.desk import Desk, Outcome
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock
from cso_console.domain.town import Town
from cso_console.integrity import check_store
from cso_console.store import SqliteStore, StoreError

from .conftest import START

FIXTURE = Path(__file__).parent / "data" / "schema1-demo.db"
MakeDesk = Callable[..., Desk]


def ok(desk: Desk, cmd: c.Command) -> Outcome:
    out = desk.execute(cmd)
    assert out.ok, (cmd, out.reason)
    return out


def _clash(make_desk: MakeDesk) -> tuple[Desk, Desk, Outcome, Outcome]:
    """Desk D2 took source phone-1 five minutes before D1 did."""
    a = make_desk("a.db", desk_code="D2", clock=FixedClock(START - timedelta(minutes=5)))
    b = make_desk("b.db")
    theirs = ok(a, c.ReceiveCall(type_code="NOISE", location="410 Elm Street",
                                 source_id="phone-1"))  # fmt: skip
    mine = ok(b, c.ReceiveCall(type_code="PARK", location="220 Main Street",
                               source_id="phone-1"))  # fmt: skip
    return a, b, theirs, mine


def test_a_call_number_is_never_given_twice(make_desk: MakeDesk) -> None:
    _, b, theirs, mine = _clash(make_desk)
    b.ingest(theirs.events)  # b's call becomes a conflict: its row goes
    nxt = ok(b, c.ReceiveCall(type_code="NOISE", location="220 Main Street"))
    assert nxt.call_id != mine.call_id
    assert check_store(b.store).ok


def test_a_new_call_in_a_batch_after_a_refold_is_written(make_desk: MakeDesk) -> None:
    _, b, theirs, _ = _clash(make_desk)
    with b.batch():
        ok(b, c.AddNote(call="1", text="caller rang again"))
        b.ingest(theirs.events)
        new = ok(b, c.ReceiveCall(type_code="NOISE", location="220 Main Street"))
    assert b.call(new.call_id or "") is not None
    assert check_store(b.store).ok


def test_a_third_desk_takes_both_sides_of_a_clash(make_desk: MakeDesk) -> None:
    d1 = make_desk("d1.db", desk_code="D1", clock=FixedClock(START - timedelta(minutes=10)))
    d2 = make_desk("d2.db", desk_code="D2")
    d3 = make_desk("d3.db", desk_code="D3", clock=FixedClock(START + timedelta(minutes=10)))
    ok(d1, c.ReceiveCall(type_code="NOISE", location="410 Elm Street", source_id="s1"))
    ok(d2, c.ReceiveCall(type_code="PARK", location="220 Main Street", source_id="s1"))
    d2.ingest(list(d1.store.events()))
    ok(d2, c.ReceiveCall(type_code="NOISE", location="220 Main Street"))
    d3.ingest([e for e in d2.store.events() if e.desk_id == "D2"])
    d3.ingest([e for e in d1.store.events() if e.desk_id == "D1"])
    everything = {e.event_id for x in (d1, d2) for e in x.store.events()}
    assert {e.event_id for e in d3.store.events()} == everything
    assert check_store(d3.store).ok


def test_conflicts_over_a_source_follow_its_owner(make_desk: MakeDesk) -> None:
    d1 = make_desk("d1.db", desk_code="D1", clock=FixedClock(START - timedelta(minutes=10)))
    d2 = make_desk("d2.db", desk_code="D2", clock=FixedClock(START - timedelta(minutes=5)))
    d3 = make_desk("d3.db", desk_code="D3")
    first = ok(d1, c.ReceiveCall(type_code="NOISE", location="410 Elm Street", source_id="s"))
    for _ in range(2):
        ok(d2, c.ReceiveCall(type_code="PARK", location="220 Main Street"))
    ok(d2, c.ReceiveCall(type_code="NOISE", location="410 Elm Street", source_id="s"))
    ok(d3, c.ReceiveCall(type_code="NOISE", location="410 Elm Street", source_id="s"))
    d3.ingest(list(d2.store.events()))
    d3.ingest(first.events)
    report = check_store(d3.store)
    assert report.ok, report.problems


def test_readers_of_the_feed_are_told_of_dropped_calls(make_desk: MakeDesk) -> None:
    _, b, theirs, mine = _clash(make_desk)
    follower = make_desk("b.db", roster=False)
    seq, gen = follower.head()
    b.ingest(theirs.events)
    changes = follower.changes_since(seq, gen)
    assert mine.call_id in changes.dropped_calls
    assert mine.call_id not in changes.calls
    # and a call that became a conflict is not announced as new
    assert mine.call_id not in {e.call_id for e in follower.changes_since(0, gen).received}


def test_one_rebuild_at_a_time(make_desk: MakeDesk, monkeypatch: pytest.MonkeyPatch) -> None:
    a = make_desk("x.db")
    for _ in range(6):
        ok(a, c.ReceiveCall(type_code="NOISE", location="410 Elm Street"))
    b = make_desk("x.db", roster=False)
    monkeypatch.setattr(integrity, "BATCH_CALLS", 2)
    write_all = integrity._write_all
    refused: list[str] = []

    def meanwhile(*args: Any) -> None:
        with pytest.raises(StoreError) as second:
            integrity.rebuild(b)  # a second `check --rebuild` on the same file
        refused.append(str(second.value))
        write_all(*args)

    monkeypatch.setattr(integrity, "_write_all", meanwhile)
    report = integrity.rebuild(a)
    assert report.ok and len(a.open_calls()) == 6
    assert refused and "another" in refused[0]


def test_two_programs_upgrading_one_old_file(tmp_path: Path, town: Town) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    s1, s2 = SqliteStore(path), SqliteStore(path)
    assert s1.needs_rebuild() and s2.needs_rebuild()
    roster = s2.roster_v1()
    s2.needs_rebuild = lambda: True  # type: ignore[method-assign]  # seen before the first ended
    s2.roster_v1 = lambda: roster  # type: ignore[method-assign]
    first = Desk(s1, town, clock=FixedClock(START))
    second = Desk(s2, town, clock=FixedClock(START))  # finds the work done, does nothing
    assert check_store(second.store).ok
    first.close()
    second.close()


def test_subscribers_hear_of_an_ingest_only_after_commit(make_desk: MakeDesk) -> None:
    a, b = make_desk("a.db", desk_code="D2"), make_desk("b.db")
    theirs = ok(a, c.ReceiveCall(type_code="NOISE", location="410 Elm Street")).events
    heard: list[list[str]] = []
    b.subscribe(lambda ch: heard.append(sorted(ch.call_ids)))
    with pytest.raises(RuntimeError), b.batch():
        b.ingest(theirs)
        raise RuntimeError("the batch fails after the ingest")
    assert not heard
    with b.batch():
        b.ingest(theirs)
    assert heard == [[theirs[0].call_id]]


def test_events_clashing_with_this_desk_are_refused_one_by_one(make_desk: MakeDesk) -> None:
    a, b = make_desk("a.db"), make_desk("b.db")  # two files that both took the code D1
    ok(b, c.ReceiveCall(type_code="NOISE", location="410 Elm Street"))
    theirs = ok(a, c.ReceiveCall(type_code="PARK", location="220 Main Street")).events
    other = make_desk("d7.db", desk_code="D7")
    good = ok(other, c.ReceiveCall(type_code="PARK", location="220 Main Street")).events
    report = b.ingest(theirs + good)
    assert report.new == 1 and len(report.refused) == 1
    assert "D1" in report.refused[0][1]
    assert b.call(good[0].call_id or "") is not None
    assert check_store(b.store).ok


def test_a_rebuild_and_a_command_on_two_threads_do_not_share_a_transaction(
    make_desk: MakeDesk,
) -> None:
    import threading

    desk = make_desk("t.db")
    for _ in range(20):
        ok(desk, c.ReceiveCall(type_code="NOISE", location="410 Elm Street"))
    errors: list[BaseException] = []

    def commands() -> None:
        try:
            for i in range(40):
                desk.execute(c.AddNote(call=str(1 + i % 20), text=f"note {i}"))
                desk.execute(c.SignOn(officer="C99"))  # refused: rolls back nothing else
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=commands)
    t.start()
    report = integrity.rebuild(desk)
    t.join()
    assert not errors and report.ok
    assert check_store(desk.store).ok
