"""Closing a desk while other threads still read or write it: close() waits for what is in
progress and refuses what comes after with a sentence; it never closes a connection under
a thread using it (that crashed the interpreter in SQLite's C code: a segmentation fault,
seen when a console's follower was still looking for changes as its desk was closed).

Each case runs in a child interpreter, so a crash fails the test instead of ending it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROBE = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from cso_console.desk import Desk
    from cso_console.domain import commands as c
    from cso_console.domain.town_files import load_town
    from cso_console.store.database import StoreError
    from cso_console.paths import bundled_town_dir
    from cso_console.session import NOBODY

    town = load_town(bundled_town_dir())
    folder = Path(sys.argv[1])
    refused = set()
    saved = 0
    for i in range(60):
        desk = Desk.open(folder / f"d{i}.db", town, operator_id=NOBODY)
        started = threading.Event()

        def reading():
            started.set()
            while True:
                try:
                    desk.data_version()
                    desk.changes_since(0, -1)
                except StoreError as exc:
                    refused.add(str(exc))
                    return

        def writing():
            global saved
            started.set()
            while True:
                try:
                    out = desk.execute(c.ReceiveCall(type_code="NOISE", location="1 Elm Street"))
                except StoreError as exc:
                    refused.add(str(exc))
                    return
                if out.ok:
                    saved += 1
                elif "closed" in out.reason:
                    refused.add(out.reason)
                    return

        threads = [threading.Thread(target=t) for t in (reading, writing)]
        for t in threads:
            t.start()
        started.wait()
        desk.close()
        for t in threads:
            t.join()
    print(saved > 0, sorted(refused))
    """
)


def in_child(code: str, folder: Path) -> str:
    """``code`` run in a child interpreter; its output. A crash fails the test."""
    out = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", code, str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    return out.stdout


def test_closing_a_desk_under_a_reader_and_a_writer_never_crashes(tmp_path: Path) -> None:
    saved, _, refusals = in_child(PROBE, tmp_path).strip().partition(" ")
    assert saved == "True"
    assert "The database is closed." in refusals
    assert "sqlite3" not in refusals


LATE = textwrap.dedent(
    """
    import sys, threading, time
    from pathlib import Path
    from cso_console.desk import Desk
    from cso_console.domain.town_files import load_town
    from cso_console.paths import bundled_town_dir
    from cso_console.session import NOBODY
    from cso_console.store import sqlite as store_sqlite

    store_sqlite.CLOSE_WAIT = 0.2  # a read that outlasts close()'s wait
    town = load_town(bundled_town_dir())
    desk = Desk.open(Path(sys.argv[1]) / "late.db", town, operator_id=NOBODY)
    inside, results = threading.Event(), []

    def long_read():
        with desk.store.read() as cur:
            inside.set()
            time.sleep(0.6)
            results.append(cur.execute("SELECT count(*) FROM journal").fetchone()[0] >= 0)

    t = threading.Thread(target=long_read)
    t.start()
    inside.wait()
    began = time.monotonic()
    desk.close()
    waited = time.monotonic() - began
    t.join()
    print(results, 0.15 < waited < 0.5)
    """
)


def test_a_read_outlasting_the_wait_closes_the_connections_itself(tmp_path: Path) -> None:
    """close() gives up waiting after CLOSE_WAIT and returns; the read still running ends
    normally and closes the connections as it leaves (never under it: that crashed)."""
    assert in_child(LATE, tmp_path).split() == ["[True]", "True"]


def test_a_write_in_progress_finishes_its_own_reads_after_close_began(desk) -> None:
    """A write already running when close() begins is finished whole, nested reads and
    all (refusing them would roll the write back); a new read is refused."""
    import threading
    import time

    from cso_console.domain import commands as c
    from cso_console.store.database import StoreError

    store = desk.store
    inside, outcome = threading.Event(), []

    def writing() -> None:
        with store.write():
            inside.set()
            time.sleep(0.3)  # close() begins meanwhile
            with store.read() as cur:
                outcome.append(cur.execute("SELECT 1").fetchone()[0])

    t = threading.Thread(target=writing)
    t.start()
    inside.wait()
    desk.close()
    t.join()
    assert outcome == [1]
    out = desk.execute(c.ReceiveCall(type_code="NOISE", location="1 Elm Street"))
    assert not out.ok and "closed" in out.reason
    with pytest.raises(StoreError, match="closed"):
        desk.data_version()


def test_close_inside_a_read_of_the_same_thread_does_not_wait_for_itself(desk) -> None:
    import time

    from cso_console.store.database import StoreError

    with desk.store.read() as cur:
        began = time.monotonic()
        desk.close()
        assert time.monotonic() - began < 1.0
        assert cur.execute("SELECT 1").fetchone()[0] == 1  # still open under this read
    with pytest.raises(StoreError, match="closed"):
        desk.data_version()
