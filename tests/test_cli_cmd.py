"""`cso-console cmd`: the command line's verbs from a script, as an operator with a PIN.
Every line is read before any runs; exit 0 all done, 1 some refused, 2 nothing done."""

from __future__ import annotations

from pathlib import Path

from . import test_store_disk_full as disk_full
from .cli_run import run_cli
from .test_cli_operator import DESK_PIN, LEAD_PIN, desk_operator, first_lead
from .test_cli_operator import events as journal

limited_cli = disk_full.limited_cli  # a fixture: Desk.open with max_page_count


def cmd(db: Path, env: dict[str, str], *lines: str, who: str = "L1", stdin: str = ""):
    pin = LEAD_PIN if who == "L1" else DESK_PIN
    return run_cli(
        "cmd",
        "--db",
        db,
        "--operator",
        who,
        "--pin-stdin",
        *lines,
        env=env,
        input=f"{pin}\n{stdin}",
    )


def test_a_call_from_intake_to_closed_on_a_fresh_database(tmp_path: Path, env) -> None:
    db = tmp_path / "desk.db"
    first_lead(db, env)
    r = cmd(db, env, "ON C12", "NC NOISE 12 Main St // Ana Ruiz 555-0101 says loud music")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["ON C12: done", "NC NOISE 12 Main St: call 1 taken"]
    # commands on standard input after the PIN line, one per line; comments passed by
    r = cmd(db, env, stdin="# the unit goes\nD 1 C12\n\nER c12\nOS C12\nCL C12 ADV\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "D 1 C12: done",
        "ER c12: done",
        "OS C12: done",
        "CL C12 ADV: done",
    ]
    r = cmd(db, env, "S 1")
    assert r.returncode == 0, r.stderr
    assert "closed ADV" in r.stdout and "C12 primary cleared" in r.stdout
    assert "Ana" not in r.stdout and "555" not in r.stdout
    r = cmd(db, env, "PH 12 main st")
    assert r.returncode == 0, r.stderr
    assert "1 call(s)" in r.stdout and "= 1 " in r.stdout and "NOISE ADV" in r.stdout
    types = journal(db)
    assert types.count("operator.signed_in") == 4 == types.count("operator.signed_out")
    assert "call.closed" in types or "unit.cleared" in types


def test_one_line_not_understood_and_nothing_runs(tmp_path: Path, env) -> None:
    db = tmp_path / "desk.db"
    first_lead(db, env)
    before = journal(db)
    r = cmd(db, env, "ON C12", "D 1 C99", "XX")
    assert r.returncode == 2
    assert "line 2: D 1 C99: no officer C99; C19 C29 are close" in r.stderr
    assert "line 3: XX: not a command" in r.stderr
    assert "nothing was done" in r.stderr and r.stdout == ""
    after = journal(db)
    assert [t for t in after[len(before) :] if not t.startswith("operator.")] == []


def test_some_refused_exit_1_all_refused_exit_2(tmp_path: Path, env) -> None:
    db = tmp_path / "desk.db"
    first_lead(db, env)
    r = cmd(db, env, "ON C12", "ER C12", "BRK C12")
    assert r.returncode == 1, r.stderr
    assert "line 2: ER C12: refused: C12 is not on a call." in r.stderr
    assert r.stdout.splitlines() == ["ON C12: done", "BRK C12: done"]
    r = cmd(db, env, "ER C12", "OS C12")
    assert r.returncode == 2
    assert "line 1:" in r.stderr and "line 2:" in r.stderr


def test_credentials_and_lead_only_verbs(tmp_path: Path, env) -> None:
    db = tmp_path / "desk.db"
    first_lead(db, env)
    desk_operator(db, env)
    r = cmd(db, env, "ON C12", who="D2")  # a lead's verb
    assert r.returncode == 2 and "Only a shift lead can do that." in r.stderr
    r = run_cli(
        "cmd", "--db", db, "--operator", "L1", "--pin-stdin", "ON C12", env=env, input="bad\n"
    )
    assert r.returncode == 2 and "refused" in r.stderr
    r = run_cli("cmd", "--db", db, "ON C12", env=env, input="")
    assert r.returncode == 2 and "needs --operator" in r.stderr
    r = run_cli("cmd", "--db", db, "--operator", "L1", "ON C12", env=env, input="")
    assert r.returncode == 2 and "no terminal to ask a PIN" in r.stderr
    r = cmd(db, env)
    assert r.returncode == 2 and "no command given" in r.stderr
    r = run_cli("cmd", "--db", tmp_path / "none.db", "--operator", "L1", "ON C12", env=env)
    assert r.returncode == 2 and "no such database" in r.stderr


def test_a_full_disk_stops_the_run_exit_3(
    tmp_path: Path, env, monkeypatch, capsys, limited_cli: dict[str, int]
) -> None:
    import io

    from cso_console import cli

    db = tmp_path / "desk.db"
    first_lead(db, env)
    before = len(journal(db))
    limited_cli["pages"] = disk_full._page_count(db) + 4
    notes = [f"NC NOISE 12 Main St // {'loud music ' * 300}" for _ in range(40)]
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{LEAD_PIN}\n" + "\n".join(notes) + "\n"))
    code = cli.main(["cmd", "--db", str(db), "--operator", "L1", "--pin-stdin"])
    out, err = capsys.readouterr()
    assert code == 3, err
    assert "the disk is full: the lines after line" in err, err
    taken = out.count(" taken")
    assert 0 < taken < 40
    assert len(journal(db)) - before >= taken


def test_a_second_call_at_an_open_calls_place_names_it(tmp_path: Path, env) -> None:
    db = tmp_path / "desk.db"
    first_lead(db, env)
    r = cmd(db, env, "NC NOISE 12 Main St", "NC PARTY 12 main street apt 2", "NC NOISE 9 Elm St")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "NC NOISE 12 Main St: call 1 taken",
        "NC PARTY 12 main street apt 2: call 2 taken; possible duplicate of call 1 NOISE "
        "(DUP 2 1 links it)",
        "NC NOISE 9 Elm St: call 3 taken",
    ]


def test_dispatching_a_unit_on_another_call_names_stk(tmp_path: Path, env) -> None:
    """D to a unit on another call is refused with the desk's reason and the STK line that
    stacks it (the console's : line asks instead); STK then stacks it."""
    db = tmp_path / "desk.db"
    first_lead(db, env)
    r = cmd(db, env, "ON C12", "NC NOISE 12 Main St", "NC PARK 220 Main St", "D 1 C12")
    assert r.returncode == 0, r.stderr
    r = cmd(db, env, "D 2 C12")
    assert r.returncode == 2
    assert "C12 is already on call 1" in r.stderr and "STK 2 C12 stacks it" in r.stderr
    r = cmd(db, env, "STK 2 C12")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["STK 2 C12: done"]
