"""The call queue and the officer board: Line-API lists that tick every second."""

from __future__ import annotations

from datetime import datetime

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, CallStatus, Officer, OfficerStatus
from cso_console.domain.town import Town
from cso_console.widgets.format import elapsed, fit
from cso_console.widgets.rowlist import RowList

_STATUS_WORD = {
    CallStatus.PENDING: "PENDING",
    CallStatus.SCHEDULED: "SCHED",
    CallStatus.DISPATCHED: "DISP",
    CallStatus.EN_ROUTE: "ENRT",
    CallStatus.ON_SCENE: "ONSCN",
}
_OFFICER_WORD = {
    OfficerStatus.OFF_DUTY: "OFF",
    OfficerStatus.AVAILABLE: "AVAIL",
    OfficerStatus.DISPATCHED: "DISP",
    OfficerStatus.EN_ROUTE: "ENRT",
    OfficerStatus.ON_SCENE: "ONSCN",
    OfficerStatus.BUSY: "BUSY",
    OfficerStatus.BREAK: "BREAK",
    OfficerStatus.OUT_OF_SERVICE: "OOS",
}


def sla_level(call: Call, town: Town, now: datetime) -> str | None:
    """'late' past the priority target, 'due' from 75 % of it, else None. Pending only."""
    if call.status not in (CallStatus.PENDING, CallStatus.SCHEDULED):
        return None
    start = call.scheduled_for or call.received_at
    if now < start:
        return None
    share = (now - start).total_seconds() / (town.target_minutes(call.priority) * 60)
    return "late" if share >= 1 else "due" if share >= 0.75 else None


class CallQueue(RowList):
    """Pending and active calls, by priority then age."""

    # The header is laid out with the rows' own widths, so the two cannot drift apart.
    HEADER = (
        f"  {fit('#', 6, right=True)} P {fit('TYPE', 6)} {fit('LOCATION', 19)} "
        f"{fit('BEAT', 4)} {fit('STATUS', 7)} {fit('AGE', 6, right=True)} UNITS"
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.calls: dict[str, Call] = {}
        self.town: Town | None = None

    def set_calls(self, calls: list[Call], town: Town) -> None:
        self.town = town
        self.calls = {c.call_id: c for c in calls}
        self._resort()

    def upsert(self, calls: dict[str, Call], touched: set[str]) -> None:
        """Take the new versions of touched calls; closed ones leave the queue."""
        for call_id in touched:
            call = calls.get(call_id)
            if call is not None and call.status.is_open:
                self.calls[call_id] = call
            else:
                self.calls.pop(call_id, None)
        self._resort()

    def _resort(self) -> None:
        ordered = sorted(self.calls.values(), key=lambda c: (c.priority, c.received_at, c.call_id))
        self.set_keys([c.call_id for c in ordered])

    @property
    def selected(self) -> Call | None:
        key = self.selected_key
        return self.calls.get(key) if key else None

    def empty_text(self) -> str:
        return "  No open calls."

    def render_row(self, key: str) -> tuple[str, str | None]:
        c = self.calls[key]
        level = sla_level(c, self.town, self.now) if self.town else None
        flag = {"late": "!!", "due": "! "}.get(level or "", "  ")
        units = " ".join(a.officer_id for a in c.active_assignments)
        place = c.location if c.location_verified else "?" + c.location
        text = (
            f"{flag}{fit(short_number(c.call_id), 6, right=True)} {c.priority} "
            f"{fit(c.type_code, 6)} {fit(place, 19)} "
            f"{fit(c.beat_id or '--', 4)} {fit(_STATUS_WORD.get(c.status, c.status.value), 7)} "
            f"{fit(elapsed(c.received_at, self.now), 6, right=True)} {units}"
        )
        component = {"late": "rowlist--red", "due": "rowlist--amber"}.get(level or "")
        return text, component


class OfficerBoard(RowList):
    """Officers by call sign: status, beat, current call, time in status."""

    HEADER = (
        f"  {fit('UNIT', 5)} {fit('NAME', 20)} {fit('STATUS', 6)} {fit('BEAT', 4)} "
        f"{fit('CALL', 6)} {fit('TIME', 6, right=True)} SHIFT"
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
        officers = list(self.officers.values())
        on_duty = [o for o in officers if o.status is not OfficerStatus.OFF_DUTY]
        off = [o for o in officers if o.status is OfficerStatus.OFF_DUTY]
        key = lambda o: (len(o.officer_id), o.officer_id)  # noqa: E731  C9 before C10
        self.set_keys([o.officer_id for o in sorted(on_duty, key=key) + sorted(off, key=key)])

    @property
    def selected(self) -> Officer | None:
        key = self.selected_key
        return self.officers.get(key) if key else None

    def render_row(self, key: str) -> tuple[str, str | None]:
        o = self.officers[key]
        call = short_number(o.current_call_id) if o.current_call_id else ""
        since = elapsed(o.status_since, self.now) if o.status_since else ""
        text = (
            f"  {fit(o.officer_id, 5)} {fit(o.name, 20)} "
            f"{fit(_OFFICER_WORD[o.status], 6)} {fit(o.beat_id or o.home_beat or '--', 4)} "
            f"{fit(call, 6)} {fit(since, 6, right=True)} {o.calls_this_shift:>3}"
        )
        return text, None
