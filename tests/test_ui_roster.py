"""The roster (`R`/F5) at 80x24: sign officers on (a fresh database has none on duty),
with a beat and skills for the shift; sign off; break, busy, out of service with a
reason; back in service; time in status on a fixed clock; a desk operator refused with
nothing written."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cso_console.app import ConsoleApp
from cso_console.desk import Desk
from cso_console.domain.clock import FixedClock
from cso_console.domain.events import EventType
from cso_console.domain.model import OfficerStatus, OperatorRole
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.screens.board import BoardScreen
from cso_console.screens.picker import PickerScreen, TextPrompt
from cso_console.screens.roster import LEAD_ONLY, RosterList, RosterScreen

from .conftest import START
from .ui_app import caught_up, demo_app, settle, wait_until

PIN = "roster-7319-pin"  # 8+ characters, nowhere else


def fresh_app(folder: Path, clock: FixedClock | None = None) -> ConsoleApp:
    """A new database, as `run` makes it without --demo: the town's roster, nobody on,
    and its first lead (as the first run makes them) signed in."""
    from cso_console.session import NOBODY, first_lead

    town = load_town(bundled_town_dir())
    desk = Desk.open(
        folder / "fresh.db", town, clock=clock or FixedClock(START), operator_id=NOBODY
    )
    desk.take_roster()
    out, session = first_lead(desk, "lead1", "Lee Lead", PIN)
    assert out.ok, out.reason
    return ConsoleApp(desk, session=session, lock_after=0)  # the clock jumps by hours here


def roster(app) -> RosterList:
    return app.screen.query_one(RosterList)


def row(app, officer_id: str) -> str:
    return roster(app).render_row(officer_id)[0]


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def open_roster(pilot, key: str = "R") -> None:
    await pilot.pause()
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, RosterScreen), what="roster")
    await wait_until(pilot, lambda: roster(pilot.app).officers, what="the officers")
    await wait_until(pilot, lambda: pilot.app.screen.role is not None, what="the role")


async def screen_is(pilot, kind) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind), what=kind.__name__)


def journal(desk: Desk) -> list[tuple[str, str | None, dict]]:
    return [(e.type.value, e.officer_id, e.payload) for e in desk.store.events()]


def test_a_fresh_database_signs_four_officers_on(tmp_path):
    async def go():
        app = fresh_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_roster(pilot)
            assert not [o for o in roster(app).officers.values() if o.status.value != "OFF_DUTY"]
            assert "0 on duty, 24 off duty" in str(app.screen.query_one("#title").render())
            # o on the selected officer: the home beat is offered first
            roster(app).select_key("C10")
            await pilot.press("o")
            await screen_is(pilot, PickerScreen)
            await pilot.press("enter")  # B1, home
            await screen_is(pilot, TextPrompt)
            await pilot.press("enter")  # no skills beyond their own
            await settle(pilot)
            assert "C10 signed on in B1." in message(app)
            # + picks an officer off duty; another beat; skills for the shift
            await pilot.press("plus")
            await screen_is(pilot, PickerScreen)
            await pilot.press(*"C14", "enter")
            await wait_until(pilot, lambda: "beat" in app.screen.title_text, what="beat")
            await pilot.press(*"B3", "enter")
            await screen_is(pilot, TextPrompt)
            await pilot.press(*"+animal events", "enter")
            await settle(pilot)
            assert "C14 signed on in B3 (+animal +events)." in message(app)
            for oid in ("C16", "C20"):
                await pilot.press("insert")
                await screen_is(pilot, PickerScreen)
                await pilot.press(*oid, "enter")
                await wait_until(pilot, lambda: "beat" in app.screen.title_text, what="beat")
                await pilot.press("enter")
                await screen_is(pilot, TextPrompt)
                await pilot.press("enter")
                await settle(pilot)
            assert isinstance(app.screen, RosterScreen)
            assert "4 on duty, 20 off duty" in str(app.screen.query_one("#title").render())
            assert roster(app).keys[:4] == ["C10", "C14", "C16", "C20"]
            assert "B3     0:00 +animal +events first-" in row(app, "C14")
            on = {o.officer_id: o for o in app.desk.officers() if o.status.value == "AVAILABLE"}
            assert sorted(on) == ["C10", "C14", "C16", "C20"]
            assert (on["C14"].beat_id, on["C14"].shift_skills) == ("B3", ("animal", "events"))
            assert (on["C20"].beat_id, on["C10"].beat_id) == ("B4", "B1")
            await pilot.press("escape")  # the board has them too: dispatch can begin
            await screen_is(pilot, BoardScreen)

    asyncio.run(go())


def test_status_with_reasons_sign_off_and_time_in_status(tmp_path):
    clock = FixedClock(START)

    async def go():
        app = fresh_app(tmp_path, clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_roster(pilot, "f5")
            roster(app).select_key("C12")
            await pilot.press("o", "enter", "enter")
            await settle(pilot)
            clock.advance(minutes=7, seconds=5)
            app.tick_screens()
            await pilot.pause()
            assert "AVAILABLE      B1     7:05" in row(app, "C12")
            await pilot.press("b")
            await screen_is(pilot, TextPrompt)
            await pilot.press(*"lunch", "enter")
            await settle(pilot)
            assert "C12 on break (lunch)." in message(app)
            assert "BREAK          B1     0:00" in row(app, "C12")
            clock.advance(minutes=61)
            app.tick_screens()
            await pilot.pause()
            assert "BREAK          B1     1h01" in row(app, "C12")
            await pilot.press("u", "enter")  # busy, no reason
            await settle(pilot)
            assert "C12 busy." in message(app)
            await pilot.press("x", "enter")  # out of service needs a reason: not taken
            await pilot.pause()
            assert isinstance(app.screen, TextPrompt)
            await pilot.press(*"radio failed", "enter")
            await settle(pilot)
            assert "C12 out of service (radio failed)." in message(app)
            assert "OUT OF SERVICE" in row(app, "C12")
            await pilot.press("a")
            await settle(pilot)
            assert "C12 back in service." in message(app)
            await pilot.press("f")
            await wait_until(pilot, lambda: not isinstance(app.screen, RosterScreen), what="ask")
            await pilot.press("y")
            await settle(pilot)
            assert "C12 signed off." in message(app)
            assert "OFF DUTY" in row(app, "C12")
            events = journal(app.desk)
            statuses = [
                (p["status"], p["reason"])
                for t, o, p in events
                if t == EventType.OFFICER_STATUS_CHANGED and o == "C12"
            ]
            assert statuses == [
                ("BREAK", "lunch"),
                ("BUSY", ""),
                ("OUT_OF_SERVICE", "radio failed"),
                ("AVAILABLE", ""),
            ]
            assert [t for t, o, _ in events if o == "C12"][-1] == EventType.OFFICER_SIGNED_OFF

    asyncio.run(go())


def test_the_demo_shift_on_the_roster(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_roster(pilot)
            free = [o for o in app.desk.officers() if o.status is OfficerStatus.AVAILABLE]
            oid = free[0].officer_id
            roster(app).select_key(oid)
            await pilot.press("b", *"coffee", "enter")
            await settle(pilot)
            assert f"{oid} on break (coffee)." in message(app)
            await pilot.press("a")
            await settle(pilot)
            assert f"{oid} back in service." in message(app)
            await pilot.press("o")  # already on duty: said at once, nothing asked
            await pilot.pause()
            assert "already on duty" in message(app) and isinstance(app.screen, RosterScreen)
            await pilot.press("escape")
            await screen_is(pilot, BoardScreen)

    asyncio.run(go())


def test_a_desk_operator_is_refused_roster_changes_and_nothing_is_written(tmp_path):
    async def go():
        app = fresh_app(tmp_path)
        desk = app.desk
        assert desk.add_operator("lead1", "Lee Lead", OperatorRole.LEAD, PIN)
        assert desk.sign_in("lead1", PIN)
        assert desk.add_operator("desk1", "Dee Desk", OperatorRole.DESK, PIN)
        from cso_console.domain import commands as c

        assert desk.execute(c.SignOn(officer="C11"))  # the lead signed one on
        assert desk.sign_in("desk1", PIN)
        assert desk.operator_role is OperatorRole.DESK
        async with app.run_test(size=(80, 24)) as pilot:
            await open_roster(pilot)
            before = journal(desk)
            roster(app).select_key("C10")
            for key in ("o", "plus", "insert"):
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, RosterScreen), key  # nothing asked
                assert LEAD_ONLY in message(app)
            roster(app).select_key("C11")
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, RosterScreen) and LEAD_ONLY in message(app)
            await settle(pilot)
            assert journal(desk) == before  # nothing written
            await pilot.press("b", "enter")  # officer status is any operator's
            await settle(pilot)
            assert "C11 on break." in message(app)
            after = journal(desk)
            assert after[: len(before)] == before and len(after) == len(before) + 1
            assert after[-1][0] == EventType.OFFICER_STATUS_CHANGED

    asyncio.run(go())


def test_the_desk_refuses_a_sign_on_when_the_role_changed_under_the_screen(tmp_path):
    """The screen's idea of the role may be a moment old; the desk's check is the one
    that counts, and its refusal is said too."""

    async def go():
        app = fresh_app(tmp_path)
        desk = app.desk
        async with app.run_test(size=(80, 24)) as pilot:
            await open_roster(pilot)
            assert app.screen.role is OperatorRole.LEAD  # the first lead signed in
            assert desk.add_operator("lead1", "Lee Lead", OperatorRole.LEAD, PIN)
            assert desk.sign_in("lead1", PIN)
            assert desk.add_operator("desk1", "Dee Desk", OperatorRole.DESK, None)
            await caught_up(pilot)
            desk.operator_id = "desk1"  # as a sign-in the screen has not heard of yet
            assert app.screen.role is OperatorRole.LEAD
            before = journal(desk)
            roster(app).select_key("C10")
            await pilot.press("o", "enter", "enter")
            await settle(pilot)
            assert "REFUSED: Only a shift lead can do that." in message(app)
            assert journal(desk) == before

    asyncio.run(go())


async def _roster_for_snapshot(pilot) -> None:
    await open_roster(pilot)
    await pilot.pause()


def test_roster_snapshot(snap_compare, tmp_path):
    assert snap_compare(demo_app(tmp_path), run_before=_roster_for_snapshot, terminal_size=(80, 24))


def test_a_lead_moves_an_officer_to_another_beat_and_the_row_says_why_out(tmp_path):
    async def go():
        app = fresh_app(tmp_path)
        from cso_console.domain import commands as c

        assert app.desk.execute(c.SignOn(officer="C14", beat="B3", skills=("animal",))).ok
        assert app.desk.execute(c.SignOn(officer="C10")).ok
        reason = "vehicle fault: flat tyre on the rear left, waiting for the garage truck"
        assert app.desk.execute(
            c.SetOfficerStatus(officer="C10", status=OfficerStatus.OUT_OF_SERVICE, reason=reason)
        ).ok
        async with app.run_test(size=(80, 24)) as pilot:
            await open_roster(pilot)
            text = row(app, "C10")
            assert "(vehicle fault: flat" in text and len(text) <= 78  # cut to fit
            roster(app).select_key("C14")
            before = len(journal(app.desk))
            await pilot.press("c")
            await screen_is(pilot, PickerScreen)
            assert app.screen.choices[0].value == "B3" and "(now)" in app.screen.choices[0].label
            assert "Move C14" in app.screen.title_text
            await pilot.press(*"B5", "enter")
            await screen_is(pilot, TextPrompt)
            await pilot.press("ctrl+u", *"+events", "enter")
            await settle(pilot)
            assert "C14 now works B5 (+events)." in message(app)
            officer = app.desk.officer("C14")
            assert (officer.beat_id, officer.shift_skills) == ("B5", ("events",))
            assert officer.status is OfficerStatus.AVAILABLE  # never signed off
            assert [t for t, _, _ in journal(app.desk)[before:]] == ["officer.shift_changed"]
            await wait_until(pilot, lambda: " B5 " in row(app, "C14"), what="the row")
            roster(app).select_key("C16")  # off duty: sign on instead
            await pilot.press("c")
            await wait_until(pilot, lambda: "not on duty" in message(app))
            await pilot.press("escape")
            await screen_is(pilot, BoardScreen)

    asyncio.run(go())
