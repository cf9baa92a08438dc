"""The shift report on screen (s/F7): the same figures as `report shift`, at 80x24."""

from __future__ import annotations

import asyncio

from cso_console.domain.report import shift_at, shift_report
from cso_console.report_formats import markdown
from cso_console.screens.board import BoardScreen
from cso_console.screens.report import ReportScreen

from .ui_app import demo_app, settle, wait_until


def shown(app) -> str:
    return str(app.screen.query_one("#text").render())


def test_report_screen_shows_the_reports_figures_and_the_handover(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n")  # a call now, in the evening shift that starts at START
            await pilot.pause()
            await pilot.press(*"500 Elm Street", "tab", *"NOISE", "f10")
            await settle(pilot)
            assert isinstance(app.screen, BoardScreen)
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="report")
            screen = app.screen
            await wait_until(pilot, lambda: screen.report is not None, what="the report read")
            desk = app.desk
            now = desk.now()
            same = shift_report(list(desk.store.events()), desk.town, shift_at(desk.town, now), now)
            assert screen.report == same  # one computation, whoever asks
            text = shown(app)
            assert text.rstrip() == markdown(same).rstrip()
            assert "- received: 1" in text and "evening shift" in text
            await pilot.press("h")
            await pilot.pause()
            assert "# Shift handover: Harbor Falls" in shown(app)
            assert "## officers on duty" in shown(app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            await pilot.press("f7")
            await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="F7")

    asyncio.run(go())


async def _open_report(pilot) -> None:
    await pilot.press("s")
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "report", None) is not None)
    await pilot.pause()


def test_report_snapshot(snap_compare, tmp_path):
    assert snap_compare(demo_app(tmp_path), run_before=_open_report, terminal_size=(80, 24))


def test_handover_snapshot(snap_compare, tmp_path):
    async def handover(pilot) -> None:
        await _open_report(pilot)
        await pilot.press("h")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), run_before=handover, terminal_size=(80, 24))
