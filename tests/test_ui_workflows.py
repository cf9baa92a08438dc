"""Pilot tests of the desk workflows at 80x24, on the demo shift with a fixed clock."""

from __future__ import annotations

import asyncio

from cso_console.domain.model import CallStatus, OfficerStatus
from cso_console.screens.board import BoardScreen
from cso_console.screens.intake import IntakeScreen
from cso_console.widgets.boards import CallQueue

from .ui_app import demo_app, settle


def run(coro):
    return asyncio.run(coro)


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def new_call(pilot, location: str, type_text: str) -> None:
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, IntakeScreen)
    await pilot.press(*location)
    await pilot.press("tab", *type_text, "f10")
    await settle(pilot)  # saved, or a question about it is on screen


def test_new_call_dispatch_en_route_on_scene_close(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await new_call(pilot, "500 Elm Street", "NOISE")
            assert isinstance(app.screen, BoardScreen)
            call = app.screen.query_one(CallQueue).selected
            assert call.location == "500 Elm Street" and call.beat_id == "B1"
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("enter")  # the top recommendation: an available B1 officer
            await settle(pilot)
            call = app.desk.call(call.call_id)
            officer = call.primary.officer_id
            assert call.status is CallStatus.DISPATCHED
            assert app.desk.officer(officer).beat_id == "B1"
            await pilot.press("e")
            await pilot.press("o")
            await settle(pilot)
            assert app.desk.call(call.call_id).status is CallStatus.ON_SCENE
            await pilot.press("c", "r", "e", "s", "enter")
            await settle(pilot)
            done = app.desk.call(call.call_id)
            assert done.status is CallStatus.CLOSED and done.disposition == "RES"
            assert app.desk.officer(officer).status is OfficerStatus.AVAILABLE
            assert call.call_id not in app.screen.query_one(CallQueue).calls
            types = [e.type.value for e in app.desk.call_events(call.call_id)]
            assert types == [
                "call.received",
                "unit.dispatched",
                "unit.en_route",
                "unit.on_scene",
                "unit.cleared",
                "call.closed",
            ]
            assert {e.operator_id for e in app.desk.call_events(call.call_id)} == {"lead"}

    run(go())


def test_duplicate_is_offered_and_linked(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            # call 12 (nuisance) is open at the town hall
            await new_call(pilot, "city hall", "NUIS")
            assert "duplicate" in str(app.screen.query_one("#title").render())
            await pilot.press("down", "enter")  # the open call, not "save as new"
            await settle(pilot)
            calls = sorted(app.desk.store.calls(), key=lambda c: c.call_id)
            newest = calls[-1]
            assert newest.status is CallStatus.DUPLICATE
            assert newest.duplicate_of is not None

    run(go())


def test_emergency_type_is_transferred_not_dispatched(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await new_call(pilot, "300 Washington Boulevard", "FIRE")
            assert "emergency" in str(app.screen.query_one("Static").render()).lower()
            await pilot.press("y")
            await settle(pilot)
            newest = sorted(app.desk.store.calls(), key=lambda c: c.call_id)[-1]
            assert newest.status is CallStatus.TRANSFERRED
            assert newest.transferred_to == "emergency dispatch"

    run(go())


def test_refused_action_says_why_and_changes_nothing(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            before = app.desk.store.count_events()
            await pilot.press("tab")  # the officer board
            officers = app.screen.query_one("#officers")
            officers.select_key("C19")  # on break
            await pilot.press("b")
            await settle(pilot)
            assert "REFUSED" in message(app) and "already on break" in message(app)
            assert app.desk.store.count_events() == before

    run(go())


def test_escape_on_a_typed_intake_asks_first(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", "x", "escape")
            await pilot.pause()
            assert "Discard" in str(app.screen.query_one("Static").render())
            await pilot.press("n")  # no: back to the form, nothing lost
            await pilot.pause()
            assert isinstance(app.screen, IntakeScreen)
            assert app.screen.query_one("#location").value == "x"

    run(go())
