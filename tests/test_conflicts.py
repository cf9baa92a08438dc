"""Conflicts settled by a lead: the fold drops a settled conflict from the open list,
on every desk alike, whatever order the events come in; a desk operator cannot settle."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock
from cso_console.domain.events import ConflictSettled, Draft, Event, EventType, stamp
from cso_console.domain.fold import State, apply, fold
from cso_console.domain.model import OperatorRole
from cso_console.integrity import check_store

from .cli_run import run_cli
from .conftest import START

LEAD_PIN = "Kx7#Settle-pin-41"


def _ev(draft: Draft, seq: int, desk: str = "D1") -> Event:
    return stamp(draft, desk_id=desk, desk_seq=seq, hlc=seq, occurred_at=START,
                 operator_id="L1")  # fmt: skip


def _settle(event_id: str, seq: int) -> Event:
    payload = ConflictSettled(event_id=event_id, reason="seen: C10 stays on 1", by="L1")
    return _ev(Draft(type=EventType.CONFLICT_SETTLED, payload=payload), seq)


def test_the_fold_drops_a_settled_conflict_and_refuses_a_settlement_of_nothing() -> None:
    refused = _ev(Draft(type=EventType.CALL_CANCELLED, call_id="D1-26-000009",
                        payload=c.WithReason(reason="x")), 1)  # fmt: skip
    state = fold(State(), [refused])
    assert [k.event_id for k in state.conflicts] == [refused.event_id]
    state = fold(State(), [refused, _settle(refused.event_id, 2)])
    assert state.conflicts == [] and list(state.settled) == [refused.event_id]
    # settled twice, or before the refusal is known: the settlement is itself a conflict
    twice = fold(State(), [refused, _settle(refused.event_id, 2), _settle(refused.event_id, 3)])
    assert len(twice.conflicts) == 1 and "no open conflict" in twice.conflicts[0].reason
    early = State()
    apply(early, _settle(refused.event_id, 2), strict=False)
    assert len(early.conflicts) == 1


def _offline_shift(make_desk: Callable[..., Desk]) -> tuple[Desk, Desk, str]:
    """Desk D2 and desk D1 each send C10 to a call of their own while apart: exchanged,
    the later dispatch is refused on both. Returns (d2, d1, the refused event's id)."""
    d2 = make_desk("a.db", desk_code="D2", clock=FixedClock(START - timedelta(minutes=5)))
    d1 = make_desk("b.db")
    on = d2.execute(c.SignOn(officer="C10"))
    assert d1.ingest(on.events).new == 1
    theirs = [*d2.execute(c.ReceiveCall(type_code="NOISE", location="410 Elm Street")).events]
    theirs += d2.execute(c.Dispatch(call="1", officers=("C10",))).events
    mine = d1.execute(c.ReceiveCall(type_code="PARK", location="220 Main Street")).events
    mine += d1.execute(c.Dispatch(call="1", officers=("C10",))).events
    assert d1.ingest(theirs).conflicts == 1
    assert d2.ingest(mine).conflicts == 1
    refused = d1.open_conflicts()
    assert [k.event_id for k in d2.open_conflicts()] == [k.event_id for k in refused]
    return d2, d1, refused[0].event_id


def test_a_conflict_from_two_desks_is_listed_then_settled_on_both(
    make_desk: Callable[..., Desk],
) -> None:
    d2, d1, refused = _offline_shift(make_desk)
    (k,) = d1.open_conflicts()
    assert k.officer_id == "C10" and k.event_type == "unit.dispatched" and k.desk_id == "D1"
    assert "C10" in k.text() and "already on call" in k.text()
    seq = d1.head()[0]
    out = d1.execute(c.SettleConflict(event_id=k.short_id, reason="C10 stays on the noise call"))
    assert out.ok, out.reason
    (settled,) = out.events
    assert settled.payload["event_id"] == refused and settled.payload["by"] == "desk"
    assert d1.open_conflicts() == [] and check_store(d1.store).ok
    assert d1.changes_since(seq).conflicts == 1  # the feed says so
    again = d1.execute(c.SettleConflict(event_id=refused, reason="again"))
    assert not again.ok and "no open conflict" in again.reason
    assert d2.ingest(out.events).conflicts == 0
    assert d2.open_conflicts() == [] and check_store(d2.store).ok
    assert d2.check(rebuild=True).ok and d2.open_conflicts() == []


def test_a_settlement_that_arrives_before_its_conflict_settles_it_when_it_comes(
    make_desk: Callable[..., Desk],
) -> None:
    d2, d1, refused = _offline_shift(make_desk)
    settled = d1.execute(c.SettleConflict(event_id=refused, reason="C10 stays")).events
    d3 = make_desk("c.db", desk_code="D3")
    d3.ingest(settled)  # alone: nothing to settle yet, so it waits as a conflict
    assert len(d3.open_conflicts()) == 1
    d3.ingest([e for e in d1.store.events() if e.event_id != settled[0].event_id])
    assert d3.open_conflicts() == [] and check_store(d3.store).ok


def test_only_a_lead_settles_and_a_refusal_writes_nothing(
    make_desk: Callable[..., Desk],
) -> None:
    _, d1, refused = _offline_shift(make_desk)
    desk_op = make_desk("b.db", roster=False, operator_id="D9",
                        operator_role=OperatorRole.DESK)  # fmt: skip
    before = desk_op.store.count_events()
    out = desk_op.execute(c.SettleConflict(event_id=refused, reason="mine"))
    assert not out.ok and "lead" in out.reason
    assert desk_op.store.count_events() == before and len(desk_op.open_conflicts()) == 1
    out = d1.execute(c.SettleConflict(event_id="ffffffff", reason="x"))
    assert not out.ok and "no open conflict" in out.reason
    assert d1.store.count_events() == before


def test_the_cli_lists_conflicts_and_a_lead_settles_one(
    make_desk: Callable[..., Desk], tmp_path: Path, env: dict[str, str]
) -> None:
    _, _, refused = _offline_shift(make_desk)
    db = tmp_path / "b.db"
    r = run_cli("conflicts", "--db", db, env=env)
    assert r.returncode == 0, r.stderr
    assert refused[:8] in r.stdout and "C10" in r.stdout and "unit.dispatched" in r.stdout
    r = run_cli("operator", "add", "L1", "--role", "lead", "--pin-stdin", "--db", db,
                env=env, input=f"{LEAD_PIN}\n")  # fmt: skip
    assert r.returncode == 0, r.stderr
    before = _journal(db)
    r = run_cli("conflicts", "settle", refused[:8], "--reason", "C10 stays", "--db", db, env=env)
    assert r.returncode == 2 and "needs a shift lead" in r.stderr and _journal(db) == before
    r = run_cli("conflicts", "settle", refused[:8], "--operator", "L1", "--pin-stdin",
                "--db", db, env=env, input="wrong-pin-9\n")  # fmt: skip
    assert r.returncode == 2 and "conflict.settled" not in _journal(db)
    r = run_cli("conflicts", "settle", refused[:8], "--reason", "C10 stays", "--operator", "L1",
                "--pin-stdin", "--db", db, env=env, input=f"{LEAD_PIN}\n")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "settled" in r.stdout and _journal(db)[-2:] == [
        "conflict.settled",
        "operator.signed_out",
    ]
    r = run_cli("conflicts", "--db", db, env=env)
    assert r.returncode == 0 and "No open conflicts." in r.stdout


def _journal(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT type FROM journal ORDER BY seq")]
    finally:
        conn.close()
