"""The store: SQLModel tables on SQLite, the journal and its projections."""

from cso_console.store.database import (
    DeskMismatch,
    NewerSchema,
    NotADeskDatabase,
    StorageFull,
    StoreError,
)
from cso_console.store.sqlite import SqliteStore, UnknownCall

__all__ = [
    "DeskMismatch",
    "NewerSchema",
    "NotADeskDatabase",
    "SqliteStore",
    "StorageFull",
    "StoreError",
    "UnknownCall",
]
