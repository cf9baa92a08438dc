"""Pilot tests at 80x24 of the call verbs on the demo shift: reassign (r), cancel (X),
reopen (O), hold until (H), transfer (T), priority (P), link/unlink (L), correct (E),
stacking a call on an officer who is on another call, and a desk operator refused."""

from __future__ import annotations

import asyncio

from cso_console.domain.model import CallStatus, OfficerStatus, OperatorRole
from cso_console.screens.board import BoardScreen
from cso_console.screens.confirm import ConfirmScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.screens.help import key_lines
from cso_console.screens.picker import PickerScreen, TextPrompt
from cso_console.widgets.boards import CallQueue, OfficerBoard

from .conftest import START
from .ui_app import demo_app, settle, wait_until

PIN_LEAD = "lead-pin-7391"
PIN_DESK = "desk-pin-5820"


def run(coro):
    return asyncio.run(coro)


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


def cid(n: int) -> str:
    return f"D1-26-{n:06d}"


async def select(pilot, n: int) -> None:
    await pilot.pause()
    queue = pilot.app.screen.query_one(CallQueue)
    queue.select_key(cid(n))
    queue.focus()
    await pilot.pause()


async def on(pilot, screen_type) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen_type), what=screen_type)


async def type_in(pilot, text: str) -> None:
    await on(pilot, TextPrompt)
    await pilot.press(*text, "enter")


def types(app, n: int) -> list[str]:
    return [e.type.value for e in app.desk.call_events(cid(n))]


def test_reassign_the_selected_calls_unit_with_a_reason(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await select(pilot, 4)  # C12 on scene at the town hall
            await pilot.press("r")
            await on(pilot, PickerScreen)
            await pilot.press(*"2", "enter")  # call 2, pending at the library
            await type_in(pilot, "closer")
            await settle(pilot)
            assert "C12 reassigned from call 4 to call 2" in message(app)
            assert "back to pending" in message(app)
            assert app.desk.call(cid(4)).status is CallStatus.PENDING
            assert app.desk.call(cid(2)).status is CallStatus.DISPATCHED
            assert app.desk.officer("C12").current_call_id == cid(2)
            # both timelines show it, with the reason
            for n in (2, 4):
                assert types(app, n)[-1] == "officer.reassigned"
            await select(pilot, 2)
            await pilot.press("enter")
            await on(pilot, CallDetailScreen)
            await wait_until(pilot, lambda: app.screen.loaded)
            text = str(app.screen.query_one("#timeline").render())
            assert "C12 reassigned from call 4 to call 2: closer" in text

    run(go())


def test_reassign_from_the_officer_board_and_to_a_call_with_no_unit(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("tab")
            app.screen.query_one(OfficerBoard).select_key("C20")  # on call 10
            await pilot.press("r")
            await on(pilot, PickerScreen)
            await pilot.press(*"9", "enter")
            await type_in(pilot, "party first")
            await settle(pilot)
            assert app.desk.officer("C20").current_call_id == cid(9)
            # call 11 has no unit: r offers the officers on calls, to move one there
            await select(pilot, 11)
            await pilot.press("r")
            await on(pilot, PickerScreen)
            await pilot.press(*"C14", "enter")
            await type_in(pilot, "blocked driveway")
            await settle(pilot)
            assert app.desk.officer("C14").current_call_id == cid(11)
            assert app.desk.call(cid(3)).status is CallStatus.PENDING

    run(go())


def test_cancel_then_reopen_in_the_detail_both_with_reasons(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await select(pilot, 9)
            await pilot.press("enter")
            await on(pilot, CallDetailScreen)
            await pilot.press("X")
            await type_in(pilot, "caller withdrew")
            await settle(pilot)
            assert "Call 9 cancelled." in message(app)
            assert app.desk.call(cid(9)).status is CallStatus.CANCELLED
            await pilot.press("O")
            await type_in(pilot, "rang again")
            await settle(pilot)
            assert app.desk.call(cid(9)).status is CallStatus.PENDING
            events = app.desk.call_events(cid(9))
            assert [(e.type.value, e.payload.get("reason")) for e in events[-2:]] == [
                ("call.cancelled", "caller withdrew"),
                ("call.reopened", "rang again"),
            ]

    run(go())


def test_hold_until_a_time_priority_and_transfer(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await select(pilot, 7)
            before = app.desk.store.count_events()
            await pilot.press("H")
            await type_in(pilot, "soon")
            await settle(pilot)
            assert "not a time" in message(app) and app.desk.store.count_events() == before
            await pilot.press("H")
            await type_in(pilot, "+30m")
            await settle(pilot)
            call = app.desk.call(cid(7))
            assert call.status is CallStatus.SCHEDULED
            assert (call.scheduled_for - START).total_seconds() == 30 * 60
            await select(pilot, 9)
            await pilot.press("P")
            await on(pilot, PickerScreen)
            await pilot.press("1", "enter")
            await settle(pilot)
            assert app.desk.call(cid(9)).priority == 1 and "now P1" in message(app)
            await pilot.press("T")
            await on(pilot, PickerScreen)
            await pilot.press("down", "enter")  # another agency
            await type_in(pilot, "County Animal Control")
            await type_in(pilot, "their case")
            await settle(pilot)
            call = app.desk.call(cid(9))
            assert call.status is CallStatus.TRANSFERRED
            assert call.transferred_to == "County Animal Control"
            assert app.desk.call_events(cid(9))[-1].payload["reason"] == "their case"

    run(go())


def test_link_as_duplicate_and_unlink_with_a_reason(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await select(pilot, 12)  # nuisance at the town hall, like call 4
            await pilot.press("L")
            await on(pilot, PickerScreen)
            await pilot.press("enter")  # the same place comes first
            await settle(pilot)
            call = app.desk.call(cid(12))
            assert call.status is CallStatus.DUPLICATE and call.duplicate_of == cid(4)
            app.push_screen(CallDetailScreen(cid(12)))
            await on(pilot, CallDetailScreen)
            await wait_until(pilot, lambda: app.screen.loaded)
            await pilot.press("L")
            await type_in(pilot, "another complaint")
            await settle(pilot)
            call = app.desk.call(cid(12))
            assert call.status is CallStatus.PENDING and call.duplicate_of is None
            last = app.desk.call_events(cid(12))[-1]
            assert last.type.value == "call.reopened"
            assert "another complaint" in last.payload["reason"]

    run(go())


def test_correct_location_and_caller_records_what_changed(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await select(pilot, 7)  # behind the old cannery: unverified, no beat
            await pilot.press("E")
            await on(pilot, PickerScreen)
            await pilot.press("enter")  # location
            await type_in(pilot, "410 Elm Street")
            await settle(pilot)
            call = app.desk.call(cid(7))
            assert call.location == "410 Elm Street" and call.location_verified
            assert call.beat_id is not None and call.beat_id in message(app)
            last = app.desk.call_events(cid(7))[-1]
            assert last.type.value == "call.corrected"
            assert set(last.payload) == {"location", "location_verified", "beat_id"}
            await pilot.press("E")
            await on(pilot, PickerScreen)
            await pilot.press(*"caller phone", "enter")
            await type_in(pilot, "555-0177")
            await settle(pilot)
            assert app.desk.call(cid(7)).caller_phone == "555-0177"
            assert "555-0177" not in message(app)
            last = app.desk.call_events(cid(7))[-1]
            assert last.payload == {"caller_phone": "555-0177"}

    run(go())


def test_dispatching_an_officer_on_another_call_stacks_it(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await select(pilot, 2)
            await pilot.press("d")
            await on(pilot, PickerScreen)
            await pilot.press(*"C12", "enter")  # on scene at call 4
            await on(pilot, ConfirmScreen)
            await pilot.press("y")
            await settle(pilot)
            assert "stacked on C12" in message(app)
            assert app.desk.officer("C12").queued_call_id == cid(2)
            assert app.desk.call(cid(2)).status is CallStatus.PENDING
            row, _ = app.screen.query_one(OfficerBoard).render_row("C12")
            assert " 4+2 " in row  # on call 4, call 2 stacked next
            await select(pilot, 4)
            await pilot.press("c", *"ADV", "enter")
            await settle(pilot)
            officer = app.desk.officer("C12")
            assert officer.current_call_id == cid(2) and officer.queued_call_id is None
            assert officer.status is OfficerStatus.DISPATCHED
            assert types(app, 2)[-2:] == ["unit.stacked", "unit.dispatched"]

    run(go())


def test_a_desk_operator_is_refused_lead_verbs_and_nothing_is_written(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        desk = app.desk
        assert desk.add_operator("lead1", "The Lead", OperatorRole.LEAD, PIN_LEAD).ok
        assert desk.sign_in("lead1", PIN_LEAD).ok
        assert desk.add_operator("desk1", "A Desk", OperatorRole.DESK, PIN_DESK).ok
        assert desk.sign_in("desk1", PIN_DESK).ok
        async with app.run_test(size=(80, 24)) as pilot:
            await select(pilot, 4)
            before = desk.store.count_events()
            for key in ("r", "X"):
                await pilot.press(key)
                await wait_until(pilot, lambda: "shift lead" in message(app))
                assert isinstance(app.screen, BoardScreen)  # no reason was asked
                assert "REFUSED" in message(app)
                await pilot.press("escape")
            await pilot.press("enter")
            await on(pilot, CallDetailScreen)
            await pilot.press("X")
            await wait_until(pilot, lambda: "shift lead" in message(app))
            assert desk.store.count_events() == before

    run(go())


def test_help_lists_every_call_verb(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            board = "\n".join(key_lines(app.screen))
            await select(pilot, 4)
            await pilot.press("enter")
            await on(pilot, CallDetailScreen)
            detail = "\n".join(key_lines(app.screen))
        for words in ("Reassign", "Cancel call", "Transfer", "Change priority",
                      "Link/unlink duplicate", "Correct the call", "Hold until"):  # fmt: skip
            assert words in board and words in detail, words
        assert "Reopen" in detail

    run(go())
