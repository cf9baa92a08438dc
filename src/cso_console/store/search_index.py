"""Premise history and search over the calls projection (schema 4).

- ``calls.place_key`` / ``calls.place_block`` (derived from the location in
  :mod:`cso_console.store.rows`, see :mod:`cso_console.domain.premises`), with indexes.
- ``call_text``: an FTS5 table (trigram tokenizer: any three characters find a word
  part, case ignored) over what a call says: its location, its narrative and its notes
  (from the journal). Caller name and phone are never in it. Its rowid is the call row's.

The text index is kept in step with the calls table by SQLite triggers, so every path
that writes a call row (a desk's command, ingest and re-fold, a rebuild's swap, the
migration) updates it in the same transaction. A rebuild writes ``calls_next`` and
``call_text_next`` together (their own triggers) and swaps both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cso_console.domain.premises import CallLine
from cso_console.domain.search import CallQuery

TEXT = "call_text"
NOTE_TYPES = ("call.note_added", "unit.cleared", "call.closed")
# The notes of a call as one text, oldest first (the journal's local order).
_NOTES = (
    "(SELECT coalesce(group_concat(n, char(10)), '') FROM (SELECT nullif(coalesce("
    "json_extract(payload, '$.text'), json_extract(payload, '$.note')), '') AS n "
    "FROM journal WHERE call_id = {call} AND type IN ('call.note_added', 'unit.cleared', "
    "'call.closed') ORDER BY seq))"
)
INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_calls_place ON calls (place_key, received_at)",
    "CREATE INDEX IF NOT EXISTS ix_calls_block ON calls (place_block, received_at)",
    "CREATE INDEX IF NOT EXISTS ix_calls_type ON calls (type_code, received_at)",
    "CREATE INDEX IF NOT EXISTS ix_calls_type_beat ON calls (type_code, beat_id, received_at)",
    "CREATE INDEX IF NOT EXISTS ix_calls_beat ON calls (beat_id, received_at)",
    "CREATE INDEX IF NOT EXISTS ix_calls_status ON calls (status, received_at)",
)


def text_table_ddl(suffix: str = "") -> str:
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TEXT}{suffix} USING fts5("
        "location, narrative, notes, tokenize = 'trigram')"
    )


def _trigger_names(calls: str) -> tuple[str, str, str]:
    return f"{calls}_text_insert", f"{calls}_text_update", f"{calls}_text_delete"


def triggers_ddl(suffix: str = "") -> tuple[str, ...]:
    """The triggers that keep ``call_text{suffix}`` in step with ``calls{suffix}``."""
    calls, text = f"calls{suffix}", f"{TEXT}{suffix}"
    ins, upd, dele = _trigger_names(calls)
    row = (
        f"INSERT INTO {text} (rowid, location, narrative, notes) VALUES (NEW.rowid, "
        f"NEW.location, NEW.narrative, {_NOTES.format(call='NEW.call_id')});"
    )
    return (
        f"CREATE TRIGGER IF NOT EXISTS {ins} AFTER INSERT ON {calls} BEGIN {row} END",
        f"CREATE TRIGGER IF NOT EXISTS {upd} AFTER UPDATE OF location, narrative, note_count "
        f"ON {calls} BEGIN DELETE FROM {text} WHERE rowid = OLD.rowid; {row} END",
        f"CREATE TRIGGER IF NOT EXISTS {dele} AFTER DELETE ON {calls} BEGIN "
        f"DELETE FROM {text} WHERE rowid = OLD.rowid; END",
    )


def drop_triggers(cur: sqlite3.Cursor, suffix: str = "") -> None:
    for name in _trigger_names(f"calls{suffix}"):
        cur.execute(f"DROP TRIGGER IF EXISTS {name}")


def create(cur: sqlite3.Cursor | sqlite3.Connection, suffix: str = "") -> None:
    """The text table and its triggers (and, on the live tables, the indexes)."""
    cur.execute(text_table_ddl(suffix))
    for ddl in triggers_ddl(suffix):
        cur.execute(ddl)
    if not suffix:
        for ddl in INDEXES:
            cur.execute(ddl)


def fill(cur: sqlite3.Cursor | sqlite3.Connection, suffix: str = "") -> None:
    """(Re)write the text table from the calls table (the migration)."""
    cur.execute(f"DELETE FROM {TEXT}{suffix}")
    cur.execute(
        f"INSERT INTO {TEXT}{suffix} (rowid, location, narrative, notes) SELECT rowid, "
        f"location, narrative, {_NOTES.format(call='calls' + suffix + '.call_id')} "
        f"FROM calls{suffix}"
    )


def notes_of(events: Iterable[Any]) -> dict[str, str]:
    """What the text index holds as a call's notes, from its journal events (in order)."""
    out: dict[str, list[str]] = {}
    for e in events:
        if e.type.value in NOTE_TYPES and e.call_id:
            text = e.payload.get("text") or e.payload.get("note")
            if text:
                out.setdefault(e.call_id, []).append(text)
    return {k: "\n".join(v) for k, v in out.items()}


def stored_text(cur: sqlite3.Cursor) -> set[tuple[Any, ...]]:
    """(call id, location, narrative, notes) of every text row (call id None: a row
    whose call is gone)."""
    q = (
        f"SELECT c.call_id, t.location, t.narrative, t.notes FROM {TEXT} t "
        "LEFT JOIN calls c ON c.rowid = t.rowid"
    )
    return {tuple(r) for r in cur.execute(q)}


# reads --------------------------------------------------------------------------

_LINE = (
    "c.call_id, c.type_code, c.priority, c.received_at, c.status, c.disposition, "
    "c.location, c.beat_id, c.narrative"
)


def _line(r: tuple[Any, ...], same: bool = True) -> CallLine:
    return CallLine(
        r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4], r[5], r[6], r[7], r[8] or "", same
    )


def premise_lines(
    cur: sqlite3.Cursor, keys: Iterable[str], blocks: Iterable[str], exclude: str | None, limit: int
) -> list[CallLine]:
    """Calls at the places ``keys`` (newest first), then calls near them on the
    ``blocks`` (newest first); at most ``limit`` of each; ``exclude`` left out."""
    same: dict[str, CallLine] = {}
    for key in sorted(set(keys)):
        q = f"SELECT {_LINE} FROM calls c WHERE place_key = ? ORDER BY received_at DESC LIMIT ?"
        for r in cur.execute(q, (key, limit + 1)):
            same[r[0]] = _line(r)
    near: dict[str, CallLine] = {}
    for block in sorted(set(blocks) - set(keys)):
        q = f"SELECT {_LINE} FROM calls c WHERE place_block = ? ORDER BY received_at DESC LIMIT ?"
        for r in cur.execute(q, (block, limit + 1 + len(same))):
            if r[0] not in same:
                near[r[0]] = _line(r, same=False)
    out = []
    for group in (same, near):
        lines = sorted(
            (line for cid, line in group.items() if cid != exclude),
            key=lambda x: (x.received_at, x.call_id),
            reverse=True,
        )
        out += lines[:limit]
    return out


def _match(words: tuple[str, ...]) -> str:
    """An FTS5 query: every word (or phrase) as a quoted string, all of them."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _t(when: datetime) -> str:
    return when.isoformat(timespec="microseconds")


def search_lines(
    cur: sqlite3.Cursor, q: CallQuery, limit: int, call_id: str | None = None
) -> list[CallLine]:
    """The newest calls (at most ``limit``) that meet every part of ``q`` (``call_id``:
    the one call a number named)."""
    if q.words and call_id is None:
        found = _few_with_text(cur, q, limit)
        if found is not None:
            return found
    sql, params = search_sql(q, limit, call_id)
    lines = [_line(r) for r in cur.execute(sql, params)]
    lines.sort(key=lambda x: (x.received_at, x.call_id), reverse=True)
    return lines


FEW = 500  # filters that leave at most this many calls are met before the text


def _few_with_text(cur: sqlite3.Cursor, q: CallQuery, limit: int) -> list[CallLine] | None:
    """Text with filters that few calls meet (a day, a rare type in a beat): those calls
    first (an index walk of at most FEW rows), then the text's matches among their rowids
    (one FTS5 range), rather than every match of a common word checked in turn. None
    when the filters meet more calls than that (the text goes first then)."""
    where, params = _where(q)
    if not where:
        return None
    sql = f"SELECT c.rowid FROM calls c WHERE {' AND '.join(where)} LIMIT ?"
    rowids = [r[0] for r in cur.execute(sql, (*params, FEW + 1))]
    if len(rowids) > FEW:
        return None
    if not rowids:
        return []
    q_text = f"SELECT rowid FROM {TEXT} WHERE {TEXT} MATCH ? AND rowid BETWEEN ? AND ?"
    hits = {r[0] for r in cur.execute(q_text, (_match(q.words), min(rowids), max(rowids)))}
    chosen = [r for r in rowids if r in hits]
    lines: list[CallLine] = []
    for i in range(0, len(chosen), 500):
        part = chosen[i : i + 500]
        sql = f"SELECT {_LINE} FROM calls c WHERE c.rowid IN ({', '.join('?' * len(part))})"
        lines += [_line(r) for r in cur.execute(sql, part)]
    lines.sort(key=lambda x: (x.received_at, x.call_id), reverse=True)
    return lines[:limit]


def _where(q: CallQuery) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if q.type_codes is not None:
        where.append(f"c.type_code IN ({', '.join('?' * len(q.type_codes))})")
        params += sorted(q.type_codes)
    if q.beat is not None:
        where.append("c.beat_id = ?")
        params.append(q.beat)
    if q.statuses is not None:
        where.append(f"c.status IN ({', '.join('?' * len(q.statuses))})")
        params += sorted(s.value for s in q.statuses)
    if q.since is not None:
        where.append("c.received_at >= ?")
        params.append(_t(q.since))
    if q.until is not None:
        where.append("c.received_at < ?")
        params.append(_t(q.until))
    return where, params


def search_sql(q: CallQuery, limit: int, call_id: str | None = None) -> tuple[str, list[Any]]:
    """The one statement a search runs when the text goes first or there is none, and
    its parameters."""
    where, params = _where(q)
    if call_id is not None:
        where.insert(0, "c.call_id = ?")
        params.insert(0, call_id)
    if q.words:
        # The text index's rowids follow the order calls were written: newest last.
        sql = (
            f"SELECT {_LINE} FROM {TEXT} t JOIN calls c ON c.rowid = t.rowid "
            f"WHERE {TEXT} MATCH ?{''.join(' AND ' + w for w in where)} "
            "ORDER BY t.rowid DESC LIMIT ?"
        )
        return sql, [_match(q.words), *params, limit]
    sql = (
        f"SELECT {_LINE} FROM calls c{' WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY c.received_at DESC LIMIT ?"
    )
    return sql, [*params, limit]
