"""Domain objects <-> projection rows. One mapping, used by writes, reads and rebuilds.

A call's fields are written down once, in :class:`cso_console.domain.model.Call`; the
calls table's columns, the row mapping here and the export columns follow from it. Rows
are plain tuples in column order so the hot path runs constant SQL through the DB-API.
"""

from __future__ import annotations

import json
import operator
import typing
from dataclasses import fields
from datetime import datetime
from enum import Enum
from typing import Any

from cso_console.domain.callnumber import split_call_number
from cso_console.domain.events import Event
from cso_console.domain.model import (
    Assignment,
    Call,
    Officer,
    OfficerStatus,
    Operator,
    OperatorRole,
    Role,
)
from cso_console.domain.premises import premise_of
from cso_console.domain.town import normalize_place


def t(when: datetime | None) -> str | None:
    return when.isoformat(timespec="microseconds") if when is not None else None


def d(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _kind(hint: Any) -> tuple[str, bool]:
    """('text' | 'int' | 'bool' | 'time' | 'enum:<module.Class>', nullable) of a field type."""
    args = typing.get_args(hint)
    nullable = type(None) in args
    base = next((a for a in args if a is not type(None)), hint) if args else hint
    if base is datetime:
        return "time", nullable
    if base is bool:
        return "bool", nullable
    if base is int:
        return "int", nullable
    if isinstance(base, type) and issubclass(base, Enum):
        return "enum", nullable
    return "text", nullable


_CALL_HINTS = typing.get_type_hints(Call)
# The fields of a call as stored: the domain's fields (assignments live in their own table).
CALL_FIELDS: tuple[tuple[str, str, bool], ...] = tuple(
    (f.name, *_kind(_CALL_HINTS[f.name])) for f in fields(Call) if f.name != "assignments"
)
# Derived columns kept for queries: the call number's parts, open or not, the location as
# typed (normalized), the premises without the unit and the block they are on (schema 4).
_DERIVED = (
    ("desk_code", "text", False),
    ("year", "int", False),
    ("seq", "int", False),
    ("is_open", "int", False),
    ("location_key", "text", False),
    ("place_key", "text", False),
    ("place_block", "text", False),
)
# (column, 'int' | 'text', nullable) in table order; the table adds changed_seq last.
CALL_COLUMNS: tuple[tuple[str, str, bool], ...] = tuple(
    (name, "int" if kind in ("int", "bool") else "text", nullable)  # enum: its value
    for name, kind, nullable in CALL_FIELDS + _DERIVED
)
CALL_COLUMN_NAMES = tuple(c[0] for c in CALL_COLUMNS)
_CALL_ENUMS = {
    name: hint
    for name, hint in _CALL_HINTS.items()
    if isinstance(hint, type) and issubclass(hint, Enum)
}


def _to_column(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "time":
        return t(value)
    if kind == "bool":
        return int(value)
    if isinstance(value, Enum):
        return value.value
    return value


_CALL_KINDS = tuple(kind for _, kind, _ in CALL_FIELDS)
_CALL_VALUES = operator.attrgetter(*(name for name, _, _ in CALL_FIELDS))


def call_row(c: Call, changed_seq: int = 0) -> tuple[Any, ...]:
    try:
        desk, year, seq = split_call_number(c.call_id)
    except ValueError:
        desk, year, seq = "", 0, 0
    own = tuple(
        v if v is None or kind == "text" or kind == "int" else _to_column(kind, v)
        for kind, v in zip(_CALL_KINDS, _CALL_VALUES(c), strict=True)
    )
    premise = premise_of(c.location)
    derived = (
        desk, year, seq, int(c.status.is_open), normalize_place(c.location), premise.key,
        premise.block,
    )  # fmt: skip
    return own + derived + (changed_seq,)


def call_from_row(r: tuple[Any, ...], assignments: list[Assignment]) -> Call:
    kw: dict[str, Any] = {}
    for (name, kind, _), value in zip(CALL_FIELDS, r, strict=False):
        if value is None:
            kw[name] = None
        elif kind == "time":
            kw[name] = datetime.fromisoformat(value)
        elif kind == "bool":
            kw[name] = bool(value)
        elif name in _CALL_ENUMS:
            kw[name] = _CALL_ENUMS[name](value)
        else:
            kw[name] = value
    return Call(**kw, assignments=assignments)


ASSIGNMENT_COLUMNS = (
    "call_id", "officer_id", "dispatched_at", "role", "en_route_at", "on_scene_at",
    "cleared_at", "disposition", "welfare_acked_at",
)  # fmt: skip


def assignment_row(a: Assignment) -> tuple[Any, ...]:
    return (
        a.call_id, a.officer_id, t(a.dispatched_at), a.role.value, t(a.en_route_at),
        t(a.on_scene_at), t(a.cleared_at), a.disposition, t(a.welfare_acked_at),
    )  # fmt: skip


def assignment_from_row(r: tuple[Any, ...]) -> Assignment:
    return Assignment(
        call_id=r[0], officer_id=r[1], dispatched_at=d(r[2]),  # type: ignore[arg-type]
        role=Role(r[3]), en_route_at=d(r[4]), on_scene_at=d(r[5]), cleared_at=d(r[6]),
        disposition=r[7], welfare_acked_at=d(r[8]),
    )  # fmt: skip


OFFICER_COLUMNS = (
    "officer_id", "name", "skills", "home_beat", "status", "status_since", "beat_id",
    "current_call_id", "calls_this_shift", "signed_on_at", "queued_call_id", "status_reason",
    "timer_acked", "changed_seq",
)  # fmt: skip


# The skills column holds the roster's skills and, each marked with a leading "+", those
# added for the shift (as `ON C12 +animal` writes them): no column of its own, so files
# of schema 3 need no migration. Skill codes never start with "+".
SHIFT_SKILL = "+"


def _skills_cell(o: Officer) -> str:
    return ";".join([*o.skills, *(SHIFT_SKILL + s for s in o.shift_skills)])


def _skills_from_cell(cell: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    parts = [s for s in cell.split(";") if s]
    own = tuple(s for s in parts if not s.startswith(SHIFT_SKILL))
    shift = tuple(s[1:] for s in parts if s.startswith(SHIFT_SKILL))
    return own, shift


def officer_row(o: Officer, changed_seq: int = 0) -> tuple[Any, ...]:
    return (
        o.officer_id, o.name, _skills_cell(o), o.home_beat, o.status.value,
        t(o.status_since), o.beat_id, o.current_call_id, o.calls_this_shift,
        t(o.signed_on_at), o.queued_call_id, o.status_reason, o.timer_acked, changed_seq,
    )  # fmt: skip


def officer_from_row(r: tuple[Any, ...]) -> Officer:
    own, shift = _skills_from_cell(r[2])
    return Officer(
        officer_id=r[0], name=r[1], skills=own, home_beat=r[3], status=OfficerStatus(r[4]),
        status_since=d(r[5]), beat_id=r[6], current_call_id=r[7], calls_this_shift=r[8],
        signed_on_at=d(r[9]), shift_skills=shift,
        queued_call_id=r[10], status_reason=r[11] or "", timer_acked=r[12] or 0,
    )  # fmt: skip


OPERATOR_COLUMNS = (
    "operator_id", "role", "signed_in_at", "signed_in", "name", "pin_hash", "disabled",
    "enrolled", "changed_seq",
)  # fmt: skip


def operator_row(o: Operator, changed_seq: int = 0) -> tuple[Any, ...]:
    return (
        o.operator_id, o.role.value, t(o.signed_in_at), int(o.signed_in), o.name, o.pin_hash,
        int(o.disabled), int(o.enrolled), changed_seq,
    )  # fmt: skip


def operator_from_row(r: tuple[Any, ...]) -> Operator:
    return Operator(
        r[0], OperatorRole(r[1]), d(r[2]), bool(r[3]), r[4] or "", r[5], bool(r[6]), bool(r[7])
    )


JOURNAL_COLUMNS = (
    "event_id", "desk_id", "desk_seq", "hlc", "occurred_at", "operator_id", "type", "call_id",
    "officer_id", "payload",
)  # fmt: skip


def payload_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def journal_row(e: Event) -> tuple[Any, ...]:
    return (
        e.event_id, e.desk_id, e.desk_seq, e.hlc, t(e.occurred_at), e.operator_id,
        e.type.value, e.call_id, e.officer_id, payload_json(e.payload),
    )  # fmt: skip


def event_from_row(r: tuple[Any, ...]) -> Event:
    """A journal row (in JOURNAL_COLUMNS order) back to an event."""
    return Event(
        event_id=r[0], desk_id=r[1], desk_seq=r[2], hlc=r[3],
        occurred_at=datetime.fromisoformat(r[4]), operator_id=r[5], type=r[6],
        call_id=r[7], officer_id=r[8], payload=json.loads(r[9]),
    )  # fmt: skip
