"""``check --rebuild`` folds a snapshot, writes new tables in short transactions and swaps
them in; what other writers commit meanwhile (in order or not) is folded in before the
swap, and the old tables go away."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cso_console import integrity
from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock

from .conftest import START


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


@pytest.mark.parametrize("late", [False, True])
def test_rebuild_takes_in_what_was_written_meanwhile(
    make_desk: Callable[..., Desk], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, late: bool
) -> None:
    desk = make_desk("desk.db")
    for i in range(30):
        assert desk.execute(c.ReceiveCall(type_code="NOISE", location=f"{100 + i} Elm Street"))
    assert desk.execute(c.SignOn(officer="C10"))
    other = make_desk("desk.db", roster=False)  # a second writer on the same file
    elsewhere = make_desk("d2.db", desk_code="D2", clock=FixedClock(START - timedelta(hours=1)))
    old = elsewhere.execute(c.ReceiveCall(type_code="PARK", location="220 Main Street"))
    monkeypatch.setattr(integrity, "BATCH_CALLS", 7)  # several short transactions
    write_all = integrity._write_all

    def meanwhile(*args: Any) -> None:
        write_all(*args)
        assert other.execute(c.Dispatch(call="3", officers=("C10",)))
        if late:  # an event older than the journal's head arrives from another desk
            assert other.ingest(old.events).new == 1

    monkeypatch.setattr(integrity, "_write_all", meanwhile)
    report = integrity.rebuild(desk)
    assert report.ok and report.rebuilt, report.problems
    assert desk.find_call("3").status.value == "DISPATCHED"  # type: ignore[union-attr]
    assert (desk.call("D2-26-000001") is not None) is late
    assert not {t for t in _tables(tmp_path / "desk.db") if t.endswith(("_next", "_old"))}
    # the desk's own caches followed the swap: its next command sees C10 on call 3
    out = desk.execute(c.Dispatch(call="4", officers=("C10",)))
    assert not out.ok and "already on call 3" in out.reason


def test_rebuild_again_and_again_on_a_quiet_file(make_desk: Callable[..., Desk]) -> None:
    """`check --rebuild` run again with nothing written since: its new indexes never take
    a name the last rebuild's still hold (the third in a row was refused with "index
    ... already exists")."""
    desk = make_desk("desk.db")
    assert desk.execute(c.ReceiveCall(type_code="NOISE", location="120 Elm Street"))
    for _ in range(4):
        report = integrity.rebuild(desk)
        assert report.ok and report.rebuilt, report.problems
    assert desk.find_call("1") is not None
    with sqlite3.connect(desk.store.path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")]
    bases = [n.partition("__g")[0] for n in names if not n.startswith("sqlite_")]
    assert len(bases) == len(set(bases)), "each index once, not again at each rebuild"
