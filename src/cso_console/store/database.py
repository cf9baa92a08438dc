"""Opening a desk database: refuse foreign or newer files, create new ones 0600, migrate;
or open one read-only for a reader that must never change it.

Writes take the lock first (``BEGIN IMMEDIATE``), so a command reads the state it checks
against under the same lock it writes with. SQLModel/SQLAlchemy is imported here only
when a file is created or migrated; the hot path is the DB-API.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path

APPLICATION_ID = 0x43534F43  # "CSOC"
SCHEMA_VERSION = 6
SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_FULL = 13
BUSY_TIMEOUT_MS = 5000
# The tables (and their columns) a reader relies on: a file that lacks them is refused.
EXPECTED_TABLES = {
    "journal": {"seq", "event_id", "desk_id", "desk_seq", "hlc", "type", "payload"},
    "calls": {"call_id", "status", "changed_seq"},
    "assignments": {"call_id", "officer_id"},
    "officers": {"officer_id", "status", "changed_seq"},
    "operators": {"operator_id"},
    "conflicts": {"event_id", "reason"},
    "meta": {"key", "value"},
    "call_text": {"location", "narrative", "notes"},
}


class StoreError(Exception):
    """Something about the database file the operator must know."""


class NotADeskDatabase(StoreError):
    pass


class NewerSchema(StoreError):
    pass


class OlderSchema(StoreError):
    pass


class StorageFull(StoreError):
    pass


class DeskMismatch(StoreError):
    pass


_SQLITE_WORDS = {
    "database is locked": "the database is busy: another program is writing to it",
    "database disk image is malformed": "the database file is damaged",
    "file is not a database": "it is not a database file",
    "unable to open database file": "the file or its folder cannot be opened",
    "attempt to write a readonly database": "the file is read-only",
    "disk I/O error": "the disk reported an input/output error",
    "database or disk is full": "the disk is full",
}


def plain_error(exc: BaseException) -> str:
    """SQLite's complaint as a sentence for a desk assistant: no SQL, no library links."""
    text = str(getattr(exc, "orig", exc))
    for key, words in _SQLITE_WORDS.items():
        if key in text:
            return words
    if text.startswith("no such table") or text.startswith("no such column"):
        return "its tables are not those of a CSO Console database"
    return re.sub(r"\s*\(Background on this error at:.*\)$", "", text).split("\n")[0]


def _header(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(100)


def inspect_file(path: Path) -> str:
    """'new' (absent or empty: ours to create) or 'ours'; raises if foreign or newer.

    Reads the 100-byte header only, so a file we refuse is never opened by SQLite and
    stays byte-identical.
    """
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return "new"
    if not path.is_file():
        raise NotADeskDatabase(f"{path} is not a file.")
    try:
        head = _header(path)
    except OSError as exc:
        raise NotADeskDatabase(f"{path} cannot be read: {exc.strerror}.") from None
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        raise NotADeskDatabase(f"{path} is not a CSO Console database (not an SQLite file).")
    user_version, app_id = struct.unpack(">I", head[60:64])[0], struct.unpack(">I", head[68:72])[0]
    if app_id != APPLICATION_ID:
        raise NotADeskDatabase(
            f"{path} is an SQLite file but not a CSO Console database; it was left untouched."
        )
    if user_version > SCHEMA_VERSION:
        raise NewerSchema(
            f"{path} has schema version {user_version}, newer than this console's "
            f"{SCHEMA_VERSION}; upgrade CSO Console. The file was left untouched."
        )
    return "ours"


def current_file(path: Path) -> bool:
    """A desk database of this console's schema, by its header alone: opening it creates,
    migrates and refuses nothing the header shows (what else may go wrong is said when it
    is opened). Anything else (absent, empty, foreign, older, newer, unreadable): False."""
    try:
        if inspect_file(path) != "ours":
            return False
        head = _header(path)
    except (StoreError, OSError):
        return False
    return int(struct.unpack(">I", head[60:64])[0]) == SCHEMA_VERSION


def _create_file(path: Path) -> None:
    folder = path.parent
    if folder.is_symlink() and not folder.exists():
        raise StoreError(
            f"{folder} is a link to a folder that does not exist; the database cannot be "
            "created there."
        )
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder} is not a folder; the database cannot be created there.")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
    except OSError as exc:
        if exc.errno == 28:  # ENOSPC
            raise StorageFull("The disk is full; the database could not be created.") from None
        raise StoreError(f"{path}: the database cannot be created ({exc.strerror}).") from None


SQLITE_IOERR = 10
LOW_SPACE = 1 << 20  # an I/O error with less free space than this is a full disk


def free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def is_storage_full(exc: BaseException, path: Path | None = None) -> bool:
    """SQLITE_FULL; or, for a database at ``path``, an I/O error on a disk with (almost)
    no space left: SQLite reports a full disk while it grows its ``-shm`` or ``-wal``
    file as an I/O error (SQLITE_IOERR_SHMSIZE, _WRITE), not as SQLITE_FULL."""
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, sqlite3.Error):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code == SQLITE_FULL or "database or disk is full" in str(orig):
        return True
    if path is None or not (code is not None and code & 0xFF == SQLITE_IOERR):
        return False
    free = free_bytes(Path(path).parent)
    return free is not None and free < LOW_SPACE


def _pragmas(conn: sqlite3.Connection, extra: dict[str, int] | None) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    for name, value in (extra or {}).items():
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a pragma: {name}")
        conn.execute(f"PRAGMA {name} = {int(value)}")


def connect(path: Path, extra_pragmas: dict[str, int] | None = None) -> sqlite3.Connection:
    """A read-write connection with our settings; transactions are begun explicitly."""
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        _pragmas(conn, extra_pragmas)
    except sqlite3.Error as exc:
        conn.close()
        if is_storage_full(exc, path):
            raise StorageFull("The disk is full; the database could not be opened.") from None
        raise
    return conn


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro``; ``immutable=1`` where the folder is
    read-only (SQLite could not make its ``-shm`` there, and nobody can be writing).

    A folder we cannot write that holds commits in a ``-wal`` without a ``-shm`` we can
    read is refused: SQLite cannot read that WAL here, and the main file alone would be
    a silently older database."""
    from urllib.parse import quote

    folder_writable = os.access(path.parent, os.W_OK)
    wal = Path(f"{path}-wal")
    shm_usable = Path(f"{path}-shm").exists() and os.access(f"{path}-shm", os.R_OK)
    if not folder_writable and not shm_usable and wal.exists() and wal.stat().st_size > 0:
        raise StoreError(
            f"{path} has recent changes in {wal.name} that cannot be read in a folder you "
            f"cannot write; copy {path.name} and {wal.name} together into a folder you can "
            "write, and read that copy."
        )
    immutable = not folder_writable and not (wal.exists() and shm_usable)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = 1")
    return conn


# Columns added since schema 2: a schema-2 file about to be upgraded lacks them.
_ADDED_IN_3 = {
    "operators": {"name", "pin_hash", "disabled", "enrolled"},
    "officers": {"queued_call_id"},
}
# Added in schema 4 (premise history and search): a file of schema 2 or 3 lacks them.
_ADDED_IN_4 = {
    "calls": {"place_key", "place_block"},
    "call_text": {"location", "narrative", "notes"},
}


# Added in schema 5: an officer's status reason and acknowledged timer level.
_ADDED_IN_5 = {"officers": {"status_reason", "timer_acked"}}


def check_tables(conn: sqlite3.Connection, path: Path, migrating: bool = False) -> None:
    """Refuse (without writing) a file whose tables are not ours: every table a reader or
    writer uses, with every column it reads, must be there (as a table, not a view).
    ``migrating``: a schema-2 file, checked for the columns it had."""
    from cso_console.store import rows

    expected = {name: set(cols) for name, cols in EXPECTED_TABLES.items()}
    expected["journal"] |= {"seq", *rows.JOURNAL_COLUMNS}
    expected["calls"] |= {*rows.CALL_COLUMN_NAMES, "changed_seq"}
    expected["assignments"] |= set(rows.ASSIGNMENT_COLUMNS)
    expected["officers"] |= set(rows.OFFICER_COLUMNS)
    expected["operators"] |= set(rows.OPERATOR_COLUMNS)
    expected["conflicts"] |= {"event_id", "call_id", "officer_id", "reason", "changed_seq"}
    if migrating:
        for table, added in (*_ADDED_IN_3.items(), *_ADDED_IN_4.items(), *_ADDED_IN_5.items()):
            expected[table] -= added
        expected = {name: cols for name, cols in expected.items() if cols}
    try:
        have: dict[str, set[str]] = {}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            have[name] = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
    except sqlite3.Error as exc:
        raise NotADeskDatabase(f"{path} cannot be read: {plain_error(exc)}.") from None
    for table, columns in expected.items():
        if not columns <= have.get(table, set()):
            raise NotADeskDatabase(
                f"{path} has the mark of a CSO Console database but not its tables "
                f"({table} is missing or different); it was left untouched."
            )


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open an existing desk database for reading only; never creates, migrates or chmods."""
    if not path.exists():
        raise StoreError(f"{path}: no such database.")
    if inspect_file(path) == "new":
        raise NotADeskDatabase(f"{path} is empty: not a CSO Console database.")
    try:
        conn = connect_readonly(path)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise StoreError(f"{path} cannot be read: {plain_error(exc)}.") from None
    if version < SCHEMA_VERSION:
        conn.close()
        raise OlderSchema(
            f"{path} was written by an older CSO Console (schema {version}); open it once "
            "with `cso-console run --db` to upgrade it, then read it."
        )
    try:
        check_tables(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _create_schema(conn: sqlite3.Connection) -> None:
    from cso_console.store.schema_sql import DDL  # schema_ddl() as text: no SQLAlchemy

    for ddl in DDL:
        conn.execute(ddl)


def schema_ddl() -> list[str]:
    """The DDL of every table, index and trigger, from the SQLModel metadata."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable
    from sqlmodel import SQLModel

    from cso_console.store import tables

    dialect = sqlite.dialect()
    out = []
    for table in SQLModel.metadata.sorted_tables:
        out.append(str(CreateTable(table, if_not_exists=True).compile(dialect=dialect)))
        out += [
            str(CreateIndex(ix, if_not_exists=True).compile(dialect=dialect))
            for ix in sorted(table.indexes, key=lambda ix: str(ix.name))
        ]
    return out + list(tables.JOURNAL_TRIGGERS)


def _create_search(conn: sqlite3.Connection) -> None:
    from cso_console.store import search_index

    search_index.create(conn)


def _migrate_2(conn: sqlite3.Connection) -> None:
    """Schema 1 -> 2: the journal gets its local commit order (``seq``), projections carry
    the seq that last wrote them, and the roster becomes journal events. The journal is
    copied in fold order; the projections are rebuilt from it by the caller."""
    conn.execute("ALTER TABLE journal RENAME TO journal_v1")
    officers = conn.execute("SELECT officer_id, name, skills, home_beat FROM officers").fetchall()
    for table in ("assignments", "calls", "officers", "operators", "conflicts"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for name in ("journal_no_delete", "journal_no_update"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for (ix,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'journal_v1' "
        "AND sql IS NOT NULL"
    ).fetchall():
        conn.execute(f'DROP INDEX "{ix}"')
    _create_schema(conn)
    conn.execute(
        "INSERT INTO journal (event_id, desk_id, desk_seq, hlc, occurred_at, operator_id, type, "
        "call_id, officer_id, payload, hub_seq) SELECT event_id, desk_id, desk_seq, hlc, "
        "occurred_at, operator_id, type, call_id, officer_id, payload, hub_seq "
        "FROM journal_v1 ORDER BY hlc, desk_id, desk_seq"
    )
    conn.execute("DROP TABLE journal_v1")
    # The roster of schema 1 lived only in the officers table: keep it, as roster events.
    conn.execute("CREATE TABLE roster_v1 (officer_id, name, skills, home_beat)")
    conn.executemany("INSERT INTO roster_v1 VALUES (?, ?, ?, ?)", officers)
    conn.execute("INSERT INTO meta VALUES ('needs_rebuild', '1') ON CONFLICT DO NOTHING")


def _migrate_3(conn: sqlite3.Connection) -> None:
    """Schema 2 -> 3: operators are enrolled with a name, a PIN hash and a role of their
    own (journal events); their sign-in history has an index; an officer may have a call
    stacked next."""
    for table, column in (
        ("operators", "name VARCHAR NOT NULL DEFAULT ''"),
        ("operators", "pin_hash VARCHAR"),
        ("operators", "disabled INTEGER NOT NULL DEFAULT 0"),
        ("operators", "enrolled INTEGER NOT NULL DEFAULT 0"),
        ("officers", "queued_call_id VARCHAR"),
    ):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
    _create_schema(conn)  # new indexes (IF NOT EXISTS: the rest stands)


def _migrate_4(conn: sqlite3.Connection) -> None:
    """Schema 3 -> 4: premise history and search. Calls get their place (the location
    without the unit) and block, worked out from the location as every later write does;
    the text index (FTS5, trigram) is made and filled from the calls and their notes."""
    from cso_console.domain.premises import premise_of
    from cso_console.store import search_index

    for column in ("place_key", "place_block"):
        conn.execute(f"ALTER TABLE calls ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    conn.create_function("cso_place_key", 1, lambda loc: premise_of(loc or "").key)
    conn.create_function("cso_place_block", 1, lambda loc: premise_of(loc or "").block)
    conn.execute(
        "UPDATE calls SET place_key = cso_place_key(location), "
        "place_block = cso_place_block(location)"
    )
    conn.execute("DROP INDEX IF EXISTS ix_calls_premise")  # the location with its unit
    search_index.create(conn)
    search_index.fill(conn)


def _migrate_5(conn: sqlite3.Connection) -> None:
    """Schema 4 -> 5: officers keep why they are on break, busy or out of service (the
    reason of the status change that put them there), and the officer-timer alert level
    acknowledged (none before: there was no event for it)."""
    for column in (
        "status_reason TEXT NOT NULL DEFAULT ''",
        "timer_acked INTEGER NOT NULL DEFAULT 0",
    ):
        conn.execute(f"ALTER TABLE officers ADD COLUMN {column}")
    conn.execute(
        "UPDATE officers SET status_reason = coalesce((SELECT "
        "trim(json_extract(payload, '$.reason')) FROM journal "
        "WHERE journal.officer_id = officers.officer_id AND "
        "type = 'officer.status_changed' ORDER BY hlc DESC, desk_id DESC, desk_seq DESC "
        "LIMIT 1), '') WHERE status IN ('BREAK', 'BUSY', 'OUT_OF_SERVICE')"
    )


def _migrate_6(conn: sqlite3.Connection) -> None:
    """Schema 5 -> 6: a call's notes are searched in the fold's order, not the order this
    file received them (two desks had different texts for the same notes): the text
    index's triggers are made again and the index refilled."""
    from cso_console.store import search_index

    search_index.drop_triggers(conn.cursor())
    search_index.create(conn)
    search_index.fill(conn)


def prepare(path: Path, desk_code: str | None, extra_pragmas: dict[str, int] | None) -> str:
    """Create or upgrade the file at ``path``; returns the desk code it belongs to."""
    state = inspect_file(path)
    if state == "new":
        _create_file(path)
    try:
        conn = connect(path, extra_pragmas)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: the database cannot be opened ({plain_error(exc)}).") from None
    try:
        if state == "new":
            # Rollback-journal mode first, so the header (application id, version) is in
            # the main file before any WAL exists; then WAL for good.
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("BEGIN IMMEDIATE")
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > SCHEMA_VERSION:
            raise NewerSchema(f"{path} has schema version {current}; upgrade CSO Console.")
        if current == 0:
            _create_schema(conn)
            _create_search(conn)
        elif current == 1:
            check_tables_v1(conn, path)
            _migrate_2(conn)  # creates the current schema
            _create_search(conn)
        elif current < SCHEMA_VERSION:
            check_tables(conn, path, migrating=True)
            if current < 3:
                _migrate_3(conn)
            if current < 4:
                _migrate_4(conn)
            if current < 5:
                _migrate_5(conn)
            _migrate_6(conn)
        else:
            check_tables(conn, path)
        if current < SCHEMA_VERSION:
            conn.execute("INSERT INTO schema_version VALUES (?, ?)", (SCHEMA_VERSION, _now_text()))
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        row = conn.execute("SELECT value FROM meta WHERE key = 'desk_code'").fetchone()
        if row is None:
            stored = desk_code or "D1"
            conn.execute(
                "INSERT INTO meta VALUES ('desk_code', ?), ('created_at', ?)",
                (stored, _now_text()),
            )
        else:
            stored = str(row[0])
            if desk_code and desk_code != stored:
                raise DeskMismatch(
                    f"{path} belongs to desk {stored}, not {desk_code}; give another --db "
                    "for a new desk."
                )
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.rollback()
        if is_storage_full(exc, path):
            raise StorageFull("The disk is full; the database could not be prepared.") from None
        raise StoreError(f"{path}: {plain_error(exc)}.") from None
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    finally:
        conn.close()
    try:  # a writer keeps the file private (a reader never changes it)
        if (os.stat(path).st_mode & 0o777) != 0o600:
            os.chmod(path, 0o600)
    except OSError:
        pass
    return stored


def check_tables_v1(conn: sqlite3.Connection, path: Path) -> None:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"journal", "officers", "meta", "calls"} <= names:
        raise NotADeskDatabase(
            f"{path} has the mark of a CSO Console database but not its tables; "
            "it was left untouched."
        )
