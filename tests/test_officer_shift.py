"""An on-duty officer's beat and shift skills changed by a lead, the reason of their
status, and officer-timer acknowledgements as journal events: on real SQLite files,
rebuilt == written, other desks and a restart see the same."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.alerts import acked_timer_keys, current_alerts
from cso_console.domain.clock import FixedClock
from cso_console.domain.model import OfficerStatus, OperatorRole
from cso_console.integrity import check_store

BREAK = OfficerStatus.BREAK


def test_a_lead_changes_beat_and_skills_without_signing_off(
    make_desk: Callable[..., Desk],
) -> None:
    desk = make_desk()
    assert desk.execute(c.SignOn(officer="C14", beat="B3", skills=("animal",))).ok
    out = desk.execute(c.ChangeShift(officer="C14", beat="b5", skills=("+events",)))
    assert out.ok, out.reason
    o = desk.officer("C14")
    assert (o.beat_id, o.shift_skills, o.status) == ("B5", ("events",), OfficerStatus.AVAILABLE)
    assert desk.execute(c.ChangeShift(officer="C14", beat="B1")).ok  # skills kept
    assert desk.officer("C14").shift_skills == ("events",)
    for cmd, words in [
        (c.ChangeShift(officer="C14", beat="B1"), "already works"),
        (c.ChangeShift(officer="C14", beat="B99"), "not a beat"),
        (c.ChangeShift(officer="C14", skills=("juggling",)), "not a skill"),
        (c.ChangeShift(officer="C16", beat="B1"), "not signed on"),
    ]:
        refused = desk.execute(cmd)
        assert not refused.ok and words in refused.reason, refused.reason
    assert check_store(desk.store).ok


def test_a_desk_operator_cannot_change_a_beat_and_nothing_is_written(
    make_desk: Callable[..., Desk],
) -> None:
    make_desk().execute(c.SignOn(officer="C14"))
    desk_op = make_desk(roster=False, operator_id="D9", operator_role=OperatorRole.DESK)
    before = desk_op.store.count_events()
    out = desk_op.execute(c.ChangeShift(officer="C14", beat="B5"))
    assert not out.ok and "lead" in out.reason
    assert desk_op.store.count_events() == before


def test_the_status_reason_is_kept_until_the_status_changes(
    make_desk: Callable[..., Desk],
) -> None:
    desk = make_desk()
    desk.execute(c.SignOn(officer="C10"))
    oos = OfficerStatus.OUT_OF_SERVICE
    assert desk.execute(c.SetOfficerStatus(officer="C10", status=oos, reason=" vehicle fault ")).ok
    assert desk.officer("C10").status_reason == "vehicle fault"
    assert check_store(desk.store).ok
    desk.execute(c.SetOfficerStatus(officer="C10", status=OfficerStatus.AVAILABLE, reason="fixed"))
    assert desk.officer("C10").status_reason == ""
    assert check_store(desk.store).ok


def test_a_timer_acknowledgement_is_an_event_every_desk_and_a_restart_sees(
    make_desk: Callable[..., Desk], clock: FixedClock, town
) -> None:
    desk = make_desk()
    desk.execute(c.SignOn(officer="C10"))
    desk.execute(c.SetOfficerStatus(officer="C10", status=BREAK))
    out = desk.execute(c.AcknowledgeTimer(officer="C10"))
    assert not out.ok and "no timer alert" in out.reason
    clock.advance(minutes=31)  # break limit 30
    out = desk.execute(c.AcknowledgeTimer(officer="C10"))
    assert out.ok, out.reason
    assert [(e.type.value, e.payload) for e in out.events] == [
        ("officer.timer_acknowledged", {"level": 1})
    ]
    again = desk.execute(c.AcknowledgeTimer(officer="C10"))
    assert not again.ok and "already acknowledged" in again.reason

    def alerts(d: Desk) -> list[str]:
        officers = d.officers()
        return [a.text for a in current_alerts([], officers, town, clock.now(),
                                               acked_timer_keys(officers))]  # fmt: skip

    assert alerts(desk) == []
    other = make_desk("other.db", desk_code="D2")
    other.ingest(list(desk.store.events()))
    assert alerts(other) == [] and other.officer("C10").timer_acked == 1
    desk.close()
    reopened = make_desk(roster=False)  # the same file: a restart
    assert alerts(reopened) == [] and check_store(reopened.store).ok
    clock.advance(minutes=30)  # twice the limit: it alerts again
    (twice,) = alerts(reopened)
    assert "2x limit 30" in twice
    assert reopened.execute(c.AcknowledgeTimer(officer="C10")).ok
    assert reopened.execute(c.SetOfficerStatus(officer="C10", status=OfficerStatus.AVAILABLE)).ok
    assert reopened.officer("C10").timer_acked == 0  # a new status starts again
    assert reopened.check(rebuild=True).ok


def test_a_schema_4_file_gets_its_officers_reasons(
    make_desk: Callable[..., Desk], tmp_path: Path, town
) -> None:
    desk = make_desk()
    desk.execute(c.SignOn(officer="C10"))
    desk.execute(c.SetOfficerStatus(officer="C10", status=BREAK, reason="lunch"))
    desk.close()
    conn = sqlite3.connect(tmp_path / "desk.db")
    for column in ("status_reason", "timer_acked"):
        conn.execute(f"ALTER TABLE officers DROP COLUMN {column}")
    conn.execute("DELETE FROM schema_version WHERE version >= 5")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    upgraded = make_desk(roster=False)
    assert upgraded.officer("C10").status_reason == "lunch"
    assert check_store(upgraded.store).ok
