"""Domain objects <-> projection rows. One mapping, used by writes, reads and rebuilds."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from cso_console.domain.callnumber import split_call_number
from cso_console.domain.events import Event
from cso_console.domain.model import (
    Assignment,
    Call,
    CallStatus,
    Officer,
    OfficerStatus,
    Operator,
    OperatorRole,
    Role,
)
from cso_console.domain.town import normalize_place


def t(when: datetime | None) -> str | None:
    return when.isoformat(timespec="microseconds") if when is not None else None


def d(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def call_row(c: Call) -> dict[str, Any]:
    try:
        desk, year, seq = split_call_number(c.call_id)
    except ValueError:
        desk, year, seq = "", 0, 0
    return {
        "call_id": c.call_id,
        "desk_code": desk,
        "year": year,
        "seq": seq,
        "type_code": c.type_code,
        "priority": c.priority,
        "status": c.status.value,
        "is_open": int(c.status.is_open),
        "location": c.location,
        "location_key": normalize_place(c.location),
        "location_verified": int(c.location_verified),
        "beat_id": c.beat_id,
        "caller_name": c.caller_name,
        "caller_phone": c.caller_phone,
        "narrative": c.narrative,
        "received_at": t(c.received_at),
        "status_at": t(c.status_at),
        "disposition": c.disposition,
        "duplicate_of": c.duplicate_of,
        "transferred_to": c.transferred_to,
        "scheduled_for": t(c.scheduled_for),
        "source_id": c.source_id,
        "closed_at": t(c.closed_at),
        "note_count": c.note_count,
        "alert_acked_at": t(c.alert_acked_at),
    }


def assignment_row(a: Assignment) -> dict[str, Any]:
    return {
        "call_id": a.call_id,
        "officer_id": a.officer_id,
        "dispatched_at": t(a.dispatched_at),
        "role": a.role.value,
        "en_route_at": t(a.en_route_at),
        "on_scene_at": t(a.on_scene_at),
        "cleared_at": t(a.cleared_at),
        "disposition": a.disposition,
        "welfare_acked_at": t(a.welfare_acked_at),
    }


def officer_row(o: Officer) -> dict[str, Any]:
    return {
        "officer_id": o.officer_id,
        "name": o.name,
        "skills": ";".join(o.skills),
        "home_beat": o.home_beat,
        "status": o.status.value,
        "status_since": t(o.status_since),
        "beat_id": o.beat_id,
        "current_call_id": o.current_call_id,
        "calls_this_shift": o.calls_this_shift,
        "signed_on_at": t(o.signed_on_at),
    }


def operator_row(o: Operator) -> dict[str, Any]:
    return {
        "operator_id": o.operator_id,
        "role": o.role.value,
        "signed_in_at": t(o.signed_in_at),
        "signed_in": int(o.signed_in),
    }


def call_from_row(r: Any, assignments: list[Assignment]) -> Call:
    return Call(
        call_id=r.call_id,
        type_code=r.type_code,
        priority=r.priority,
        location=r.location,
        location_verified=bool(r.location_verified),
        beat_id=r.beat_id,
        received_at=d(r.received_at),  # type: ignore[arg-type]
        status=CallStatus(r.status),
        status_at=d(r.status_at),
        caller_name=r.caller_name,
        caller_phone=r.caller_phone,
        narrative=r.narrative,
        disposition=r.disposition,
        duplicate_of=r.duplicate_of,
        transferred_to=r.transferred_to,
        scheduled_for=d(r.scheduled_for),
        source_id=r.source_id,
        closed_at=d(r.closed_at),
        note_count=r.note_count,
        alert_acked_at=d(r.alert_acked_at),
        assignments=assignments,
    )


def assignment_from_row(r: Any) -> Assignment:
    return Assignment(
        call_id=r.call_id,
        officer_id=r.officer_id,
        role=Role(r.role),
        dispatched_at=d(r.dispatched_at),  # type: ignore[arg-type]
        en_route_at=d(r.en_route_at),
        on_scene_at=d(r.on_scene_at),
        cleared_at=d(r.cleared_at),
        disposition=r.disposition,
        welfare_acked_at=d(r.welfare_acked_at),
    )


def officer_from_row(r: Any) -> Officer:
    return Officer(
        officer_id=r.officer_id,
        name=r.name,
        skills=tuple(s for s in r.skills.split(";") if s),
        home_beat=r.home_beat,
        status=OfficerStatus(r.status),
        status_since=d(r.status_since),
        beat_id=r.beat_id,
        current_call_id=r.current_call_id,
        calls_this_shift=r.calls_this_shift,
        signed_on_at=d(r.signed_on_at),
    )


def operator_from_row(r: Any) -> Operator:
    return Operator(r.operator_id, OperatorRole(r.role), d(r.signed_in_at), bool(r.signed_in))


def journal_row(e: Event) -> dict[str, Any]:
    return {
        "event_id": e.event_id,
        "desk_id": e.desk_id,
        "desk_seq": e.desk_seq,
        "hlc": e.hlc,
        "occurred_at": t(e.occurred_at),
        "operator_id": e.operator_id,
        "type": e.type.value,
        "call_id": e.call_id,
        "officer_id": e.officer_id,
        "payload": json.dumps(e.payload, sort_keys=True, separators=(",", ":")),
        "hub_seq": None,
    }


def event_from_row(r: Any) -> Event:
    return Event(
        event_id=r.event_id,
        desk_id=r.desk_id,
        desk_seq=r.desk_seq,
        hlc=r.hlc,
        occurred_at=datetime.fromisoformat(r.occurred_at),
        operator_id=r.operator_id,
        type=r.type,
        call_id=r.call_id,
        officer_id=r.officer_id,
        payload=json.loads(r.payload),
    )
