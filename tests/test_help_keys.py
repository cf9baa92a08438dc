"""Help lists the console's own keys, not the text field's editing keys (which are the
same in every field and once offered Right to "accept" a suggestion that no longer exists)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cso_console.screens.help import HelpScreen, key_lines
from cso_console.screens.intake import IntakeScreen

from .ui_app import demo_app


def test_intake_help_is_the_forms_keys(tmp_path: Path) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, IntakeScreen)
            lines = key_lines(app.screen)
            text = "\n".join(lines).lower()
            assert "completion suggestion" not in text and "delete character" not in text, text
            assert any("save" in line.lower() for line in lines)
            assert any("tab" in line.lower() for line in lines)
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)

    asyncio.run(go())
