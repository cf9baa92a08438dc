"""``backup``: a consistent copy of a live desk database, taken by a reader.

The source is opened read-only (as ``export`` and ``check`` open it) and copied with
SQLite's online backup API in a single step, so the copy is one read snapshot: writers
carry on beside it and the copy holds every transaction committed before it began, and
none after. The copy is written to a temporary file (owner-only) in the target's folder,
checked, flushed to disk and only then given its name; a backup that fails leaves nothing
behind, and an existing file is never overwritten.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cso_console.store.database import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    StorageFull,
    StoreError,
    is_storage_full,
    open_readonly,
    plain_error,
)

_SIDECARS = ("-journal", "-wal", "-shm")


@dataclass
class BackupReport:
    source: Path
    target: Path
    events: int
    size: int


def _full(what: str) -> StorageFull:
    return StorageFull(
        f"The disk is full; {what}. Nothing was left behind; free space and run again."
    )


def _remove(tmp: Path) -> None:
    for suffix in ("", *_SIDECARS):
        try:
            os.unlink(f"{tmp}{suffix}")
        except FileNotFoundError:
            pass


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _copy(src: sqlite3.Connection, tmp: Path, target: Path) -> int:
    """Copy ``src`` into the empty file ``tmp`` and verify it; returns its event count."""
    dst = sqlite3.connect(tmp, isolation_level=None)
    try:
        dst.execute("PRAGMA synchronous = FULL")
        src.backup(dst)  # pages=-1: the whole database in one step, one read snapshot
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreError(f"{target}: the copy did not pass SQLite's check; nothing was kept.")
        app_id = int(dst.execute("PRAGMA application_id").fetchone()[0])
        version = int(dst.execute("PRAGMA user_version").fetchone()[0])
        if (app_id, version) != (APPLICATION_ID, SCHEMA_VERSION):
            raise StoreError(f"{target}: the copy came out unlike its source; nothing was kept.")
        return int(dst.execute("SELECT count(*) FROM journal").fetchone()[0])
    finally:
        dst.close()


def _place(tmp: Path, target: Path) -> None:
    """Give the finished copy its name, never replacing a file that appeared meanwhile."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise StoreError(f"{target} already exists; the backup was not written.") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links: check, then rename (replaces nothing that
        # existed when we looked).
        if os.path.lexists(target):
            raise StoreError(f"{target} already exists; the backup was not written.") from None
        os.rename(tmp, target)
        return
    os.unlink(tmp)


def backup(source: Path, target: Path) -> BackupReport:
    """Copy the desk database ``source`` into the new file ``target`` (mode 0600)."""
    if os.path.lexists(target):
        raise StoreError(f"{target} already exists; backup writes a new file only.")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise StoreError(f"{folder} is not a folder; the backup was not written.")
    src = open_readonly(source)  # refuses a missing, empty, foreign or older file
    tmp: Path | None = None
    try:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise _full("the backup could not be started") from None
            raise StoreError(
                f"{folder}: the backup cannot be written there ({exc.strerror})."
            ) from None
        tmp = Path(name)
        os.fchmod(fd, 0o600)
        os.close(fd)
        events = _copy(src, tmp, target)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        size = tmp.stat().st_size
        _place(tmp, target)
        tmp = None
        _fsync_dir(folder)
        return BackupReport(source, target, events, size)
    except sqlite3.Error as exc:
        if is_storage_full(exc):
            raise _full("the backup could not be written") from None
        raise StoreError(
            f"{target}: the backup failed: {plain_error(exc)}; nothing was kept."
        ) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise _full("the backup could not be written") from None
        raise StoreError(
            f"{target}: the backup failed ({exc.strerror}); nothing was kept."
        ) from None
    finally:
        src.close()
        if tmp is not None:
            _remove(tmp)
