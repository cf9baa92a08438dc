"""The standing alerts kept up to date as time passes and rows change, without looking at
every open call each second.

:func:`~cso_console.domain.alerts.current_alerts` works every alert out from scratch: right,
and what the shift report uses, but at 2,000 open calls it is most of a board's tick. The
book gives the same answer incrementally:

- Each call and officer's alerts are worked out (by the same functions) only when its row
  changes or when one of its deadlines passes: the moment a waiting call reaches its
  target or twice it, an officer on scene reaches the welfare time, a timer its limit.
  Deadlines sit in one heap; a row's later change makes its old deadlines stale.
- The standing alerts are kept in buckets of one kind and one time limit, each a heap by
  start time: inside a bucket the earliest start is the most overdue, whatever the time.
  The top alert is the most overdue bucket head of the most urgent kind; only it is built
  into words each second (the list screen asks for all of them).
- The count of each kind is kept as alerts come and go.

The order is the brief's, as in ``current_alerts``: welfare, then late calls by priority,
then officer timers; inside a kind the most overdue first, then by key.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cso_console.domain.alerts import (
    Alert,
    AlertKind,
    _late,
    _timer,
    _welfare,
    acked_timer_keys,
)
from cso_console.domain.model import Call, CallStatus, Officer, OfficerStatus
from cso_console.domain.town import Town

_WAITING = (CallStatus.PENDING, CallStatus.SCHEDULED)
TIMER_GROUP = 10  # after every priority


@dataclass(slots=True)
class _Entry:
    """One standing alert: where it sorts, and how to say it."""

    group: int  # 0 welfare, the priority for a late call, 10 an officer timer
    limit: float  # seconds: what "overdue" is measured against in its bucket
    since: datetime  # when the time being measured began
    alert: Alert  # its words as of when it was worked out (rebuilt when shown)
    item: int = 0  # its id in the buckets

    def share(self, now: datetime) -> float:
        return (now - self.since).total_seconds() / self.limit

    @property
    def count_key(self) -> tuple[AlertKind, int | None]:
        return self.alert.kind, self.alert.priority


@dataclass(slots=True)
class _Row:
    version: int
    entries: list[_Entry] = field(default_factory=list)


class AlertBook:
    """The standing alerts of the open calls and on-duty officers it is told about."""

    def __init__(self, town: Town) -> None:
        self.town = town
        self.calls: dict[str, Call] = {}
        self.officers: dict[str, Officer] = {}
        self._rows: dict[tuple[str, str], _Row] = {}  # ("c"|"o", id)
        self._deadlines: list[tuple[datetime, int, str, str, int]] = []
        self._buckets: dict[tuple[int, float], list[tuple[datetime, str, int]]] = {}
        self._entries: dict[int, _Entry] = {}  # heap item id -> entry
        self._counts: dict[tuple[AlertKind, int | None], int] = {}
        self._next_id = 0
        self._version = 0
        self.now: datetime | None = None
        self.new = False  # an alert came that was not standing before: ring once

    # what changed ---------------------------------------------------------

    def load(self, calls: Iterable[Call], officers: Iterable[Officer], now: datetime) -> bool:
        """Start again from these rows (the board's first load, or a full reload). True
        when an alert stands that did not before."""
        before = {e.alert.key for e in self._entries.values()}
        self.__init__(self.town)  # type: ignore[misc]
        self.now = now
        self.update(calls, officers, now)
        self.new = any(e.alert.key not in before for e in self._entries.values())
        return self.new

    def update(
        self,
        calls: Iterable[Call] = (),
        officers: Iterable[Officer] = (),
        now: datetime | None = None,
        gone_calls: Iterable[str] = (),
        gone_officers: Iterable[str] = (),
    ) -> bool:
        """New versions of some rows (closed calls count as gone). True when an alert
        is new."""
        now = now or self.now
        assert now is not None, "load() first"
        self.now = now
        before = self.new
        self.new = False
        for call in calls:
            if call.status.is_open:
                self.calls[call.call_id] = call
            else:
                self.calls.pop(call.call_id, None)
            self._work_out("c", call.call_id, now)
        for call_id in gone_calls:
            self.calls.pop(call_id, None)
            self._work_out("c", call_id, now)
        for officer in officers:
            self.officers[officer.officer_id] = officer
            self._work_out("o", officer.officer_id, now)
        for officer_id in gone_officers:
            self.officers.pop(officer_id, None)
            self._work_out("o", officer_id, now)
        new, self.new = self.new, before or self.new
        return new

    def advance(self, now: datetime) -> bool:
        """Time moved on to ``now``: work out again only the rows whose deadline passed.
        True when an alert is new."""
        self.now = now
        self.new = False
        heap = self._deadlines
        while heap and heap[0][0] <= now:
            _, _, kind, key, version = heapq.heappop(heap)
            row = self._rows.get((kind, key))
            if row is not None and row.version == version:
                self._work_out(kind, key, now)
        return self.new

    # what stands ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def counts(self) -> list[tuple[str, int]]:
        """How many of each kind, most urgent kind first (``count_by_kind``'s answer)."""
        out = [(k, n) for k, n in self._counts.items() if n > 0]
        out.sort(key=lambda item: _group_of(item[0]))
        return [(_label(kind, priority), n) for (kind, priority), n in out]

    def top(self, now: datetime) -> Alert | None:
        """The most urgent standing alert, in words as of ``now``."""
        best: tuple[int, float, str] | None = None
        found: _Entry | None = None
        for (group, _limit), heap in self._buckets.items():
            while heap and heap[0][2] not in self._entries:
                heapq.heappop(heap)  # gone since
            if not heap:
                continue
            entry = self._entries[heap[0][2]]
            rank = (group, -entry.share(now), entry.alert.key)
            if best is None or rank < best:
                best, found = rank, entry
        return self._words(found, now) if found is not None else None

    def alerts(self, now: datetime) -> list[Alert]:
        """Every standing alert in order, in words as of ``now`` (the alerts list)."""
        ranked = sorted(self._entries.values(), key=lambda e: (e.group, -e.share(now), e.alert.key))
        return [self._words(e, now) for e in ranked]

    # inside ----------------------------------------------------------------

    def _words(self, entry: _Entry, now: datetime) -> Alert:
        """The entry's alert with its minutes as of ``now`` (same key, kind and level)."""
        a = entry.alert
        if a.kind is AlertKind.LATE and a.call_id in self.calls:
            late = _late(self.calls[a.call_id], self.town, now)
            if late is not None and late[1].key == a.key:
                return late[1]
        elif a.kind is AlertKind.WELFARE and a.call_id in self.calls:
            for _, w in _welfare(self.calls[a.call_id], self.town, now):
                if w.key == a.key:
                    return w
        elif a.kind is AlertKind.TIMER and a.officer_id in self.officers:
            timer = _timer(self.officers[a.officer_id], self.town, now)
            if timer is not None and timer[1].key == a.key:
                return timer[1]
        return a

    def _work_out(self, kind: str, key: str, now: datetime) -> None:
        """Replace one row's standing alerts by what holds at ``now``, and note when
        they next change."""
        row = self._rows.pop((kind, key), None)
        old_keys = set()
        if row is not None:
            for entry in row.entries:
                old_keys.add(entry.alert.key)
                self._drop(entry)
        entries, deadline = (
            self._call_alerts(key, now) if kind == "c" else self._officer_alerts(key, now)
        )
        if not entries and deadline is None:
            return
        self._version += 1
        row = _Row(self._version)
        self._rows[(kind, key)] = row
        for entry in entries:
            self._add(entry)
            row.entries.append(entry)
            if entry.alert.key not in old_keys:
                self.new = True
        if deadline is not None:
            heapq.heappush(self._deadlines, (deadline, self._version, kind, key, row.version))

    def _add(self, entry: _Entry) -> None:
        self._next_id += 1
        item = self._next_id
        self._entries[item] = entry
        entry.item = item
        heapq.heappush(
            self._buckets.setdefault((entry.group, entry.limit), []),
            (entry.since, entry.alert.key, item),
        )
        self._counts[entry.count_key] = self._counts.get(entry.count_key, 0) + 1

    def _drop(self, entry: _Entry) -> None:
        del self._entries[entry.item]
        self._counts[entry.count_key] -= 1

    def _call_alerts(self, call_id: str, now: datetime) -> tuple[list[_Entry], datetime | None]:
        call = self.calls.get(call_id)
        if call is None:
            return [], None
        town = self.town
        entries: list[_Entry] = []
        deadlines: list[datetime] = []
        if call.status in _WAITING:
            start = call.received_at
            if call.status is CallStatus.SCHEDULED:
                start = call.scheduled_for  # type: ignore[assignment]
            if start is not None:
                target = timedelta(minutes=town.target_minutes(call.priority))
                deadlines += [t for t in (start + target, start + 2 * target) if t > now]
                late = _late(call, town, now)
                if late is not None:
                    entries.append(_Entry(call.priority, target.total_seconds(), start, late[1]))
        limit = timedelta(minutes=town.welfare_minutes(call.type_code))
        for a in call.active_assignments:
            if a.on_scene_at is None:
                continue
            since = max(a.on_scene_at, a.welfare_acked_at or a.on_scene_at)
            if since + limit > now:
                deadlines.append(since + limit)
        for _, alert in _welfare(call, town, now):
            since = _welfare_since(call, alert.officer_id)
            entries.append(_Entry(0, limit.total_seconds(), since, alert))
        return entries, min(deadlines, default=None)

    def _officer_alerts(
        self, officer_id: str, now: datetime
    ) -> tuple[list[_Entry], datetime | None]:
        officer = self.officers.get(officer_id)
        if officer is None or officer.status_since is None:
            return [], None
        limits = self.town.officer_timers
        minutes = {
            OfficerStatus.DISPATCHED: limits.dispatched_minutes,
            OfficerStatus.BREAK: limits.break_minutes,
            OfficerStatus.OUT_OF_SERVICE: limits.out_of_service_minutes,
        }.get(officer.status)
        if minutes is None:
            return [], None
        limit = timedelta(minutes=minutes)
        since = officer.status_since
        upcoming = [t for t in (since + limit, since + 2 * limit) if t > now]
        timer = _timer(officer, self.town, now)
        entries = []
        # an acknowledgement is on the officer's row (the journal's): a row change
        if timer is not None and timer[1].key not in acked_timer_keys([officer]):
            entries.append(_Entry(TIMER_GROUP, limit.total_seconds(), since, timer[1]))
        return entries, min(upcoming, default=None)


def _welfare_since(call: Call, officer_id: str | None) -> datetime:
    for a in call.active_assignments:
        if a.officer_id == officer_id and a.on_scene_at is not None:
            return max(a.on_scene_at, a.welfare_acked_at or a.on_scene_at)
    raise AssertionError("a welfare alert without its officer on scene")


def _group_of(kind: tuple[AlertKind, int | None]) -> int:
    k, priority = kind
    if k is AlertKind.WELFARE:
        return 0
    if k is AlertKind.LATE:
        return priority or 0
    return TIMER_GROUP


def _label(kind: AlertKind, priority: int | None) -> str:
    return f"LATE P{priority}" if kind is AlertKind.LATE else kind.value.upper()
