"""Open conflicts on the alerts list (`!`) at 80x24: a lead sees and settles them (`x`,
with a reason); the alert line counts them; a desk operator does not see them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from cso_console.domain.events import Event, EventType
from cso_console.domain.model import OperatorRole
from cso_console.screens.alerts import AlertList, AlertsScreen
from cso_console.screens.picker import TextPrompt
from cso_console.session import session_of
from cso_console.widgets.alerts import AlertsStrip

from .ui_app import demo_app, settle, wait_until

PIN_LEAD, PIN_DESK = "Lq5!lead-conflict", "Dq5!desk-conflict"


def refused_elsewhere() -> Event:
    """Desk D2 cancelled a call this desk never had: folded here, it is a conflict."""
    return Event(event_id="c0ffee00-0000-4000-8000-000000000001", desk_id="D2", desk_seq=1,
                 hlc=10**15, occurred_at=datetime(2026, 11, 21, 19, 59, tzinfo=UTC),
                 operator_id="lead2", type=EventType.CALL_CANCELLED, call_id="D2-26-000099",
                 payload={"reason": "gone"})  # fmt: skip


def test_a_lead_sees_a_conflict_counted_and_settles_it_with_a_reason(tmp_path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            strip = app.screen.query_one(AlertsStrip)
            assert app.desk.ingest([refused_elsewhere()]).conflicts == 1
            await wait_until(pilot, lambda: strip.conflicts == 1, what="the conflict counted")
            assert "1 CONFLICT" in str(strip.render())
            await pilot.press("exclamation_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, AlertsScreen))
            alerts = app.screen.query_one(AlertList)
            key = "conflict:c0ffee00-0000-4000-8000-000000000001"
            assert alerts.keys[-1] == key  # after the alerts
            row, _ = alerts.render_row(key)
            assert (
                "CONFLICT" in row
                and "c0ffee00" in row
                and "call 99 call.cancelled from desk D2" in row
            )
            assert "conflict to settle" in str(app.screen.query_one("#title").render())
            await pilot.press("end", "x")
            await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
            await pilot.press(*"no such call here", "enter")
            await settle(pilot)
            await wait_until(pilot, lambda: key not in alerts.keys, what="the conflict gone")
            assert "settled" in str(app.screen.query_one("#message").render())
            assert app.desk.open_conflicts() == [] and strip.conflicts == 0
            (e,) = [e for e in app.desk.store.events() if e.type is EventType.CONFLICT_SETTLED]
            assert e.payload["reason"] == "no such call here" and e.payload["choice"] == "keep"

    asyncio.run(go())


def test_a_desk_operator_is_not_shown_conflicts(tmp_path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        desk = app.desk
        assert desk.add_operator("lead1", "The Lead", OperatorRole.LEAD, PIN_LEAD).ok
        assert desk.sign_in("lead1", PIN_LEAD).ok
        assert desk.add_operator("desk1", "A Desk", OperatorRole.DESK, PIN_DESK).ok
        assert desk.sign_in("desk1", PIN_DESK).ok
        app.session = session_of(desk, "desk1")
        assert desk.ingest([refused_elsewhere()]).conflicts == 1
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("exclamation_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, AlertsScreen))
            await settle(pilot)
            alerts = app.screen.query_one(AlertList)
            assert not [k for k in alerts.keys if k.startswith("conflict:")]
            assert app.conflicts == [] and len(desk.open_conflicts()) == 1

    asyncio.run(go())
