"""`cso-console operator`: the first lead without credentials, then only a lead changes
operators (with a PIN from the terminal or --pin-stdin); refusals change nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .cli_run import run_cli

LEAD_PIN = "Rq4$Lead-pin-73"
DESK_PIN = "Wm8%Desk-pin-15"


def events(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT type FROM journal ORDER BY seq")]
    finally:
        conn.close()


def first_lead(db: Path, env: dict[str, str]) -> None:
    r = run_cli(
        "operator", "add", "L1", "--role", "lead", "--name", "Lee Lead", "--pin-stdin",
        "--db", db, env=env, input=f"{LEAD_PIN}\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "first lead" in r.stdout


def desk_operator(db: Path, env: dict[str, str]) -> None:
    """The lead L1 adds the desk operator D2."""
    r = run_cli(
        "operator", "add", "D2", "--operator", "L1", "--pin-stdin", "--db", db,
        env=env, input=f"{LEAD_PIN}\n{DESK_PIN}\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr


def test_first_lead_then_a_lead_adds_a_desk_operator(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "desk.db"
    r = run_cli("operator", "list", "--db", db, env=env)
    assert r.returncode == 2 and "no such database" in r.stderr
    r = run_cli("operator", "add", "D1", "--pin-stdin", "--db", db, env=env, input=f"{DESK_PIN}\n")
    assert r.returncode == 2 and "first operator must be a shift lead" in r.stderr
    first_lead(db, env)
    before = events(db)
    r = run_cli(  # no lead named: refused, nothing written
        "operator", "add", "D2", "--pin-stdin", "--db", db, env=env, input=f"{DESK_PIN}\n"
    )
    assert r.returncode == 2 and "needs a shift lead" in r.stderr
    assert events(db) == before
    r = run_cli(
        "operator", "add", "D2", "--name", "Dee Desk", "--operator", "L1", "--pin-stdin",
        "--db", db, env=env, input=f"{LEAD_PIN}\n{DESK_PIN}\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = run_cli("operator", "list", "--db", db, env=env)
    assert r.returncode == 0
    assert "L1" in r.stdout and "lead" in r.stdout and "Dee Desk" in r.stdout
    assert "scrypt" not in r.stdout
    types = events(db)
    assert types.count("operator.enrolled") == 2
    assert "operator.signed_in" in types and "operator.signed_out" in types
    for f in tmp_path.glob("desk.db*"):
        assert LEAD_PIN.encode() not in f.read_bytes()
        assert DESK_PIN.encode() not in f.read_bytes()


def test_a_desk_operator_cannot_do_lead_work_and_a_wrong_pin_is_recorded(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "desk.db"
    first_lead(db, env)
    desk_operator(db, env)
    before = events(db)
    r = run_cli(
        "operator", "disable", "L1", "--operator", "D2", "--pin-stdin", "--db", db,
        env=env, input=f"{DESK_PIN}\n",
    )  # fmt: skip
    assert r.returncode == 2 and "lead" in r.stderr
    assert [t for t in events(db)[len(before) :] if t != "operator.signed_in"] == []
    r = run_cli(
        "operator", "disable", "D2", "--operator", "L1", "--pin-stdin", "--db", db,
        env=env, input="not-the-pin\n",
    )  # fmt: skip
    assert r.returncode == 2 and "Wrong PIN" in r.stderr
    assert events(db)[-1] == "operator.pin_refused"


def test_no_terminal_and_no_pin_stdin_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "desk.db"
    r = run_cli("operator", "add", "L1", "--role", "lead", "--db", db, env=env, input="")
    assert r.returncode == 2 and "--pin-stdin" in r.stderr
    assert not db.exists() or "operator.enrolled" not in events(db)


def test_own_pin_change_and_owner_reset(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "desk.db"
    first_lead(db, env)
    r = run_cli(
        "operator", "pin", "L1", "--pin-stdin", "--db", db, env=env,
        input=f"{LEAD_PIN}\nNew-lead-pin-1\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = run_cli(
        "operator", "pin", "L1", "--owner", "--pin-stdin", "--db", db, env=env,
        input=f"{LEAD_PIN}\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "reset by the file owner" in r.stdout
    conn = sqlite3.connect(db)
    by = conn.execute(
        "SELECT json_extract(payload, '$.by') FROM journal WHERE type = 'operator.pin_set' "
        "ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    conn.close()
    assert by == "file owner"
