"""Every event type has a payload model, a fold handler and a timeline wording; a call's
fields are written once (the table, the row mapping and the export follow from them)."""

from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, datetime

import pytest

from cso_console.domain import fold
from cso_console.domain.events import CALLER_FIELDS, PAYLOADS, CallReceived, Event, EventType
from cso_console.domain.model import Call
from cso_console.export import CALL_COLUMNS
from cso_console.store import rows


@pytest.mark.parametrize("kind", list(EventType))
def test_every_event_type_is_complete(kind: EventType) -> None:
    assert kind in PAYLOADS, f"{kind}: no payload model"
    assert kind in fold._HANDLERS, f"{kind}: no fold handler"
    from cso_console.screens.detail import describe

    hints = typing.get_type_hints(PAYLOADS[kind])
    example = {
        name: "x" if hints[name] is str else None for name in PAYLOADS[kind].required_fields()
    }
    event = Event(event_id="e", desk_id="D1", desk_seq=1, hlc=1,
                  occurred_at=datetime(2026, 11, 21, tzinfo=UTC), operator_id="op",
                  type=kind, call_id="D1-26-000001", officer_id="C10",
                  payload=example)  # fmt: skip
    wording = describe(event)
    assert wording and wording != kind.value, f"{kind}: no timeline wording"


def test_a_calls_fields_are_written_once() -> None:
    call_fields = {f.name for f in dataclasses.fields(Call)} - {"assignments"}
    # the calls table, the row mapping and the export follow from Call
    assert call_fields <= set(rows.CALL_COLUMN_NAMES)
    assert call_fields - set(CALLER_FIELDS) <= set(CALL_COLUMNS)
    assert not set(CALLER_FIELDS) & set(CALL_COLUMNS)
    # the received event carries a subset of the call's fields, with the same types
    hints = typing.get_type_hints(Call)
    received = typing.get_type_hints(CallReceived)
    for name in CallReceived.field_names():
        assert name in call_fields, name
        assert received[name] == hints[name], name
