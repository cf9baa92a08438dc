"""`export --include-caller` is the one reader that writes: only a shift lead, signed in
with a PIN, and the sign-in (or the wrong PIN) and a `callers.exported` event are in the
journal before any output. `export --output FILE` makes a new owner-only file and never
overwrites one. Caller name and phone stay out of default exports."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from .cli_run import run_cli

pytestmark = pytest.mark.slow

LEAD_PIN = "Qv3#lead-export-91"
DESK_PIN = "Jh5&desk-export-27"
CALLER = "Octavia Brightwater-Nunez"
PHONE = "555-0177-4242"


def journal(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return [
            (r[0], r[1]) for r in conn.execute("SELECT type, operator_id FROM journal ORDER BY seq")
        ]
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path, env: dict[str, str]) -> Path:
    path = tmp_path / "desk.db"
    line = {"type": "NOISE", "location": "410 Elm Street", "caller_name": CALLER,
            "caller_phone": PHONE, "narrative": "music", "source_id": "x-1"}  # fmt: skip
    r = run_cli("intake", "--db", path, "-", env=env, input=json.dumps(line) + "\n")
    assert r.returncode == 0, r.stderr
    for args, pins in (
        (("L1", "--role", "lead"), f"{LEAD_PIN}\n"),
        (("D1", "--role", "desk", "--operator", "L1"), f"{LEAD_PIN}\n{DESK_PIN}\n"),
    ):
        r = run_cli("operator", "add", *args, "--pin-stdin", "--db", path, env=env, input=pins)
        assert r.returncode == 0, r.stderr
    return path


def export(db: Path, env: dict[str, str], *args: object, pin: str | None = None):  # type: ignore[no-untyped-def]
    extra = ("--pin-stdin",) if pin is not None else ()
    return run_cli(
        "export", "calls", *args, *extra, "--db", db, env=env,
        input=f"{pin}\n" if pin is not None else None,
    )  # fmt: skip


def test_without_a_lead_it_is_refused_and_nothing_is_written(db: Path, env: dict[str, str]) -> None:
    before = journal(db)
    r = export(db, env, "--include-caller")
    assert r.returncode == 2 and "needs a shift lead" in r.stderr
    assert r.stdout == "" and CALLER not in r.stderr
    assert journal(db) == before


def test_a_desk_operator_is_refused_after_signing_in(db: Path, env: dict[str, str]) -> None:
    before = journal(db)
    r = export(db, env, "--include-caller", "--operator", "D1", pin=DESK_PIN)
    assert r.returncode == 2 and "lead" in r.stderr
    assert r.stdout == ""
    new = [t for t, _ in journal(db)[len(before) :]]
    assert "callers.exported" not in new


def test_a_wrong_pin_is_recorded_and_nothing_is_exported(db: Path, env: dict[str, str]) -> None:
    before = journal(db)
    r = export(db, env, "--include-caller", "--operator", "L1", pin="not-the-pin")
    assert r.returncode == 2 and r.stdout == ""
    assert journal(db)[len(before) :] == [("operator.pin_refused", "L1")]


def test_the_lead_is_recorded_before_the_callers_go_out(db: Path, env: dict[str, str]) -> None:
    before = journal(db)
    r = export(db, env, "--include-caller", "--since", "2d", "--operator", "L1", pin=LEAD_PIN)
    assert r.returncode == 0, r.stderr
    assert CALLER in r.stdout and PHONE in r.stdout
    new = journal(db)[len(before) :]
    assert new == [
        ("operator.signed_in", "L1"),
        ("callers.exported", "L1"),
        ("operator.signed_out", "L1"),
    ]
    conn = sqlite3.connect(db)
    payload = conn.execute("SELECT payload FROM journal WHERE type = 'callers.exported'")
    assert json.loads(payload.fetchone()[0]) == {"kind": "calls", "since": "2d"}
    conn.close()
    for f in db.parent.glob("desk.db*"):
        assert LEAD_PIN.encode() not in f.read_bytes()


def test_output_file_is_owner_only_and_never_overwritten(
    db: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    old = os.umask(0o022)
    try:
        r = export(db, env, "--output", out)
    finally:
        os.umask(old)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "410 Elm Street" in out.read_text() and CALLER not in out.read_text()
    before = out.read_bytes()
    r = export(db, env, "--output", out)
    assert r.returncode == 2 and "already exists" in r.stderr
    assert out.read_bytes() == before
    link = tmp_path / "link.jsonl"
    link.symlink_to(tmp_path / "elsewhere.jsonl")
    r = export(db, env, "--output", link)
    assert r.returncode == 2 and not (tmp_path / "elsewhere.jsonl").exists()
    # an existing file is refused before any PIN is asked (nothing recorded)
    before_journal = journal(db)
    r = export(db, env, "--include-caller", "--output", out, "--operator", "L1", pin=LEAD_PIN)
    assert r.returncode == 2 and journal(db) == before_journal


def test_callers_to_a_file_with_a_lead(db: Path, env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "callers.csv"
    r = export(
        db, env, "--format", "csv", "--include-caller", "--operator", "L1", "--output", out,
        pin=LEAD_PIN,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert CALLER in out.read_text() and r.stdout == ""


def test_the_database_stays_owner_only(db: Path) -> None:
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
