"""A demo database in use is never deleted: a second `--demo` joins the running one."""

from __future__ import annotations

from pathlib import Path

from cso_console.demo import DemoLock


def test_a_second_demo_joins_instead_of_reseeding(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    first = DemoLock(db)
    assert first.take()  # nobody else: this one seeds afresh
    first.share()  # seeded: running
    second = DemoLock(db)
    assert not second.take()  # the first is running: join, do not delete its file
    second.share()
    first.release()
    third = DemoLock(db)
    assert not third.take()  # the second still runs
    third.release()
    second.release()
    last = DemoLock(db)
    assert last.take()  # nobody left: the next demo starts afresh
    last.release()
