"""The real `cso-console intake`: good lines taken once, bad lines reported, exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from .cli_run import run_cli

pytestmark = pytest.mark.slow

CALLER = "Zebulon Quigley"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "desk.db"


def jsonl(*objs: Any) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def export_calls(db: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    r = run_cli("export", "calls", "--db", db, env=env)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


GOOD = [
    {
        "type": "NOISE",
        "location": "200 Civic Center Drive",
        "caller_name": CALLER,
        "caller_phone": "555-0199",
        "narrative": "Generator at the rear",
        "source_id": "pbx-1",
    },
    {
        "type": "park",
        "location": "behind the old mill somewhere",
        "priority": 2,
        "source_id": "pbx-2",
    },
    {"type": "BARK", "location": "town hall", "source_id": "pbx-3"},
]


def test_good_file_is_taken_exported_and_taken_once(
    tmp_path: Path, env: dict[str, str], db: Path
) -> None:
    path = write(tmp_path, "calls.jsonl", jsonl(*GOOD))
    r = run_cli("intake", "--db", db, path, env=env)
    assert r.returncode == 0, r.stderr
    assert "3 taken (1 unverified location), 0 already taken, 0 refused" in r.stderr
    calls = {c["source_id"]: c for c in export_calls(db, env)}
    assert set(calls) == {"pbx-1", "pbx-2", "pbx-3"}

    noise = calls["pbx-1"]
    assert noise["type_code"] == "NOISE" and noise["priority"] == 3
    assert noise["location"] == "200 Civic Center Drive"
    assert noise["location_verified"] is True and noise["beat_id"] == "B5"
    assert noise["narrative"] == "Generator at the rear"
    assert noise["status"] == "PENDING"

    unverified = calls["pbx-2"]  # kept as typed, with no beat
    assert unverified["type_code"] == "PARK" and unverified["priority"] == 2
    assert unverified["location"] == "behind the old mill somewhere"
    assert unverified["location_verified"] is False
    assert unverified["beat_id"] is None

    landmark = calls["pbx-3"]
    assert landmark["location"] == "Harbor Falls Town Hall"
    assert landmark["location_verified"] is True and landmark["beat_id"] == "B5"
    assert len({c["call_id"] for c in calls.values()}) == 3

    # the same file again adds nothing
    r = run_cli("intake", "--db", db, path, env=env)
    assert r.returncode == 0, r.stderr
    assert "0 taken (0 unverified location), 3 already taken, 0 refused" in r.stderr
    assert {c["source_id"]: c for c in export_calls(db, env)} == calls


def test_lines_with_received_at_but_no_source_id_are_not_taken_twice(
    tmp_path: Path, env: dict[str, str], db: Path
) -> None:
    lines = [
        {k: v for k, v in obj.items() if k != "source_id"} | {"received_at": f"2026-01-0{i}T10:00Z"}
        for i, obj in enumerate(GOOD, 1)
    ]
    lines.append(
        {
            "type": "LOSTP",
            "location": "350 Civic Center Drive",
            "received_at": "2026-01-02T10:00:00Z",
        }
    )
    path = write(tmp_path, "nosource.jsonl", jsonl(*lines))
    r = run_cli("intake", "--db", db, path, env=env)
    assert r.returncode == 0, r.stderr
    assert "4 taken" in r.stderr and "no source_id" not in r.stderr
    first = export_calls(db, env)
    assert len(first) == 4
    assert all(c["source_id"] for c in first)  # a stable id was derived for each
    assert len({c["source_id"] for c in first}) == 4

    r = run_cli("intake", "--db", db, path, env=env)
    assert r.returncode == 0, r.stderr
    assert "0 taken (0 unverified location), 4 already taken" in r.stderr
    assert len(export_calls(db, env)) == 4


def test_bad_lines_are_reported_good_lines_kept(
    tmp_path: Path, env: dict[str, str], db: Path
) -> None:
    good_a = {"type": "NOISE", "location": "200 Civic Center Drive", "source_id": "g-a"}
    good_b = {
        "type": "PARK",
        "location": "Elm Street & Birch Lane",
        "priority": "2",
        "source_id": "g-b",
    }
    lines = [
        good_a,  # 1
        "this is not json",  # 2
        {"type": "NOPE", "location": "200 Civic Center Drive"},  # 3
        {"type": "NOISE"},  # 4
        {"type": "NOISE", "location": "200 Civic Center Drive", "priority": 0},  # 5
        {"type": "NOISE", "location": "200 Civic Center Drive", "priority": 5},  # 6
        {"type": "NOISE", "location": "200 Civic Center Drive", "priority": "x"},  # 7
        {"type": "FIRE", "location": "200 Civic Center Drive"},  # 8
        "",  # 9 blank: skipped
        good_b,  # 10
    ]
    path = write(tmp_path, "mixed.jsonl", jsonl(*lines))
    r = run_cli("intake", "--db", db, path, env=env)
    assert r.returncode == 1, r.stderr
    expected = {
        2: "not JSON",
        3: "unknown call type 'NOPE'",
        4: "no location",
        5: "priority 0 out of range",
        6: "priority 5 out of range",
        7: "priority 'x' out of range",
        8: "FIRE is an emergency type",
    }
    reported = [line for line in r.stderr.splitlines() if line.startswith(f"{path}:")]
    assert len(reported) == len(expected), r.stderr
    for number, reason in expected.items():
        assert any(line.startswith(f"{path}:{number}: ") and reason in line for line in reported), (
            f"line {number} ({reason}) not reported:\n{r.stderr}"
        )
    assert f"{path}:9:" not in r.stderr
    assert "2 taken" in r.stderr and "7 refused" in r.stderr

    calls = {c["source_id"]: c for c in export_calls(db, env)}
    assert set(calls) == {"g-a", "g-b"}
    assert calls["g-b"]["priority"] == 2
    assert calls["g-b"]["location_verified"] is True


def test_file_of_only_garbage_is_unusable(tmp_path: Path, env: dict[str, str], db: Path) -> None:
    path = write(tmp_path, "garbage.txt", "garbage\n{{{\n\n\x00\x01 binary-ish\n")
    r = run_cli("intake", "--db", db, path, env=env)
    assert r.returncode == 2, r.stderr
    assert f"{path}:1: not JSON" in r.stderr
    assert f"{path}:2: not JSON" in r.stderr
    assert "nothing taken" in r.stderr
    assert not db.exists()  # refused before a database is created


def test_missing_file_is_unusable_and_creates_no_database(
    tmp_path: Path, env: dict[str, str], db: Path
) -> None:
    missing = tmp_path / "nope.jsonl"
    r = run_cli("intake", "--db", db, missing, env=env)
    assert r.returncode == 2
    assert str(missing) in r.stderr
    assert not db.exists()
    assert not (tmp_path / "xdg").exists()


def test_dash_reads_standard_input(tmp_path: Path, env: dict[str, str], db: Path) -> None:
    text = jsonl(
        {"type": "STRAY", "location": "410 Elm Street", "source_id": "stdin-1"},
        {"type": "GRAF", "location": "the sea wall", "source_id": "stdin-2"},
    )
    r = run_cli("intake", "--db", db, "-", env=env, input=text)
    assert r.returncode == 0, r.stderr
    assert "2 taken (1 unverified location)" in r.stderr
    calls = {c["source_id"]: c for c in export_calls(db, env)}
    assert calls["stdin-1"]["type_code"] == "STRAY" and calls["stdin-1"]["beat_id"] == "B1"
    assert calls["stdin-2"]["location_verified"] is False

    r = run_cli("intake", "--db", db, "-", env=env, input="not json\n" + text)
    assert r.returncode == 1
    assert "-:1: not JSON" in r.stderr
    assert "0 taken (0 unverified location), 2 already taken, 1 refused" in r.stderr


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="XDG paths are for Linux/BSD")
def test_default_database_lives_under_xdg_data_home(tmp_path: Path, env: dict[str, str]) -> None:
    text = jsonl({"type": "NOISE", "location": "200 Civic Center Drive", "source_id": "x-1"})
    r = run_cli("intake", "-", env=env, input=text)  # no --db: the default path
    assert r.returncode == 0, r.stderr
    default = tmp_path / "xdg" / "cso-console" / "desk.db"
    assert default.is_file()
    assert not (tmp_path / "home").exists() or not any(
        p.name.endswith(".db") for p in (tmp_path / "home").rglob("*")
    )
    r = run_cli("export", "calls", env=env)
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["source_id"] for line in r.stdout.splitlines()] == ["x-1"]


def test_a_line_that_is_not_utf8_is_refused_alone(
    tmp_path: Path, db: Path, env: dict[str, str]
) -> None:
    feed = tmp_path / "mixed.jsonl"
    feed.write_bytes(
        b'{"type":"NOISE","location":"410 Elm \xff\xfe Street"}\n'
        + json.dumps({"type": "PARK", "location": "220 Main Street", "source_id": "u-1"}).encode()
        + b"\n"
    )
    r = run_cli("intake", "--db", db, feed, env=env)
    assert r.returncode == 1, r.stderr
    assert f"{feed}:1: not UTF-8 text" in r.stderr and "1 taken" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_byte_order_mark_is_not_a_refusal(tmp_path: Path, db: Path, env: dict[str, str]) -> None:
    feed = tmp_path / "bom.jsonl"
    line = json.dumps({"type": "PARK", "location": "220 Main Street", "source_id": "b-1"})
    feed.write_bytes(b"\xef\xbb\xbf" + line.encode() + b"\r\n")
    r = run_cli("intake", "--db", db, feed, env=env)
    assert r.returncode == 0 and "1 taken" in r.stderr, r.stderr


@pytest.mark.parametrize("source", ["", "   ", "x" * 41, "bad\x1bname"])
def test_a_source_must_be_a_name(
    tmp_path: Path, db: Path, env: dict[str, str], source: str
) -> None:
    feed = write(tmp_path, "one.jsonl", jsonl({"type": "PARK", "location": "220 Main Street"}))
    r = run_cli("intake", "--db", db, "--source", source, feed, env=env)
    assert r.returncode == 2 and "not a source name" in r.stderr
    assert not db.exists()


def test_export_into_a_pipe_closed_early_is_quiet(
    tmp_path: Path, db: Path, env: dict[str, str]
) -> None:
    import subprocess

    lines = [{"type": "PARK", "location": f"{100 + i} Main Street"} for i in range(300)]
    assert run_cli("intake", "--db", db, "-", env=env, input=jsonl(*lines)).returncode == 0
    for what in ("calls", "events"):
        cmd = f"{sys.executable} -m cso_console export {what} --db '{db}' | head -1"
        r = subprocess.run(["sh", "-c", cmd], env=env, capture_output=True, text=True)
        assert r.stdout.count("\n") == 1
        assert r.stderr == "", r.stderr


def test_csv_export_cells_cannot_run_as_formulas(
    tmp_path: Path, db: Path, env: dict[str, str]
) -> None:
    import csv
    import io

    line = {
        "type": "PARK",
        "location": "220 Main Street",
        "narrative": '=HYPERLINK("http://x","click")\x1b[2J',
        "source_id": "@evil",
    }
    assert run_cli("intake", "--db", db, "-", env=env, input=jsonl(line)).returncode == 0
    r = run_cli("export", "calls", "--db", db, "--format", "csv", env=env)
    assert r.returncode == 0, r.stderr
    row = next(csv.DictReader(io.StringIO(r.stdout)))
    assert row["narrative"].startswith("'=HYPERLINK") and "\x1b" not in row["narrative"]
    assert row["source_id"] == "'@evil"
    assert row["priority"] == "3" and row["location"] == "220 Main Street"


def test_a_source_id_taken_with_other_details_is_reported(
    tmp_path: Path, db: Path, env: dict[str, str]
) -> None:
    first = write(tmp_path, "a.jsonl", jsonl({"type": "MVC", "location": "410 Elm Street",
                                              "source_id": "311-60x"}))  # fmt: skip
    other = write(tmp_path, "b.jsonl", jsonl({"type": "PARK", "location": "city hall",
                                              "source_id": "311-60x"}))  # fmt: skip
    assert run_cli("intake", "--db", db, first, env=env).returncode == 0
    again = run_cli("intake", "--db", db, first, env=env)  # a re-run: nothing to say
    assert again.returncode == 0 and "1 already taken" in again.stderr
    r = run_cli("intake", "--db", db, other, env=env)
    assert r.returncode == 2, r.stderr
    assert "source id 311-60x was taken as call 1 with other details" in r.stderr
