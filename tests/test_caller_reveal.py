"""Caller details in call detail: hidden until `v`, each reveal recorded first, nothing
shown when the record cannot be written, nothing recorded when there is nothing to show."""

from __future__ import annotations

import asyncio
import sqlite3

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.screens.detail import CallDetailScreen
from cso_console.widgets.boards import CallQueue

from .ui_app import caught_up, demo_app, settle, wait_until


def run(coro):
    return asyncio.run(coro)


def fields(app) -> str:
    return str(app.screen.query_one("#fields").render())


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


def views(desk: Desk, call_id: str) -> int:
    return sum(e.type.value == "call.caller_viewed" for e in desk.call_events(call_id))


async def open_detail(pilot, call_id: str) -> None:
    pilot.app.screen.query_one(CallQueue).select_key(call_id)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CallDetailScreen))
    await wait_until(pilot, lambda: pilot.app.screen.settled, what="the call loaded")


def test_caller_hidden_until_v_then_shown_once_recorded(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            call_id = app.screen.query_one(CallQueue).selected.call_id
            await open_detail(pilot, call_id)
            assert "Demo Caller" not in fields(app)
            assert "v to show" in fields(app)
            assert views(app.desk, call_id) == 0  # opening the call records nothing
            await pilot.press("v")
            await settle(pilot)
            assert "Demo Caller" in fields(app)
            events = app.desk.call_events(call_id)
            assert events[-1].type.value == "call.caller_viewed"
            assert events[-1].operator_id == "lead"
            await pilot.press("v")  # shown already: no second record
            await settle(pilot)
            assert views(app.desk, call_id) == 1
            await pilot.press("escape")
            await open_detail(pilot, call_id)  # a new look is hidden again
            assert "Demo Caller" not in fields(app)

    run(go())


def test_no_caller_details_nothing_to_reveal_nothing_recorded(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            outcome = app.desk.execute(c.ReceiveCall(type_code="NOISE", location="410 Elm Street"))
            call_id = outcome.call_id
            await caught_up(pilot)
            await open_detail(pilot, call_id)
            assert "none given" in fields(app)
            await pilot.press("v")
            await settle(pilot)
            assert views(app.desk, call_id) == 0
            assert "no caller details" in message(app)

    run(go())


def test_the_desk_refuses_a_view_of_a_call_without_caller(tmp_path):
    app = demo_app(tmp_path)
    call_id = app.desk.execute(c.ReceiveCall(type_code="NOISE", location="410 Elm Street")).call_id
    outcome = app.desk.execute(c.ViewCaller(call=call_id))
    assert not outcome.ok and "no caller details" in (outcome.reason or "")
    assert views(app.desk, call_id) == 0


def test_caller_stays_hidden_when_the_view_cannot_be_recorded(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            call_id = app.screen.query_one(CallQueue).selected.call_id
            await open_detail(pilot, call_id)
            real = app.desk.execute

            def failing(cmd):
                if isinstance(cmd, c.ViewCaller):
                    raise sqlite3.OperationalError("disk I/O error")
                return real(cmd)

            app.desk.execute = failing  # type: ignore[method-assign]
            await pilot.press("v")
            await settle(pilot)
            assert "Demo Caller" not in fields(app)
            assert "disk I/O error" in message(app)
            assert "hidden" in fields(app)
            assert views(app.desk, call_id) == 0

    run(go())
