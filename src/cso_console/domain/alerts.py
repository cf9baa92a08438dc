"""Timers that shout: late pending calls and officers on scene past their welfare time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, CallStatus
from cso_console.domain.town import Town


@dataclass(frozen=True)
class Alert:
    key: str  # stable while the condition lasts: the bell rings once per key
    kind: str  # "late" | "welfare"
    text: str
    call_id: str
    officer_id: str | None = None


def _mins(seconds: float) -> int:
    return int(seconds // 60)


def sla_share(call: Call, town: Town, now: datetime) -> float | None:
    """How much of its priority target a waiting call has used (1.0 = due now)."""
    if call.status is CallStatus.SCHEDULED:
        if call.scheduled_for is None or now < call.scheduled_for:
            return None
        start = call.scheduled_for
    elif call.status is CallStatus.PENDING:
        start = call.received_at
    else:
        return None
    return (now - start).total_seconds() / (town.target_minutes(call.priority) * 60)


def current_alerts(calls: list[Call], town: Town, now: datetime) -> list[Alert]:
    """Every alert that stands now, most urgent first."""
    out: list[tuple[tuple[int, float], Alert]] = []
    for c in calls:
        share = sla_share(c, town, now)
        if share is not None and share >= 1 and c.alert_acked_at is None:
            waited = _mins((now - c.received_at).total_seconds())
            out.append(
                (
                    (c.priority, -share),
                    Alert(
                        f"late:{c.call_id}",
                        "late",
                        f"LATE P{c.priority} call {short_number(c.call_id)} {c.type_code} waiting "
                        f"{waited} min (target {town.target_minutes(c.priority)})",
                        c.call_id,
                    ),
                )
            )
        for a in c.active_assignments:
            if a.on_scene_at is None:
                continue
            since = max(a.on_scene_at, a.welfare_acked_at or a.on_scene_at)
            limit = town.welfare_minutes(c.type_code)
            on = (now - since).total_seconds()
            if on >= limit * 60:
                out.append(
                    (
                        (0, -on / (limit * 60)),
                        Alert(
                            f"welfare:{a.officer_id}:{c.call_id}:{since.isoformat()}",
                            "welfare",
                            f"WELFARE {a.officer_id} on scene {_mins(on)} min at call "
                            f"{short_number(c.call_id)}: check on them",
                            c.call_id,
                            a.officer_id,
                        ),
                    )
                )
    return [a for _, a in sorted(out, key=lambda item: item[0])]
