"""A shift replayed through the desk with a fixed clock; the report says what happened.

Also the command line: ``report shift|handover`` on that database, read-only.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from cso_console.cli import main
from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.commands import (
    Cancel,
    ClearUnit,
    Dispatch,
    MarkEnRoute,
    MarkOnScene,
    ReceiveCall,
    Reopen,
    SignOn,
)
from cso_console.domain.report import Figure, shift_at, shift_report
from tests.cli_run import run_cli

NAME, PHONE = "Ottoline Vasquez-Brindle", "555-0142-8866"


def _replay(desk: Desk, clock: FixedClock) -> dict[str, str]:
    """The evening shift from 15:00 New York (20:00 UTC), to 16:30."""

    def do(cmd: object, minutes: float = 0) -> str | None:
        if minutes:
            clock.advance(minutes=minutes)
        out = desk.execute(cmd)  # type: ignore[arg-type]
        assert out.ok, out.reason
        return out.call_id

    def call(minutes: float) -> str:
        cid = do(
            ReceiveCall(
                type_code="NOISE",
                location="200 civic center dr",
                caller_name=NAME,
                caller_phone=PHONE,
            ),
            minutes,
        )
        assert cid is not None
        return cid

    do(SignOn(officer="C10"))
    do(SignOn(officer="C11"))
    c1 = call(5)  # 20:05
    do(Dispatch(call=c1, officers=("C10",)), 2)  # 20:07
    do(MarkEnRoute(officer="C10"), 1)  # 20:08
    do(MarkOnScene(officer="C10"), 7)  # 20:15
    c2 = call(15)  # 20:30
    do(ClearUnit(officer="C10", disposition="ADV"), 10)  # 20:40: call 1 closes
    do(Dispatch(call=c2, officers=("C10",)), 1)  # 20:41: the same officer, next call
    c3 = call(9)  # 20:50
    do(Cancel(call=c3, reason="caller withdrew"), 1)  # 20:51
    c4 = call(9)  # 21:00
    do(Reopen(call=c3, reason="rang again"), 10)  # 21:10
    c5 = call(5)  # 21:15
    do(Cancel(call=c5, reason="gone on arrival"), 5)  # 21:20
    clock.advance(minutes=10)  # now 21:30 UTC, 16:30 in New York
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5}


def test_a_replayed_shift_reports_what_was_done(desk: Desk, clock: FixedClock) -> None:
    calls = _replay(desk, clock)
    period = shift_at(desk.town, clock.now())
    assert period.shift == "evening" and period.start.hour == 20
    r = shift_report(list(desk.store.events()), desk.town, period, clock.now())
    assert r.received == 5 and r.by_type == {"NOISE": 5} and r.by_beat["B5"] == 5
    assert r.by_hour[:2] == [("15:00", 3), ("16:00", 2)]
    every = r.intervals_by_priority["all"]
    assert every["call_processing"] == Figure(2, 120, 660)
    assert every["travel"] == Figure(1, 420, 420)
    assert every["response"] == Figure(1, 600, 600)
    assert every["on_scene"] == Figure(1, 1500, 1500)
    t = r.all_targets
    assert (t.dispatched, t.within_target) == (2, 2)
    assert t.outcomes["cancelled"] == 1 and t.outcomes["waiting"] == 2
    load = {w.officer_id: (w.calls, w.committed_seconds) for w in r.workload}
    assert load == {"C10": (2, 33 * 60 + 49 * 60), "C11": (0, 0)}
    assert [c.call_id for c in r.carried_over] == [calls["c2"], calls["c3"], calls["c4"]]
    assert (r.reopened, r.conflicts) == (1, 0)
    assert [n.kind for n in r.notable] == ["cancelled", "reopened", "cancelled"]
    assert [(o.officer_id, o.status) for o in r.on_duty] == [
        ("C10", "DISPATCHED"),
        ("C11", "AVAILABLE"),
    ]


@pytest.fixture
def shift_db(make_desk: Callable[..., Desk], clock: FixedClock, tmp_path: Path) -> Path:
    desk = make_desk("shift.db")
    _replay(desk, clock)
    desk.close()
    return tmp_path / "shift.db"


PERIOD = ["--from", "2026-11-21T15:00", "--to", "2026-11-21T16:30"]  # the agency's zone


def _files(db: Path) -> tuple[bytes, int, int]:
    """The database file's bytes and time, and what its WAL holds (SQLite may make the
    -wal/-shm sidecars for a reader, as tests/test_readers.py allows; never a write)."""
    wal = Path(f"{db}-wal")
    return db.read_bytes(), db.stat().st_mtime_ns, wal.stat().st_size if wal.exists() else 0


def test_cli_report_formats_and_readonly(
    shift_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(shift_db)
    assert main(["report", "shift", "--db", str(shift_db), *PERIOD]) == 0
    md = capsys.readouterr().out
    assert "- received: 5" in md and "| all | - | 5 | 2 | 100% (2 of 2) | 1 | 0 | 0 | 0 | 2 |" in md
    assert "| C10 | 2 | 1h 22m |" in md  # 20:07-20:40 and 20:41-21:30
    assert main(["report", "shift", "--db", str(shift_db), *PERIOD, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["received"] == 5 and doc["period"]["start"] == "2026-11-21T15:00:00-05:00"
    assert doc["intervals"]["by_priority"]["all"]["call_processing"] == {
        "n": 2,
        "median": 120,
        "p90": 660,
    }
    assert main(["report", "shift", "--db", str(shift_db), *PERIOD, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {"section", "figure", "n", "value"} <= set(rows[0])
    assert ["5"] == [r["value"] for r in rows if r["figure"] == "received" and r["key"] == "all"]
    assert main(["report", "handover", "--db", str(shift_db), *PERIOD]) == 0
    h = capsys.readouterr().out
    assert "## open calls (3)" in h and "| C10 | DISPATCHED |" in h and "rang again" in h
    for text in (md, h, json.dumps(doc), str(rows)):
        assert NAME not in text and PHONE not in text and "Vasquez" not in text
    assert _files(shift_db) == before  # read-only: bytes and times unchanged


def test_cli_output_is_a_new_owner_only_file(
    shift_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.md"
    assert main(["report", "shift", "--db", str(shift_db), *PERIOD, "--output", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "- received: 5" in out.read_text(encoding="utf-8")
    out.write_text("kept", encoding="utf-8")
    argv = ["report", "handover", "--db", str(shift_db), *PERIOD, "--output", str(out)]
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "kept"


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--from", "yesterday"], "--from 'yesterday' is not a time"),
        (["--to", "2026-11-21T16:00"], "--to needs --from"),
        (["--from", "2026-11-21T16:00", "--to", "2026-11-21T15:00"], "the period is empty"),
    ],
)
def test_cli_bad_times_exit_2(
    shift_db: Path, extra: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "shift", "--db", str(shift_db), *extra]) == 2
    assert says in capsys.readouterr().err


def test_cli_missing_database_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "none.db"
    assert main(["report", "shift", "--db", str(db)]) == 2
    assert "no such database" in capsys.readouterr().err
    assert not db.exists()


def test_cli_not_a_database_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"not sqlite at all" * 100)
    assert main(["report", "handover", "--db", str(bogus)]) == 2
    assert capsys.readouterr().err.startswith("cso-console: ")


@pytest.mark.slow
def test_entry_point_default_period_is_the_current_shift(
    shift_db: Path, env: dict[str, str]
) -> None:
    done = run_cli("report", "shift", "--db", shift_db, "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["time_zone"] == "America/New_York"
    assert doc["period"]["shift"] in ("day", "evening", "night")
    done = run_cli("report", "shift", "--db", shift_db, "--ascii", *PERIOD, env=env)
    assert done.returncode == 0 and done.stdout.isascii() and "####" in done.stdout
    os.chmod(shift_db, 0o400)
    done = run_cli("report", "handover", "--db", shift_db, *PERIOD, env=env)
    assert done.returncode == 0, done.stderr


def test_cli_output_on_a_full_disk_exit_3_and_nothing_left(
    shift_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import errno

    from cso_console import cli_report

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd: int, *a: object, **k: object) -> object:
        os.close(fd)
        return Full()

    monkeypatch.setattr(cli_report.os, "fdopen", fdopen)
    out = tmp_path / "full.md"
    assert main(["report", "shift", "--db", str(shift_db), *PERIOD, "--output", str(out)]) == 3
    assert "disk is full" in capsys.readouterr().err
    assert not out.exists()


def test_cli_formats_are_the_renderers_formats() -> None:
    from cso_console import cli_report, report_formats

    assert cli_report.FORMATS == report_formats.FORMATS
