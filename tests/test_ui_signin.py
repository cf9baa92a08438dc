"""Pilot tests at 80x24 with a fixed clock: the first run, sign-in (wrong PINs, the
growing wait, the lockout), the status bar's operator and role, the lock (ctrl+l and
idle), unlocking and a lead taking over, signing out, quitting from the lock, the demo."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from textual.widgets import Input, Static

from cso_console.app import ConsoleApp
from cso_console.demo import DEMO_PIN
from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.model import OperatorRole
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.screens.board import BoardScreen
from cso_console.screens.confirm import ConfirmScreen
from cso_console.screens.firstrun import FirstRunScreen
from cso_console.screens.intake import IntakeScreen
from cso_console.screens.lock import LockScreen
from cso_console.screens.signin import SignInScreen
from cso_console.session import NOBODY
from cso_console.widgets.alert_count import alert_count_line
from cso_console.widgets.status import StatusBar

from .conftest import START
from .ui_app import demo_app, wait_until

PIN = "Rq5$tN8vH-27"  # appears nowhere else
DESK_PIN = "Wb3%yJ6cM-90"


def run(coro):
    return asyncio.run(coro)


def fresh_app(folder: Path, enrolled: bool = False, **options: object) -> ConsoleApp:
    """A database made without --demo; with ``enrolled``, lead ana and desk operator dee."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    desk = Desk.open(
        folder / "fresh.db",
        load_town(bundled_town_dir()),
        clock=FixedClock(START),
        operator_id=NOBODY,
    )
    desk.take_roster()
    if enrolled:
        desk.operator_id = "ana"
        assert desk.add_operator("ana", "Ana Lead", OperatorRole.LEAD, PIN).ok
        assert desk.add_operator("dee", "Dee Desk", OperatorRole.DESK, DESK_PIN).ok
        desk.operator_id = NOBODY
    return ConsoleApp(desk, **options)  # type: ignore[arg-type]


def operator_events(app: ConsoleApp) -> list[tuple[str, str]]:
    return [
        (e.type.value, e.operator_id)
        for e in app.desk.store.events()
        if e.type.value.startswith("operator.")
    ]


def feedback(app: ConsoleApp) -> str:
    return str(app.screen.query_one("#feedback", Static).render())


def status(app: ConsoleApp) -> str:
    return str(app.screen_stack[1].query_one(StatusBar).render())


async def tick(pilot, **advance: float) -> None:
    """Move the desk's fixed clock and run the app's 1 s tick once."""
    pilot.app.desk.clock.advance(**advance)
    pilot.app._tick()
    await pilot.pause()


async def answered(pilot) -> None:
    await wait_until(
        pilot, lambda: not getattr(pilot.app.screen, "checking", False), what="the PIN check"
    )
    await pilot.pause()


async def pin_in(pilot, pin: str) -> None:
    await pilot.press(*pin, "enter")
    await answered(pilot)


def test_first_run_enrolls_the_first_lead_and_signs_them_in(tmp_path):
    async def go():
        app = fresh_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, FirstRunScreen))
            await pilot.press("enter", "f10")
            assert "operator id" in feedback(app)
            await pilot.press(*"ana", "enter", "f10")
            assert "name" in feedback(app)
            await pilot.press(*"Ana Lead", "enter", *"12", "enter", "enter")
            assert feedback(app) == "A PIN has 4 to 64 characters."
            assert app.screen.focused.id == "pin"
            await pilot.press("backspace", "backspace", *PIN, "enter", *"Wb3%yJ6c", "enter")
            assert feedback(app) == "The two PINs differ: type the PIN again."
            assert app.screen.focused.id == "again" and app.screen.focused.value == ""
            assert operator_events(app) == []  # nothing written for a refusal
            await pilot.press(*PIN, "enter")
            await wait_until(pilot, lambda: app.session is not None, what="the sign-in")
            await pilot.pause()
            from cso_console.screens.roster import RosterScreen

            assert isinstance(app.screen, RosterScreen)  # a shift starts by signing on
            await wait_until(
                pilot,
                lambda: "Sign officers on" in str(app.screen.query_one("#message").render()),
                what="the next step said",
            )
            assert "ana (shift lead)" in status(app)
            assert operator_events(app) == [
                ("operator.enrolled", "ana"),
                ("operator.signed_in", "ana"),
            ]
            enrolled = next(
                e for e in app.desk.store.events() if e.type.value == "operator.enrolled"
            )
            assert enrolled.payload["by"] == "ana" and enrolled.payload["role"] == "lead"
            assert app.desk.operator_id == "ana"
            assert app.desk.operator_role is OperatorRole.LEAD
        for f in tmp_path.glob("fresh.db*"):
            assert PIN.encode() not in f.read_bytes()

    run(go())


def test_wrong_pins_wait_longer_each_time_then_lock_that_operator_out(tmp_path):
    async def go():
        app = fresh_app(tmp_path, enrolled=True, operator="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen))
            assert app.screen.query_one("#operator", Input).value == "ana"
            pin = app.screen.query_one("#pin", Input)
            for n, wait in enumerate((1, 2, 4, 8), start=1):
                await pin_in(pilot, "0000")
                assert f"Wrong PIN ({n} of 5). Next try for ana in {wait} s." == feedback(app)
                assert pin.disabled  # the PIN field is shut while the desk asks to wait
                await pilot.press(*"9999", "enter")
                await pilot.pause()
                assert not app.screen.checking  # and Enter is not a try
                if wait > 1:
                    await tick(pilot, seconds=1)
                    assert f"in {wait - 1} s" in feedback(app) and pin.disabled
                    await tick(pilot, seconds=wait - 1)
                else:
                    await tick(pilot, seconds=1)
                assert not pin.disabled and feedback(app).endswith("Try again.")
            await pin_in(pilot, "0000")
            assert "ana is locked out on this desk for 5 minutes" in feedback(app)
            assert "Next try for ana in 5:00 min" in feedback(app)
            await tick(pilot, seconds=10)
            assert pin.disabled and "4:50 min" in feedback(app)
            # another operator is not locked out on this desk
            op = app.screen.query_one("#operator", Input)
            op.value = "dee"
            await pilot.pause()
            assert not pin.disabled
            op.value = "ana"
            await pilot.pause()
            assert pin.disabled
            await tick(pilot, minutes=5)
            assert not pin.disabled
            pin.focus()
            await pin_in(pilot, PIN)
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            assert operator_events(app)[-6:] == [
                *[("operator.pin_refused", "ana")] * 5,
                ("operator.signed_in", "ana"),
            ]

    run(go())


def test_the_status_bar_shows_the_operator_and_role_from_the_projection(tmp_path):
    async def go():
        app = fresh_app(tmp_path, enrolled=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen))
            assert app.screen.focused.id == "operator"
            await pilot.press(*"dee", "enter")
            await pin_in(pilot, DESK_PIN)
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            assert "dee (desk)" in status(app)
            assert app.desk.operator_role is OperatorRole.DESK
            assert "dee signed in (desk)." in str(app.screen.query_one("#message").render())

    run(go())


def test_ctrl_l_locks_shows_the_alerts_and_unlocks_with_the_form_as_it_was(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", *"410 Elm")
            await pilot.pause()
            intake = app.screen
            assert isinstance(intake, IntakeScreen)
            await pilot.press("ctrl+l")
            await pilot.pause()
            lock = app.screen
            assert isinstance(lock, LockScreen)
            alerts = app.standing_alerts()
            assert alerts  # the demo shift has some
            count = str(lock.query_one("#alert-count").render())
            assert count == alert_count_line(alerts) and count.startswith("ALERTS: ")
            drawn = "\n".join(str(w.render()) for w in lock.query(Static))
            assert "Elm" not in drawn and "SIGNAL" not in drawn  # no call data
            await pilot.press("ctrl+l")  # locking again changes nothing
            assert len([s for s in app.screen_stack if isinstance(s, LockScreen)]) == 1
            await pin_in(pilot, "0000")
            assert app.screen is lock and feedback(app).startswith("Wrong PIN (1 of 5).")
            await tick(pilot, seconds=1)
            await pin_in(pilot, DEMO_PIN)
            await wait_until(pilot, lambda: app.screen is intake, what="the unlock")
            assert intake.query_one("#location", Input).value == "410 Elm"
            assert app.session.operator_id == "lead"

    run(go())


def test_a_lead_takes_over_and_a_desk_operator_cannot(tmp_path):
    async def go():
        app = fresh_app(tmp_path, enrolled=True, operator="dee")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen))
            await pin_in(pilot, DESK_PIN)
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await pilot.press("ctrl+l")
            await pilot.pause()
            app.screen.query_one("#operator", Input).value = "ana"
            app.screen.query_one("#pin", Input).focus()
            await pin_in(pilot, PIN)
            await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            assert app.session.operator_id == "ana" and app.desk.operator_id == "ana"
            assert "ana (shift lead)" in status(app)
            assert operator_events(app)[-3:] == [
                ("operator.signed_in", "dee"),
                ("operator.signed_out", "dee"),
                ("operator.signed_in", "ana"),
            ]
            before = operator_events(app)
            await pilot.press("ctrl+l")
            await pilot.pause()
            app.screen.query_one("#operator", Input).value = "dee"
            app.screen.query_one("#pin", Input).focus()
            await pin_in(pilot, DESK_PIN)
            assert isinstance(app.screen, LockScreen)
            assert feedback(app) == "Only a shift lead can take over ana's session."
            assert operator_events(app) == before and app.desk.operator_id == "ana"

    run(go())


def test_the_console_locks_itself_after_the_idle_minutes(tmp_path):
    async def go():
        app = demo_app(tmp_path, lock_after=10)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("down")
            await tick(pilot, minutes=9, seconds=59)
            assert isinstance(app.screen, BoardScreen)
            await pilot.press("up")  # a key starts the count again
            await tick(pilot, minutes=9, seconds=59)
            assert isinstance(app.screen, BoardScreen)
            await tick(pilot, seconds=1)
            assert isinstance(app.screen, LockScreen)

    run(go())


def test_lock_after_zero_never_locks(tmp_path):
    async def go():
        app = demo_app(tmp_path, lock_after=0)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await tick(pilot, hours=12)
            assert isinstance(app.screen, BoardScreen)

    run(go())


def test_quitting_from_the_lock_needs_a_pin(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+l")
            await pilot.pause()
            await pilot.press("ctrl+c")
            await pilot.pause()
            assert isinstance(app.screen, LockScreen)  # no yes/no question
            assert "To quit the console" in str(app.screen.query_one("#who").render())
            await pilot.press("y")  # not a yes: a PIN is typed here
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, LockScreen)
            await pilot.press("backspace")
            await pin_in(pilot, "")
            assert feedback(app) == "Type your PIN, then Enter."
            await pin_in(pilot, "1111")
            assert app.is_running and isinstance(app.screen, LockScreen)
            await tick(pilot, seconds=1)
            await pilot.press("escape")  # back to unlocking: the same PIN would unlock
            assert "unlocks" in str(app.screen.query_one("#who").render())
            await pilot.press("ctrl+q")
            await pilot.press(*DEMO_PIN, "enter")
            await wait_until(pilot, lambda: not app.is_running, what="the exit")
        assert app.return_code == 0

    run(go())


def test_sign_out_from_the_lock_records_it_and_opens_the_sign_in(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("n", *"410 Elm", "ctrl+l", "f9")
            await pin_in(pilot, DEMO_PIN)
            await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen))
            assert app.session is None and app.desk.operator_id == NOBODY
            assert [type(s) for s in app.screen_stack[1:]] == [BoardScreen, SignInScreen]
            assert operator_events(app)[-1] == ("operator.signed_out", "lead")
            assert app.screen.query_one("#operator", Input).value == "lead"
            await pilot.press("ctrl+l")  # nobody to lock for
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
            await pilot.press("ctrl+c")  # nobody signed in: the plain question
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)

    run(go())


def test_the_demo_is_signed_in_as_the_demo_lead(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)
            assert "lead (demo lead)" in status(app)
            assert app.desk.operator_role is OperatorRole.LEAD
            assert operator_events(app)[-1] == ("operator.signed_in", "lead")

    run(go())


def test_quitting_signs_the_operator_out(tmp_path):
    """The record says when someone left the desk: q then y writes their sign-out."""

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("q", "y")
            await wait_until(pilot, lambda: not app.is_running, what="the exit")
        last = list(app.desk.store.events())[-1]
        assert (last.type.value, last.operator_id) == ("operator.signed_out", "lead")
        assert not app.desk.operators()["lead"].signed_in

    asyncio.run(go())


def test_a_tick_between_a_screens_push_and_its_mount_passes_it_by(tmp_path):
    """The 1 s tick can land after a screen is pushed and before it is composed (seen
    under load right after the first run): such a screen is ticked once it is mounted."""

    async def go():
        app = fresh_app(tmp_path, enrolled=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, SignInScreen))
            for screen in (BoardScreen(), FirstRunScreen(), SignInScreen("ana")):
                app.push_screen(screen)
                app.tick_screens()  # before the screen's compose has run
                await pilot.pause()
                app.tick_screens()
                app.pop_screen()
                await pilot.pause()

    run(go())
