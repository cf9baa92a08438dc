"""The alerts list (`!`) and `x` at 80x24, on the demo shift with a fixed clock."""

from __future__ import annotations

import asyncio

from cso_console.domain.alerts import AlertKind
from cso_console.domain.events import EventType
from cso_console.screens.alerts import AlertList, AlertsScreen
from cso_console.screens.board import BoardScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.widgets.alerts import AlertsStrip
from cso_console.widgets.boards import OfficerBoard

from .ui_app import demo_app, settle, wait_until

RANK = {AlertKind.WELFARE: 0, AlertKind.LATE: 1, AlertKind.TIMER: 2}


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def select(pilot, predicate) -> str:
    """Move the alerts list's cursor to the first alert ``predicate`` accepts."""
    alerts = pilot.app.screen.query_one(AlertList)
    index = next(i for i, k in enumerate(alerts.keys) if predicate(alerts.alerts[k]))
    await pilot.press("home", *["down"] * index)
    await pilot.pause()
    return alerts.selected_key


def test_the_alerts_list_shows_them_all_opens_acknowledges_and_goes_back(tmp_path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            strip = app.screen.query_one(AlertsStrip)
            standing = [a.key for a in strip.alerts]
            assert {a.kind for a in strip.alerts} == set(AlertKind)  # the demo has each kind
            await pilot.press("exclamation_mark")
            await pilot.pause()
            assert isinstance(app.screen, AlertsScreen)
            alerts = app.screen.query_one(AlertList)
            assert alerts.keys == standing  # every one, in the board's order
            ranks = [RANK[alerts.alerts[k].kind] for k in alerts.keys]
            assert ranks == sorted(ranks)  # officer safety, then LATE, then timers

            # Enter opens the selected alert's call; Esc comes back to the list.
            first = alerts.alerts[alerts.keys[0]]
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, CallDetailScreen)
            assert app.screen.call_id == first.call_id
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, AlertsScreen)

            # x acknowledges the selected alert (not the top one): a late call.
            key = await select(pilot, lambda a: a.kind is AlertKind.LATE)
            late = alerts.alerts[key]
            await pilot.press("x")
            await settle(pilot)
            await wait_until(pilot, lambda: key not in alerts.keys, what="the late alert gone")
            assert "acknowledged" in message(app)
            events = [e.type for e in app.desk.call_events(late.call_id)]
            assert EventType.ALERT_ACKNOWLEDGED in events

            # An officer timer is acknowledged in the journal: every desk hears it.
            key = await select(pilot, lambda a: a.kind is AlertKind.TIMER)
            timer = alerts.alerts[key]
            await pilot.press("x")
            await settle(pilot)
            await wait_until(pilot, lambda: key not in alerts.keys, what="the timer gone")
            acks = [e for e in app.desk.store.events() if e.type is EventType.TIMER_ACKNOWLEDGED]
            assert [(e.officer_id, e.payload["level"]) for e in acks] == [
                (timer.officer_id, timer.level)
            ]
            assert app.desk.officer(timer.officer_id).timer_acked == timer.level

            # Enter on an officer with no call selects the officer on the board.
            key = await select(pilot, lambda a: a.kind is AlertKind.TIMER and not a.call_id)
            officer = alerts.alerts[key].officer_id
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            board = app.screen.query_one(OfficerBoard)
            assert board.has_focus and board.selected_key == officer

            await pilot.press("exclamation_mark")
            await pilot.pause()
            assert isinstance(app.screen, AlertsScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)

    asyncio.run(go())


def test_x_on_the_board_acknowledges_the_alert_shown(tmp_path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            strip = app.screen.query_one(AlertsStrip)
            top = strip.alerts[0]
            assert top.kind is AlertKind.WELFARE
            shown = str(strip.render())
            assert shown.startswith(f"WELFARE check {top.officer_id}")
            assert "(+" not in shown and "LATE P3" in shown and "TIMER" in shown
            await pilot.press("x")
            await settle(pilot)
            await wait_until(pilot, lambda: strip.alerts[0].key != top.key, what="next alert")
            events = app.desk.call_events(top.call_id)
            assert any(
                e.type is EventType.WELFARE_ACKNOWLEDGED and e.officer_id == top.officer_id
                for e in events
            )

    asyncio.run(go())


def test_the_alerts_list_opens_from_call_detail(tmp_path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, CallDetailScreen)
            await pilot.press("exclamation_mark")
            await pilot.pause()
            assert isinstance(app.screen, AlertsScreen)
            assert app.screen.query_one(AlertList).keys
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, CallDetailScreen)

    asyncio.run(go())
