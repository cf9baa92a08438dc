"""Operators, PINs and roles: journal events, a salted slow hash, refusals that change
nothing, a growing delay and a lockout per desk, the role from the operators projection."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cso_console import pins
from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock
from cso_console.domain.model import OperatorRole
from cso_console.domain.town import Town
from cso_console.export import event_records
from cso_console.store.database import SCHEMA_VERSION

PIN = "Kx7#pQ2zW-41"  # appears nowhere else
OTHER_PIN = "Vt9!mL3rB-88"

FIXTURE_2 = Path(__file__).parent / "data" / "schema2-demo.db"


def first_lead(make_desk: Callable[..., Desk]) -> Desk:
    desk = make_desk(operator_id="L1")
    out = desk.add_operator("L1", "Lee Lead", OperatorRole.LEAD, PIN)
    assert out.ok, out.reason
    return desk


def test_the_first_operator_is_a_lead_made_without_credentials(
    make_desk: Callable[..., Desk],
) -> None:
    desk = make_desk(operator_id="D9")
    before = desk.store.count_events()
    out = desk.add_operator("D9", "Dee Desk", OperatorRole.DESK, PIN)
    assert not out.ok and "first operator" in out.reason
    assert desk.store.count_events() == before
    out = desk.add_operator("L1", "Lee Lead", OperatorRole.LEAD, PIN)
    assert out.ok, out.reason
    ops = desk.operators()
    assert ops["L1"].role is OperatorRole.LEAD and ops["L1"].name == "Lee Lead"


def test_after_the_first_only_a_lead_adds_operators_and_refusals_write_nothing(
    make_desk: Callable[..., Desk],
) -> None:
    lead = first_lead(make_desk)
    assert lead.add_operator("D2", "Dee Desk", OperatorRole.DESK, OTHER_PIN).ok
    desk = make_desk(operator_id="D2")
    before = desk.store.count_events()
    for attempt in (
        lambda: desk.add_operator("D3", "Another", OperatorRole.LEAD, "Zz1!Zz1!Zz"),
        lambda: desk.disable_operator("L1"),
        lambda: desk.execute(c.Cancel(call="1", reason="x")),
    ):
        out = attempt()
        assert not out.ok and "lead" in out.reason, out.reason
    assert desk.store.count_events() == before
    stranger = make_desk(operator_id="nobody")  # not an operator: the default role is desk
    out = stranger.add_operator("D4", "X", OperatorRole.DESK, "Zz1!Zz1!Zz")
    assert not out.ok and "lead" in out.reason


def test_the_pin_is_never_in_the_file_or_its_wal_and_never_exported(
    make_desk: Callable[..., Desk], tmp_path: Path
) -> None:
    desk = first_lead(make_desk)
    assert desk.verify_pin("L1", PIN).ok
    assert desk.set_pin("L1", OTHER_PIN, old_pin=PIN).ok
    for f in tmp_path.glob("desk.db*"):
        data = f.read_bytes()
        assert PIN.encode() not in data and OTHER_PIN.encode() not in data, f
    text = "\n".join(json.dumps(r) for r in event_records(desk, None, include_caller=True))
    assert "scrypt" not in text and "pin_hash" not in text
    assert "operator.pin_set" in text  # the fact is there, the hash is not


def test_wrong_pins_grow_the_delay_then_lock_that_operator_on_that_desk(
    make_desk: Callable[..., Desk], clock: FixedClock
) -> None:
    desk = first_lead(make_desk)
    waits = []
    for i in range(5):
        out = desk.verify_pin("L1", "wrong-pin-1")
        assert not out.ok and "wrong" in out.reason.lower()
        waits.append(out.wait)
        if i < 4:
            assert not desk.verify_pin("L1", PIN).ok  # too soon: not heard
            clock.advance(seconds=out.wait)
    assert waits == sorted(waits) and waits[0] < waits[-1]
    types = [e.type.value for e in list(desk.store.events())]
    assert types.count("operator.pin_refused") == 5
    out = desk.verify_pin("L1", PIN)  # right PIN, but locked out
    assert not out.ok and "locked" in out.reason
    # Another desk of the centre knows the operator and the wrong PINs, and is not locked.
    other = make_desk("other.db", operator_id="L1", desk_code="D2", roster=False)
    report = other.ingest(list(desk.store.events()))
    assert report.new == len(types) and not report.refused
    assert other.verify_pin("L1", PIN).ok
    clock.advance(minutes=5, seconds=1)
    assert desk.verify_pin("L1", PIN).ok
    assert desk.verify_pin("L1", "wrong-pin-1").wait == waits[0]  # counting starts again


def test_sign_in_takes_the_role_from_the_operators_projection(
    make_desk: Callable[..., Desk], clock: FixedClock
) -> None:
    lead = first_lead(make_desk)
    assert lead.add_operator("D2", "Dee Desk", OperatorRole.DESK, OTHER_PIN).ok
    out = lead.sign_in("D2", OTHER_PIN)
    assert out.ok, out.reason
    assert lead.operator_id == "D2" and lead.operator_role is OperatorRole.DESK
    assert lead.operators()["D2"].signed_in
    assert not lead.execute(c.Cancel(call="1", reason="x")).ok
    assert not lead.sign_in("L1", "wrong-pin-1").ok
    assert lead.operator_id == "D2"  # a refused sign-in changes nobody
    clock.advance(seconds=1)
    out = lead.sign_in("L1", PIN)
    assert out.ok and lead.operator_role is OperatorRole.LEAD


def test_disable_and_the_last_lead(make_desk: Callable[..., Desk]) -> None:
    lead = first_lead(make_desk)
    out = lead.disable_operator("L1")
    assert not out.ok and "last" in out.reason
    assert lead.add_operator("D2", "Dee Desk", OperatorRole.DESK, OTHER_PIN).ok
    assert lead.disable_operator("D2").ok
    out = lead.verify_pin("D2", OTHER_PIN)
    assert not out.ok and "disabled" in out.reason


def test_changing_a_pin_needs_the_old_one_or_a_lead_and_the_owner_can_reset(
    make_desk: Callable[..., Desk], clock: FixedClock
) -> None:
    lead = first_lead(make_desk)
    assert lead.add_operator("D2", "Dee Desk", OperatorRole.DESK, OTHER_PIN).ok
    desk = make_desk(operator_id="D2")
    assert not desk.set_pin("D2", "New!pin-123", old_pin="wrong-pin-1").ok
    clock.advance(seconds=1)
    assert desk.set_pin("D2", "New!pin-123", old_pin=OTHER_PIN).ok
    assert not desk.set_pin("L1", "New!pin-123").ok  # a desk operator, another's PIN
    assert lead.set_pin("D2", "Lead!set-99").ok  # a lead sets anyone's
    assert desk.verify_pin("D2", "Lead!set-99").ok
    out = desk.reset_pin_as_owner("L1", "Owner!set-7")
    assert out.ok
    last = list(desk.store.events())[-1]
    assert last.type.value == "operator.pin_set" and last.payload["by"] == "file owner"
    assert desk.verify_pin("L1", "Owner!set-7").ok


@pytest.mark.parametrize("bad", ["", "123", " 1234 ", "12\x0034", "x" * 200])
def test_pin_rules(bad: str) -> None:
    with pytest.raises(ValueError):
        pins.check_rules(bad)


def test_pin_hash_parameters_stay_within_16_mib() -> None:
    h = pins.hash_pin(PIN)
    assert pins.verify(PIN, h) and not pins.verify(OTHER_PIN, h)
    assert h != pins.hash_pin(PIN)  # salted
    assert PIN not in h
    assert pins.memory_bytes(h) <= 16 * 1024 * 1024


def test_a_schema_2_file_is_upgraded(tmp_path: Path, town: Town) -> None:
    path = tmp_path / "v2.db"
    shutil.copy(FIXTURE_2, path)
    desk = Desk.open(path, town, operator_id="L1")
    try:
        assert desk.check().ok
        assert desk.add_operator("L1", "Lee Lead", OperatorRole.LEAD, PIN).ok
        assert desk.verify_pin("L1", PIN).ok
    finally:
        desk.close()
    conn = sqlite3.connect(path)
    assert (
        conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
    )  # 2 -> 3 -> 4 (premise search) -> 5 -> 6
    conn.close()
