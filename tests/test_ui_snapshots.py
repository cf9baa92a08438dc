"""SVG snapshots of each screen at 80x24, fixed clock, fixed demo shift.

Update after a deliberate change: `python -m pytest tests/test_ui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from .ui_app import demo_app, wait_until


def test_board(snap_compare, tmp_path):
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24))


def test_board_wide_with_map(snap_compare, tmp_path):
    assert snap_compare(
        demo_app(tmp_path), terminal_size=(160, 34)
    )  # room for the panel and whole lists


def test_intake(snap_compare, tmp_path):
    assert snap_compare(
        demo_app(tmp_path), press=["n", *"410 Elm", "tab", "p"], terminal_size=(80, 24)
    )


def test_dispatch_picker(snap_compare, tmp_path):
    assert snap_compare(demo_app(tmp_path), press=["down", "down", "d"], terminal_size=(80, 24))


def test_call_detail(snap_compare, tmp_path):
    async def open_call(pilot):
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "settled", False))

    assert snap_compare(demo_app(tmp_path), run_before=open_call, terminal_size=(80, 24))


def test_beat_map(snap_compare, tmp_path):
    assert snap_compare(demo_app(tmp_path), press=["m"], terminal_size=(80, 24))


def test_help(snap_compare, tmp_path):
    assert snap_compare(demo_app(tmp_path), press=["question_mark"], terminal_size=(80, 24))


def test_command_line_completing(snap_compare, tmp_path):
    async def typed(pilot):
        from cso_console.screens.command_line import CommandLineScreen

        await pilot.press("colon")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandLineScreen))
        await pilot.press(*"D 9 C1", "tab")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), run_before=typed, terminal_size=(80, 24))


def test_sign_in(snap_compare, tmp_path):
    async def opened(pilot):
        from cso_console.screens.signin import SignInScreen

        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
        await pilot.press(*"lead", "enter", *"0000", "enter")
        await wait_until(pilot, lambda: str(pilot.app.screen.query_one("#alert-count").render()))
        await wait_until(
            pilot, lambda: "Wrong PIN" in str(pilot.app.screen.query_one("#feedback").render())
        )

    app = demo_app(tmp_path, signed_in=False)
    assert snap_compare(app, run_before=opened, terminal_size=(80, 24))


def test_first_run(snap_compare, tmp_path):
    from .test_random_keys import empty_app

    async def opened(pilot):
        from cso_console.screens.firstrun import FirstRunScreen

        await wait_until(pilot, lambda: isinstance(pilot.app.screen, FirstRunScreen))
        await pilot.press(*"ana", "enter", *"Ana Lead", "enter", *"1234", "enter", *"1235", "enter")

    assert snap_compare(
        empty_app(tmp_path, signed_in=False), run_before=opened, terminal_size=(80, 24)
    )


def test_lock(snap_compare, tmp_path):
    assert snap_compare(
        demo_app(tmp_path), press=["n", *"410 Elm", "ctrl+l"], terminal_size=(80, 24)
    )
