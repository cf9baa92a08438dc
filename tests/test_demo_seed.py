"""The demo's story is written in one transaction and its two operators enrolled with PIN
hashes made once, in the source: seeding hashes no PIN (each scrypt hash is ~50 ms of
`--demo`'s start), and both demo PINs sign in."""

from __future__ import annotations

from pathlib import Path

import pytest

from cso_console import pins
from cso_console.demo import DEMO_DESK, DEMO_DESK_PIN, DEMO_LEAD, DEMO_PIN, seed_demo
from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.town import Town
from cso_console.session import NOBODY, sign_in

from .conftest import START


def test_seeding_hashes_no_pin_and_both_demo_pins_sign_in(
    tmp_path: Path, town: Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_hash(pin: str) -> str:
        raise AssertionError("a PIN was hashed while seeding")

    monkeypatch.setattr(pins, "hash_pin", no_hash)
    db = tmp_path / "demo.db"
    seed_demo(db, town, now=START)
    for operator_id, pin in ((DEMO_LEAD, DEMO_PIN), (DEMO_DESK, DEMO_DESK_PIN)):
        desk = Desk.open(db, town, clock=FixedClock(START), operator_id=NOBODY)
        try:
            out, session = sign_in(desk, operator_id, pin, demo=True)
            assert out.ok, out.reason
            assert session is not None and session.operator_id == operator_id
            assert not sign_in(desk, operator_id, "0000")[0].ok
        finally:
            desk.close()
