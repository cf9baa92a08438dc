"""Places on the desk: the record keeps what was said; the duplicate check compares places,
not typed text, and lists same-type calls first."""

from __future__ import annotations

from cso_console.desk import Desk
from cso_console.domain import commands as c


def _receive(desk: Desk, type_code: str, location: str) -> str:
    out = desk.execute(c.ReceiveCall(type_code=type_code, location=location))
    assert out.ok and out.call_id
    return out.call_id


def test_an_address_is_the_landmark_there(desk: Desk) -> None:
    hall = _receive(desk, "NOISE", "town hall")  # recorded as Harbor Falls Town Hall
    bark = _receive(desk, "BARK", "200 Civic Center Drive")
    _receive(desk, "BARK", "350 Civic Center Drive")  # the library next door: not a duplicate
    dups = desk.likely_duplicates("200 civic center dr", type_code="BARK")
    assert [d.call_id for d in dups] == [bark, hall]  # same type first
    dups = desk.likely_duplicates("200 civic center dr", type_code="NOISE")
    assert [d.call_id for d in dups] == [hall, bark]


def test_an_intersection_in_any_order_and_a_unit_at_the_same_address(desk: Desk) -> None:
    corner = _receive(desk, "HAZ", "Main Street & Harbor Avenue")
    assert [d.call_id for d in desk.likely_duplicates("harbor ave & main st")] == [corner]
    flat = _receive(desk, "NOISE", "410 Elm Street Apt 3")
    assert [d.call_id for d in desk.likely_duplicates("410 elm st")] == [flat]
    assert desk.likely_duplicates("411 Elm Street") == []


def test_the_record_keeps_what_was_said(desk: Desk) -> None:
    """`410B Elm Street` was recorded as `410 Elm Street`; a place written only in another
    script is taken, unverified."""
    for said, recorded, beat in [
        ("410B Elm Street", "410B Elm Street", "B1"),
        ("410 Elm St #3", "410 Elm Street #3", "B1"),
        ("Elm Street 410 Apt 3", "410 Elm Street Apt 3", "B1"),
        ("Красная площадь", "Красная площадь", None),
    ]:
        call = desk.call(_receive(desk, "NOISE", said))
        assert call is not None
        assert (call.location, call.location_verified, call.beat_id) == (
            recorded,
            beat is not None,
            beat,
        )
