"""domain/record.py: the domain's frozen, checked records (what pydantic did for them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cso_console.domain.events import CallCorrected, CallReceived
from cso_console.domain.record import Invalid, Record, after, field
from cso_console.domain.town import Shift


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


def _shout(v: str) -> str:
    if v == "NO":
        raise ValueError("not that one")
    return v.upper()


Sign = Annotated[str, after(_shout), field(min_length=1)]


class Part(Record):
    size: int = field(ge=1, le=9)


class Thing(Record):
    strip_text: ClassVar[bool] = True
    name: str = field(min_length=1, max_length=5)
    count: int = 0
    flag: bool = False
    at: datetime | None = None
    colour: Colour = Colour.RED
    kind: Literal["a", "b"] = "a"
    signs: tuple[Sign, ...] = field(default=(), max_length=3)
    parts: tuple[Part, ...] = ()
    hhmm: str = field(default="00:00", pattern=r"^[0-2][0-9]:[0-5][0-9]$")
    extra: dict[str, object] = field(default_factory=dict)


def problems(**values: object) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(Invalid) as caught:
        Thing(**values)
    assert caught.value.error_count() == len(caught.value.errors())
    return [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]


def test_what_forms_and_files_give_is_converted() -> None:
    t = Thing(
        name="  ab ",
        count=" 12 ",
        flag="yes",
        at="2026-11-21T20:00:00Z",
        colour="blue",
        kind="b",
        signs=["c12", " c3"],
        parts=[{"size": "2"}],
        hhmm="07:30",
    )
    assert (t.name, t.count, t.flag, t.colour, t.kind) == ("ab", 12, True, Colour.BLUE, "b")
    assert t.at == datetime(2026, 11, 21, 20, tzinfo=UTC)
    assert t.signs == ("C12", "C3") and t.parts == (Part(size=2),)
    assert Thing(name="x", count=3.0, flag=0).count == 3


def test_every_problem_is_named_with_its_place() -> None:
    got = problems(
        name="", count="1e3", flag="maybe", at="soon", colour="green", kind="c",
        signs=["ok", "", "NO"], parts=[{"size": 0}, {"big": 1}], hhmm="7:30", nope=1,
    )  # fmt: skip
    assert got == [
        (("name",), "String should have at least 1 character"),
        (("count",), "Input should be a valid integer, unable to parse string as an integer"),
        (("flag",), "Input should be a valid boolean, unable to interpret input"),
        (("at",), "Input should be a valid datetime"),
        (("colour",), "Input should be 'red' or 'blue'"),
        (("kind",), "Input should be 'a' or 'b'"),
        (("signs", 1), "String should have at least 1 character"),
        (("signs", 2), "Value error, not that one"),
        (("parts", 0, "size"), "Input should be greater than or equal to 1"),
        (("parts", 1, "size"), "Field required"),
        (("parts", 1, "big"), "Extra inputs are not permitted"),
        (("hhmm",), "String should match pattern '^[0-2][0-9]:[0-5][0-9]$'"),
        (("nope",), "Extra inputs are not permitted"),
    ]
    assert problems() == [(("name",), "Field required")]


@pytest.mark.parametrize(
    "value",
    ["²", "٣", "1" * 4301, float("nan"), float("inf"), 1.5, "", None, [1], "0x10"],
)
def test_only_plain_whole_numbers_are_numbers(value: object) -> None:
    assert [loc for loc, _ in problems(name="x", count=value)] == [("count",)]


@pytest.mark.parametrize(
    "values",
    [
        {"name": "abcdef"},
        {"name": 5},
        {"name": "x", "hhmm": "07:3"},
        {"name": "x", "signs": ("A", "B", "C", "D")},
        {"name": "x", "signs": "ABC"},
        {"name": "x", "at": "２０２６-01-01"},
        {"name": "x", "at": 1700000000},
        {"name": "x", "parts": ["size"]},
        {"name": "x", "extra": ["not", "a", "dict"]},
    ],
)
def test_refused(values: dict[str, object]) -> None:
    assert problems(**values)


def test_a_pattern_ends_where_the_text_ends() -> None:
    with pytest.raises(Invalid):
        Shift(name="day", start="07:30\n")  # not stripped: town files keep what they say


def test_a_record_is_a_frozen_value() -> None:
    a, b = Thing(name="x", extra={"k": 1}), Thing(name="x", extra={"k": 1})
    assert a == b and a != Thing(name="y") and a != "x"
    with pytest.raises(AttributeError):
        a.name = "y"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del a.name
    assert hash(Part(size=1)) == hash(Part(size=1))
    assert repr(Part(size=1)) == "Part(size=1)"
    given_extra = {"k": 1}
    c = Thing(name="x", extra=given_extra)
    given_extra["k"] = 2
    assert c.extra == {"k": 1}


def test_copies_readbacks_and_unchecked() -> None:
    t = Thing(name="x", count=2)
    assert t.fields_given == {"name", "count"}
    u = t.replaced(count="3")
    assert (u.count, t.count, u.name) == (3, 2, "x")
    with pytest.raises(Invalid):
        t.replaced(count=-1.5)
    raw = Thing.unchecked(name="anything goes")
    assert (raw.name, raw.count, raw.extra) == ("anything goes", 0, {})
    with pytest.raises(TypeError):
        Thing.unchecked(count=1)  # a required field is never left unset
    assert Thing.from_dict({"name": "x"}) == Thing(name="x")
    for bad in (["name"], {1: "x"}, "name=x"):
        with pytest.raises(Invalid):
            Thing.from_dict(bad)
    assert Thing.required_fields() == ("name",)
    assert Thing.field_names()[:3] == ("name", "count", "flag")


def test_json_is_what_the_journal_holds() -> None:
    t = Thing(
        name="x", at=datetime(2026, 1, 1, 1, 2, 3, 120000, tzinfo=UTC), colour="blue",
        signs=("A",), parts=[{"size": 3}],
    )  # fmt: skip
    j = t.to_json()
    assert j["at"] == "2026-01-01T01:02:03.120000Z"
    assert (j["colour"], j["signs"], j["parts"]) == ("blue", ["A"], [{"size": 3}])
    plus_one = timezone(timedelta(hours=1))
    assert Thing(name="x", at=datetime(2026, 1, 1, tzinfo=plus_one)).to_json()["at"] == (
        "2026-01-01T00:00:00+01:00"
    )
    assert Thing(name="x", at=datetime(2026, 1, 1)).to_json()["at"] == "2026-01-01T00:00:00"


def test_a_correction_writes_only_what_it_names() -> None:
    c = CallCorrected(narrative="new", caller_name=None)
    assert c.to_json() == {"narrative": "new", "caller_name": None}
    assert CallCorrected.from_dict(c.to_json()).fields_given == {"narrative", "caller_name"}


_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


@given(
    priority=st.integers(1, 4),
    location=_text,
    verified=st.booleans(),
    caller=st.none() | _text,
    at=st.datetimes(timezones=st.just(UTC)),
)
def test_a_payload_reads_back_as_written(
    priority: int, location: str, verified: bool, caller: str | None, at: datetime
) -> None:
    p = CallReceived(
        type_code="NOISE", priority=priority, location=location,
        location_verified=verified, caller_name=caller, received_at=at,
    )  # fmt: skip
    assert CallReceived.from_dict(p.to_json()) == p


def test_field_types_are_read_when_first_made_not_when_defined() -> None:
    class Later(Record):
        other: Missing  # noqa: F821 - defined below, as in a module

    assert Later.__dict__.get("_plan") is None
    globals()["Missing"] = Part
    try:
        assert Later(other={"size": 1}).other == Part(size=1)
    finally:
        del globals()["Missing"]


def test_an_unknown_field_is_refused_whatever_else_is_given() -> None:
    """A misspelt field is never dropped quietly, however many fields come with it."""
    from cso_console.domain.commands import ReceiveCall
    from cso_console.domain.events import AlertAcknowledged, UnitCleared

    with pytest.raises(Invalid) as caught:
        ReceiveCall(type_code="NOISE", location="1 Main", naratve="typo")
    assert [e["loc"] for e in caught.value.errors()] == [("naratve",)]
    for payload, data in ((AlertAcknowledged, {"lvl": 2}), (UnitCleared, {"notes": "gone"})):
        with pytest.raises(Invalid):
            payload.from_dict(data)


def test_what_pydantic_also_took_is_still_taken() -> None:
    t = Thing(name="x", count="2.0", signs={"c1"}, parts=frozenset({Part(size=1)}))
    assert (t.count, t.signs, t.parts) == (2, ("C1",), (Part(size=1),))
    assert problems(name="x", count="2.5") == [
        (("count",), "Input should be a valid integer, unable to parse string as an integer")
    ]


def test_stripping_takes_white_space_only() -> None:
    """Commands lose surrounding white space, not control characters (a unit separator
    at the end of a note is the note's, shown made safe)."""
    from cso_console.domain.commands import AddNote

    assert AddNote(call="1", text=" gate\x1f\u3000").text == "gate\x1f"


def test_a_record_without_fields_is_compiled_once_and_refusals_travel() -> None:
    import pickle

    from cso_console.domain.events import NoPayload

    NoPayload()
    assert NoPayload.__dict__["_plan"] == ()
    with pytest.raises(Invalid) as caught:
        Part(size=0)
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.errors() == caught.value.errors() and str(again) == str(caught.value)
