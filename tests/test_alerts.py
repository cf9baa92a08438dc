"""Alerts: the brief's order, counted by kind, again at twice the target after an
acknowledgement, welfare in real minutes on scene, and the officer timers. Pure, on a
fixed clock; then the acknowledgement as the desk records it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.alerts import AlertKind, count_by_kind, current_alerts
from cso_console.domain.clock import FixedClock
from cso_console.domain.events import EventType
from cso_console.domain.model import (
    Assignment,
    Call,
    CallStatus,
    Officer,
    OfficerStatus,
    Role,
)
from cso_console.domain.town import OfficerTimers, Town
from cso_console.domain.town_files import TownError, load_town
from cso_console.paths import bundled_town_dir
from cso_console.widgets.alerts import alert_line

from .conftest import START

T = START


def mins(n: float) -> datetime:
    return T + timedelta(minutes=n)


def pending(n: int, priority: int, waited: float, now: datetime, type_code: str = "NOISE") -> Call:
    """Call ``n`` waiting ``waited`` minutes at ``now``."""
    at = now - timedelta(minutes=waited)
    return Call(f"D1-26-{n:06d}", type_code, priority, "410 Elm Street", True, "B2", at,
                status_at=at)  # fmt: skip


def on_scene(n: int, officer: str, minutes: float, now: datetime, type_code: str = "NOISE") -> Call:
    at = now - timedelta(minutes=minutes)
    call = Call(f"D1-26-{n:06d}", type_code, 3, "Main Street", True, "B7",
                at - timedelta(minutes=10), status=CallStatus.ON_SCENE, status_at=at)  # fmt: skip
    call.assignments.append(
        Assignment(
            call.call_id,
            officer,
            Role.PRIMARY,
            at - timedelta(minutes=8),
            en_route_at=at - timedelta(minutes=6),
            on_scene_at=at,
        )  # fmt: skip
    )
    return call


def officer(call_sign: str, status: OfficerStatus, minutes: float, now: datetime,
            call: str | None = None) -> Officer:  # fmt: skip
    return Officer(call_sign, "Name", (), "B1", status=status,
                   status_since=now - timedelta(minutes=minutes), current_call_id=call)  # fmt: skip


# order and counts -------------------------------------------------------------


def test_order_is_officer_safety_then_late_by_priority_then_officer_timers(town: Town) -> None:
    now = mins(600)
    calls = [
        pending(1, 3, 60, now),  # LATE P3 (target 45)
        pending(2, 1, 6, now),  # LATE P1, a little
        pending(3, 2, 16, now),  # LATE P2
        pending(4, 1, 9, now),  # LATE P1, more overdue: first among the P1s
        pending(5, 4, 10, now),  # on time
        on_scene(6, "C12", 25, now),  # WELFARE (20 min)
    ]
    officers = [officer("C19", OfficerStatus.BREAK, 45, now)]
    alerts = current_alerts(calls, officers, town, now)
    assert [(a.label, a.call_id or a.officer_id) for a in alerts] == [
        ("WELFARE", "D1-26-000006"),
        ("LATE P1", "D1-26-000004"),
        ("LATE P1", "D1-26-000002"),
        ("LATE P2", "D1-26-000003"),
        ("LATE P3", "D1-26-000001"),
        ("TIMER", "C19"),
    ]
    assert count_by_kind(alerts) == [
        ("WELFARE", 1), ("LATE P1", 2), ("LATE P2", 1), ("LATE P3", 1), ("TIMER", 1)
    ]  # fmt: skip


def test_the_alert_line_counts_the_rest_by_kind_so_a_late_p1_never_hides(town: Town) -> None:
    now = mins(600)
    calls = [on_scene(6, "C12", 25, now), pending(2, 1, 6, now), pending(3, 3, 50, now)]
    alerts = current_alerts(calls, [officer("C19", OfficerStatus.BREAK, 45, now)], town, now)
    line = alert_line(alerts, 78)
    assert line.startswith("WELFARE check C12")
    assert "+1 LATE P1, 1 LATE P3, 1 TIMER" in line
    assert "(+" not in line


@pytest.mark.parametrize("width", [40, 60, 78, 118])
def test_the_alert_line_fits_and_keeps_the_counts_whole(town: Town, width: int) -> None:
    now = mins(600)
    # A type code from a feed with a terminal escape, and wide characters.
    calls = [pending(n, 1 + n % 4, 500, now, type_code="\x1b[2J東京駅前" * 4) for n in range(1, 9)]
    calls.append(on_scene(20, "C12", 25, now))
    officers = [officer("C19", OfficerStatus.OUT_OF_SERVICE, 90, now)]
    line = alert_line(current_alerts(calls, officers, town, now), width)
    assert cell_len(line) <= width
    assert "\x1b" not in line
    assert line.startswith("WELFARE check C12")
    counts = "+2 LATE P1, 2 LATE P2, 2 LATE P3, 2 LATE P4, 1 TIMER"
    if width >= 78:  # the brief's 80 columns: every count, whole
        assert counts in line
    else:  # narrower: the most urgent counts first, the rest cut
        assert "+2 LATE P1" in line


def test_no_alerts_is_said_in_words(town: Town) -> None:
    assert alert_line(current_alerts([], [], town, T), 78) == "No alerts."


# a late call: acknowledged, then again at twice its target --------------------


def test_a_call_still_waiting_at_twice_its_target_alerts_again_after_an_ack(town: Town) -> None:
    call = pending(7, 2, 16, mins(16))  # P2: target 15, received at T
    (late,) = current_alerts([call], [], town, mins(16))
    assert (late.kind, late.level) == (AlertKind.LATE, 1)
    call.alert_acked_at = mins(16)
    assert current_alerts([call], [], town, mins(29)) == []
    (again,) = current_alerts([call], [], town, mins(30))
    assert again.level == 2 and again.key != late.key  # a new key: the bell rings again
    assert again.text == "LATE P2 call 7 NOISE waiting 30 min (2x target 15)"
    call.alert_acked_at = mins(31)  # acknowledged at twice the target: no more
    assert current_alerts([call], [], town, mins(300)) == []


def test_an_ack_from_an_earlier_wait_covers_nothing(town: Town) -> None:
    call = pending(7, 2, 40, mins(40))
    call.alert_acked_at = mins(35)  # at more than twice the target
    assert current_alerts([call], [], town, mins(40)) == []
    call.status_at = mins(38)  # dispatched, then back in the queue after that ack
    (late,) = current_alerts([call], [], town, mins(40))
    assert late.level == 2


def test_the_desk_records_the_level_acknowledged(tmp_path: Path, town: Town) -> None:
    clock = FixedClock(T)
    desk = Desk.open(tmp_path / "d.db", town, clock=clock, operator_id="op1")
    try:
        call_id = desk.execute(c.ReceiveCall(type_code="NOISE", location="410 Elm Street")).call_id
        assert call_id
        refused = desk.execute(c.AcknowledgeAlert(call=call_id))
        assert not refused.ok and "not late" in refused.reason
        clock.advance(seconds=46 * 60)  # P3: target 45
        first = desk.execute(c.AcknowledgeAlert(call=call_id))
        assert first.ok and first.events[0].payload == {"level": 1}
        twice = desk.execute(c.AcknowledgeAlert(call=call_id))
        assert not twice.ok and "already acknowledged" in twice.reason
        calls = desk.open_calls()
        assert current_alerts(calls, [], town, clock.now()) == []
        clock.advance(seconds=45 * 60)  # 91 min: past twice the target
        (again,) = current_alerts(desk.open_calls(), [], town, clock.now())
        assert again.level == 2
        second = desk.execute(c.AcknowledgeAlert(call=call_id))
        assert second.ok and second.events[0].payload == {"level": 2}
        assert current_alerts(desk.open_calls(), [], town, clock.now()) == []
        # A new priority is a new target: the acknowledgement no longer covers it.
        assert desk.execute(c.ChangePriority(call=call_id, priority=1)).ok
        (raised,) = current_alerts(desk.open_calls(), [], town, clock.now())
        assert raised.label == "LATE P1"
        kinds = [e.type for e in desk.store.events() if e.call_id == call_id]
        assert kinds.count(EventType.ALERT_ACKNOWLEDGED) == 2
    finally:
        desk.close()


# welfare ------------------------------------------------------------------------


def test_a_welfare_alert_states_the_real_time_on_scene(town: Town) -> None:
    call = on_scene(5, "C13", 25, mins(100), type_code="NOISE")  # welfare 20 min
    (w,) = current_alerts([call], [], town, mins(100))
    assert w.text == "WELFARE check C13: on scene 25 min at call 5"
    call.assignments[0].welfare_acked_at = mins(100)
    assert current_alerts([call], [], town, mins(119)) == []
    (again,) = current_alerts([call], [], town, mins(121))  # 20 min after the ack
    assert again.text == "WELFARE check C13: on scene 46 min at call 5"  # not "21 min"


# officer timers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "limit", "words"),
    [
        (OfficerStatus.DISPATCHED, 5, "C20 dispatched to call 10 {m} min ago, not en route"),
        (OfficerStatus.BREAK, 30, "C20 on break {m} min"),
        (OfficerStatus.OUT_OF_SERVICE, 60, "C20 out of service {m} min"),
    ],
    ids=["dispatched-not-en-route", "break", "out-of-service"],
)
def test_officer_timers(town: Town, status: OfficerStatus, limit: int, words: str) -> None:
    now = mins(500)
    call = "D1-26-000010" if status is OfficerStatus.DISPATCHED else None
    assert current_alerts([], [officer("C20", status, limit - 1, now, call)], town, now) == []
    (first,) = current_alerts([], [officer("C20", status, limit, now, call)], town, now)
    assert first.kind is AlertKind.TIMER and first.level == 1
    assert first.text == f"TIMER {words.format(m=limit)} (limit {limit})"
    assert first.call_id == call and first.officer_id == "C20"
    # Acknowledged on the console: quiet until twice the limit, then once more.
    acked = {first.key}
    o = officer("C20", status, limit, now, call)
    assert current_alerts([], [o], town, now, acked) == []
    later = now + timedelta(minutes=limit)
    (again,) = current_alerts([], [o], town, later, acked)
    assert again.level == 2 and again.text.endswith(f"(2x limit {limit})")
    assert current_alerts([], [o], town, later, acked | {again.key}) == []


def test_busy_en_route_available_and_off_duty_have_no_timer(town: Town) -> None:
    now = mins(900)
    officers = [
        officer(f"C{i}", s, 600, now)
        for i, s in enumerate(
            [OfficerStatus.BUSY, OfficerStatus.EN_ROUTE, OfficerStatus.AVAILABLE,
             OfficerStatus.OFF_DUTY, OfficerStatus.ON_SCENE]
        )
    ]  # fmt: skip
    assert current_alerts([], officers, town, now) == []


def test_officer_timer_limits_come_from_town_toml(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "town"
    shutil.copytree(bundled_town_dir(), folder)
    assert load_town(folder).officer_timers == OfficerTimers(
        dispatched_minutes=5, break_minutes=30, out_of_service_minutes=60
    )
    toml = folder / "town.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("break_minutes = 30", "break_minutes = 20"), encoding="utf-8")
    assert load_town(folder).officer_timers.break_minutes == 20
    toml.write_text(text.replace("break_minutes = 30", 'break_minutes = "x"'), encoding="utf-8")
    with pytest.raises(TownError) as err:
        load_town(folder)
    assert "officer_timers.break_minutes" in str(err.value)
    toml.write_text(text.replace("break_minutes = 30", "brake_minutes = 30"), encoding="utf-8")
    with pytest.raises(TownError) as err:
        load_town(folder)
    assert "officer_timers.brake_minutes" in str(err.value)
