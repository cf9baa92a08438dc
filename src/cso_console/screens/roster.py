"""The roster (`R` / F5): the shift's officers, their status (and why) and time in it;
sign on and off, change an officer's beat and shift skills, break, busy, out of service,
back in service.

The list is every officer of the town's roster (the officer.enrolled events the desk took
from the town files): those on duty first, then those off duty. Adding an officer to the
shift is signing on one of the roster's officers not on duty (`+` picks them from a list);
who is on the roster at all is the town files' business, not the console's.

Signing on and off, and changing an on-duty officer's beat or skills, is a shift lead's
(the desk refuses it to a desk operator and writes nothing; the screen asks the desk for
the role first, so nobody fills in a beat to be told no); officer status is any
operator's. The screen holds its own copy of the officers and
follows the journal's change feed: no database read while a key is handled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cso_console.domain import commands as c
from cso_console.domain.model import Officer, OfficerStatus, OperatorRole
from cso_console.screens.actions import DeskActions
from cso_console.screens.picker import Choice, PickerScreen, TextPrompt
from cso_console.widgets.boards import OFFICER_STATUS_CELLS
from cso_console.widgets.format import elapsed, fit, status_word
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.message import MessageLine
from cso_console.widgets.rowlist import RowList

if TYPE_CHECKING:
    from cso_console.app import Feed

LEAD_ONLY = "Only a shift lead can sign officers on or off or change their beat."

ROSTER_NOTES = """
Every officer of the town's roster: on duty first, then
off duty (by call sign).
UNIT    call sign            STATUS  AVAILABLE, BUSY,
        BREAK, OUT OF SERVICE, DISPATCHED, EN ROUTE,
        ON SCENE, OFF DUTY
BEAT    the beat they work this shift (home beat when
        off duty)
TIME    in this status: 4:05 min:s, 3h05, 2d04 days
SKILLS  why on break, busy or out of service (in
        parentheses), then their skills; +skill = added
        for this shift

Sign on (o, or + to pick from the officers off duty)
asks the beat (their home beat first) and any skills for
the shift; sign on and off are for a shift lead. Break
and busy take a reason if you give one; out of service
needs one. a puts an officer back in service. c changes
the beat and the shift skills of an officer on duty
without signing them off and on (a shift lead).
"""


def on_duty(o: Officer) -> bool:
    return o.status is not OfficerStatus.OFF_DUTY


def skills_text(o: Officer) -> str:
    """The skills added for the shift first (``+animal``), then the roster's."""
    return " ".join([*(f"+{s}" for s in o.shift_skills), *o.skills])


def reason_and_skills(o: Officer) -> str:
    """``(vehicle fault) +animal parking``: why, when the status has a reason."""
    reason = f"({o.status_reason}) " if o.status_reason and on_duty(o) else ""
    return reason + skills_text(o)


def typed_skills(text: str) -> tuple[str, ...]:
    """``+animal first-aid, events`` -> the codes; the desk says which one is unknown."""
    return tuple(s.lstrip("+") for s in re.split(r"[\s,;]+", text) if s.lstrip("+"))


class RosterList(RowList):
    """One row per officer: on duty first, then off duty; by call sign in each."""

    HEADER = (
        f"  {fit('UNIT', 5)} {fit('NAME', 18)} {fit('STATUS', OFFICER_STATUS_CELLS)} "
        f"{fit('BEAT', 4)} {fit('TIME', 6, right=True)} SKILLS"
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.officers: dict[str, Officer] = {}

    def set_officers(self, officers: Iterable[Officer]) -> None:
        self.officers = {o.officer_id: o for o in officers}
        self._resort()

    def upsert(self, officers: dict[str, Officer], dropped: set[str]) -> None:
        self.officers.update(officers)
        for oid in dropped:
            self.officers.pop(oid, None)
        self._resort()

    def _resort(self) -> None:
        def key(o: Officer) -> tuple[int, int, str]:
            return (0 if on_duty(o) else 1), len(o.officer_id), o.officer_id  # C9 before C10

        self.set_keys([o.officer_id for o in sorted(self.officers.values(), key=key)])

    @property
    def selected(self) -> Officer | None:
        key = self.selected_key
        return self.officers.get(key) if key else None

    def empty_text(self) -> str:
        return "  No officers on the town's roster."

    def render_row(self, key: str) -> tuple[str, str | None]:
        o = self.officers[key]
        since = elapsed(o.status_since, self.now) if on_duty(o) and o.status_since else ""
        width = max(6, self.scrollable_content_region.width - 54)
        text = (
            f"  {fit(o.officer_id, 5)} {fit(o.name, 18)} "
            f"{fit(status_word(o.status), OFFICER_STATUS_CELLS)} "
            f"{fit(o.beat_id or o.home_beat or '--', 4)} {fit(since, 6, right=True)} "
            f"{fit(reason_and_skills(o), width)}"
        )
        return text, None


class RosterScreen(DeskActions):
    HELP_TITLE = "Roster"
    HELP_NOTES = ROSTER_NOTES
    DEFAULT_CSS = """
    RosterScreen { layout: vertical; }
    RosterScreen #title { height: 1; padding: 0 1; text-style: bold; }
    RosterScreen RosterList { height: 1fr; border: ascii $secondary; }
    RosterScreen RosterList:focus { border: ascii $accent; }
    RosterScreen #message { height: 1; padding: 0 1; }
    RosterScreen #message.error { text-style: bold; }
    RosterScreen #keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("o", "sign_on", "Sign on (lead)", id="officer.sign_on"),
        Binding("plus,insert", "add", "Add an officer to the shift (lead)", id="officer.add"),
        Binding("f", "sign_off", "Sign off (lead)", id="officer.sign_off"),
        Binding("c", "change", "Change beat/skills (lead)", id="officer.change_shift"),
        Binding("a", "available", "Available (back in service)", id="officer.available"),
        Binding("b", "break", "Break", id="officer.break"),
        Binding("u", "busy", "Busy", id="officer.busy"),
        Binding("x", "out_of_service", "Out of service", id="officer.out_of_service"),
        Binding("escape", "back", "Back", id="nav.back"),
        Binding("question_mark,f1", "help", "Help", id="nav.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.role: OperatorRole | None = None  # the desk's answer, once it is back

    def compose(self) -> ComposeResult:
        yield Static("", id="title", markup=False)
        yield RosterList(id="roster")
        yield MessageLine(id="message")
        yield KeyHints(
            ("officer.sign_on", "on"),
            ("officer.add", "add"),
            ("officer.sign_off", "off"),
            ("officer.change_shift", "beat"),
            ("officer.available", "avail"),
            ("officer.break", "break"),
            ("officer.busy", "busy"),
            ("officer.out_of_service", "out"),
            ("nav.back", "back"),
            ("nav.help", "help"),
        )

    def on_mount(self) -> None:
        known = self.console.known_officers()
        if known:  # the board's officers: it follows the journal
            self._set(known.values())
        else:  # nothing underneath holds them: read them once, then follow
            self.console.read(self.desk.officers, self._set, owner=self)
        self._read_role()
        self.tick(self.desk.now())
        self.query_one(RosterList).focus()

    def _set(self, officers: Iterable[Officer]) -> None:
        self.query_one(RosterList).set_officers(officers)
        self._title()

    def _title(self) -> None:
        officers = self.query_one(RosterList).officers.values()
        on = sum(1 for o in officers if on_duty(o))
        self.query_one("#title", Static).update(
            f"ROSTER: {on} on duty, {len(officers) - on} off duty "
            f"({len(officers)} on the town's roster)"
        )

    def tick(self, now: datetime) -> None:
        self.query_one(RosterList).tick(now)

    def follow(self, changes: Feed, full: bool) -> bool:
        if not self.is_mounted:
            return False
        roster = self.query_one(RosterList)
        if full:
            roster.set_officers(changes.officers.values())
        elif changes.officers or changes.dropped_officers:
            roster.upsert(changes.officers, changes.dropped_officers)
        self._title()
        self._read_role()  # a sign-in (another operator taking over) may have changed it
        return False  # the board rings for alerts

    # targets ----------------------------------------------------------------

    def target_officer(self) -> Officer | None:
        return self.query_one(RosterList).selected

    # sign on and off (lead) -----------------------------------------------------

    def _read_role(self, then: Callable[[OperatorRole], None] | None = None) -> None:
        """Ask the desk the operator's role (the operators projection's), off the UI
        thread; kept so the next lead action needs no wait (keys typed ahead are kept)."""

        def known(role: OperatorRole) -> None:
            self.role = role
            if then is not None:
                then(role)

        self.console.read(lambda: self.desk.operator_role, known, owner=self)

    def _as_lead(self, then: Callable[[], None]) -> None:
        """Run ``then`` if the operator is a shift lead; else say why not. The desk
        checks the role again when it writes."""

        def go(role: OperatorRole) -> None:
            if role is OperatorRole.LEAD:
                then()
            else:
                self.say(LEAD_ONLY, error=True)

        if self.role is None:
            self._read_role(go)
        else:
            go(self.role)

    def action_sign_on(self) -> None:
        officer = self.target_officer()
        if officer is None:
            self.say("Select an officer first.", error=True)
            return
        if on_duty(officer):
            self.say(
                f"{officer.officer_id} is already on duty; + adds an officer off duty.",
                error=True,
            )
            return
        self._as_lead(lambda: self._ask_beat(officer))

    def action_add(self) -> None:
        self._as_lead(self._pick_officer)

    def _pick_officer(self) -> None:
        off = [o for o in self.query_one(RosterList).officers.values() if not on_duty(o)]
        if not off:
            self.say("Every officer on the town's roster is on duty.")
            return
        off.sort(key=lambda o: (len(o.officer_id), o.officer_id))
        choices = [
            Choice(
                o.officer_id,
                f"{fit(o.officer_id, 5)} {fit(o.name, 20)} {fit(o.home_beat or '--', 4)} "
                f"{skills_text(o)}",
                search=o.name,
            )
            for o in off
        ]
        by_id = {o.officer_id: o for o in off}

        def chosen(officer_id: str | None) -> None:
            if officer_id and officer_id in by_id:
                self.query_one(RosterList).select_key(officer_id)
                self._ask_beat(by_id[officer_id])

        self.app.push_screen(
            PickerScreen("Add an officer to the shift: who (off duty)", choices), chosen
        )

    def action_change(self) -> None:
        officer = self.target_officer()
        if officer is None:
            self.say("Select an officer first.", error=True)
            return
        if not on_duty(officer):
            self.say(f"{officer.officer_id} is not on duty; o signs them on.", error=True)
            return
        self._as_lead(lambda: self._ask_beat(officer, change=True))

    def _ask_beat(self, officer: Officer, change: bool = False) -> None:
        town = self.desk.town
        first = (officer.beat_id if change else None) or officer.home_beat
        beats = sorted(town.beats, key=lambda b: b.id != first)  # theirs first
        choices = [
            Choice(
                b.id,
                f"{fit(b.id, 4)} {b.name}"
                + ("  (home beat)" if b.id == officer.home_beat else "")
                + ("  (now)" if change and b.id == officer.beat_id else ""),
            )
            for b in beats
        ]

        def chosen(beat: str | None) -> None:
            if beat:
                self._ask_skills(officer, beat, change)

        doing = "move" if change else "sign"
        where = "to" if change else "on:"
        self.app.push_screen(
            PickerScreen(f"{doing.capitalize()} {officer.officer_id} {officer.name} {where} beat",
                         choices),
            chosen,
        )  # fmt: skip

    def _ask_skills(self, officer: Officer, beat: str, change: bool = False) -> None:
        own = " ".join(officer.skills) or "none"
        oid = officer.officer_id

        def typed(text: str | None) -> None:
            if text is None:  # Esc: nothing changes
                self.say(f"{oid} {'not changed' if change else 'not signed on'}.")
                return
            skills = typed_skills(text)
            extra = f" (+{' +'.join(skills)})" if skills else ""
            if change:
                self.run_command(
                    c.ChangeShift(officer=oid, beat=beat, skills=skills),
                    f"{oid} now works {beat}{extra}.",
                )
                return
            self.run_command(
                c.SignOn(officer=oid, beat=beat, skills=skills),
                f"{oid} signed on in {beat}{extra}.",
            )

        now = " ".join(f"+{s}" for s in officer.shift_skills) if change else ""
        self.app.push_screen(
            TextPrompt(
                f"Skills for {oid} this shift beyond their own ({own}); "
                "codes with spaces between, Enter for none",
                required=False,
                value=now,
            ),
            typed,
        )

    def action_sign_off(self) -> None:
        from cso_console.screens.confirm import ConfirmScreen

        officer = self.target_officer()
        if officer is None:
            self.say("Select an officer first.", error=True)
            return
        if not on_duty(officer):
            self.say(f"{officer.officer_id} is not on duty.", error=True)
            return
        oid = officer.officer_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_command(c.SignOff(officer=oid), f"{oid} signed off.")

        def ask() -> None:
            self.app.push_screen(ConfirmScreen(f"Sign {oid} off duty?"), answered)

        self._as_lead(ask)

    # status (any operator) ------------------------------------------------------

    def _status_with_reason(
        self, status: OfficerStatus, word: str, required: bool, question: str
    ) -> None:
        officer = self.target_officer()
        if officer is None:
            self.say("Select an officer first.", error=True)
            return
        if not on_duty(officer):  # refuse now, not after a reason is typed
            self.say(f"{officer.officer_id} is not signed on; o signs them on.", error=True)
            return
        oid = officer.officer_id

        def typed(reason: str | None) -> None:
            if reason is None:
                return
            because = f" ({reason})" if reason else ""
            self.run_command(
                c.SetOfficerStatus(officer=oid, status=status, reason=reason),
                f"{oid} {word}{because}.",
            )

        self.app.push_screen(TextPrompt(f"{oid} {word}: {question}", required=required), typed)

    def action_break(self) -> None:
        self._status_with_reason(OfficerStatus.BREAK, "on break", False, "reason (Enter for none)")

    def action_busy(self) -> None:
        self._status_with_reason(OfficerStatus.BUSY, "busy", False, "reason (Enter for none)")

    def action_out_of_service(self) -> None:
        self._status_with_reason(
            OfficerStatus.OUT_OF_SERVICE, "out of service", True, "reason (needed)"
        )

    def action_available(self) -> None:
        officer = self.target_officer()
        back = officer is not None and officer.status in (
            OfficerStatus.BREAK,
            OfficerStatus.BUSY,
            OfficerStatus.OUT_OF_SERVICE,
        )
        self._set_status(OfficerStatus.AVAILABLE, "back in service" if back else "available")

    # navigation -------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        from cso_console.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
