"""The call queue and the officer board: Line-API lists that tick every second."""

from __future__ import annotations

import heapq
from bisect import bisect_left
from datetime import datetime, timedelta

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, CallStatus, Officer, OfficerStatus
from cso_console.domain.town import Town
from cso_console.widgets.format import elapsed, fit, status_word
from cso_console.widgets.rowlist import RowList

STATUS_CELLS = 10  # DISPATCHED, SCHEDULED: every open call's status word whole
OFFICER_STATUS_CELLS = 14  # OUT OF SERVICE
LOCATION_MIN = 19
UNITS_ROOM = 15  # four call signs: C16 C17 C20 C22
# every queue cell but the location and the units, with the spaces between them
_QUEUE_FIXED = 2 + 6 + 1 + 1 + 1 + 6 + 1 + 1 + 4 + 1 + STATUS_CELLS + 1 + 6 + 1


def sla_level(call: Call, town: Town, now: datetime) -> str | None:
    """'late' past the priority target, 'due' from 75 % of it, else None. Pending only."""
    if call.status not in (CallStatus.PENDING, CallStatus.SCHEDULED):
        return None
    start = call.scheduled_for or call.received_at
    if now < start:
        return None
    share = (now - start).total_seconds() / (town.target_minutes(call.priority) * 60)
    return "late" if share >= 1 else "due" if share >= 0.75 else None


def pinned_call(call: Call, town: Town, now: datetime) -> bool:
    """P1 calls and calls past their target stay in view above the rest of the queue."""
    return call.priority == 1 or sla_level(call, town, now) == "late"


def late_at(call: Call, town: Town) -> datetime | None:
    """When a waiting call goes past its target (``sla_level`` says "late" from then)."""
    if call.status not in (CallStatus.PENDING, CallStatus.SCHEDULED):
        return None
    start = call.scheduled_for or call.received_at
    return start + timedelta(minutes=town.target_minutes(call.priority))


_Place = tuple[bool, int, datetime, str]  # (not pinned, priority, received, call id)


class CallQueue(RowList):
    """Open calls: P1 and LATE ones pinned on top, then the rest, by priority then age.
    The location column takes whatever width the terminal has beyond the others."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.calls: dict[str, Call] = {}
        self.town: Town | None = None
        # The queue's order, kept sorted as rows change (a change re-places its rows by
        # bisection, never a sort of every call); ``keys`` follows it index for index.
        self._order: list[_Place] = []
        self._place: dict[str, _Place] = {}
        # (when it goes late, call id) of waiting calls not pinned yet: the tick pops the
        # ones due instead of looking at every call each second
        self._late: list[tuple[datetime, str]] = []

    def location_cells(self) -> int:
        width = self._view()[0]
        return max(LOCATION_MIN, width - _QUEUE_FIXED - UNITS_ROOM)

    def header(self) -> str:
        # Laid out with the rows' own widths, so the two cannot drift apart.
        return (
            f"  {fit('#', 6, right=True)} P {fit('TYPE', 6)} "
            f"{fit('LOCATION', self.location_cells())} {fit('BEAT', 4)} "
            f"{fit('STATUS', STATUS_CELLS)} {fit('AGE', 6, right=True)} UNITS"
        )

    def set_calls(self, calls: list[Call], town: Town, now: datetime | None = None) -> None:
        """Every open call afresh (``now``: the desk's time, before the first tick)."""
        self.town = town
        if now is not None:
            self.now = now
        self.calls = {c.call_id: c for c in calls}
        self._late = []
        self._place = {c.call_id: self._placed(c) for c in calls}
        self._order = sorted(self._place.values())
        self._show([p[3] for p in self._order])

    def upsert(self, calls: dict[str, Call], touched: set[str]) -> None:
        """Take the new versions of touched calls; closed ones leave the queue. Only their
        rows move (in place: a copy of every key was most of a tick at 20,000 calls)."""
        before = (self.selected_key, self.pinned, len(self.keys))
        keys = self.keys
        for call_id in touched:
            old = self._place.pop(call_id, None)
            if old is not None:
                i = bisect_left(self._order, old)
                del self._order[i]
                del keys[i]
            call = calls.get(call_id)
            if call is not None and call.status.is_open and self.town is not None:
                self.calls[call_id] = call
                place = self._placed(call)
                self._place[call_id] = place
                i = bisect_left(self._order, place)
                self._order.insert(i, place)
                keys.insert(i, call_id)
            else:
                self.calls.pop(call_id, None)
        self._show(keys, before)

    def _placed(self, call: Call) -> _Place:
        """Where a call sorts now; a waiting call not yet late is watched for its target."""
        town = self.town
        assert town is not None
        pinned = pinned_call(call, town, self.now)
        if not pinned:
            due = late_at(call, town)
            if due is not None:
                heapq.heappush(self._late, (due, call.call_id))
        return (not pinned, call.priority, call.received_at, call.call_id)

    def _show(self, keys: list[str], before: tuple[str | None, int, int] | None = None) -> None:
        pinned = bisect_left(self._order, (True,)) if self._order else 0
        self.set_keys(keys, pinned=pinned, before=before)

    def tick(self, now: datetime) -> None:
        """The time moves on; calls that went LATE join the pinned rows. The lines whose
        words changed are drawn again, once."""
        self.now = now
        due: set[str] = set()
        while self._late and self._late[0][0] <= now:  # a call went LATE: it joins the pinned
            _, call_id = heapq.heappop(self._late)
            place = self._place.get(call_id)
            call = self.calls.get(call_id)
            if place is not None and place[0] and call is not None:
                if self.town is not None and pinned_call(call, self.town, now):
                    due.add(call_id)
        if due:
            self.upsert(self.calls, due)  # its set_keys draws the changed lines
        else:
            self.refresh_changed()

    @property
    def selected(self) -> Call | None:
        key = self.selected_key
        return self.calls.get(key) if key else None

    def empty_text(self) -> str:
        return "  No open calls."

    def row_stamp(self, key: str) -> object | None:
        return self.calls.get(key)

    def render_row(self, key: str) -> tuple[str, str | None]:
        c = self.calls[key]
        level = sla_level(c, self.town, self.now) if self.town else None
        flag = {"late": "!!", "due": "! "}.get(level or "", "  ")
        units = " ".join(a.officer_id for a in c.active_assignments)
        place = c.location if c.location_verified else "?" + c.location
        text = (
            f"{flag}{fit(short_number(c.call_id), 6, right=True)} {c.priority} "
            f"{fit(c.type_code, 6)} {fit(place, self.location_cells())} "
            f"{fit(c.beat_id or '--', 4)} {fit(status_word(c.status), STATUS_CELLS)} "
            f"{fit(elapsed(c.received_at, self.now), 6, right=True)} {units}"
        )
        component = {"late": "rowlist--red", "due": "rowlist--amber"}.get(level or "")
        return text, component


def free(o: Officer) -> bool:
    return o.status is OfficerStatus.AVAILABLE and o.current_call_id is None


class OfficerBoard(RowList):
    """Officers free to send first, then the others on duty, then those off duty; by
    call sign in each. Status, beat, current call, time in status, calls this shift."""

    HEADER = (
        f"  {fit('UNIT', 5)} {fit('NAME', 20)} {fit('STATUS', OFFICER_STATUS_CELLS)} "
        f"{fit('BEAT', 4)} {fit('CALL', 6)} {fit('TIME', 6, right=True)} SHIFT"
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.officers: dict[str, Officer] = {}

    def set_officers(self, officers: list[Officer]) -> None:
        self.officers = {o.officer_id: o for o in officers}
        self._resort()

    def upsert(self, officers: dict[str, Officer]) -> None:
        self.officers.update(officers)
        self._resort()

    def forget(self, officer_ids: set[str]) -> None:
        """Officers the journal no longer has (a roster entry that became a conflict)."""
        for oid in officer_ids:
            self.officers.pop(oid, None)
        self._resort()

    def _resort(self) -> None:
        def key(o: Officer) -> tuple[int, int, str]:
            group = 0 if free(o) else 2 if o.status is OfficerStatus.OFF_DUTY else 1
            return group, len(o.officer_id), o.officer_id  # C9 before C10

        self.set_keys([o.officer_id for o in sorted(self.officers.values(), key=key)])

    def row_stamp(self, key: str) -> object | None:
        return self.officers.get(key)

    @property
    def selected(self) -> Officer | None:
        key = self.selected_key
        return self.officers.get(key) if key else None

    def render_row(self, key: str) -> tuple[str, str | None]:
        o = self.officers[key]
        call = short_number(o.current_call_id) if o.current_call_id else ""
        if o.queued_call_id and o.current_call_id:
            call += "+" + short_number(o.queued_call_id)  # stacked: theirs next
        since = elapsed(o.status_since, self.now) if o.status_since else ""
        text = (
            f"  {fit(o.officer_id, 5)} {fit(o.name, 20)} "
            f"{fit(status_word(o.status), OFFICER_STATUS_CELLS)} "
            f"{fit(o.beat_id or o.home_beat or '--', 4)} "
            f"{fit(call, 6)} {fit(since, 6, right=True)} {o.calls_this_shift:>3}"
        )
        return text, None
