"""The real `cso-console export` and `check`, on a database prepared once for the module."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cso_console.export import CALL_COLUMNS, EVENT_COLUMNS

from .cli_run import run_cli

pytestmark = pytest.mark.slow

CALLER = "Zebulon Quigley"
PHONE = "555-0199"
OTHER_CALLER = "Philippa Oyelaran-Smythe"
OTHER_PHONE = "555-0142"


def make_env(root: Path) -> dict[str, str]:
    e = dict(os.environ)
    e.update(
        HOME=str(root / "home"),
        XDG_DATA_HOME=str(root / "xdg"),
        XDG_CONFIG_HOME=str(root / "xdg-config"),
    )
    return e


def copy_db(src: Path, dst: Path) -> Path:
    """A consistent copy (through SQLite, so a WAL is taken along)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


OLD = datetime.now(UTC) - timedelta(days=3)
EXPECTED_TYPES = ["call.received"] * 3 + [
    "officer.signed_on",
    "unit.dispatched",
    "unit.en_route",
    "unit.on_scene",
    "call.note_added",
    "unit.cleared",
    "call.closed",
]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Three calls through the CLI (one received three days ago, with callers), then one
    worked to the end through the desk API so the journal has more than call.received."""
    root = tmp_path_factory.mktemp("export")
    env = make_env(root)
    db = root / "desk.db"
    lines = [
        {
            "type": "NOISE",
            "location": "200 Civic Center Drive",
            "caller_name": CALLER,
            "caller_phone": PHONE,
            "narrative": "Generator at the rear",
            "source_id": "e-1",
        },
        {
            "type": "ABVEH",
            "location": "410 Elm Street",
            "caller_name": OTHER_CALLER,
            "caller_phone": OTHER_PHONE,
            "received_at": OLD.isoformat(),
            "source_id": "e-old",
        },
        {"type": "PARK", "location": "behind the old mill", "source_id": "e-3"},
    ]
    r = run_cli(
        "intake", "--db", db, "-", env=env, input="".join(json.dumps(x) + "\n" for x in lines)
    )
    assert r.returncode == 0, r.stderr

    from cso_console.desk import Desk
    from cso_console.domain import commands as c
    from cso_console.domain.town_files import load_town
    from cso_console.paths import bundled_town_dir

    desk = Desk.open(db, load_town(bundled_town_dir()), operator_id="tester")
    desk.take_roster()
    try:
        call = next(x.call_id for x in desk.store.calls() if x.source_id == "e-1")
        for cmd in [
            c.SignOn(officer="C10"),
            c.Dispatch(call=call, officers=("C10",)),
            c.MarkEnRoute(officer="C10"),
            c.MarkOnScene(officer="C10"),
            c.AddNote(call=call, text="Spoke to the manager"),
            c.ClearUnit(officer="C10", disposition="ADV"),
        ]:
            outcome = desk.execute(cmd)
            assert outcome.ok, (cmd, outcome.reason)
    finally:
        desk.close()
    yield {"root": root, "env": env, "db": db, "closed_call": call}


def export(prepared: dict[str, Any], *args: object) -> subprocess.CompletedProcess[str]:
    """Run `export ARGS` on the prepared (never modified) database; same args, same run."""
    cache = prepared.setdefault("exports", {})
    key = tuple(map(str, args))
    if key not in cache:
        cache[key] = run_cli("export", *args, "--db", prepared["db"], env=prepared["env"])
    return cache[key]


def records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


# export calls --------------------------------------------------------------------------


def test_export_calls_jsonl(prepared: dict[str, Any]) -> None:
    r = export(prepared, "calls", "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    calls = records(r.stdout)
    assert len(calls) == 3
    for c in calls:
        assert list(c) == CALL_COLUMNS
    by_source = {c["source_id"]: c for c in calls}
    closed = by_source["e-1"]
    assert closed["call_id"] == prepared["closed_call"]
    assert closed["status"] == "CLOSED" and closed["disposition"] == "ADV"
    assert closed["units"] == ["C10"] and closed["note_count"] == 1
    assert by_source["e-3"]["location_verified"] is False and by_source["e-3"]["beat_id"] is None
    # oldest first
    assert [c["source_id"] for c in calls][0] == "e-old"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("what", ["calls", "events"])
def test_export_leaves_out_the_caller(prepared: dict[str, Any], what: str, fmt: str) -> None:
    r = export(prepared, what, "--format", fmt)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()
    for secret in (CALLER, PHONE, OTHER_CALLER, OTHER_PHONE, "caller_name", "caller_phone"):
        assert secret not in r.stdout, f"{secret!r} leaked into export {what} --format {fmt}"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("what", ["calls", "events"])
def test_export_include_caller(
    prepared: dict[str, Any], what: str, fmt: str, tmp_path: Path
) -> None:
    db = copy_db(prepared["db"], tmp_path / "copy.db")  # this export writes its events
    pin = "Kx7!lead-export-PIN"
    env = prepared["env"]
    r = run_cli(
        "operator", "add", "L1", "--role", "lead", "--pin-stdin", "--db", db, env=env,
        input=f"{pin}\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = run_cli(
        "export", what, "--format", fmt, "--include-caller", "--operator", "L1", "--pin-stdin",
        "--db", db, env=env, input=f"{pin}\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    for secret in (CALLER, PHONE, OTHER_CALLER, OTHER_PHONE):
        assert secret in r.stdout
    if what == "calls" and fmt == "jsonl":
        by_source = {c["source_id"]: c for c in records(r.stdout)}
        assert by_source["e-1"]["caller_name"] == CALLER
        assert by_source["e-1"]["caller_phone"] == PHONE
        assert by_source["e-3"]["caller_name"] is None
    if what == "calls" and fmt == "csv":
        reader = csv.DictReader(io.StringIO(r.stdout))
        assert reader.fieldnames == CALL_COLUMNS + ["caller_name", "caller_phone"]
        rows = {row["source_id"]: row for row in reader}
        assert rows["e-1"]["caller_name"] == CALLER
    if what == "events" and fmt == "jsonl":
        received = [e for e in records(r.stdout) if e["type"] == "call.received"]
        assert {e["payload"].get("caller_name") for e in received} == {CALLER, OTHER_CALLER, None}


def test_export_calls_csv_has_a_header(prepared: dict[str, Any]) -> None:
    r = export(prepared, "calls", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].split(",") == CALL_COLUMNS
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 3
    closed = next(row for row in rows if row["source_id"] == "e-1")
    assert closed["units"] == "C10" and closed["priority"] == "3"
    assert closed["status"] == "CLOSED"


# export events --------------------------------------------------------------------------


def test_export_events_in_order_with_their_types(prepared: dict[str, Any]) -> None:
    r = export(prepared, "events", "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    everything = records(r.stdout)
    for e in everything:
        assert list(e) == EVENT_COLUMNS
    # The town's roster comes first (as journal events of the operator "system").
    roster = [e for e in everything if e["desk_id"] == "town"]
    assert everything[: len(roster)] == roster and len(roster) == 24
    assert {(e["type"], e["operator_id"]) for e in roster} == {("officer.enrolled", "system")}
    events = everything[len(roster) :]
    assert [e["type"] for e in events] == EXPECTED_TYPES
    assert [e["desk_seq"] for e in events] == list(range(1, len(EXPECTED_TYPES) + 1))
    assert [e["hlc"] for e in events] == sorted(e["hlc"] for e in events)
    assert len({e["event_id"] for e in events}) == len(events)
    assert {e["operator_id"] for e in events[:3]} == {"intake"}
    assert {e["operator_id"] for e in events[3:]} == {"tester"}
    dispatched = events[4]
    assert dispatched["call_id"] == prepared["closed_call"]
    assert dispatched["officer_id"] == "C10"
    closed = events[-1]
    assert closed["payload"]["disposition"] == "ADV"


def test_export_events_csv(prepared: dict[str, Any]) -> None:
    r = export(prepared, "events", "--format", "csv")
    assert r.returncode == 0, r.stderr
    reader = csv.DictReader(io.StringIO(r.stdout))
    assert reader.fieldnames == EVENT_COLUMNS
    rows = [row for row in reader if row["desk_id"] != "town"]
    assert [row["type"] for row in rows] == EXPECTED_TYPES
    assert json.loads(rows[0]["payload"])["source_id"] == "e-1"


# --since --------------------------------------------------------------------------------


def _sources(r: subprocess.CompletedProcess[str]) -> set[str]:
    assert r.returncode == 0, r.stderr
    return {c["source_id"] for c in records(r.stdout)}


def test_since_relative(prepared: dict[str, Any]) -> None:
    assert _sources(export(prepared, "calls", "--since", "1d")) == {"e-1", "e-3"}
    # events are selected by when they were written: all of them are recent
    r = export(prepared, "events", "--since", "1h")
    assert r.returncode == 0, r.stderr
    assert len(records(r.stdout)) == len(EXPECTED_TYPES)


def test_since_iso(prepared: dict[str, Any]) -> None:
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _sources(export(prepared, "calls", "--since", two_days_ago)) == {"e-1", "e-3"}
    five_days_ago = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    assert _sources(export(prepared, "calls", "--since", five_days_ago)) == {"e-1", "e-old", "e-3"}
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert _sources(export(prepared, "calls", "--since", tomorrow)) == set()
    r = export(prepared, "events", "--since", tomorrow, "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [",".join(EVENT_COLUMNS)]  # header, no rows


@pytest.mark.parametrize("bad", ["yesterday"])
def test_bad_since_is_unusable(prepared: dict[str, Any], bad: str) -> None:
    r = export(prepared, "calls", "--since", bad)
    assert r.returncode == 2
    assert "--since" in r.stderr and bad in r.stderr
    assert r.stdout == ""


# missing / foreign databases -------------------------------------------------------------


@pytest.mark.parametrize("command", [["export", "events"], ["check"]])
def test_missing_database_is_unusable_and_not_created(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "nothere.db"
    r = run_cli(*command, "--db", db, env=make_env(tmp_path))
    assert r.returncode == 2
    assert str(db) in r.stderr
    assert not db.exists()
    assert not (tmp_path / "xdg").exists()


def test_not_a_database_is_unusable(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("just some notes, not SQLite\n" * 50)
    before = db.read_bytes()
    r = run_cli("export", "calls", "--db", db, env=make_env(tmp_path))
    assert r.returncode == 2
    assert r.stdout == ""
    assert db.read_bytes() == before


# check ----------------------------------------------------------------------------------


def test_check_ok(prepared: dict[str, Any]) -> None:
    r = run_cli("check", "--db", prepared["db"], env=prepared["env"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "OK" in r.stdout
    assert f"{len(EXPECTED_TYPES) + 24} events" in r.stdout  # + the roster


def test_check_rebuild_on_a_sound_database(prepared: dict[str, Any], tmp_path: Path) -> None:
    db = copy_db(prepared["db"], tmp_path / "copy.db")
    r = run_cli("check", "--rebuild", "--db", db, env=prepared["env"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "rebuilt" in r.stdout and "OK" in r.stdout


def test_tampered_projection_is_found_and_rebuilt(prepared: dict[str, Any], tmp_path: Path) -> None:
    env = prepared["env"]
    db = copy_db(prepared["db"], tmp_path / "tampered.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE calls SET priority=4")
    conn.close()

    r = run_cli("check", "--db", db, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "calls:" in r.stdout
    assert prepared["closed_call"] in r.stdout  # names the call whose row differs
    assert "problem" in r.stdout and "OK" not in r.stdout

    r = run_cli("check", "--rebuild", "--db", db, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "OK" in r.stdout

    r = run_cli("check", "--db", db, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "OK" in r.stdout
    r = run_cli("export", "calls", "--db", db, env=env)
    by_source = {c["source_id"]: c["priority"] for c in records(r.stdout)}
    assert by_source == {"e-1": 3, "e-old": 4, "e-3": 3}
