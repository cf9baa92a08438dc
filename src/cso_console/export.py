"""Exporting calls and events as JSON lines or CSV; caller details only when asked."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Generator, Iterable
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import IO, Any

from cso_console.desk import Desk
from cso_console.domain.events import CALLER_FIELDS, SECRET_FIELDS
from cso_console.store.rows import CALL_FIELDS, t

_RELATIVE = re.compile(r"^(\d+)\s*([mhd])$", re.ASCII)

# A call's own fields (written once, in domain.model.Call), caller details apart, then
# what an export adds: the type's label and the units that were on the call.
_CALL_FIELDS = [(n, k) for n, k, _ in CALL_FIELDS if n not in CALLER_FIELDS]
CALL_COLUMNS = [
    "call_id",
    "type_code",
    "type_label",
    *(n for n, _ in _CALL_FIELDS if n not in ("call_id", "type_code")),
    "units",
]
EVENT_COLUMNS = [
    "event_id",
    "desk_id",
    "desk_seq",
    "hlc",
    "occurred_at",
    "operator_id",
    "type",
    "call_id",
    "officer_id",
    "payload",
]


def parse_since(text: str, now: datetime) -> str | None:
    """``2026-11-21``, ``2026-11-21T08:00`` (local unless it says otherwise), or ``90m``,
    ``8h``, ``2d`` ago; returns the UTC ISO text the store compares against, or None for
    a time before any record (``99999d``, ``0001-01-01``: everything)."""
    m = _RELATIVE.match(text.strip().lower())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        minutes = n * {"m": 1, "h": 60, "d": 24 * 60}[unit]
        if minutes >= (now - _EARLIEST).total_seconds() / 60:
            return None  # further back than any record: everything
        when = now - timedelta(minutes=minutes)
    else:
        try:
            when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"--since '{text}' is not a time (e.g. 2026-11-21T08:00, or 8h for 8 hours ago)"
            ) from None
        try:
            if when.tzinfo is None:
                when = when.astimezone()
            when = when.astimezone(UTC)
        except (OverflowError, ValueError):  # year 1 or 9999 moved across a time zone
            if when.year < 2000:
                return None
            when = datetime.max.replace(tzinfo=UTC)  # after any record: nothing
        if when <= _EARLIEST:
            return None
    return t(when.astimezone(UTC)) or ""


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # before any call (calls start in 2000)


def call_records(
    desk: Desk, since: str | None, include_caller: bool
) -> Generator[dict[str, Any], None, None]:
    labels = {ct.code: ct.label for ct in desk.town.call_types}
    for c in desk.store.calls(since):
        rec: dict[str, Any] = {"type_label": labels.get(c.type_code, "")}
        for name, kind in _CALL_FIELDS:
            value = getattr(c, name)
            if value is not None and kind == "time":
                value = t(value)
            elif isinstance(value, Enum):
                value = value.value
            rec[name] = value
        rec["units"] = [a.officer_id for a in c.assignments]
        rec = {k: rec[k] for k in CALL_COLUMNS}
        if include_caller:
            rec["caller_name"], rec["caller_phone"] = c.caller_name, c.caller_phone
        yield rec


def event_records(
    desk: Desk, since: str | None, include_caller: bool
) -> Generator[dict[str, Any], None, None]:
    for e in desk.store.events(since):
        payload = dict(e.payload)
        for f in SECRET_FIELDS:  # never, whoever asks
            payload.pop(f, None)
        if not include_caller:
            for f in CALLER_FIELDS:
                payload.pop(f, None)
        yield {
            "event_id": e.event_id,
            "desk_id": e.desk_id,
            "desk_seq": e.desk_seq,
            "hlc": e.hlc,
            "occurred_at": t(e.occurred_at),
            "operator_id": e.operator_id,
            "type": e.type.value,
            "call_id": e.call_id,
            "officer_id": e.officer_id,
            "payload": payload,
        }


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: control characters become spaces, and text
    that starts like a formula (=, +, -, @, tab, CR) gets a leading apostrophe, as
    spreadsheet-injection guidance recommends. Numbers and empty cells are left alone."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return _CONTROL.sub(" ", value)


def write(records: Iterable[dict[str, Any]], columns: list[str], fmt: str, out: IO[str]) -> int:
    n = 0
    if fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
        return n
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for rec in records:
        row = {
            k: spreadsheet_safe(
                json.dumps(v, ensure_ascii=False)
                if isinstance(v, dict)
                else ";".join(v)
                if isinstance(v, list)
                else v
            )
            for k, v in rec.items()
        }
        writer.writerow(row)
        n += 1
    return n
