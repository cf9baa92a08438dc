"""The shift report (and the handover's facts), computed once, from the journal's events.

:func:`shift_report` folds the events (as the desk does) up to the end of the period and
measures the calls received in it. Every format (Markdown, CSV, JSON, the screen) renders
the :class:`ShiftReport` it returns, so the figures and their names are the same everywhere.

Definitions (times in the agency's zone, ``Town.time_zone``):

- a call is *received* in the period when its ``received_at`` is in ``[start, end)``;
- ``call_processing``: received -> first dispatch; ``travel``: first en route -> first on
  scene; ``response``: received -> first on scene; ``on_scene``: first on scene -> the last
  unit cleared (a call with a unit still on it has no ``on_scene`` figure yet);
- each figure is a count ``n``, a median and a 90th percentile, both by nearest rank
  (the value at rank ceil(p/100 * n) of the sorted values: always a time that happened);
- a call's priority is the one it has at the end (after any change);
- ``within_target``: first dispatch no later than the priority's target after it was
  received (or after the time it was scheduled for, if later), over calls dispatched;
  calls never dispatched are counted apart: ``cancelled``, ``duplicate``, ``transferred``,
  ``closed_without_unit`` and, still open, ``waiting``;
- workload: each officer's calls worked in the period and the time committed to them
  (dispatch -> cleared, the part inside the period);
- ``carried_over``: calls still open at the end (or now, if the period has not ended);
- ``conflicts``: events in the period that the rules refused when folded.

Caller details are never read here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from cso_console.domain.alerts import Alert, current_alerts
from cso_console.domain.events import Event, EventType
from cso_console.domain.fold import State, apply
from cso_console.domain.model import Call, CallStatus, OfficerStatus
from cso_console.domain.town import Town

INTERVALS = ("call_processing", "travel", "response", "on_scene")
INTERVAL_MEANING = {
    "call_processing": "received -> first dispatch",
    "travel": "first en route -> first on scene",
    "response": "received -> first on scene",
    "on_scene": "first on scene -> last unit cleared",
}
OUTCOMES = ("cancelled", "duplicate", "transferred", "closed_without_unit", "waiting")
NO_BEAT = "none"  # calls whose location gave no beat
ALL = "all"
_OUTCOME_OF = {
    CallStatus.CANCELLED: "cancelled",
    CallStatus.DUPLICATE: "duplicate",
    CallStatus.TRANSFERRED: "transferred",
    CallStatus.CLOSED: "closed_without_unit",
}
_NOTABLE = {
    EventType.CALL_REOPENED: "reopened",
    EventType.CALL_CANCELLED: "cancelled",
    EventType.CALL_TRANSFERRED: "transferred",
    EventType.DUPLICATE_LINKED: "duplicate",
    EventType.OFFICER_REASSIGNED: "reassigned",
    EventType.PRIORITY_CHANGED: "priority",
}


@dataclass(frozen=True)
class Period:
    """``[start, end)``, aware datetimes; ``shift`` names it when it is one shift."""

    start: datetime
    end: datetime
    shift: str | None = None


@dataclass(frozen=True)
class Figure:
    """Durations in whole seconds: how many, their median and 90th percentile."""

    n: int
    median: int | None
    p90: int | None


@dataclass(frozen=True)
class TargetLine:
    """One priority's calls received: how many were dispatched within its target, and
    what became of those never dispatched."""

    priority: str  # "1".."4" or "all"
    target_minutes: int | None
    received: int
    dispatched: int
    within_target: int
    outcomes: dict[str, int]

    @property
    def share(self) -> float | None:
        return self.within_target / self.dispatched if self.dispatched else None


@dataclass(frozen=True)
class OfficerLoad:
    officer_id: str
    calls: int
    committed_seconds: int


@dataclass(frozen=True)
class OpenCall:
    call_id: str
    type_code: str
    priority: int
    beat_id: str
    status: str
    received_at: datetime
    units: tuple[str, ...]
    location: str


@dataclass(frozen=True)
class OnDuty:
    officer_id: str
    status: str
    since: datetime | None
    beat_id: str
    call_id: str | None


@dataclass(frozen=True)
class Notable:
    at: datetime
    kind: str  # reopened, cancelled, transferred, duplicate, reassigned, priority, conflict
    call_id: str | None
    officer_id: str | None
    text: str


@dataclass(frozen=True)
class ShiftReport:
    town: str
    time_zone: str
    period: Period
    as_of: datetime  # the end, or now if the period has not ended
    received: int
    by_type: dict[str, int]
    by_priority: dict[str, int]
    by_beat: dict[str, int]
    by_hour: list[tuple[str, int]]  # local "HH:00", in the period's order
    intervals_by_priority: dict[str, dict[str, Figure]]  # group -> interval -> figure
    intervals_by_beat: dict[str, dict[str, Figure]]
    targets: list[TargetLine]  # priorities 1-4, then "all"
    workload: list[OfficerLoad]
    carried_over: list[OpenCall]
    conflicts: int
    reopened: int
    notable: list[Notable] = field(default_factory=list)
    on_duty: list[OnDuty] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def all_targets(self) -> TargetLine:
        return self.targets[-1]


def nearest_rank(values: list[int], p: int) -> int | None:
    """The p-th percentile by nearest rank: the ceil(p/100 * n)-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[rank - 1]


def figure(values: list[int]) -> Figure:
    return Figure(len(values), nearest_rank(values, 50), nearest_rank(values, 90))


def shift_at(town: Town, when: datetime) -> Period:
    """The agency's shift that ``when`` falls in (by local start times, in its zone)."""
    zone = town.zone
    day = when.astimezone(zone).date()
    starts: list[tuple[datetime, str]] = []
    for offset in (-1, 0, 1):
        d = day + timedelta(days=offset)
        for s in town.shifts:
            local = datetime.combine(d, time(s.start_minutes // 60, s.start_minutes % 60))
            starts.append((local.replace(tzinfo=zone).astimezone(UTC), s.name))
    starts.sort()
    for (begin, name), (end, _) in zip(starts, starts[1:], strict=False):
        if begin <= when < end:
            return Period(begin, end, name)
    raise ValueError("no shift holds that time")  # unreachable: starts span three days


def day_at(town: Town, day: date) -> datetime:
    """Local midnight of ``day`` in the agency's zone, as an aware datetime."""
    return datetime.combine(day, time()).replace(tzinfo=town.zone)


def _hour_labels(period: Period, town: Town) -> list[str]:
    zone = town.zone
    at = period.start.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    step = at.astimezone(UTC)
    labels: list[str] = []
    while step < period.end and len(labels) < 24:
        label = step.astimezone(zone).strftime("%H:00")
        if label not in labels:
            labels.append(label)
        step += timedelta(hours=1)
    return labels


def _secs(a: datetime, b: datetime) -> int:
    return int((b - a).total_seconds())


def _first(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _intervals(call: Call) -> dict[str, int]:
    out: dict[str, int] = {}
    dispatched = _first(a.dispatched_at for a in call.assignments)
    en_route = _first(a.en_route_at for a in call.assignments)
    on_scene = _first(a.on_scene_at for a in call.assignments)
    if dispatched is not None:
        out["call_processing"] = _secs(call.received_at, dispatched)
    if en_route is not None and on_scene is not None and on_scene >= en_route:
        out["travel"] = _secs(en_route, on_scene)
    if on_scene is not None:
        out["response"] = _secs(call.received_at, on_scene)
        if not call.active_assignments:
            cleared = max(a.cleared_at for a in call.assignments if a.cleared_at is not None)
            out["on_scene"] = _secs(on_scene, cleared)
    return out


def _figures(calls: list[Call], cache: dict[str, dict[str, int]]) -> dict[str, Figure]:
    return {
        name: figure([cache[c.call_id][name] for c in calls if name in cache[c.call_id]])
        for name in INTERVALS
    }


def _target_line(key: str, calls: list[Call], town: Town) -> TargetLine:
    dispatched = within = 0
    outcomes = dict.fromkeys(OUTCOMES, 0)
    for c in calls:
        first = _first(a.dispatched_at for a in c.assignments)
        if first is None:
            outcomes[_OUTCOME_OF.get(c.status, "waiting")] += 1
            continue
        dispatched += 1
        start = c.received_at
        if c.scheduled_for is not None and c.scheduled_for > start:
            start = c.scheduled_for
        if first - start <= timedelta(minutes=town.target_minutes(c.priority)):
            within += 1
    target = town.target_minutes(int(key)) if key != ALL else None
    return TargetLine(key, target, len(calls), dispatched, within, outcomes)


def _beat(call: Call) -> str:
    return call.beat_id or NO_BEAT


def _workload(state: State, period: Period, as_of: datetime) -> list[OfficerLoad]:
    calls: dict[str, set[str]] = {}
    committed: Counter[str] = Counter()
    for c in state.calls.values():
        for a in c.assignments:
            end = a.cleared_at if a.cleared_at is not None and a.cleared_at < as_of else as_of
            if a.dispatched_at >= as_of or (a.dispatched_at < period.start and end <= period.start):
                continue  # not on this call during the period
            calls.setdefault(a.officer_id, set()).add(c.call_id)
            committed[a.officer_id] += max(0, _secs(max(a.dispatched_at, period.start), end))
    for o in state.officers.values():
        if o.status is not OfficerStatus.OFF_DUTY:
            calls.setdefault(o.officer_id, set())
    return [
        OfficerLoad(oid, len(calls[oid]), committed[oid]) for oid in sorted(calls, key=_sign_key)
    ]


def _sign_key(officer_id: str) -> tuple[str, int, str]:
    letters = officer_id.rstrip("0123456789")
    digits = officer_id[len(letters) :]
    return (letters, int(digits) if digits else 0, officer_id)


def shift_report(events: Iterable[Event], town: Town, period: Period, now: datetime) -> ShiftReport:
    """The report for ``period`` from the journal's ``events`` (any order; events at or
    after the period's end are left out, so a past shift reads the same whenever asked)."""
    as_of = min(period.end, max(now, period.start))
    kept = sorted((e for e in events if e.occurred_at < period.end), key=lambda e: e.order_key)
    state = State()
    for e in kept:
        apply(state, e, strict=False)
    refused = {c.event_id: c for c in [*state.conflicts, *state.settled.values()]}

    received = sorted(
        (c for c in state.calls.values() if period.start <= c.received_at < period.end),
        key=lambda c: (c.received_at, c.call_id),
    )
    cache = {c.call_id: _intervals(c) for c in received}
    labels = _hour_labels(period, town)
    hours = Counter(c.received_at.astimezone(town.zone).strftime("%H:00") for c in received)
    beat_ids = [b.id for b in town.beats]
    by_beat = dict.fromkeys(beat_ids, 0)
    for c in received:
        by_beat[_beat(c)] = by_beat.get(_beat(c), 0) + 1

    by_prio: dict[str, list[Call]] = {str(p): [] for p in (1, 2, 3, 4)}
    by_beat_calls: dict[str, list[Call]] = {}
    for c in received:
        by_prio.setdefault(str(c.priority), []).append(c)
        by_beat_calls.setdefault(_beat(c), []).append(c)
    beat_order = {b: i for i, b in enumerate([*beat_ids, NO_BEAT])}

    notable: list[Notable] = []
    reopened = 0
    for e in kept:
        if not period.start <= e.occurred_at < period.end:
            continue
        if e.event_id in refused:
            notable.append(
                Notable(
                    e.occurred_at, "conflict", e.call_id, e.officer_id, refused[e.event_id].reason
                )
            )
            continue
        kind = _NOTABLE.get(e.type)
        if kind is None:
            continue
        reopened += kind == "reopened"
        notable.append(Notable(e.occurred_at, kind, e.call_id, e.officer_id, _notable_text(e)))

    open_calls = sorted(
        (c for c in state.calls.values() if c.status.is_open),
        key=lambda c: (c.priority, c.received_at, c.call_id),
    )
    return ShiftReport(
        town=town.name,
        time_zone=town.time_zone,
        period=period,
        as_of=as_of,
        received=len(received),
        by_type=dict(sorted(Counter(c.type_code for c in received).items())),
        by_priority={k: len(v) for k, v in by_prio.items()},
        by_beat=by_beat,
        by_hour=[(h, hours.get(h, 0)) for h in labels],
        intervals_by_priority={
            **{k: _figures(v, cache) for k, v in by_prio.items()},
            ALL: _figures(received, cache),
        },
        intervals_by_beat={
            k: _figures(by_beat_calls[k], cache)
            for k in sorted(by_beat_calls, key=lambda b: (beat_order.get(b, len(beat_order)), b))
        },
        targets=[
            *(_target_line(k, v, town) for k, v in sorted(by_prio.items())),
            _target_line(ALL, received, town),
        ],
        workload=_workload(state, period, as_of),
        carried_over=[
            OpenCall(
                c.call_id,
                c.type_code,
                c.priority,
                _beat(c),
                c.status.value,
                c.received_at,
                tuple(a.officer_id for a in c.active_assignments),
                c.location,
            )
            for c in open_calls
        ],
        conflicts=sum(1 for n in notable if n.kind == "conflict"),
        reopened=reopened,
        notable=notable,
        on_duty=[
            OnDuty(
                o.officer_id,
                o.status.value,
                o.status_since,
                o.beat_id or NO_BEAT,
                o.current_call_id,
            )
            for o in sorted(state.officers.values(), key=lambda o: _sign_key(o.officer_id))
            if o.status is not OfficerStatus.OFF_DUTY
        ],
        alerts=current_alerts(open_calls, state.officers.values(), town, as_of),
    )


def _notable_text(e: Event) -> str:
    """What happened, in words (never caller details: no call.received payload is read)."""
    d = e.data()
    reason = getattr(d, "reason", "")
    if e.type is EventType.CALL_TRANSFERRED:
        text = f"to {d.to}"
    elif e.type is EventType.DUPLICATE_LINKED:
        text = f"of {d.of_call_id}"
    elif e.type is EventType.OFFICER_REASSIGNED:
        text = f"{e.officer_id} from {d.from_call_id}"
    elif e.type is EventType.PRIORITY_CHANGED:
        text = f"to P{d.priority}"
    else:
        text = ""
    return f"{text}: {reason}" if text and reason else text or reason
