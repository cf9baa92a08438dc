"""What the board says: help that explains the columns and marks, the message line that
says what the last action did and nothing stale, the picker's mark on a missing skill."""

from __future__ import annotations

import asyncio

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import CallStatus
from cso_console.screens.board import BoardScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.screens.help import HelpScreen
from cso_console.screens.picker import PickerScreen
from cso_console.widgets.boards import CallQueue

from .ui_app import demo_app, settle, wait_until


def run(coro):
    return asyncio.run(coro)


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


def help_text(app) -> str:
    return "\n".join(str(s.render()) for s in app.screen.query("Static"))


async def new_call(pilot, location: str, type_text: str) -> None:
    await pilot.press("n")
    await pilot.pause()
    await pilot.press(*location)
    await pilot.press("tab", *type_text, "f10")
    await settle(pilot)


def test_board_help_explains_columns_marks_and_tab(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            shown = help_text(app)
            assert "HELP - Board" in shown
            for words in ("Tab", "Shift+Tab", "!!", "LATE", "UNITS", "AGE", "not verified",
                          "P1", "ON SCENE", "pinned", "BEAT", "SHIFT"):  # fmt: skip
                assert words in shown, words
            assert "\u23ce" not in shown

    run(go())


def test_help_titles_are_human(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await wait_until(pilot, lambda: getattr(app.screen, "settled", False))
            assert isinstance(app.screen, CallDetailScreen)
            await pilot.press("question_mark")
            await pilot.pause()
            shown = help_text(app)
            assert "HELP - Call detail" in shown and "CallDetail" not in shown

    run(go())


def test_message_line_says_a_call_was_saved(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await new_call(pilot, "500 Elm Street", "NOISE")
            assert isinstance(app.screen, BoardScreen)
            await wait_until(pilot, lambda: "saved" in message(app), what="the saved message")
            number = short_number(app.screen.query_one(CallQueue).selected.call_id)
            assert f"Call {number} saved" in message(app)
            assert "500 Elm Street" in message(app) and "NOISE" in message(app)

    run(go())


def test_message_line_says_assist_and_a_call_closed_by_the_last_clear(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await new_call(pilot, "500 Elm Street", "NOISE")
            queue = app.screen.query_one(CallQueue)
            call = queue.selected
            await pilot.press("d", "enter")
            await settle(pilot)
            officer = app.desk.call(call.call_id).primary.officer_id
            await pilot.press("d", "enter")  # a second officer: an assist
            await settle(pilot)
            assert "to assist on call" in message(app), message(app)
            await pilot.press("c", *"res", "enter")  # clears the primary: one still there
            await settle(pilot)
            assert f"{officer} cleared" in message(app) and "closed" not in message(app)
            await pilot.press("c", *"res", "enter")  # the last one: the call closes
            await settle(pilot)
            assert app.desk.call(call.call_id).status is CallStatus.CLOSED
            assert "cleared" in message(app) and "closed" in message(app), message(app)

    run(go())


def test_message_goes_when_the_next_key_is_pressed(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("tab")
            app.screen.query_one("#officers").select_key("C19")  # on break
            await pilot.press("b")
            await settle(pilot)
            assert "REFUSED" in message(app)
            await pilot.press("down")
            await pilot.pause()
            assert message(app).strip() == ""

    run(go())


def test_missing_skill_lowers_rank_is_marked_and_can_still_be_chosen(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await new_call(pilot, "500 Elm Street", "STRAY")  # animal; B1
            call = app.screen.query_one(CallQueue).selected
            assert call.type_code == "STRAY" and call.beat_id == "B1"
            await pilot.press("d")
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, PickerScreen)
            order = [ch.value for ch in picker.choices]
            # C25/C29 have the skill (other beats); C10/C11 are in B1 without it
            assert order.index("C25") < order.index("C10")
            c10 = next(ch for ch in picker.choices if ch.value == "C10")
            assert c10.enabled and "LACKS animal" in c10.label
            await pilot.press(*"C10", "enter")
            await settle(pilot)
            assert app.desk.call(call.call_id).primary.officer_id == "C10"
            assert "C10 dispatched" in message(app)
            assert "lacks animal" in message(app).lower()

    run(go())
