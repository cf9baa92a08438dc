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


def test_closing_a_desk_under_a_reader_and_a_writer_never_crashes(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    saved, _, refusals = out.stdout.strip().partition(" ")
    assert saved == "True"
    assert "The database is closed." in refusals
    assert "sqlite3" not in refusals and "Traceback" not in out.stderr
