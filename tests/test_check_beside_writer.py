"""``check`` and ``check --rebuild`` beside a writer: nothing lost, no number taken twice,
no false alarm, and nobody locked out."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cso_console.desk import Desk
from cso_console.domain.town import Town

N = 10_000


def _feed(tmp_path: Path) -> Path:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(
            json.dumps(
                {
                    "type": "PARK",
                    "location": f"{100 + i % 700} Elm Street",
                    "source_id": f"feed-{i:05d}",
                }
            )
            + "\n"
            for i in range(N)
        ),  # fmt: skip
        encoding="utf-8",
    )
    return feed


def _calls(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        return conn.execute("SELECT call_id, source_id FROM calls").fetchall()
    finally:
        conn.close()


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cso_console", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        text=True, env=env,
    )  # fmt: skip


def test_check_and_rebuild_while_intake_writes(
    tmp_path: Path, town: Town, env: dict[str, str]
) -> None:
    db = tmp_path / "desk.db"
    Desk.open(db, town).close()
    writer = _cli("intake", "--db", str(db), str(_feed(tmp_path)), env=env)
    try:
        deadline = time.monotonic() + 60
        while len(_calls(db)) < 200:
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        rounds, overlapped = 0, False
        while writer.poll() is None or rounds < 2:
            overlapped = overlapped or writer.poll() is None
            check = _cli("check", "--db", str(db), env=env)
            out, err = check.communicate(timeout=120)
            assert check.returncode == 0, out + err  # a consistent snapshot: no false alarm
            rebuild = _cli("check", "--rebuild", "--db", str(db), env=env)
            out, err = rebuild.communicate(timeout=120)
            assert rebuild.returncode == 0, out + err
            rounds += 1
        assert overlapped, "the checks ran while the intake was writing"
    finally:
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    calls = _calls(db)
    numbers = [c for c, _ in calls]
    assert len(numbers) == len(set(numbers)) == N, "nothing lost, no number held twice"
    assert {s for _, s in calls} == {f"feed-{i:05d}" for i in range(N)}
    again = _cli("intake", "--db", str(db), str(tmp_path / "feed.jsonl"), env=env)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0 and "0 taken" in err and f"{N} already taken" in err, err


def test_between_two_long_transactions_another_writer_gets_the_lock(
    tmp_path: Path, town: Town, monkeypatch
) -> None:
    """SQLite does not queue writers: one waiting for the lock polls it (every 100 ms
    once it has waited a while). A store whose transaction held the lock long leaves it
    free a moment before its next one (an intake's batches, a rebuild's), so a console's
    commands and `check --rebuild` are not starved; during that moment another
    connection takes the lock without waiting. Short transactions never wait."""
    from cso_console import intake
    from cso_console.store import sqlite as store_sqlite

    db = tmp_path / "desk.db"
    desk = Desk.open(db, town)
    took: list[bool] = []

    def pause(seconds: float) -> None:
        other = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # refused at once if the intake held it
            other.execute("ROLLBACK")
            took.append(seconds > 0)
        finally:
            other.close()

    monkeypatch.setattr(store_sqlite, "_leave_lock_free", pause)
    lines = [
        json.dumps({"type": "PARK", "location": "120 Elm Street", "source_id": f"s{i}"})
        for i in range(23)
    ]
    try:
        assert intake.take_lines(desk, lines[:1]).taken == 1  # after Desk.open's, maybe long
        took.clear()
        assert intake.take_lines(desk, lines[1:3]).taken == 2  # after a short one: no wait
        assert took == []
        monkeypatch.setattr(intake, "BATCH_LINES", 5)
        monkeypatch.setattr(store_sqlite, "LONG_HOLD_SECONDS", 0.0)  # every batch is long
        report = intake.take_lines(desk, lines[3:])
    finally:
        desk.close()
    assert report.taken == 20
    assert took == [True] * 3  # before each batch after the first
