"""SIGKILL at random moments: what was acknowledged survives, the file stays sound, the
projections equal the journal, and an interrupted intake completes exactly on a re-run."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cso_console.desk import Desk
from cso_console.domain.town import Town

pytestmark = pytest.mark.slow

# The writer: opens the desk, prints READY, then loops over commands. It prints
# "ACK <call_id>" only after desk.execute() returned ok for the new call, and
# "CLOSED <call_id>" only after the command that closed it returned ok.
WRITER = r"""
import sys
from datetime import UTC, datetime

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir

path, tag = sys.argv[1], sys.argv[2]
desk = Desk.open(path, load_town(bundled_town_dir()), operator_id="writer",
                 clock=FixedClock(datetime(2026, 11, 21, 20, 0, tzinfo=UTC)))
desk.take_roster()


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def must(cmd):
    out = desk.execute(cmd)
    if not out.ok:
        say(f"ERROR {type(cmd).__name__}: {out.reason}")
        sys.exit(1)
    return out


# a previous writer may have been killed with C10 on a call, or before signing on
desk.execute(c.SignOn(officer="C10"))
desk.execute(c.ClearUnit(officer="C10", disposition="ADV"))
say("READY")
i = 0
while True:
    i += 1
    out = must(c.ReceiveCall(type_code="NOISE", location=f"{100 + i % 700} Elm Street",
                             narrative=f"{tag} #{i} " + "w" * (i * 37 % 1500),
                             caller_name="Kill Nine", caller_phone="555-0199"))
    say(f"ACK {out.call_id}")
    if i % 3 == 0:
        must(c.AddNote(call=out.call_id, text=f"note {tag} {i}"))
    if i % 2 == 0:
        must(c.Dispatch(call=out.call_id, officers=("C10",)))
        must(c.MarkOnScene(officer="C10"))
        must(c.ClearUnit(officer="C10", disposition="ADV", note="done"))
        say(f"CLOSED {out.call_id}")
"""


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",
    )


def _verify(path: Path, town: Town, acked: set[str], closed: set[str]) -> int:
    """After a kill: the file is sound and holds everything acknowledged."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        calls = dict(conn.execute("SELECT call_id, status FROM calls").fetchall())
        seqs = sorted(r[0] for r in conn.execute("SELECT seq FROM calls"))
        roster = conn.execute("SELECT count(*) FROM journal WHERE desk_id = 'town'").fetchone()[0]
        desk_seqs = [
            r[0]
            for r in conn.execute(
                "SELECT desk_seq FROM journal WHERE desk_id = 'D1' ORDER BY desk_seq"
            )
        ]
    finally:
        conn.close()
    missing = acked - calls.keys()
    assert not missing, f"acknowledged calls lost: {sorted(missing)}"
    not_closed = {c for c in closed if calls[c] != "CLOSED"}
    assert not not_closed, f"acknowledged closes lost: {sorted(not_closed)}"
    # each call is one transaction: numbering has no holes, nor has the journal
    assert seqs == list(range(1, len(seqs) + 1))
    assert desk_seqs == list(range(1, len(desk_seqs) + 1))

    desk = Desk.open(path, town)
    try:
        report = desk.check()
        assert report.ok, report.problems
        assert report.events == len(desk_seqs) + roster  # and the town's roster
    finally:
        desk.close()
    return len(calls)


def test_sigkill_loses_nothing_acknowledged(tmp_path: Path, town: Town) -> None:
    rng = random.Random(20261121)
    path = tmp_path / "desk.db"
    acked: set[str] = set()
    closed: set[str] = set()
    rounds = 5
    for n in range(rounds):
        err_path = tmp_path / f"writer-{n}.err"
        with err_path.open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-c", WRITER, str(path), f"round{n}"],
                stdout=subprocess.PIPE,
                stderr=err,
                stdin=subprocess.DEVNULL,
                text=True,
                env=_env(tmp_path),
                cwd=tmp_path,
            )
            try:
                assert proc.stdout is not None
                first = proc.stdout.readline()
                assert first.strip() == "READY", (first, err_path.read_text())
                time.sleep(rng.uniform(0.05, 0.6))
                proc.send_signal(signal.SIGKILL)
                rest = proc.stdout.read()
                proc.wait(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        assert proc.returncode == -signal.SIGKILL, (proc.returncode, rest, err_path.read_text())
        assert "ERROR" not in rest, rest
        for line in rest.splitlines():
            word, _, call_id = line.partition(" ")
            if word == "ACK":
                acked.add(call_id)
            elif word == "CLOSED":
                closed.add(call_id)
        stored = _verify(path, town, acked, closed)
        assert stored >= len(acked)
    # the rounds continued one numbering: the writer did real work across kills
    assert len(acked) >= rounds
    assert closed
    assert all(a.startswith("D1-26-") for a in acked)


def _calls_so_far(path: Path) -> int:
    """Progress of a running intake, read without creating or writing anything."""
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return 0
    try:
        return int(conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet
    finally:
        conn.close()


def _source_ids(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT source_id FROM calls")]
    finally:
        conn.close()


def test_killed_intake_completes_exactly_on_rerun(tmp_path: Path, town: Town) -> None:
    rng = random.Random(400)
    n = 6000  # intake commits in batches (~100 ms each): enough of them to kill one mid-way
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(
            json.dumps(
                {
                    "type": "PARK",
                    "location": f"{100 + i % 700} Elm Street",
                    "source_id": f"feed-{i:04d}",
                    "caller_phone": "555-0142",
                    "narrative": f"line {i} " + "q" * (i * 53 % 900),
                }
            )
            + "\n"
            for i in range(1, n + 1)
        ),
        encoding="utf-8",
    )
    path = tmp_path / "desk.db"
    cmd = [sys.executable, "-m", "cso_console", "intake", "--db", str(path), str(feed)]

    seen = 0
    for target in sorted(rng.sample(range(200, 3000), 2)):
        target = max(target, seen + 10)
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=_env(tmp_path),
            cwd=tmp_path,
        )
        try:
            deadline = time.monotonic() + 30
            while _calls_so_far(path) < target:
                assert proc.poll() is None, "intake finished before it could be killed"
                assert time.monotonic() < deadline, "intake made no progress"
                time.sleep(0.002)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            assert proc.stderr is not None
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        ids = _source_ids(path)
        assert len(ids) == len(set(ids)), "a line was taken twice"
        assert target <= len(ids) < n, "killed mid-way"
        assert set(ids) == {f"feed-{i:04d}" for i in range(1, len(ids) + 1)}
        seen = len(ids)
        _verify(path, town, set(), set())

    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert f"{n - seen} taken" in done.stderr and f"{seen} already taken" in done.stderr
    assert "0 refused" in done.stderr
    ids = _source_ids(path)
    assert len(ids) == n
    assert sorted(ids) == [f"feed-{i:04d}" for i in range(1, n + 1)]
    _verify(path, town, set(), set())

    # and once more: nothing new, still exit 0
    again = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr
    assert f"0 taken (0 unverified location), {n} already taken" in again.stderr
    assert len(_source_ids(path)) == n
