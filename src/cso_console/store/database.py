"""Opening a desk database: refuse foreign or newer files, create new ones 0600, migrate.

Writes go through ``BEGIN IMMEDIATE`` (the SQLAlchemy sqlite dialect's documented recipe:
disable pysqlite's own BEGIN, emit ours from the ``begin`` event), so a command takes the
write lock before it reads the state it validates against.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from cso_console.store import tables

APPLICATION_ID = 0x43534F43  # "CSOC"
SCHEMA_VERSION = 1
SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_FULL = 13


class StoreError(Exception):
    """Something about the database file the operator must know."""


class NotADeskDatabase(StoreError):
    pass


class NewerSchema(StoreError):
    pass


class StorageFull(StoreError):
    pass


class DeskMismatch(StoreError):
    pass


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


def _create_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def is_storage_full(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        return code == SQLITE_FULL or "database or disk is full" in str(orig)
    return False


def make_engine(path: Path, *, immediate: bool, extra_pragmas: dict[str, int] | None) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 5.0}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 5000")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        for name, value in (extra_pragmas or {}).items():
            cur.execute(f"PRAGMA {name} = {int(value)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _migrate_1(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn)
    for ddl in tables.JOURNAL_TRIGGERS:
        conn.exec_driver_sql(ddl)


MIGRATIONS = {1: _migrate_1}


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def prepare(path: Path, desk_code: str | None, extra_pragmas: dict[str, int] | None) -> str:
    """Create or upgrade the file at ``path``; returns the desk code it belongs to."""
    state = inspect_file(path)
    if state == "new":
        _create_file(path)
        # Created in rollback-journal mode so the header (application id, version)
        # is in the main file before any WAL exists; then switched to WAL for good.
        raw = sqlite3.connect(path, isolation_level=None)
        try:
            raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        finally:
            raw.close()
    engine = make_engine(path, immediate=True, extra_pragmas=extra_pragmas)
    try:
        with engine.connect() as conn:  # autobegins BEGIN IMMEDIATE
            current = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
            if current > SCHEMA_VERSION:
                raise NewerSchema(f"{path} has schema version {current}; upgrade CSO Console.")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[version](conn)
                conn.execute(
                    text("INSERT INTO schema_version VALUES (:v, :t)"),
                    {"v": version, "t": _now_text()},
                )
                conn.exec_driver_sql(f"PRAGMA user_version = {version}")
            stored = conn.execute(
                text("SELECT value FROM meta WHERE key = 'desk_code'")
            ).scalar_one_or_none()
            if stored is None:
                stored = desk_code or "D1"
                conn.execute(
                    text("INSERT INTO meta VALUES ('desk_code', :v), ('created_at', :t)"),
                    {"v": stored, "t": _now_text()},
                )
            elif desk_code and desk_code != stored:
                raise DeskMismatch(
                    f"{path} belongs to desk {stored}, not {desk_code}; give another --db "
                    "for a new desk."
                )
            conn.commit()
        raw = sqlite3.connect(path, isolation_level=None)
        try:
            raw.execute("PRAGMA journal_mode = WAL")
        finally:
            raw.close()
    except OperationalError as exc:
        if is_storage_full(exc):
            raise StorageFull("The disk is full; the database could not be prepared.") from None
        raise StoreError(f"{path}: {exc.orig}") from None
    finally:
        engine.dispose()
    os.chmod(path, 0o600)
    return str(stored)
