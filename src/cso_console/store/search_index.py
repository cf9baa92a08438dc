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
from dataclasses import replace
from datetime import datetime
from typing import Any

from cso_console.domain.premises import CallLine
from cso_console.domain.search import CallQuery

TEXT = "call_text"
NOTE_TYPES = ("call.note_added", "unit.cleared", "call.closed")
# The notes of a call as one text, in the fold's order (the same on every desk, whatever
# order the events reached this file in).
_NOTES = (
    "(SELECT coalesce(group_concat(n, char(10)), '') FROM (SELECT nullif(coalesce("
    "json_extract(payload, '$.text'), json_extract(payload, '$.note')), '') AS n "
    "FROM journal WHERE call_id = {call} AND type IN ('call.note_added', 'unit.cleared', "
    "'call.closed') ORDER BY hlc, desk_id, desk_seq))"
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


def create(
    cur: sqlite3.Cursor | sqlite3.Connection, suffix: str = "", indexes: bool = True
) -> None:
    """The text table and its triggers (and, on the live tables, the indexes, unless
    ``indexes`` is False: tables swapped in by a rebuild brought theirs)."""
    cur.execute(text_table_ddl(suffix))
    for ddl in triggers_ddl(suffix):
        cur.execute(ddl)
    if not suffix and indexes:
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
    """What the text index holds as a call's notes, from its journal events (any order:
    they are taken in the fold's)."""
    out: dict[str, list[str]] = {}
    for e in sorted(events, key=lambda e: e.order_key):
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
    the one call a number named). A word that names a call type matches as text or as
    that type, and a few types are looked up one by one (each walks its own index newest
    first, where ``type_code IN (...)`` would sort them all): each way is one plain
    query, and their results are merged."""
    ways = [one for way in q.alternatives() for one in _one_type_each(way)]
    if len(ways) == 1:
        return _plain_lines(cur, ways[0], limit, call_id)
    found: dict[str, CallLine] = {}
    for way in ways:
        for line in _plain_lines(cur, way, limit, call_id):
            found.setdefault(line.call_id, line)
    return _newest(found.values(), limit)


SPLIT_TYPES = 4  # at most this many types are looked up one by one


def _one_type_each(q: CallQuery) -> list[CallQuery]:
    codes = q.type_codes
    if codes is None or len(codes) <= 1 or len(codes) > SPLIT_TYPES:
        return [q]
    return [replace(q, type_codes=frozenset({code})) for code in sorted(codes)]


def _newest(lines: Iterable[CallLine], limit: int) -> list[CallLine]:
    return sorted(lines, key=lambda x: (x.received_at, x.call_id), reverse=True)[:limit]


def _plain_lines(
    cur: sqlite3.Cursor, q: CallQuery, limit: int, call_id: str | None = None
) -> list[CallLine]:
    if q.words and call_id is None:
        found = _filters_first(cur, q, limit)
        if found is not None:
            return found
    sql, params = search_sql(q, limit, call_id)
    return _newest((_line(r) for r in cur.execute(sql, params)), limit)


WALK = 1500  # calls that meet the filters, newest first, checked for the text at most
STEP = 200  # checked at a time; after each, the walk goes on only if it looks worth it


def _filters_first(cur: sqlite3.Cursor, q: CallQuery, limit: int) -> list[CallLine] | None:
    """Text with a type or a time range (a rare type in a beat, a day): the calls that
    meet the filters, newest first along their index, each checked for the text as the
    trigram index would (every word a part of the location, the narrative or the notes,
    any case) until ``limit`` are found: rather than every match of a common word checked
    in turn. None (the text goes first then) when more than WALK calls meet the filters
    and the text is too rare among them to find ``limit`` in WALK."""
    if q.type_codes is None and q.since is None and q.until is None:
        return None  # a beat or a status alone is met by too many calls to walk them
    where, params = _where(q)
    cond = " AND ".join(where)
    count = f"SELECT count(*) FROM (SELECT 1 FROM calls c WHERE {cond} LIMIT ?)"
    many = cur.execute(count, (*params, WALK + 1)).fetchone()[0] > WALK
    words = [w.casefold() for w in q.words]
    sql = (
        f"SELECT c.rowid, c.location, c.narrative, c.note_count FROM calls c WHERE {cond} "
        "ORDER BY c.received_at DESC"
    )
    rows = cur.execute(sql, params).fetchmany
    hits: list[int] = []
    checked = 0
    while len(hits) < limit:
        batch = rows(STEP)
        if not batch:
            break  # every call that meets the filters was checked
        checked += len(batch)
        hits += _with_text(cur, batch, words)
        if many and (checked >= WALK or len(hits) * WALK < limit * checked):
            return None  # at this rate, WALK calls would not hold ``limit``
    lines = []
    for i in range(0, len(hits), 500):
        part = hits[i : i + 500]
        sql = f"SELECT {_LINE} FROM calls c WHERE c.rowid IN ({', '.join('?' * len(part))})"
        lines += [_line(r) for r in cur.execute(sql, part)]
    return _newest(lines, limit)


def _with_text(cur: sqlite3.Cursor, rows: list[Any], words: list[str]) -> list[int]:
    """The rowids of the rows (rowid, location, narrative, note count) whose texts hold
    every word (a call with notes: read from the text index when needed)."""
    out: list[int] = []
    notes_needed: dict[int, tuple[str, ...]] = {}
    for rowid, location, narrative, notes in rows:
        texts: tuple[str, ...] = (location.casefold(), (narrative or "").casefold())
        if all(w in texts[0] or w in texts[1] for w in words):
            out.append(rowid)
        elif notes:  # a note may hold what is missing
            notes_needed[rowid] = texts
    if notes_needed:
        ids = list(notes_needed)
        q = f"SELECT rowid, notes FROM {TEXT} WHERE rowid IN ({', '.join('?' * len(ids))})"
        for rowid, notes in cur.execute(q, ids):
            texts = (*notes_needed[rowid], (notes or "").casefold())
            if all(any(w in t for t in texts) for w in words):
                out.append(rowid)
    return out


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
