"""The database file itself: created private, foreign and newer files refused and left
untouched, a database bound to its desk, an append-only journal, numbering that survives
reopening. Everything here runs on real SQLite files in ``tmp_path``."""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cso_console.desk import Desk
from cso_console.domain.commands import AddNote, ReceiveCall
from cso_console.domain.town import Town
from cso_console.store import DeskMismatch, NewerSchema, NotADeskDatabase, SqliteStore
from cso_console.store.database import APPLICATION_ID, SCHEMA_VERSION

SIDECARS = ("-wal", "-shm", "-journal")


# helpers --------------------------------------------------------------------------


def _receive(narrative: str = "Music from the back yard", **kw: object) -> ReceiveCall:
    return ReceiveCall(type_code="NOISE", location="410 Elm Street", narrative=narrative, **kw)  # type: ignore[arg-type]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _snapshot(path: Path) -> tuple[bytes, int, int, list[str]]:
    """Bytes, mtime, mode and the sidecars next to a file: what 'untouched' means."""
    st = path.stat()
    sidecars = sorted(
        p.name
        for p in path.parent.iterdir()
        if p.name != path.name and p.name.startswith(path.name)
    )
    return path.read_bytes(), st.st_mtime_ns, stat.S_IMODE(st.st_mode), sidecars


def _run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=str(cwd), XDG_DATA_HOME=str(cwd / "xdg"), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "cso_console", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        env=env,
    )


def _journal(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


# file mode -------------------------------------------------------------------------


def test_new_database_and_its_wal_are_private(tmp_path: Path, town: Town, clock) -> None:
    old_umask = os.umask(0o022)  # a typical, permissive umask: the code must not rely on it
    try:
        path = tmp_path / "desk.db"
        desk = Desk.open(path, town, clock=clock)
        try:
            assert _mode(path) == 0o600
            assert desk.execute(_receive()).ok
            wal = path.with_name(path.name + "-wal")
            assert wal.exists(), "a write in WAL mode leaves a -wal file while the desk is open"
            assert _mode(wal) == 0o600
            shm = path.with_name(path.name + "-shm")
            if shm.exists():
                assert _mode(shm) == 0o600
        finally:
            desk.close()
        assert _mode(path) == 0o600
    finally:
        os.umask(old_umask)


def test_reopening_tightens_a_loosened_mode(tmp_path: Path, town: Town, clock) -> None:
    path = tmp_path / "desk.db"
    Desk.open(path, town, clock=clock).close()
    os.chmod(path, 0o644)
    Desk.open(path, town, clock=clock).close()
    assert _mode(path) == 0o600


# foreign files --------------------------------------------------------------------


def _text_file(path: Path) -> None:
    path.write_text("shift notes\nC10 on break at 21:00\n", encoding="utf-8")


def _random_bytes(path: Path) -> None:
    data = random.Random(1234).randbytes(8192)
    assert not data.startswith(b"SQLite format 3")
    path.write_bytes(data)


def _short_sqlite_header(path: Path) -> None:
    # starts like SQLite but is shorter than a database header
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20)


def _other_app_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO recipes (name) VALUES ('soup'), ('bread')")
    conn.commit()
    conn.close()


def _other_app_sqlite_wal(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA user_version = 7")
    conn.execute("CREATE TABLE journal (id INTEGER PRIMARY KEY, payload TEXT)")
    conn.execute("INSERT INTO journal (payload) VALUES ('not ours')")
    conn.commit()
    conn.close()  # last connection: checkpointed, -wal removed


def _other_app_with_our_tables(path: Path) -> None:
    """Tables named like ours, but no CSO Console application id in the header."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('desk_code', 'D1')")
    conn.commit()
    conn.close()


FOREIGN = {
    "text": _text_file,
    "random-bytes": _random_bytes,
    "short-sqlite-header": _short_sqlite_header,
    "other-app-sqlite": _other_app_sqlite,
    "other-app-sqlite-wal": _other_app_sqlite_wal,
    "other-app-our-table-names": _other_app_with_our_tables,
}


@pytest.mark.parametrize("kind", list(FOREIGN))
def test_foreign_file_is_refused_and_left_untouched(
    tmp_path: Path, town: Town, clock, kind: str
) -> None:
    path = tmp_path / "thing.db"
    FOREIGN[kind](path)
    before = _snapshot(path)
    assert before[3] == [], "the fixture itself must leave no sidecar"

    with pytest.raises(NotADeskDatabase) as err:
        SqliteStore(path)
    assert str(path) in str(err.value)
    assert _snapshot(path) == before

    with pytest.raises(NotADeskDatabase):
        Desk.open(path, town, clock=clock)
    assert _snapshot(path) == before

    res = _run_cli("check", "--db", path, cwd=tmp_path)
    assert res.returncode == 2, res
    assert "not a CSO Console database" in res.stderr
    assert str(path) in res.stderr
    assert "Traceback" not in res.stderr
    assert _snapshot(path) == before


def test_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    with pytest.raises(NotADeskDatabase):
        SqliteStore(folder)
    assert list(folder.iterdir()) == []


# a newer schema ---------------------------------------------------------------------


def _make_newer(path: Path, town: Town, clock, version: int = 99) -> None:
    desk = Desk.open(path, town, clock=clock)
    assert desk.execute(_receive()).ok
    desk.close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()
    head = path.read_bytes()[:100]
    assert int.from_bytes(head[60:64], "big") == version
    assert int.from_bytes(head[68:72], "big") == APPLICATION_ID
    assert not any(path.with_name(path.name + s).exists() for s in SIDECARS)


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path, town: Town, clock) -> None:
    path = tmp_path / "desk.db"
    _make_newer(path, town, clock, SCHEMA_VERSION + 98)
    before = _snapshot(path)

    with pytest.raises(NewerSchema) as err:
        SqliteStore(path)
    assert "upgrade" in str(err.value).lower()
    assert _snapshot(path) == before

    with pytest.raises(NewerSchema):
        Desk.open(path, town, clock=clock)
    assert _snapshot(path) == before

    res = _run_cli("check", "--db", path, cwd=tmp_path)
    assert res.returncode == 2, res
    assert "newer" in res.stderr and "upgrade" in res.stderr.lower()
    assert "Traceback" not in res.stderr
    assert _snapshot(path) == before

    res = _run_cli("intake", "--db", path, "-", cwd=tmp_path)
    assert res.returncode == 2, res
    assert _snapshot(path) == before


# desk binding ----------------------------------------------------------------------


def test_database_of_another_desk_is_refused(tmp_path: Path, town: Town, clock) -> None:
    path = tmp_path / "desk.db"
    desk = Desk.open(path, town, clock=clock, desk_code="D1")
    assert desk.execute(_receive()).call_id == "D1-26-000001"
    desk.close()

    with pytest.raises(DeskMismatch) as err:
        Desk.open(path, town, clock=clock, desk_code="D2")
    assert "D1" in str(err.value) and "D2" in str(err.value)
    with pytest.raises(DeskMismatch):
        SqliteStore(path, "D2")

    res = _run_cli("run", "--db", path, "--desk", "D2", cwd=tmp_path)
    assert res.returncode == 2, res
    assert "belongs to desk D1" in res.stderr

    desk = Desk.open(path, town, clock=clock)
    try:
        assert desk.desk_code == "D1"
        assert [c.call_id for c in desk.open_calls()] == ["D1-26-000001"]
        assert desk.check().ok
    finally:
        desk.close()


# the journal is append-only -----------------------------------------------------------


def test_journal_rejects_update_and_delete(tmp_path: Path, town: Town, clock) -> None:
    path = tmp_path / "desk.db"
    desk = Desk.open(path, town, clock=clock)
    first = desk.execute(_receive())
    assert first.ok and first.call_id
    assert desk.execute(AddNote(call=first.call_id, text="Caller rang back")).ok
    desk.close()

    conn = _journal(path)
    try:
        rows_before = conn.execute("SELECT * FROM journal ORDER BY desk_seq").fetchall()
        assert len(rows_before) == 2
        event_id = rows_before[0][1]

        for sql in (
            "UPDATE journal SET payload = '{}' WHERE event_id = ?",
            "UPDATE journal SET type = 'call.cancelled' WHERE event_id = ?",
            "UPDATE journal SET desk_seq = 99 WHERE event_id = ?",
            "DELETE FROM journal WHERE event_id = ?",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql, (event_id,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM journal")

        # hub_seq may be set once, from NULL to a number ...
        conn.execute("UPDATE journal SET hub_seq = 41 WHERE event_id = ?", (event_id,))
        assert conn.execute(
            "SELECT hub_seq FROM journal WHERE event_id = ?", (event_id,)
        ).fetchone() == (41,)
        # ... but not changed again, nor cleared
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE journal SET hub_seq = 42 WHERE event_id = ?", (event_id,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE journal SET hub_seq = NULL WHERE event_id = ?", (event_id,))
        # setting hub_seq does not smuggle in another change
        other = rows_before[1][1]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(
                "UPDATE journal SET hub_seq = 43, payload = '{}' WHERE event_id = ?", (other,)
            )

        rows_after = conn.execute("SELECT * FROM journal ORDER BY desk_seq").fetchall()
        hub_col = [d[0] for d in conn.execute("SELECT * FROM journal").description].index("hub_seq")
        strip = [tuple(v for i, v in enumerate(r) if i != hub_col) for r in rows_before]
        assert [tuple(v for i, v in enumerate(r) if i != hub_col) for r in rows_after] == strip
        assert [r[hub_col] for r in rows_after] == [41, None]
    finally:
        conn.close()

    desk = Desk.open(path, town, clock=clock)
    try:
        assert desk.check().ok
    finally:
        desk.close()


# reopening -------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["D1", "N7"])
def test_reopen_keeps_desk_code_and_numbering(tmp_path: Path, town: Town, clock, code: str) -> None:
    path = tmp_path / "desk.db"
    desk = Desk.open(path, town, clock=clock, desk_code=code)
    first = desk.execute(_receive())
    assert first.ok and first.call_id == f"{code}-26-000001"
    assert desk.execute(AddNote(call="1", text="first note")).ok
    desk.close()

    for n in (2, 3):
        # no desk code given: the file says whose it is; giving the same one is fine too
        desk = Desk.open(path, town, clock=clock, desk_code=None if n == 2 else code)
        try:
            assert desk.desk_code == code
            out = desk.execute(_receive(f"call {n}"))
            assert out.ok and out.call_id == f"{code}-26-{n:06d}"
            assert desk.check().ok, desk.check().problems
        finally:
            desk.close()

    conn = _journal(path)
    try:
        seqs = [
            r[0]
            for r in conn.execute(
                "SELECT desk_seq FROM journal WHERE desk_id = ? ORDER BY desk_seq", (code,)
            )
        ]
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 4
        assert {r[0] for r in conn.execute("SELECT DISTINCT desk_id FROM journal")} == {code}
        assert [r[0] for r in conn.execute("SELECT call_id FROM calls ORDER BY seq")] == [
            f"{code}-26-{i:06d}" for i in (1, 2, 3)
        ]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_make_desk_fixture_reopen(make_desk: Callable[..., Desk]) -> None:
    """The conftest fixture path: two desks on the same file see the same numbering."""
    a = make_desk("shared.db")
    assert a.execute(_receive()).call_id == "D1-26-000001"
    b = make_desk("shared.db")
    assert b.execute(_receive("second")).call_id == "D1-26-000002"
    assert a.execute(_receive("third")).call_id == "D1-26-000003"
    assert a.check().ok and b.check().ok
