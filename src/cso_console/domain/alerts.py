"""Timers that shout: officers to check on, late pending calls, officers who may be forgotten.

The order is the brief's: officer safety (welfare overdue) first, then LATE calls by
priority (P1 before P2 ...), then the officer timers (dispatched but not en route, a break
or out of service past its limit). Within a kind, the most overdue comes first.

A late call alerts at its priority's target and again at twice it: an acknowledgement
covers the level that stood when it was made (the journal has its time), so a call still
waiting at twice its target alerts again. A welfare acknowledgement starts the welfare time
again. Officer timers are acknowledged on the console (``acked``: their keys), and alert
again at twice their limit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, CallStatus, Officer, OfficerStatus
from cso_console.domain.town import Town


class AlertKind(StrEnum):
    WELFARE = "welfare"
    LATE = "late"
    TIMER = "timer"


@dataclass(frozen=True, slots=True)
class Alert:
    """One standing alert, in words."""

    key: str  # stable while the condition lasts at this level: the bell rings once per key
    kind: AlertKind
    text: str
    call_id: str | None = None
    officer_id: str | None = None
    priority: int | None = None  # the late call's priority
    level: int = 1  # 2 from twice the target (late call) or twice the limit (officer timer)

    @property
    def label(self) -> str:
        """The word it is counted under on the alert line: ``WELFARE``, ``LATE P1``, ``TIMER``."""
        if self.kind is AlertKind.LATE:
            return f"LATE P{self.priority}"
        return self.kind.value.upper()


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


def late_level(share: float | None) -> int:
    """0 on time, 1 past the target, 2 past twice the target."""
    if share is None or share < 1:
        return 0
    return 1 if share < 2 else 2


def acked_level(call: Call, town: Town) -> int:
    """The late level the call's last acknowledgement covered (0: none that counts).

    An acknowledgement made before the call's present status began (it was dispatched,
    then came back to the queue) is about an earlier wait and covers nothing now."""
    at = call.alert_acked_at
    if at is None or (call.status_at is not None and at < call.status_at):
        return 0
    return late_level(sla_share(call, town, at))


def _late(call: Call, town: Town, now: datetime) -> tuple[float, Alert] | None:
    share = sla_share(call, town, now)
    level = late_level(share)
    if level == 0 or share is None:
        return None
    if call.alert_acked_at is not None and acked_level(call, town) >= level:
        return None
    waited = _mins((now - call.received_at).total_seconds())
    target = town.target_minutes(call.priority)
    over = f"2x target {target}" if level == 2 else f"target {target}"
    return share, Alert(
        f"late:{call.call_id}:{level}",
        AlertKind.LATE,
        f"LATE P{call.priority} call {short_number(call.call_id)} {call.type_code} "
        f"waiting {waited} min ({over})",
        call.call_id,
        priority=call.priority,
        level=level,
    )


def _welfare(call: Call, town: Town, now: datetime) -> Iterable[tuple[float, Alert]]:
    for a in call.active_assignments:
        if a.on_scene_at is None:
            continue
        # An acknowledgement starts the welfare time again; the text says the real time
        # on scene, counted from arrival.
        since = max(a.on_scene_at, a.welfare_acked_at or a.on_scene_at)
        limit = town.welfare_minutes(call.type_code) * 60
        if (now - since).total_seconds() < limit:
            continue
        on_scene = _mins((now - a.on_scene_at).total_seconds())
        yield (
            (now - since).total_seconds() / limit,
            Alert(
                f"welfare:{a.officer_id}:{call.call_id}:{since.isoformat()}",
                AlertKind.WELFARE,
                f"WELFARE check {a.officer_id}: on scene {on_scene} min at call "
                f"{short_number(call.call_id)}",
                call.call_id,
                a.officer_id,
            ),
        )


def _timer(officer: Officer, town: Town, now: datetime) -> tuple[float, Alert] | None:
    limits = town.officer_timers
    limit = {
        OfficerStatus.DISPATCHED: limits.dispatched_minutes,
        OfficerStatus.BREAK: limits.break_minutes,
        OfficerStatus.OUT_OF_SERVICE: limits.out_of_service_minutes,
    }.get(officer.status)
    if limit is None or officer.status_since is None:
        return None
    share = (now - officer.status_since).total_seconds() / (limit * 60)
    level = late_level(share)
    if level == 0:
        return None
    mins = _mins((now - officer.status_since).total_seconds())
    over = f"2x limit {limit}" if level == 2 else f"limit {limit}"
    who = officer.officer_id
    if officer.status is OfficerStatus.DISPATCHED:
        to = f" to call {short_number(officer.current_call_id)}" if officer.current_call_id else ""
        what = f"dispatched{to} {mins} min ago, not en route"
    elif officer.status is OfficerStatus.BREAK:
        what = f"on break {mins} min"
    else:
        what = f"out of service {mins} min"
    return share, Alert(
        timer_key(who, officer.status, officer.status_since, level),
        AlertKind.TIMER,
        f"TIMER {who} {what} ({over})",
        officer.current_call_id if officer.status is OfficerStatus.DISPATCHED else None,
        who,
        level=level,
    )


def timer_key(officer_id: str, status: OfficerStatus, since: datetime, level: int) -> str:
    """The key of an officer-timer alert: one per status, its start and level."""
    return f"timer:{officer_id}:{status.value}:{since.isoformat()}:{level}"


def timer_alert(officer: Officer, town: Town, now: datetime) -> Alert | None:
    """The officer's timer alert standing now, acknowledged or not (None: none)."""
    found = _timer(officer, town, now)
    return found[1] if found is not None else None


def acked_timer_keys(officers: Iterable[Officer]) -> set[str]:
    """The keys of the officer-timer alerts the journal says were acknowledged (each
    officer's ``timer_acked`` level in their present status, and the levels under it):
    what :func:`current_alerts` takes as ``acked``."""
    return {
        timer_key(o.officer_id, o.status, o.status_since, level)
        for o in officers
        if o.timer_acked and o.status_since is not None
        for level in range(1, o.timer_acked + 1)
    }


def current_alerts(
    calls: Iterable[Call],
    officers: Iterable[Officer],
    town: Town,
    now: datetime,
    acked: Collection[str] = (),
) -> list[Alert]:
    """Every alert that stands now, in the brief's order (see the module's docstring).

    ``calls``: the open calls; ``officers``: every officer; ``acked``: the keys of the
    officer-timer alerts acknowledged on this console."""
    out: list[tuple[tuple[int, float], Alert]] = []
    waiting = (CallStatus.PENDING, CallStatus.SCHEDULED)
    for c in calls:
        late = _late(c, town, now) if c.status in waiting else None
        if late is not None:
            out.append(((c.priority, -late[0]), late[1]))
        if c.assignments:
            out += (((0, -share), alert) for share, alert in _welfare(c, town, now))
    for o in officers:
        timer = _timer(o, town, now)
        if timer is not None and timer[1].key not in acked:
            out.append(((10, -timer[0]), timer[1]))
    out.sort(key=lambda item: (item[0], item[1].key))  # ties: by key, as alert_book does
    return [a for _, a in out]


def count_by_kind(alerts: Iterable[Alert]) -> list[tuple[str, int]]:
    """How many of each kind, in the alerts' order: ``[("WELFARE", 1), ("LATE P1", 2)]``."""
    counts: dict[tuple[AlertKind, int | None], tuple[Alert, int]] = {}
    for a in alerts:  # every tick: no string built per alert
        kind = (a.kind, a.priority)
        first, n = counts.get(kind, (a, 0))
        counts[kind] = (first, n + 1)
    return [(first.label, n) for first, n in counts.values()]
