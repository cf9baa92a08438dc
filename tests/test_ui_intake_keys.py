"""The new-call screen: Tab takes the highlighted suggestion, Shift+Tab takes nothing,
Up/Down choose among the suggestions, Enter takes what is shown; what is saved is what
was shown (issue 7, section 5)."""

from __future__ import annotations

import asyncio

from cso_console.screens.board import BoardScreen
from cso_console.screens.intake import IntakeScreen

from .ui_app import demo_app, settle


def _value(app, field: str) -> str:
    return app.screen.query_one(f"#{field}").value


def _line(app, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}").render())


def test_tab_enter_and_shift_tab_on_a_new_call(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", *"410 el")
            await pilot.pause()
            assert isinstance(app.screen, IntakeScreen)
            assert "410 Elm Street B1" in _line(app, "location-candidates")
            await pilot.press("enter")  # takes the shown suggestion, not "?410 el"
            await pilot.pause()
            assert _value(app, "location") == "410 Elm Street"
            assert app.screen.focused.id == "type"

            await pilot.press(*"parking")
            await pilot.pause()
            rendered = app.screen.query_one("#type").render_line(0).text
            assert "arkingarking" not in rendered and "parking" in rendered
            assert "Parking in disabled bay" in _line(app, "type-candidates")
            await pilot.press("shift+tab")  # back, taking nothing
            await pilot.pause()
            assert app.screen.focused.id == "location" and _value(app, "type") == "parking"

            await pilot.press("tab")
            for _ in range(len("parking")):
                await pilot.press("backspace")
            await pilot.press(*"dog")
            await pilot.pause()
            shown = _line(app, "type-candidates")
            assert "STRAY Stray dog" in shown and "BARK Barking dog" in shown
            await pilot.press("down", "tab")  # the second suggestion
            await pilot.pause()
            assert _value(app, "type") == "BARK Barking dog"
            assert app.screen.focused.id == "priority" and _value(app, "priority") == "4"

            await pilot.press("f10")
            await settle(pilot)
            assert isinstance(app.screen, BoardScreen)
            newest = max(app.desk.store.calls(), key=lambda c: c.call_id)
            assert (newest.location, newest.location_verified, newest.beat_id) == (
                "410 Elm Street",
                True,
                "B1",
            )
            assert newest.type_code == "BARK"

    asyncio.run(go())


def test_p_shows_the_other_types_and_up_down_move_among_them(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", *"library", "tab", "p")
            await pilot.pause()
            assert _value(app, "location") == "Harbor Falls Public Library"
            first = _line(app, "type-candidates")
            assert first.count("  ") >= 1 and "/" in first  # several, and more than fit
            await pilot.press("down")
            await pilot.pause()
            second = _line(app, "type-candidates")
            assert second != first
            await pilot.press("up", "tab")
            await pilot.pause()
            assert _value(app, "type") == "PARK Illegal parking"

    asyncio.run(go())


def test_as_typed_keeps_an_unknown_place(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", *"410 el")
            await pilot.pause()
            await pilot.press("up")  # wraps round to "as typed"
            await pilot.press("tab")
            await pilot.pause()
            assert _value(app, "location") == "410 el"
            assert "UNVERIFIED" in _line(app, "location-info")

    asyncio.run(go())
