"""The board follows the journal: writes from other processes and desks show within about a
second, commands run off the UI loop in the order given, and a locked file never blocks a key."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from datetime import timedelta
from types import SimpleNamespace

from cso_console.app import announce_burst, announcement
from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.alerts import AlertKind
from cso_console.domain.callnumber import short_number
from cso_console.domain.clock import FixedClock
from cso_console.domain.model import CallStatus, OfficerStatus
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.screens.board import BoardScreen
from cso_console.widgets.alerts import AlertsStrip
from cso_console.widgets.boards import CallQueue, OfficerBoard

from .conftest import START
from .ui_app import caught_up, demo_app, settle, wait_until


def run(coro):
    return asyncio.run(coro)


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


def count_bells(app) -> list[int]:
    rung = [0]
    ring = app.bell

    def bell() -> None:
        rung[0] += 1
        ring()

    app.bell = bell
    return rung


def available_officer(app) -> str:
    board = app.screen.query_one(OfficerBoard)
    return next(
        o.officer_id for o in board.officers.values() if o.status is OfficerStatus.AVAILABLE
    )


def test_a_call_taken_by_another_process_shows_with_its_alert_and_is_announced(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        db = tmp_path / "ui.db"
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            queue = app.screen.query_one(CallQueue)
            before = set(queue.calls)
            bells = count_bells(app)
            line = json.dumps(
                {
                    "type": "NOISE",
                    "location": "410 Elm Street",
                    "received_at": (START - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "cso_console",
                "intake",
                "--db",
                str(db),
                "-",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await proc.communicate((line + "\n").encode())
            assert proc.returncode == 0, err.decode()
            taken = time.monotonic()

            await wait_until(pilot, lambda: set(queue.calls) - before, what="the new call")
            (call_id,) = set(queue.calls) - before
            call = queue.calls[call_id]
            assert call.location == "410 Elm Street" and call.status is CallStatus.PENDING
            assert time.monotonic() - taken < 3  # "within about a second", with slack for CI
            number = short_number(call_id)
            await wait_until(pilot, lambda: "new P3 call" in message(app), what="announcement")
            assert message(app) == f"new P3 call {number} from intake"
            strip = app.screen.query_one(AlertsStrip)
            assert call_id in {a.call_id for a in strip.alerts if a.kind is AlertKind.LATE}
            late = next(a for a in strip.alerts if a.call_id == call_id)
            assert late.text.startswith(f"LATE P3 call {number} NOISE waiting 120 min")
            assert bells[0] == 1  # one bell for the call and its alert together
            # The next tick does not ring again for the same alert.
            app._tick()
            await pilot.pause()
            assert bells[0] == 1

    run(go())


def test_another_desk_object_dispatching_shows_on_the_officer_board(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            board = app.screen.query_one(OfficerBoard)
            queue = app.screen.query_one(CallQueue)
            officer_id = available_officer(app)
            call_id = next(k for k, v in queue.calls.items() if v.status is CallStatus.PENDING)
            other = Desk.open(
                tmp_path / "ui.db",
                load_town(bundled_town_dir()),
                clock=FixedClock(START),
                operator_id="op9",
            )
            try:
                outcome = other.execute(c.Dispatch(call=call_id, officers=(officer_id,)))
                assert outcome.ok, outcome.reason
            finally:
                other.close()
            await wait_until(
                pilot,
                lambda: board.officers[officer_id].status is OfficerStatus.DISPATCHED,
                what="the officer dispatched",
            )
            text, _ = board.render_row(officer_id)
            assert "DISP" in text and short_number(call_id) in text
            assert queue.calls[call_id].status is CallStatus.DISPATCHED
            assert "new P" not in message(app)  # not a new call: nothing announced

    run(go())


def test_a_call_that_becomes_a_conflict_leaves_the_board(tmp_path):
    """Another desk held the same source id first: once its event arrives, the call taken
    here is a conflict for the lead, and the board stops showing it."""

    async def go():
        app = demo_app(tmp_path)
        town = load_town(bundled_town_dir())
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            queue = app.screen.query_one(CallQueue)
            here = Desk.open(tmp_path / "ui.db", town, clock=FixedClock(START))
            there = Desk.open(tmp_path / "d2.db", town, desk_code="D2",
                              clock=FixedClock(START - timedelta(hours=3)))  # fmt: skip
            try:
                there.take_roster()
                call = c.ReceiveCall(type_code="NOISE", location="410 Elm Street",
                                     source_id="phone-77")  # fmt: skip
                mine = here.execute(call)
                theirs = there.execute(call)
                await wait_until(pilot, lambda: mine.call_id in queue.calls, what="the call")
                assert here.ingest(theirs.events).conflicts == 1
            finally:
                here.close()
                there.close()
            await wait_until(pilot, lambda: mine.call_id not in queue.calls, what="dropped")
            assert theirs.call_id in queue.calls

    run(go())


def test_commands_given_quickly_all_land_in_order(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            call_id = app.screen.query_one(CallQueue).selected.call_id
            for i in range(5):
                await pilot.press("N", *f"note {i}", "enter")
            await pilot.press("tab")
            officer_id = available_officer(app)
            app.screen.query_one(OfficerBoard).select_key(officer_id)
            await pilot.press("b", "a", "b", "a", "b")
            await settle(pilot)

            notes = [
                e.payload["text"]
                for e in app.desk.call_events(call_id)
                if e.type.value == "call.note_added" and e.operator_id == "lead"
            ]
            assert notes == [f"note {i}" for i in range(5)]
            statuses = [
                e.payload["status"]
                for e in app.desk.store.events()
                if e.officer_id == officer_id
                and e.type.value == "officer.status_changed"
                and e.operator_id == "lead"
            ]
            assert statuses == ["BREAK", "AVAILABLE", "BREAK", "AVAILABLE", "BREAK"]
            assert "REFUSED" not in message(app)
            assert app.screen.query_one(OfficerBoard).officers[officer_id].status is (
                OfficerStatus.BREAK
            )

    run(go())


def test_a_locked_file_never_blocks_a_key(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        db = tmp_path / "ui.db"
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("tab")
            board = app.screen.query_one(OfficerBoard)
            officer_id = available_officer(app)
            board.select_key(officer_id)
            before = app.desk.store.count_events()

            holder = sqlite3.connect(db, isolation_level=None)
            try:
                holder.execute("BEGIN IMMEDIATE")
                pressed = time.monotonic()
                await pilot.press("b")
                assert time.monotonic() - pressed < 1  # the busy timeout is 5 s
                await wait_until(pilot, lambda: message(app) == "saving...", what="saving...")
                cursor = board.cursor
                await pilot.press("j")  # still responsive
                assert board.cursor == cursor + 1
                assert app.desk.store.count_events() == before
            finally:
                holder.rollback()
                holder.close()
            await settle(pilot)
            assert message(app) == f"{officer_id} on break."
            assert app.desk.store.count_events() == before + 1
            assert board.officers[officer_id].status is OfficerStatus.BREAK

    run(go())


def test_own_calls_are_not_announced(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", *"500 Elm Street", "tab", *"NOISE", "f10")
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await caught_up(pilot)
            assert app.screen.query_one(CallQueue).selected.location == "500 Elm Street"
            assert "new P" not in message(app)

    run(go())


def test_announcement_names_the_operator_or_the_other_desk():
    def event(desk_id: str) -> SimpleNamespace:
        return SimpleNamespace(
            call_id="D1-26-000057", desk_id=desk_id, operator_id="intake", payload={"priority": 2}
        )

    assert announcement(event("D1"), "D1") == "new P2 call 57 from intake"
    assert announcement(event("D2"), "D1") == "new P2 call 57 from desk D2"


def test_a_burst_of_calls_names_the_most_urgent_and_counts_by_priority():
    def event(n: int, priority: int) -> SimpleNamespace:
        return SimpleNamespace(
            call_id=f"D1-26-{n:06d}", desk_id="D1", operator_id="intake", hlc=n,
            payload={"priority": priority},
        )  # fmt: skip

    burst = [event(1, 4), event(2, 3), event(3, 2), event(4, 3)]
    assert announce_burst(burst, "D1") == "new P2 call 3 from intake (+3 more: 2 P3, 1 P4)"
    assert announce_burst(burst[:2], "D1") == (
        "new P3 call 2 from intake; new P4 call 1 from intake"
    )


def test_a_change_that_arrives_as_the_console_closes_is_let_go(tmp_path):
    """The follower's news and the tick reaching the app while it shuts down (its
    screens' widgets already gone) are let go, not an error at the very end."""
    from cso_console.app import DeskFollowed

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            calls = dict(app.screen.query_one(CallQueue).calls)
            changes = SimpleNamespace(
                calls=calls,
                officers={},
                dropped_calls=set(),
                dropped_officers=set(),
                received=[],
                conflicts=[],
            )
            board = app.screen
            for child in list(board.children):  # as shutting down does, screen by screen
                await child.remove()
            app._running = False  # noqa: SLF001 (the first thing App._shutdown does)
            app.post_message(DeskFollowed(changes, False, []))
            app.tick_screens()  # the 1 s tick, due then too
            await pilot.pause()
            app._running = True  # noqa: SLF001

    run(go())
