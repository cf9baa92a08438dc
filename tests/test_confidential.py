"""Issue 8, item 6: caller name and phone are never on the board, the map, the alerts,
the report and handover, a premise history or a search (until `v` in the call detail);
nor in default exports; the database and export files are owner-only (see also
test_cli_export_callers.py and test_readers.py)."""

from __future__ import annotations

import asyncio
import html

from .ui_app import demo_app, wait_until

SECRETS = ("Demo Caller", "555-0100")  # every demo call has them


def _shown(app) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def test_no_screen_shows_the_caller_until_v(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:  # wide: the map panel shows too
            await pilot.pause()
            seen = {"board": _shown(app)}
            for name, keys, ready in (
                ("map", ["m"], "BEAT"),
                ("alerts", ["exclamation_mark"], "ALERTS"),
                ("report", ["s"], "Shift report"),
                ("handover", ["s", "h"], "handover"),
                ("history", ["down", "h"], "LOSTP"),
                ("search", ["slash", *"library", "enter"], "FOUND"),
                ("detail", ["enter"], "Caller"),
            ):
                await pilot.press(*keys)
                await wait_until(pilot, lambda r=ready: r in _shown(app), what=name)
                seen[name] = _shown(app)
                await pilot.press("escape", "escape")
                await pilot.pause()
            for name, text in seen.items():
                for secret in SECRETS:
                    assert secret not in text, f"{secret!r} on the {name} screen"
            await pilot.press("enter", "v")  # revealed, recorded: now it shows
            await wait_until(pilot, lambda: "Demo Caller" in _shown(app), what="the reveal")

    asyncio.run(go())
