"""The beat map panel on the board: drawn at once, never squeezes or covers the queue,
places every waiting call (an unknown beat too), and says what its counts are in words."""

from __future__ import annotations

import asyncio
import re

from cso_console.screens.beatmap import BeatMapScreen
from cso_console.screens.board import BoardScreen
from cso_console.widgets.boards import CallQueue

from .ui_app import demo_app, settle


def run(coro):
    return asyncio.run(coro)


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def queue_whole(app) -> bool:
    """The queue is on screen with every column (STATUS, AGE, UNITS) in view."""
    queue = app.screen.query_one(CallQueue)
    return queue.display and queue.region.width >= 78


def map_shown(app) -> bool:
    return app.screen.has_class("-map") and app.screen.query_one("#map").region.width > 0


def test_wide_panel_is_drawn_at_once_with_counts_in_words(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            assert map_shown(app) and queue_whole(app)
            drawn = text(app, "#map")
            assert "B1 Northgate" in drawn and "waiting" in drawn and "free" in drawn
            assert not re.search(r"\bP\d+ U\d+", drawn)  # never reads as a priority
            # call 7 (graffiti, unverified place) has no beat: it still has a place
            assert "Unknown beat: 1 call waiting (call 7)" in drawn

    run(go())


def test_at_120x32_the_queue_keeps_every_column(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(120, 32)) as pilot:
            await pilot.pause()
            assert queue_whole(app), app.screen.query_one(CallQueue).region

    run(go())


def test_resizing_back_and_forth_never_leaves_the_map_over_the_board(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.resize_terminal(200, 50)
            await pilot.pause()
            assert map_shown(app) and queue_whole(app)
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            assert queue_whole(app) and not map_shown(app)

    run(go())


def test_p_on_a_narrow_terminal_says_why_and_the_queue_stays(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("p")
            await pilot.pause()
            assert queue_whole(app) and not map_shown(app)
            assert "m shows the full beat map" in text(app, "#message")
            # d acts on the queue the dispatcher sees
            await pilot.press("d")
            await pilot.pause()
            assert "Dispatch" in str(app.screen.query_one("#title").render()) or "Assist" in str(
                app.screen.query_one("#title").render()
            )

    run(go())


def test_p_hides_and_shows_the_panel_when_wide(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            await pilot.press("p")
            await pilot.pause()
            assert not map_shown(app) and queue_whole(app)
            await pilot.press("p")
            await pilot.pause()
            assert map_shown(app) and "B1 Northgate" in text(app, "#map")

    run(go())


def test_full_map_screen_places_unknown_beat_and_explains_counts(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("m")
            await pilot.pause()
            assert isinstance(app.screen, BeatMapScreen)
            shown = text(app, "#map") + text(app, "#counts") + text(app, "#keys")
            assert "unknown beat" in shown.lower()
            assert "waiting" in shown and "free" in shown
            assert not re.search(r"\bP\d+ U\d+", shown)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, BoardScreen)

    run(go())
