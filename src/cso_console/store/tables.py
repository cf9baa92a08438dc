"""The tables: the append-only journal and the projections derived from it.

Times are ISO-8601 text in UTC (``2026-11-21T19:30:00.000000+00:00``) so they sort as text
and read the same in any SQLite tool.

The journal's ``seq`` is the local commit order (``INTEGER PRIMARY KEY``: it only grows, in
the order transactions commit on this file). Every projection row carries ``changed_seq``,
the journal seq of the transaction that last wrote it, so a reader that keeps a cursor can
ask for what changed since (:meth:`SqliteStore.changes_since`).

The calls table is not written out by hand: its columns follow from the domain's ``Call``
(see :mod:`cso_console.store.rows`), so a field added there is a column here.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, Table, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from cso_console.store.rows import CALL_COLUMNS


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class SchemaVersion(SQLModel, table=True):
    __tablename__ = "schema_version"
    version: int = Field(primary_key=True)
    applied_at: str


class JournalRow(SQLModel, table=True):
    __tablename__ = "journal"
    __table_args__ = (
        UniqueConstraint("desk_id", "desk_seq", name="uq_journal_desk_seq"),
        Index("ix_journal_order", "hlc", "desk_id", "desk_seq"),
        Index("ix_journal_call", "call_id"),
        Index("ix_journal_officer", "officer_id"),
        # sign-in history of one operator (PIN refusals, lockouts): operator events only
        Index(
            "ix_journal_operator", "operator_id", "seq", sqlite_where=text("type LIKE 'operator.%'")
        ),
    )
    seq: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True)
    desk_id: str
    desk_seq: int
    hlc: int = Field(sa_column=Column(Integer, nullable=False))
    occurred_at: str
    operator_id: str
    type: str
    call_id: str | None = None
    officer_id: str | None = None
    payload: str  # JSON
    hub_seq: int | None = None


def _sql_type(kind: str) -> type[Integer] | type[Text]:
    return Integer if kind == "int" else Text


calls_table = Table(
    "calls",
    SQLModel.metadata,
    Column("call_id", Text, primary_key=True),
    *(
        Column(name, _sql_type(kind), nullable=nullable)
        for name, kind, nullable in CALL_COLUMNS
        if name != "call_id"
    ),
    Column("changed_seq", Integer, nullable=False, server_default="0"),
    Index("ix_calls_open", "priority", "received_at", sqlite_where=text("is_open = 1")),
    Index("ix_calls_number", "desk_code", "year", "seq"),
    Index("ix_calls_seq", "seq"),
    Index("ix_calls_received", "received_at"),
    Index("ix_calls_source", "source_id", unique=True),
    Index("ix_calls_changed", "changed_seq"),
)


class AssignmentRow(SQLModel, table=True):
    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_active", "officer_id", sqlite_where=text("cleared_at IS NULL")),
    )
    call_id: str = Field(primary_key=True, foreign_key="calls.call_id")
    officer_id: str = Field(primary_key=True)
    dispatched_at: str = Field(primary_key=True)
    role: str
    en_route_at: str | None = None
    on_scene_at: str | None = None
    cleared_at: str | None = None
    disposition: str | None = None
    welfare_acked_at: str | None = None


class OfficerRow(SQLModel, table=True):
    __tablename__ = "officers"
    __table_args__ = (Index("ix_officers_changed", "changed_seq"),)
    officer_id: str = Field(primary_key=True)
    name: str
    skills: str  # ";"-joined
    home_beat: str | None = None
    status: str
    status_since: str | None = None
    beat_id: str | None = None
    current_call_id: str | None = None
    calls_this_shift: int = 0
    signed_on_at: str | None = None
    queued_call_id: str | None = None  # a call stacked on the officer (schema 3)
    status_reason: str = ""  # why break / busy / out of service (schema 5)
    timer_acked: int = 0  # the officer-timer alert level acknowledged (schema 5)
    changed_seq: int = 0


class OperatorRow(SQLModel, table=True):
    __tablename__ = "operators"
    operator_id: str = Field(primary_key=True)
    role: str
    signed_in_at: str | None = None
    signed_in: int = 0
    name: str = ""
    pin_hash: str | None = None
    disabled: int = 0
    enrolled: int = 0
    changed_seq: int = 0


class ConflictRow(SQLModel, table=True):
    __tablename__ = "conflicts"
    __table_args__ = (Index("ix_conflicts_changed", "changed_seq"),)
    event_id: str = Field(primary_key=True)
    call_id: str | None = None
    officer_id: str | None = None
    reason: str
    changed_seq: int = 0


class CallNumber(SQLModel, table=True):
    """The last call number each desk gave out per year: it only goes up, so a number is
    never given twice (not even when a call later turns out to be a conflict)."""

    __tablename__ = "call_numbers"
    desk_code: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    last: int


class DroppedRow(SQLModel, table=True):
    """Projection rows a re-fold removed (their events became conflicts), for readers of
    the change feed."""

    __tablename__ = "dropped"
    __table_args__ = (Index("ix_dropped_changed", "changed_seq"),)
    kind: str = Field(primary_key=True)  # "call" | "officer"
    id: str = Field(primary_key=True)
    changed_seq: int


PROJECTION_TABLES = ("assignments", "calls", "officers", "operators", "conflicts")

# The journal is append-only: no delete, and no update except setting hub_seq once.
JOURNAL_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
       BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
       WHEN OLD.hub_seq IS NOT NULL OR NEW.hub_seq IS NULL
         OR NEW.seq IS NOT OLD.seq
         OR NEW.event_id IS NOT OLD.event_id OR NEW.desk_id IS NOT OLD.desk_id
         OR NEW.desk_seq IS NOT OLD.desk_seq OR NEW.hlc IS NOT OLD.hlc
         OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.operator_id IS NOT OLD.operator_id
         OR NEW.type IS NOT OLD.type OR NEW.call_id IS NOT OLD.call_id
         OR NEW.officer_id IS NOT OLD.officer_id OR NEW.payload IS NOT OLD.payload
       BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END""",
    """CREATE INDEX IF NOT EXISTS ix_journal_from_call
       ON journal (json_extract(payload, '$.from_call_id'))
       WHERE type = 'officer.reassigned'""",
    """CREATE INDEX IF NOT EXISTS ix_journal_source
       ON journal (json_extract(payload, '$.source_id'))
       WHERE type = 'call.received'""",
    """CREATE INDEX IF NOT EXISTS ix_journal_of_call
       ON journal (json_extract(payload, '$.of_call_id'))
       WHERE type = 'call.duplicate_linked'""",
)
