"""Every command turns every failure into a sentence and a documented exit code: absurd
`--since` spans, databases that cannot be created, a full disk, broken town files, and
options given before the command."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cso_console import cli
from cso_console.paths import bundled_town_dir
from cso_console.store import database

GOOD = {"type": "PARK", "location": "220 Main Street", "source_id": "good-1"}


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(GOOD) + "\n", "utf-8")
    path = tmp_path / "desk.db"
    assert cli.main(["intake", "--db", str(path), str(feed)]) == cli.EXIT_OK
    capsys.readouterr()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


@pytest.mark.parametrize(
    ("since", "rows"),
    [
        ("99999d", 1),  # further back than any record: everything
        ("99999999999999999999999d", 1),
        ("999999999999h", 1),
        ("0001-01-01", 1),
        ("0001-01-01T00:00:00+05:00", 1),
        ("9999-12-31T23:59:59-05:00", 0),  # after any record: nothing
        ("9999-12-31", 0),
        ("0m", 0),
    ],
)
def test_export_since_an_absurd_span_is_everything_or_nothing(
    db: Path, capsys: pytest.CaptureFixture[str], since: str, rows: int
) -> None:
    for what in ("calls", "events"):
        code, out, err = run(capsys, "export", what, "--db", str(db), f"--since={since}")
        assert code == cli.EXIT_OK, err
        assert len(out.splitlines()) == (rows if what == "calls" else rows and 1), out


@pytest.mark.parametrize("since", ["-5d", "", "1e9d", "5 parsecs", "２d"])
def test_export_since_that_is_not_a_time_is_refused(
    db: Path, capsys: pytest.CaptureFixture[str], since: str
) -> None:
    code, out, err = run(capsys, "export", "calls", "--db", str(db), f"--since={since}")
    assert code == cli.EXIT_UNUSABLE and "is not a time" in err and out == ""


def _one_line_feed(tmp_path: Path) -> str:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(GOOD) + "\n", "utf-8")
    return str(feed)


def test_a_database_under_a_link_to_a_missing_folder_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "gone")
    feed = _one_line_feed(tmp_path)
    code, _, err = run(capsys, "intake", "--db", str(link / "x.db"), feed)
    assert code == cli.EXIT_UNUSABLE and "no such folder" in err
    # the console (run) on it: refused before any screen, with the reason
    monkeypatch.setattr("cso_console.app.run_console", lambda *a, **k: 0)
    code, _, err = run(capsys, "run", "--db", str(link / "x.db"))
    assert code == cli.EXIT_UNUSABLE
    assert "is a link to a folder that does not exist" in err
    assert not (tmp_path / "gone").exists()


def test_a_database_under_a_file_or_a_read_only_folder_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cso_console.app.run_console", lambda *a, **k: 0)
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, _, err = run(capsys, "run", "--db", str(afile / "x.db"))
    assert code == cli.EXIT_UNUSABLE and f"{afile} is not a folder" in err
    if sys.platform.startswith("linux"):  # read-only even for root
        code, _, err = run(capsys, "run", "--db", "/proc/cso-console-test.db")
        assert code == cli.EXIT_UNUSABLE and "cannot be created" in err, err
        code, _, err = run(capsys, "run", "--db", "/proc/no-such-dir/x.db")
        assert code == cli.EXIT_UNUSABLE and "cannot be created" in err, err


def test_an_io_error_on_a_full_disk_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite reports a disk filling while it grows its -shm file as SQLITE_IOERR_SHMSIZE
    (seen on a full tmpfs), not SQLITE_FULL: with no space left it is a full disk."""

    def shm_full(conn: sqlite3.Connection, extra: object) -> None:
        exc = sqlite3.OperationalError("disk I/O error")
        exc.sqlite_errorcode = 4874  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(database, "_pragmas", shm_full)
    monkeypatch.setattr(database, "free_bytes", lambda folder: 4096)
    code, _, err = run(capsys, "intake", "--db", str(tmp_path / "x.db"), _one_line_feed(tmp_path))
    assert code == cli.EXIT_FULL and "disk is full" in err, err
    monkeypatch.setattr(database, "free_bytes", lambda folder: 10 << 30)  # space: another error
    code, _, err = run(capsys, "intake", "--db", str(tmp_path / "y.db"), _one_line_feed(tmp_path))
    assert code == cli.EXIT_UNUSABLE and "input/output error" in err, err


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0, reason="mounts a tmpfs"
)
def test_creating_a_database_on_a_really_full_disk_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 1 MiB tmpfs filled to every level: intake is taken (0), or stops with exit 3."""
    disk = tmp_path / "disk"
    disk.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)])
    if r.returncode:
        pytest.skip("cannot mount a tmpfs here")
    feed = _one_line_feed(tmp_path)
    try:
        seen = set()
        for kib in range(600, 1024, 8):
            for p in disk.iterdir():
                p.unlink()
            (disk / "fill").write_bytes(b"\0" * kib * 1024)
            code, _, err = run(capsys, "intake", "--db", str(disk / "x.db"), feed)
            assert code in (cli.EXIT_OK, cli.EXIT_FULL), (kib, err)
            assert code == cli.EXIT_OK or "disk is full" in err, (kib, err)
            seen.add(code)
        assert seen == {cli.EXIT_OK, cli.EXIT_FULL}
    finally:
        # a file left open (a connection not closed on the way out) would keep it busy
        umount = subprocess.run(["umount", str(disk)], capture_output=True, text=True)
        if umount.returncode:
            subprocess.run(["umount", "-l", str(disk)])
        assert umount.returncode == 0, umount.stderr


def _town(tmp_path: Path) -> Path:
    folder = tmp_path / "town"
    shutil.copytree(bundled_town_dir(), folder)
    return folder


@pytest.mark.parametrize(
    ("file", "content", "says"),
    [
        ("town.toml", b'name = "Caf\xe9 Town"\n', "town.toml:1: is not UTF-8 text"),
        ("streets.csv", b"name,from,to,beat\nElm \xff,1,2,B1\n", "streets.csv:2: is not UTF-8"),
        ("beatmap.txt", b"\xff\xfe map", "beatmap.txt:1: is not UTF-8"),
        ("town.toml", b"name = [[[", "town.toml: not valid TOML"),
        ("town.toml", b"name = " + b"[" * 100_000 + b"]" * 100_000, "town.toml"),
        ("town.toml", b'name = 5\nwelfare_default_minutes = "x"\n[priorities]\n1 = 5\n', "name"),
        ("town.toml", b"# " + b"x" * (17 * 1024 * 1024), "larger than 16 MiB"),
        ("streets.csv", b'name,from,to,beat\n"' + b"x" * 200_000 + b'",1,2,B1\n', "streets.csv"),
    ],
    ids=[
        "toml-utf8",
        "csv-utf8",
        "map-utf8",
        "toml-bad",
        "toml-deep",
        "toml-types",
        "toml-huge",
        "csv-huge-field",
    ],  # fmt: skip
)
def test_broken_town_files_are_sentences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, content: bytes, says: str
) -> None:
    folder = _town(tmp_path)
    (folder / file).write_bytes(content)
    code, out, err = run(capsys, "town", "--town", str(folder))
    assert code == cli.EXIT_UNUSABLE, err
    assert "bad town data" in err and says in err, err
    assert len(err) < 4000  # a sentence per problem, not the file back


def test_options_before_the_command_are_used(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--db", str(db), "check")
    assert code == cli.EXIT_OK, err
    assert f"{db}: " in out and "projections == journal: OK" in out
    code, out, err = run(capsys, "--db", str(db), "export", "calls")
    assert code == cli.EXIT_OK and json.loads(out)["source_id"] == "good-1"
    code, out, err = run(capsys, "--db", str(db), "check", "--db", str(db))
    assert code == cli.EXIT_OK, err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--ascii", "check"], "--ascii is not an option of `check`"),
        (["--desk", "D2", "export", "calls"], "--desk is not an option of `export`"),
        (["--operator", "ann", "town"], "--operator is not an option of `town`"),
        (["--db", "a.db", "check", "--db", "b.db"], "--db is given twice"),
        (["--demo", "backup", "--db", "a.db", "copy.db"], "--db and --demo name two databases"),
    ],
)
def test_options_before_the_command_it_lacks_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    os.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == cli.EXIT_UNUSABLE and says in err, err
    assert not list(tmp_path.iterdir())  # nothing was done


def test_intake_records_its_source_not_an_operator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "desk.db"
    code, _, err = run(
        capsys, "--operator", "ann", "intake", "--db", str(db), _one_line_feed(tmp_path)
    )
    assert code == cli.EXIT_UNUSABLE and "--operator" in err, err  # refused, not ignored
    code, _, err = run(
        capsys, "intake", "--source", "phone-feed", "--db", str(db), _one_line_feed(tmp_path)
    )
    assert code == cli.EXIT_OK, err
    code, out, _ = run(capsys, "export", "events", "--db", str(db))
    assert {json.loads(x)["operator_id"] for x in out.splitlines()} == {"phone-feed"}
