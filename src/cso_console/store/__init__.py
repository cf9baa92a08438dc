"""The store: SQLModel tables on SQLite, the journal and its projections.

The errors and the file checks (``store.database``) load without the store itself: the
console checks a file before its first paint and opens the store after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cso_console.store.database import (
    DeskMismatch,
    NewerSchema,
    NotADeskDatabase,
    StorageFull,
    StoreError,
)

if TYPE_CHECKING:
    from cso_console.store.sqlite import SqliteStore, UnknownCall


def __getattr__(name: str) -> Any:
    if name in ("SqliteStore", "UnknownCall"):
        from cso_console.store import sqlite

        return getattr(sqlite, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DeskMismatch",
    "NewerSchema",
    "NotADeskDatabase",
    "SqliteStore",
    "StorageFull",
    "StoreError",
    "UnknownCall",
]
