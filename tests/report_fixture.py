"""A day shift written as journal events by hand, with the figures worked out by hand.

The demo town: America/New_York, day shift 07:00-15:00 local = 12:00-20:00 UTC on
2026-11-21; targets P1 5, P2 15, P3 45, P4 120 minutes.

call  prio beat  received  what happens (UTC)
A     3    B1    12:00     C10 dispatched 12:02, en route 12:03, on scene 12:10, cleared 12:40
B     1    B2    12:30     C11 dispatched 12:36 (late), en route 12:37, on scene 12:45, cl. 13:15
C     3    B1    13:00     C10 again (two calls in turn): 13:05, 13:06, on scene 13:20; open
D     4    B3    13:30     never dispatched; cancelled 13:40
E     3    none  14:00     never dispatched; still waiting at the end
F     2    B1    14:10     closed without a unit 14:20, reopened 14:30, C12 dispatched 14:35,
                           en route 14:36, on scene 14:50, cleared 15:00
G     3    B2    11:30     before the shift; C12 dispatched 11:40, cleared 12:20
H     3    B1    15:10     linked as a duplicate of F at 15:12
I     1    B2    15:20     transferred to emergency dispatch 15:21
L     4    B3    16:00     closed without a unit 16:05
J     3    B1    20:30     after the shift: not in it
at 16:00 an "on scene" for C11 on call A (not on it): refused, a conflict
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cso_console.domain.events import Event, EventType
from cso_console.domain.report import Period

CALLER_NAME = "Zebediah Quornfield"
CALLER_PHONE = "555-0199-7731"
DAY = Period(
    datetime(2026, 11, 21, 12, 0, tzinfo=UTC), datetime(2026, 11, 21, 20, 0, tzinfo=UTC), "day"
)
AFTER = datetime(2026, 11, 21, 21, 0, tzinfo=UTC)


def at(hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return datetime(2026, 11, 21, int(h), int(m), tzinfo=UTC)


class Journal:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(
        self,
        when: str,
        type: EventType,
        call: str | None = None,
        officer: str | None = None,
        **payload: Any,
    ) -> None:
        n = len(self.events) + 1
        occurred = at(when)
        self.events.append(
            Event(
                event_id=f"e{n}",
                desk_id="D1",
                desk_seq=n,
                hlc=(int(occurred.timestamp() * 1000) << 16) + n,
                occurred_at=occurred,
                operator_id="op",
                type=type,
                call_id=call,
                officer_id=officer,
                payload=payload,
            )
        )

    def officer(self, sign: str, when: str) -> None:
        self.add("00:00", EventType.OFFICER_ENROLLED, officer=sign, name=f"Officer {sign}")
        self.add(when, EventType.OFFICER_SIGNED_ON, officer=sign)

    def call(
        self, cid: str, when: str, prio: int, beat: str | None, type_code: str = "NOISE"
    ) -> None:
        self.add(
            when,
            EventType.CALL_RECEIVED,
            call=cid,
            type_code=type_code,
            priority=prio,
            location=f"{cid} place",
            location_verified=beat is not None,
            beat_id=beat,
            caller_name=CALLER_NAME,
            caller_phone=CALLER_PHONE,
            narrative="caller says hello",
            received_at=at(when).isoformat(),
        )

    def run(self, cid: str, sign: str, d: str, e: str | None, s: str | None, c: str | None) -> None:
        self.add(d, EventType.UNIT_DISPATCHED, call=cid, officer=sign, role="primary")
        if e:
            self.add(e, EventType.UNIT_EN_ROUTE, call=cid, officer=sign)
        if s:
            self.add(s, EventType.UNIT_ON_SCENE, call=cid, officer=sign)
        if c:
            self.add(c, EventType.UNIT_CLEARED, call=cid, officer=sign, disposition="ADV")
            self.add(c, EventType.CALL_CLOSED, call=cid, disposition="ADV")


def day_shift() -> list[Event]:
    j = Journal()
    j.officer("C10", "11:50")
    j.officer("C11", "11:50")
    j.officer("C12", "11:00")
    j.call("G", "11:30", 3, "B2")
    j.run("G", "C12", "11:40", None, None, "12:20")
    j.call("A", "12:00", 3, "B1")
    j.run("A", "C10", "12:02", "12:03", "12:10", "12:40")
    j.call("B", "12:30", 1, "B2", "MVC")
    j.run("B", "C11", "12:36", "12:37", "12:45", "13:15")
    j.call("C", "13:00", 3, "B1")
    j.run("C", "C10", "13:05", "13:06", "13:20", None)
    j.call("D", "13:30", 4, "B3", "ABVEH")
    j.add("13:40", EventType.CALL_CANCELLED, call="D", reason="caller withdrew")
    j.call("E", "14:00", 3, None)
    j.call("F", "14:10", 2, "B1", "WELF")
    j.add("14:20", EventType.CALL_CLOSED, call="F", disposition="ADV")
    j.add("14:30", EventType.CALL_REOPENED, call="F", reason="rang again")
    j.run("F", "C12", "14:35", "14:36", "14:50", "15:00")
    j.call("H", "15:10", 3, "B1")
    j.add("15:12", EventType.DUPLICATE_LINKED, call="H", of_call_id="F")
    j.call("I", "15:20", 1, "B2", "MVC")
    j.add("15:21", EventType.CALL_TRANSFERRED, call="I", to="emergency dispatch", reason="fire")
    j.call("L", "16:00", 4, "B3", "ABVEH")
    j.add("16:00", EventType.UNIT_ON_SCENE, call="A", officer="C11")  # refused: a conflict
    j.add("16:05", EventType.CALL_CLOSED, call="L", disposition="ADV")
    j.call("J", "20:30", 3, "B1")
    return j.events
