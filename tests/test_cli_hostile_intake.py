"""`cso-console intake` against hostile lines: each bad line is refused with a sentence that
names its line and field, never a traceback, and the good lines around it are taken."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from cso_console import cli
from cso_console.intake import (
    MAX_LINE_BYTES,
    _legacy_source_id,
    derived_source_id,
    read_lines,
)

from .cli_run import run_cli

CALLER, PHONE = "Zebulon Quigley", "555-0199"
GOOD = {"type": "PARK", "location": "220 Main Street", "source_id": "good-1"}


def jsonl(*objs: Any) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs)


def intake(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> tuple[int, str]:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(text, encoding="utf-8", errors="surrogatepass")
    code = cli.main(["intake", "--db", str(tmp_path / "desk.db"), str(feed)])
    return code, capsys.readouterr().err


def line(**fields: Any) -> dict[str, Any]:
    return {"type": "NOISE", "location": "410 Elm Street", "caller_name": CALLER,
            "caller_phone": PHONE} | fields  # fmt: skip


HOSTILE = [
    # received_at out of datetime's range, with or without a zone, and before 2000
    (json.dumps(line(received_at="0001-01-01T00:00:00-05:00")), "received_at"),
    (json.dumps(line(received_at="9999-12-31T23:59:59-05:00")), "received_at"),
    (json.dumps(line(received_at="0001-01-01T00:00:00")), "received_at"),
    (json.dumps(line(received_at="99999-01-01")), "received_at"),
    (json.dumps(line(received_at="1999-12-31T23:59:59Z")), "received_at"),
    # digits that are not ASCII digits
    (json.dumps(line(priority="²")), "priority"),
    (json.dumps(line(priority="٣")), "priority"),
    (json.dumps(line(priority="１")), "priority"),
    (json.dumps(line(priority="9" * 5000)), "priority"),
    # JSON a parser chokes on
    ('{"a":' * 1000 + "1" + "}" * 1000, "nested too deep"),
    ('{"type":"NOISE","location":"410 Elm Street","priority":' + "9" * 5000 + "}", "number"),
    ('{"type":"NOISE","location":"410 Elm Street","priority":NaN}', "NaN"),
    ('{"type":"NOISE","location":"410 Elm Street","priority":-Infinity}', "Infinity"),
    ('{"type":"NOISE","location":"410 Elm Street","priority":1e999}', "priority"),
    # lone surrogates (they cannot be written as UTF-8) and NUL characters
    ('{"type":"NOISE","location":"410 Elm Street","narrative":"a\\ud800b"}', "narrative"),
    ('{"type":"NOISE","location":"410 Elm \\udfff Street"}', "location"),
    ('{"type":"NOISE","location":"410 Elm Street","caller_name":"Zeb\\ud800"}', "caller_name"),
    ('{"type":"NOISE","location":"410 Elm Street","source_id":"\\ud800"}', "source_id"),
    ('{"type":"NO\\ud800ISE","location":"410 Elm Street"}', "type"),
    (json.dumps(line(narrative="a\x00b")), "narrative"),
    (json.dumps(line(location="410 Elm\x00 Street")), "location"),
    (json.dumps(line(caller_name="Zeb\x00")), "caller name"),
    # sizes: a new call is read on an 80-column screen
    (json.dumps(line(narrative="x" * 4001)), "narrative is longer than 4,000"),
    (json.dumps(line(location="410 Elm Street " + "x" * 200)), "location is longer than 200"),
    (json.dumps(line(caller_name="Z" * 101)), "caller name is longer than 100"),
    (json.dumps(line(caller_phone="5" * 41)), "caller phone is longer than 40"),
    (json.dumps(line(source_id="s" * 201)), "source id is longer than 200"),
    (json.dumps(line(narrative="x" * (MAX_LINE_BYTES + 1))), "longer than 65,536 bytes"),
]


@pytest.mark.parametrize(("text", "says"), HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_line_is_refused_alone_with_its_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, says: str
) -> None:
    code, err = intake(tmp_path, capsys, jsonl(GOOD, text, GOOD | {"source_id": "good-2"}))
    assert code == cli.EXIT_PARTIAL, err
    refusal = next(x for x in err.splitlines() if ":2: " in x)
    assert says in refusal, err
    assert "2 taken" in err and "1 refused" in err
    assert CALLER not in err and PHONE not in err and "Zeb" not in err
    assert "Traceback" not in err


def test_hostile_lines_in_a_subprocess_never_print_a_traceback(
    tmp_path: Path, env: dict[str, str]
) -> None:
    feed = tmp_path / "hostile.jsonl"
    feed.write_text(jsonl(*(t for t, _ in HOSTILE), GOOD), "utf-8", errors="surrogatepass")
    r = run_cli("intake", "--db", tmp_path / "desk.db", feed, env=env)
    assert r.returncode == cli.EXIT_PARTIAL, r.stderr
    assert "Traceback" not in r.stderr
    assert f"1 taken (0 unverified location), 0 already taken, {len(HOSTILE)} refused" in r.stderr


def test_an_undecodable_byte_on_stdin_refuses_only_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (
        json.dumps(GOOD).encode()
        + b'\n{"type":"NOISE","location":"410 Elm \xff Street"}\n'
        + json.dumps(GOOD | {"source_id": "good-2"}).encode()
        + b"\n"
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = cli.main(["intake", "--db", str(tmp_path / "desk.db"), "-"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_PARTIAL, err
    assert "-:2: not UTF-8 text" in err and "2 taken" in err


def test_a_line_too_long_is_skipped_unread_and_memory_stays_bounded(tmp_path: Path) -> None:
    huge = b'{"type":"NOISE","narrative":"' + b"x" * (20 * 1024 * 1024) + b'"}'
    data = json.dumps(GOOD).encode() + b"\n" + huge + b"\n" + json.dumps(GOOD).encode()
    feed = tmp_path / "huge.jsonl"
    feed.write_bytes(data)
    del huge, data
    tracemalloc.start()
    try:
        with feed.open("rb") as fh:
            lines = [len(x) for x in read_lines(fh)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(lines) == 3
    assert peak < 2 * MAX_LINE_BYTES + 256 * 1024, peak  # never the 20 MB line


def test_two_genuine_calls_without_source_id_or_time_are_both_taken_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call = {"type": "NOISE", "location": "410 Elm Street", "narrative": "music"}
    code, err = intake(tmp_path, capsys, jsonl(call))
    assert code == cli.EXIT_OK, err
    assert "1 line(s) had no source_id or received_at: taken as new calls" in err
    code, err = intake(tmp_path, capsys, jsonl(call, call))  # a second later, twice more
    assert code == cli.EXIT_OK, err
    assert "2 taken" in err and "0 already taken" in err
    assert "re-running this file would take them again" in err


def test_a_line_with_received_at_is_taken_once_whoever_feeds_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call = line(received_at="2026-01-02T10:00:00Z")
    code, err = intake(tmp_path, capsys, jsonl(call))
    assert code == cli.EXIT_OK and "1 taken" in err, err
    code, err = intake(tmp_path, capsys, jsonl(call))
    assert code == cli.EXIT_OK and "1 already taken" in err, err
    assert "no source_id" not in err


def test_the_derived_source_id_reveals_nothing_of_the_caller() -> None:
    a = line(received_at="2026-01-02T10:00:00Z")
    sid = derived_source_id(a)
    assert sid is not None and sid == derived_source_id(dict(a))  # any desk: the same id
    # The phone (or name) does not enter the id: no suffix can be recovered from it.
    assert all(derived_source_id(a | {"caller_phone": f"555-{n:04d}"}) == sid for n in (0, 199))
    assert derived_source_id(a | {"caller_name": "Someone Else"}) == sid
    assert derived_source_id(a | {"narrative": "other words"}) != sid
    assert derived_source_id(line()) is None  # no received_at: no identity, a new call


def test_a_file_taken_with_the_old_derived_ids_stays_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Databases written before hold ids derived with the caller's details: a re-run of
    the same file finds them (the old id is looked up, never stored anew)."""
    from cso_console.desk import Desk
    from cso_console.domain.commands import ReceiveCall
    from cso_console.domain.town_files import load_town
    from cso_console.paths import bundled_town_dir

    call = line(received_at="2026-01-02T10:00:00Z", narrative="music")
    desk = Desk.open(tmp_path / "desk.db", load_town(bundled_town_dir()))
    try:
        old = ReceiveCall(
            type_code="NOISE",
            location="410 Elm Street",
            caller_name=CALLER,
            caller_phone=PHONE,
            narrative="music",
            source_id=_legacy_source_id(call),
        )
        assert desk.execute(old).ok
    finally:
        desk.close()
    code, err = intake(tmp_path, capsys, jsonl(call))
    assert code == cli.EXIT_OK, err
    assert "0 taken (0 unverified location), 1 already taken" in err
    conn = sqlite3.connect(tmp_path / "desk.db")
    try:
        ids = [r[0] for r in conn.execute("SELECT source_id FROM calls")]
    finally:
        conn.close()
    assert ids == [_legacy_source_id(call)]


def test_a_source_id_taken_with_other_details_is_reported_beside_good_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = {"type": "MVC", "location": "410 Elm Street", "source_id": "311-60x"}
    assert intake(tmp_path, capsys, jsonl(first))[0] == cli.EXIT_OK
    other = first | {"type": "PARK", "location": "city hall"}
    code, err = intake(tmp_path, capsys, jsonl(other, GOOD))
    assert code == cli.EXIT_PARTIAL, err
    assert ":1: source id 311-60x was taken as call 1 with other details" in err
    assert "1 taken (0 unverified location), 0 already taken, 1 refused" in err
    # other caller details under the same id are other details too, never counted silently
    code, err = intake(tmp_path, capsys, jsonl(first | {"caller_name": "Someone Else"}))
    assert code == cli.EXIT_UNUSABLE and "with other details" in err, err
    assert "Someone Else" not in err


def test_every_line_refused_is_exit_2_nothing_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = intake(
        tmp_path,
        capsys,
        jsonl({"type": "NOPE", "location": "x"}, line(priority="²"), line(narrative="\x00")),
    )
    assert code == cli.EXIT_UNUSABLE, err
    assert "0 taken" in err and "3 refused" in err


def test_intake_says_when_it_creates_a_database_and_refuses_a_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(jsonl(GOOD), "utf-8")
    missing = tmp_path / "typo" / "desk.db"
    assert cli.main(["intake", "--db", str(missing), str(feed)]) == cli.EXIT_UNUSABLE
    err = capsys.readouterr().err
    assert f"{missing.parent}: no such folder; nothing taken" in err
    assert not missing.parent.exists()

    db = tmp_path / "desk.db"
    assert cli.main(["intake", "--db", str(db), str(feed)]) == cli.EXIT_OK
    assert f"a new desk database was created at {db}" in capsys.readouterr().err
    assert cli.main(["intake", "--db", str(db), str(feed)]) == cli.EXIT_OK
    assert "new desk database" not in capsys.readouterr().err


def test_a_new_call_over_the_limits_is_refused_by_the_desk(desk: Any) -> None:
    """The limits live in the domain: the console's form obeys them as a feed does."""
    from datetime import UTC, datetime

    from cso_console.domain.commands import ReceiveCall

    base = {"type_code": "NOISE", "location": "410 Elm Street"}
    cases = [
        ({"narrative": "x" * 4001}, "The narrative is longer than 4,000 characters."),
        ({"location": "4" * 201}, "The location is longer than 200 characters."),
        ({"caller_name": "n\x00"}, "The caller name holds a NUL character."),
        ({"received_at": datetime(1, 1, 1, tzinfo=UTC)}, "The time received is before 2000."),
        ({"received_at": datetime(9999, 1, 1, tzinfo=UTC)}, "The time received is in the future."),
    ]
    for fields, reason in cases:
        out = desk.execute(ReceiveCall(**(base | fields)))  # type: ignore[arg-type]
        assert not out.ok and out.reason == reason
    assert desk.execute(ReceiveCall(**base, narrative="x" * 4000)).ok  # type: ignore[arg-type]
