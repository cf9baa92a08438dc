"""Pilot tests at 80x24 of the `:` command line on the demo shift: a command runs and the
board's message line says so; a line not understood or refused rings the bell once and
stays; Tab completes and says what a completion is; Up/Down history across restarts;
Esc closes keeping nothing; not on the sign-in screen."""

from __future__ import annotations

import asyncio
import stat

from textual.widgets import Input

from cso_console.domain.model import CallStatus, OfficerStatus
from cso_console.screens.board import BoardScreen
from cso_console.screens.command_line import CommandLineScreen
from cso_console.screens.confirm import ConfirmScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.screens.history import PremiseHistoryScreen
from cso_console.screens.signin import SignInScreen
from cso_console.widgets.boards import CallQueue

from .test_ui_follow import count_bells
from .ui_app import demo_app, settle, wait_until


def run(coro):
    return asyncio.run(coro)


def said(app) -> str:
    return str(app.screen.query_one("#message").render())


async def open_line(pilot) -> Input:
    await pilot.press("colon")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandLineScreen), what=":")
    await pilot.pause()
    return pilot.app.screen.query_one(Input)


async def enter(pilot, text: str) -> None:
    line = pilot.app.screen.query_one(Input)
    line.value = ""
    await pilot.press(*text, "enter")
    await settle(pilot)


def test_a_command_runs_and_the_board_says_so(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await open_line(pilot)
            rung = count_bells(app)
            await enter(pilot, "d 2 c10")
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen), what="closed")
            assert said(app) == "D 2 c10: done"
            assert rung == [0]
            assert app.desk.find_call("2").status is CallStatus.DISPATCHED
            assert app.desk.officer("C10").status is OfficerStatus.DISPATCHED

    run(go())


def test_a_mistyped_line_rings_once_and_stays_for_correcting(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            line = await open_line(pilot)
            rung = count_bells(app)
            await enter(pilot, "D 2 C99")
            assert said(app) == "D 2 C99: no officer C99; C19 C29 are close"
            assert rung == [1] and line.value == "D 2 C99"
            assert isinstance(app.screen, CommandLineScreen)
            await pilot.press("backspace", "backspace", "1", "0", "enter")  # corrected
            await settle(pilot)
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen), what="closed")
            assert said(app) == "D 2 C10: done" and rung == [1]

    run(go())


def test_a_refusal_rings_once_and_the_line_stays(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            line = await open_line(pilot)
            rung = count_bells(app)
            await enter(pilot, "ER C10")  # available: on no call
            await wait_until(pilot, lambda: rung == [1], what="the bell")
            assert said(app) == "REFUSED: ER C10: C10 is not on a call."
            assert line.value == "ER C10" and isinstance(app.screen, CommandLineScreen)

    run(go())


def test_tab_completes_and_says_what_it_is(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            line = await open_line(pilot)
            await pilot.press(*"D 9 C2", "tab")
            assert line.value == "D 9 C20"
            assert said(app).startswith("C20 ")
            assert "dispatched" in said(app) and "(1 of 10: Tab for the next)" in said(app)
            await pilot.press("tab")
            assert line.value == "D 9 C21" and "off duty" in said(app)
            line.value = ""
            await pilot.press(*"CL C12 GO", "tab")
            assert line.value == "CL C12 GOA " and said(app) == "GOA Gone on arrival"
            line.value = ""
            await pilot.press(*"clo", "tab")
            assert line.value == "CLOSE " and said(app).startswith("CLOSE <call> <dispo>")

    run(go())


def test_history_across_restarts_owner_only_and_esc_keeps_nothing(tmp_path):
    async def go(first: bool):
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            line = await open_line(pilot)
            if first:
                await enter(pilot, "NC NOISE 12 Main St // Ana says 555-0101")
                await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
                assert said(app).startswith("NC NOISE 12 Main St: call ")
                await open_line(pilot)
                await enter(pilot, "BRK C10")
                await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
                line = await open_line(pilot)
                await pilot.press(*"AV C1")
                await pilot.press("escape")
                await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
                line = await open_line(pilot)
                assert line.value == ""  # Esc kept nothing
                return
            await pilot.press("up")
            assert line.value == "BRK C10"
            await pilot.press("up")
            assert line.value == "NC NOISE 12 Main St"  # the narrative is not kept
            await pilot.press("down", "down")
            assert line.value == ""

    run(go(True))
    path = tmp_path / "command-history"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "555" not in path.read_text() and "Ana" not in path.read_text()
    run(go(False))


def test_s_opens_a_call_and_ph_a_place(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await open_line(pilot)
            await enter(pilot, "S 4")
            await wait_until(pilot, lambda: isinstance(app.screen, CallDetailScreen))
            assert app.screen.call_id == "D1-26-000004"
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            assert app.screen.query_one(CallQueue).selected_key == "D1-26-000004"
            await open_line(pilot)
            await enter(pilot, "PH harbor falls town hall")
            await wait_until(pilot, lambda: isinstance(app.screen, PremiseHistoryScreen))
            await wait_until(pilot, lambda: app.screen.loaded)
            title = str(app.screen.query_one("#title").render())
            assert title.startswith("HISTORY of harbor falls town hall:")

    run(go())


def test_no_command_line_on_the_sign_in_screen(tmp_path):
    async def go():
        app = demo_app(tmp_path, signed_in=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen))
            app.screen.set_focus(None)
            await pilot.press("colon")
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)

    run(go())


def test_help_lists_the_verbs_from_the_table(tmp_path):
    from cso_console.domain.verbs import VERBS
    from cso_console.screens.help import HelpScreen

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            text = str(app.screen.query_one("#verbs").render())
            assert text.startswith("COMMAND LINE (: opens it")
            for verb in VERBS:
                assert verb.synopsis in text
            assert "reassign: the unit leaves its call for this one (lead)" in text

    run(go())


def test_a_lead_verb_is_refused_for_a_desk_operator_and_nothing_is_written(tmp_path):
    from cso_console.domain.model import OperatorRole

    async def go():
        app = demo_app(tmp_path)
        desk = app.desk
        assert desk.add_operator("desk1", "A Desk", OperatorRole.DESK, "desk-pin-5820").ok
        assert desk.sign_in("desk1", "desk-pin-5820").ok
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            before = desk.store.count_events()
            await open_line(pilot)
            rung = count_bells(app)
            await enter(pilot, "CAN 2 caller withdrew")
            await wait_until(pilot, lambda: rung == [1], what="the bell")
            assert said(app) == "REFUSED: CAN 2 caller withdrew: Only a shift lead can do that."
            assert desk.store.count_events() == before
            await enter(pilot, "BRK C10")  # any operator's verb
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            assert desk.officer("C10").status is OfficerStatus.BREAK

    run(go())


def test_an_answer_after_the_lock_came_over_the_line_leaves_the_lock(tmp_path):
    from cso_console.desk import Outcome
    from cso_console.domain.verbs import Board, parse
    from cso_console.screens.lock import LockScreen

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await open_line(pilot)
            line = app.screen
            app.action_lock()
            await wait_until(pilot, lambda: isinstance(app.screen, LockScreen))
            parsed = parse("BRK C10", Board(app.desk.town))
            line._settled(parsed, Outcome(True))  # the desk's answer comes back now
            await pilot.pause()
            assert isinstance(app.screen, LockScreen)
            assert app.screen_stack[-2] is line

    run(go())


def test_a_new_call_at_a_place_with_an_open_call_says_so(tmp_path):
    """As the intake form does before saving: NC at a place with an open call takes the
    call and names the open one, with the DUP line that links them."""

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await open_line(pilot)
            await enter(pilot, "NC PARTY 1500 Quarry Road")
            await wait_until(pilot, lambda: "possible duplicate" in said(app), what="the note")
            new = said(app).split("call ")[1].split(" ")[0]
            assert said(app) == (
                f"NC PARTY 1500 Quarry Road: call {new} taken; possible duplicate of call 9 "
                f"PARTY (DUP {new} 9 links it)"
            )
            await open_line(pilot)
            await enter(pilot, "NC NOISE 12 Nowhere Lane")
            await wait_until(pilot, lambda: "NOISE 12 Nowhere Lane: call" in said(app))
            assert "duplicate" not in said(app)

    run(go())


def test_dispatching_an_officer_on_another_call_offers_to_stack_it(tmp_path):
    """D to an officer on another call asks, as the picker does; yes stacks the call,
    no leaves the line as it was for correcting; STK stacks without asking."""

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await open_line(pilot)
            await enter(pilot, "D 2 C12")  # C12 is on scene at call 4
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="ask")
            assert app.screen.question.startswith("C12 is on call 4. Stack call 2 on them")
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, CommandLineScreen), what=":")
            assert app.screen.query_one(Input).value == "D 2 C12"
            assert app.desk.officer("C12").queued_call_id is None
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="ask")
            await pilot.press("y")
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen), what="board")
            await settle(pilot)
            assert said(app).startswith("Call 2 stacked on C12")
            assert app.desk.officer("C12").queued_call_id == app.desk.find_call("2").call_id
            assert app.desk.find_call("2").status is CallStatus.PENDING

            await open_line(pilot)
            await enter(pilot, "STK 7 C14")  # C14 is en route to call 3 (the demo)
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen), what="board")
            assert said(app) == "STK 7 C14: done"
            assert app.desk.officer("C14").queued_call_id == app.desk.find_call("7").call_id

    run(go())
