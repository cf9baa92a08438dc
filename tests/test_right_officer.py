"""The right officer, the right record: a typed call sign means that officer or a refusal
with the reason; the journal says assist when it was one, and why an officer was chosen;
the required skill outranks the beat; `c` on a closed call and a note's Esc ask first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.events import EventType
from cso_console.domain.model import CallStatus, OfficerStatus
from cso_console.domain.recommend import recommend
from cso_console.domain.town import Town
from cso_console.screens.confirm import ConfirmScreen
from cso_console.screens.detail import CallDetailScreen, describe
from cso_console.screens.picker import PickerScreen, TextPrompt
from cso_console.widgets.boards import CallQueue

from .ui_app import demo_app, settle, wait_until


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_the_required_skill_outranks_the_same_beat(desk: Desk, town: Town) -> None:
    for o in ("C10", "C11", "C12"):  # all beat B1; only C11 has parking
        assert desk.execute(c.SignOn(officer=o))
    out = desk.execute(c.ReceiveCall(type_code="PARK", location="410 Elm Street"))
    assert desk.execute(c.SignOn(officer="C28"))  # parking, far away (B7)
    call = desk.call(out.call_id or "")
    assert call is not None
    ranked = recommend(call, desk.officers(), town, desk.now())
    assert [r.officer.officer_id for r in ranked[:2]] == ["C11", "C28"]
    assert "LACKS parking" in ranked[2].reasons
    for r in ranked:  # a picker line at 80 columns: call sign, name, reasons
        assert (
            len(f"{r.officer.officer_id:<4} {r.officer.name[:16]:<16} ") + len(", ".join(r.reasons))
            <= 76
            or not r.available
        )


def test_a_second_officer_is_journaled_as_an_assist_with_the_reasons(desk: Desk) -> None:
    for o in ("C10", "C11"):
        assert desk.execute(c.SignOn(officer=o))
    call = desk.execute(c.ReceiveCall(type_code="NOISE", location="410 Elm Street")).call_id
    first = desk.execute(c.Dispatch(call=call or "", officers=("C10",), reasons=("same beat B1",)))
    second = desk.execute(c.Dispatch(call=call or "", officers=("C11",), reasons=("next beat",)))
    assert first.events[0].payload["role"] == "primary"
    assert second.events[0].payload["role"] == "assist"
    assert second.events[0].payload["reasons"] == ["next beat"]
    words = describe(second.events[0])
    assert "assist" in words and "next beat" in words
    stored = [e for e in desk.call_events(call or "") if e.type is EventType.UNIT_DISPATCHED]
    assert [e.payload["role"] for e in stored] == ["primary", "assist"]


async def _picker_for_pending(pilot, app) -> str:  # type: ignore[no-untyped-def]
    queue = app.screen.query_one(CallQueue)
    call_id = next(k for k, v in queue.calls.items() if v.status is CallStatus.PENDING)
    queue.select_key(call_id)
    await pilot.press("d")
    await pilot.pause()
    assert isinstance(app.screen, PickerScreen)
    return call_id


def test_a_typed_call_sign_means_that_officer_or_says_why_not(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            call_id = await _picker_for_pending(pilot, app)
            await pilot.press(*"C19", "enter")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen), "refused, still choosing"
            assert "REFUSED: C19 is on break." in str(app.screen.query_one("#hint").render())
            # One on another call is offered the call stacked; "no" leaves all as it was.
            app.screen.query_one("#filter").value = ""
            before = app.desk.store.count_events()
            await pilot.press(*"c12", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert "C12 is on call 4. Stack call" in app.screen.question
            await pilot.press("n")
            await settle(pilot)
            assert app.desk.store.count_events() == before
            await _picker_for_pending(pilot, app)
            filt = app.screen.query_one("#filter")
            filt.value = ""
            await pilot.press(*"c11", "enter")
            await settle(pilot)
            call = app.desk.call(call_id)
            assert [a.officer_id for a in call.assignments] == ["C11"]
            dispatched = [e for e in app.desk.call_events(call_id) if e.officer_id == "C11"]
            assert dispatched[0].payload["reasons"], "the reasons the picker showed"
            assert app.desk.officer("C19").status is OfficerStatus.BREAK

    run(go())


def test_c_on_a_closed_call_refuses_before_asking_for_a_disposition(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.push_screen(CallDetailScreen("D1-26-000001"))  # closed in the demo (TOW)
            await wait_until(pilot, lambda: isinstance(app.screen, CallDetailScreen))
            await settle(pilot)
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, CallDetailScreen), "no disposition picker"
            assert "closed" in str(app.screen.query_one("#message").render())

    run(go())


def test_esc_on_a_typed_note_asks_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            before = len(list(app.desk.store.events()))
            await pilot.press("N")
            await pilot.pause()
            assert isinstance(app.screen, TextPrompt)
            await pilot.press(*"Caller rang back", "escape")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")  # keep it
            await pilot.pause()
            assert isinstance(app.screen, TextPrompt)
            assert app.screen.query_one("#text").value == "Caller rang back"
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("y")  # throw it away
            await settle(pilot)
            assert not isinstance(app.screen, (TextPrompt, ConfirmScreen))
            assert len(list(app.desk.store.events())) == before
            await pilot.press("N")  # an empty prompt goes back at once
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, (TextPrompt, ConfirmScreen))

    run(go())


_: Callable[..., object] = run


def test_c_on_an_officer_with_no_call_refuses_and_leaves_the_queue_alone(tmp_path):
    """With the officer board in focus, `c` is about that officer: one on no call has
    nothing to clear. It once closed whatever call was selected in the queue instead."""
    import asyncio

    from cso_console.screens.board import BoardScreen
    from cso_console.widgets.boards import OfficerBoard

    from .ui_app import demo_app, settle

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            before = app.desk.store.count_events()
            board = app.screen.query_one(OfficerBoard)
            board.focus()
            board.select_key("C10")
            assert board.selected.current_call_id is None
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)  # no disposition picker
            assert "C10 is not on a call" in str(app.screen.query_one("#message").render())
            await settle(pilot)
            assert app.desk.store.count_events() == before

    asyncio.run(go())
