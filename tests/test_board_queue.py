"""The queue and the officer board at a glance: P1 and LATE calls pinned in view, free
officers first, the location column as wide as the terminal allows, one set of status
words on every screen."""

from __future__ import annotations

import asyncio

from cso_console.screens.board import BoardScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.widgets.boards import CallQueue, OfficerBoard

from .ui_app import demo_app, settle, wait_until


def run(coro):
    return asyncio.run(coro)


def lines(widget) -> list[str]:
    """What the list shows, line by line (header first)."""
    return [widget.render_line(y).text for y in range(widget.scrollable_content_region.height)]


def numbers_shown(queue: CallQueue) -> list[str]:
    return [line[2:8].strip() for line in lines(queue)[1:] if line[2:8].strip()]


async def new_call(pilot, location: str, type_text: str) -> None:
    await pilot.press("n")
    await pilot.pause()
    await pilot.press(*location)
    await pilot.press("tab", *type_text, "f10")
    await settle(pilot)


def test_p1_and_late_calls_stay_in_view_after_saving_a_call(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            queue = app.screen.query_one(CallQueue)
            assert {"6", "2"} <= set(numbers_shown(queue))  # P1 call 6, LATE call 2
            for place in ("500 Elm Street", "510 Elm Street", "520 Elm Street"):
                await new_call(pilot, place, "NOISE")
            assert isinstance(app.screen, BoardScreen)
            selected = queue.selected
            assert selected is not None and selected.location == "520 Elm Street"
            shown = numbers_shown(queue)
            assert "6" in shown and "2" in shown, shown  # pinned above the scrolled rest
            assert shown[:2] == ["6", "2"]  # P1 first, then LATE by priority
            assert shown.count("6") == 1  # a pinned row is not drawn twice
            await pilot.press("end")
            await pilot.pause()
            assert numbers_shown(queue)[:2] == ["6", "2"]
            await pilot.press("home")
            await pilot.pause()
            assert queue.selected.call_id.endswith("000006")

    run(go())


def test_officer_board_shows_free_officers_first(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            board = app.screen.query_one(OfficerBoard)
            statuses = [board.officers[k].status.value for k in board.keys]
            free = [s == "AVAILABLE" for s in statuses]
            assert free == sorted(free, reverse=True), statuses  # every free one first
            assert statuses[-1] == "OFF_DUTY"
            assert "AVAILABLE" in lines(board)[1]

    run(go())


def test_location_column_grows_with_the_terminal(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            queue = app.screen.query_one(CallQueue)
            shown = "\n".join(lines(queue))
            assert "Main Street & Harbor Avenue" in shown
            assert "Harbor Falls Public Library" in shown
            header = lines(queue)[0]
            row = next(line for line in lines(queue) if "Public Library" in line)
            assert row.index("B5") == header.index("BEAT")  # header still over its column

    run(go())


def test_status_words_are_the_same_on_the_board_and_in_detail(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            queue = app.screen.query_one(CallQueue)
            board_text = "\n".join(lines(queue) + lines(app.screen.query_one(OfficerBoard)))
            assert "ON SCENE" in board_text and "ONSCN" not in board_text
            assert "ENRT" not in board_text and "AVAIL " not in board_text
            queue.select_key(next(k for k, c in queue.calls.items() if c.status == "ON_SCENE"))
            await pilot.press("enter")
            await wait_until(pilot, lambda: getattr(app.screen, "settled", False))
            assert isinstance(app.screen, CallDetailScreen)
            detail = str(app.screen.query_one("#fields").render())
            assert "ON SCENE" in detail and "ON_SCENE" not in detail

    run(go())
