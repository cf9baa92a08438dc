"""Call detail: every field, the caller (viewing is recorded), the timeline and notes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from cso_console.desk import Outcome
from cso_console.domain import commands as c
from cso_console.domain.callnumber import short_number
from cso_console.domain.events import Event, EventType
from cso_console.domain.model import Call
from cso_console.screens.actions import DeskActions, call_bindings
from cso_console.screens.call_verbs import reopen_binding
from cso_console.text import terminal_safe
from cso_console.widgets.format import elapsed, local_time, status_word
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.message import MessageLine

if TYPE_CHECKING:
    from cso_console.app import Feed

REUSED = "call-detail"  # the name the one reused detail screen is installed under


def _hm(e: Event) -> str:
    return local_time(e.occurred_at, with_date=False)


def _when(text: object) -> str:
    """A recorded time as the desk shows times; as recorded if it does not read."""
    try:
        return local_time(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
    except ValueError:
        return str(text)


def corrected_words(p: dict[str, Any]) -> str:
    """What a correction changed; caller details by name only, never their values."""
    parts = []
    if p.get("type_code"):
        parts.append(f"type {p['type_code']}")
    if p.get("location"):
        beat = p.get("beat_id") or "beat unknown"
        check = "" if p.get("location_verified") else ", unverified"
        parts.append(f"location {p['location']} ({beat}{check})")
    if "narrative" in p:
        parts.append("narrative")
    if "caller_name" in p or "caller_phone" in p:
        parts.append("caller details")
    return "corrected: " + ", ".join(parts) if parts else "corrected"


def describe(e: Event) -> str:
    """One timeline line in words."""
    p = e.payload
    who = e.officer_id or ""
    words: dict[EventType, Callable[[], str]] = {
        EventType.CALL_RECEIVED: lambda: (
            f"received: {p.get('type_code')} P{p.get('priority')} at {p.get('location')}"
        ),
        EventType.UNIT_DISPATCHED: lambda: (
            f"{who} dispatched ({p.get('role')})"
            + (f": {', '.join(p['reasons'])}" if p.get("reasons") else "")
        ),
        EventType.UNIT_EN_ROUTE: lambda: f"{who} en route",
        EventType.UNIT_ON_SCENE: lambda: f"{who} on scene",
        EventType.UNIT_CLEARED: lambda: (
            f"{who} cleared"
            + (f" {p['disposition']}" if p.get("disposition") else "")
            + (f": {p['note']}" if p.get("note") else "")
        ),
        EventType.CALL_CLOSED: lambda: (
            f"closed {p.get('disposition')}" + (f": {p['note']}" if p.get("note") else "")
        ),
        EventType.NOTE_ADDED: lambda: f"note: {p.get('text')}",
        EventType.PRIORITY_CHANGED: lambda: (
            f"priority -> P{p.get('priority')}" + (f": {p['reason']}" if p.get("reason") else "")
        ),
        EventType.DUPLICATE_LINKED: lambda: (
            f"duplicate of call {short_number(p.get('of_call_id', ''))}"
        ),
        EventType.CALL_TRANSFERRED: lambda: (
            f"transferred to {p.get('to')}" + (f": {p['reason']}" if p.get("reason") else "")
        ),
        EventType.CALL_CANCELLED: lambda: f"cancelled {p.get('reason', '')}",
        EventType.CALL_REOPENED: lambda: f"reopened {p.get('reason', '')}",
        EventType.CALL_SCHEDULED: lambda: f"held until {_when(p.get('until'))}",
        EventType.OFFICER_REASSIGNED: lambda: (
            f"{who} reassigned from call {short_number(p.get('from_call_id', ''))} "
            f"to call {short_number(e.call_id or '')}"
            + (f": {p['reason']}" if p.get("reason") else "")
        ),
        EventType.UNIT_STACKED: lambda: f"stacked on {who}: theirs next, as they clear",
        EventType.CALL_CORRECTED: lambda: corrected_words(p),
        EventType.WELFARE_ACKNOWLEDGED: lambda: f"welfare check on {who} acknowledged",
        EventType.CALLER_VIEWED: lambda: "caller details viewed",
        EventType.CALLERS_EXPORTED: lambda: (
            f"{p.get('kind')} exported with callers since {p.get('since') or 'the start'}"
        ),
        EventType.ALERT_ACKNOWLEDGED: lambda: (
            "late alert acknowledged" + (" (twice the target)" if p.get("level") == 2 else "")
        ),
        EventType.OFFICER_SIGNED_ON: lambda: f"{who} signed on",
        EventType.OFFICER_SIGNED_OFF: lambda: f"{who} signed off",
        EventType.OFFICER_STATUS_CHANGED: lambda: f"{who} {p.get('status', '?')}",
        EventType.OFFICER_ENROLLED: lambda: f"{who} on the roster as {p.get('name')}",
        EventType.OPERATOR_SIGNED_IN: lambda: f"{e.operator_id} signed in",
        EventType.OPERATOR_SIGNED_OUT: lambda: f"{e.operator_id} signed out",
        EventType.OPERATOR_ENROLLED: lambda: (
            f"operator {e.operator_id} added as {p.get('role')} by {p.get('by')}"
        ),
        EventType.OPERATOR_PIN_SET: lambda: f"PIN of {e.operator_id} set by {p.get('by')}",
        EventType.OPERATOR_DISABLED: lambda: f"operator {e.operator_id} disabled",
        EventType.OFFICER_SHIFT_CHANGED: lambda: (
            f"{who} now in {p.get('beat_id')}"
            + (f" (+{' +'.join(p['skills'])})" if p.get("skills") else "")
        ),
        EventType.TIMER_ACKNOWLEDGED: lambda: (
            f"timer on {who} acknowledged" + (" (twice the limit)" if p.get("level") == 2 else "")
        ),
        EventType.CONFLICT_SETTLED: lambda: (
            f"conflict over event {str(p.get('event_id', ''))[:8]} settled "
            f"({p.get('choice')}) by {p.get('by')}: {p.get('reason')}"
        ),
        EventType.OPERATOR_PIN_REFUSED: lambda: f"wrong PIN for {e.operator_id}",
    }
    return words.get(e.type, lambda: str(e.type.value))()


class CallDetailScreen(DeskActions):
    HELP_TITLE = "Call detail"
    DEFAULT_CSS = """
    CallDetailScreen { layout: vertical; }
    CallDetailScreen #body { height: 1fr; padding: 0 1; }
    CallDetailScreen #message { height: 1; padding: 0 1; }
    CallDetailScreen #message.error { text-style: bold; }
    CallDetailScreen #keys { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="nav.back"),
        *call_bindings(),
        reopen_binding(),
        Binding("v", "show_caller", "Show caller", id="call.caller"),
        Binding("h", "history", "Premise history", id="nav.history"),
        Binding("exclamation_mark", "alerts", "Alerts list", id="nav.alerts"),
        Binding("question_mark,f1", "help", "Help", id="nav.help"),
    ]

    def __init__(self, call_id: str, call: Call | None = None) -> None:
        """``call``: the version the board has, shown at once while the rest loads."""
        super().__init__()
        self._opened = 0  # which open this is: a read or reveal of an earlier one is dropped
        self._reset(call_id, call)

    @classmethod
    def open_for(cls, app: App[Any], call_id: str, call: Call | None = None) -> CallDetailScreen:
        """The detail screen to push for a call: the one kept installed, composed once
        and opened again (as a new screen would start), unless it is in the stack
        already (a detail opened from a detail's history): then a new one."""
        if not app.is_screen_installed(REUSED):
            app.install_screen(cls(call_id, call), REUSED)
        screen = app.get_screen(REUSED)
        if not isinstance(screen, cls) or screen in app.screen_stack:
            return cls(call_id, call)
        if screen.is_mounted:
            screen._reopen(call_id, call)
        else:  # installed but not yet composed: its mount shows the call
            screen._reset(call_id, call)
        return screen

    def _reset(self, call_id: str, call: Call | None) -> None:
        self._opened += 1
        self.call_id = call_id
        self.call: Call | None = call
        self.loaded = False  # the call and its timeline are read from the desk
        self.caller_shown = False  # revealed with v, the look recorded first
        self.caller_problem = ""  # why the last reveal was not recorded
        self._revealing = False
        self._reading = False
        self._read_again = False

    def _reopen(self, call_id: str, call: Call | None) -> None:
        """Opened again for a call: what an earlier open showed goes before the first
        frame; the read comes after it."""
        self._reset(call_id, call)
        self._show_fields()
        self.query_one("#timeline", Static).update("")
        self.query_one(MessageLine).reset()
        body = self.query_one("#body", VerticalScroll)
        body.scroll_home(animate=False, immediate=True)
        if self.focused is None:
            body.focus()
        self.call_after_refresh(self.reload)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static("", id="fields", markup=False)
            yield Static("", id="timeline", markup=False)
        yield MessageLine(id="message")
        yield KeyHints(
            ("call.dispatch", "dispatch"),
            (("officer.en_route", "officer.on_scene"), "en route/scene"),
            ("call.clear", "clear"),
            ("call.note", "note"),
            ("call.caller", "caller"),
            ("nav.back", "back"),
            ("nav.help", "help"),
        )

    def on_mount(self) -> None:
        self._show_fields()
        self.query_one("#body").focus()
        self.call_after_refresh(self.reload)

    def action_show_caller(self) -> None:
        """Show the caller's details: a look at them is a fact for the record, so they
        show only once it is written, and stay hidden if it cannot be."""
        call = self.call
        if self.caller_shown or self._revealing:
            return
        if call is not None and not (call.caller_name or call.caller_phone):
            self.console.say(f"Call {short_number(self.call_id)} has no caller details.")
            return
        self._revealing = True
        self.caller_problem = ""
        self._show_fields()
        opened = self._opened
        self.console.submit(
            c.ViewCaller(call=self.call_id), lambda outcome: self._viewed(opened, outcome)
        )

    def _viewed(self, opened: int, outcome: Outcome) -> None:
        if opened != self._opened:
            return  # a reveal for an earlier open: this one shows the caller hidden
        self._revealing = False
        self.caller_shown = outcome.ok
        self.caller_problem = "" if outcome.ok else outcome.reason or "refused"
        if not self.is_attached or self not in self.app.screen_stack:
            return  # closed meanwhile
        if not outcome.ok:
            self.console.say(f"Caller not shown: {self.caller_problem}", error=True)
        self._show_fields()
        self.reload()

    @property
    def settled(self) -> bool:
        """No reveal on its way and the last read is in."""
        return self.loaded and not self._reading and not self._revealing

    def target_call(self) -> Call | None:
        return self.call

    def follow(self, changes: Feed, full: bool) -> bool:
        call = changes.calls.get(self.call_id)
        if call is not None and self.is_mounted:
            self.call = call
            self._show_fields()
            self.reload()
        return False

    def reload(self) -> None:
        """Read the call and its timeline off the UI's event loop (one read at a time;
        asked again meanwhile, it reads once more after)."""
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        desk, call_id, opened = self.desk, self.call_id, self._opened
        self.console.read(
            lambda: (desk.call(call_id), desk.call_events(call_id)),
            lambda result: self._loaded(opened, result),
            owner=self,
        )

    def _loaded(self, opened: int, result: tuple[Call | None, list[Event]]) -> None:
        if opened != self._opened:
            return  # read for an earlier open
        self._reading = False
        if self._read_again:
            self._read_again = False
            self.reload()
        self.call, events = result
        self.loaded = True
        self._show_fields()
        timeline = ["", "TIMELINE"] + [
            f"{_hm(e)} {e.operator_id[:10]:<10} {describe(e)}" for e in events
        ]
        self.query_one("#timeline", Static).update(terminal_safe("\n".join(timeline), True))

    def _caller(self, call: Call) -> str:
        if not (call.caller_name or call.caller_phone):
            return "Caller    none given"
        if self.caller_shown:
            return f"Caller    {call.caller_name or '-'}   phone {call.caller_phone or '-'}"
        if self._revealing:
            return "Caller    hidden (recording the look...)"
        if self.caller_problem:
            return "Caller    hidden: the look could not be recorded (v to try again)"
        return "Caller    hidden (v to show; the look is recorded)"

    def _show_fields(self) -> None:
        call = self.call
        if call is None:
            text = f"There is no call {self.call_id}." if self.loaded else "Loading the call..."
            self.query_one("#fields", Static).update(terminal_safe(text, keep_lines=True))
            return
        town, now = self.desk.town, self.desk.now()
        ct = town.call_type_by_code.get(call.type_code)
        lines = [
            f"CALL {short_number(call.call_id)}  ({call.call_id})   {status_word(call.status)}"
            + (f" {call.disposition}" if call.disposition else ""),
            f"Type      {call.type_code} {ct.label if ct else ''}   P{call.priority} "
            f"(target {town.target_minutes(call.priority)} min)",
            f"Location  {call.location}"
            + ("" if call.location_verified else "  (UNVERIFIED)")
            + f"   beat {call.beat_id or 'unknown'}",
            f"Received  {local_time(call.received_at)}  ({elapsed(call.received_at, now)} ago)",
            self._caller(call),
            f"Narrative {call.narrative or '-'}",
        ]
        if call.duplicate_of:
            lines.append(f"Duplicate of call {short_number(call.duplicate_of)}")
        if call.transferred_to:
            lines.append(f"Transferred to {call.transferred_to}")
        if call.scheduled_for and call.status.is_open and not call.active_assignments:
            lines.append(f"Held until {local_time(call.scheduled_for)}; pending from then")
        lines.append("")
        lines.append("ASSIGNMENTS  unit  role     dispatched en route  on scene cleared")
        for a in call.assignments:

            def hm(t: datetime | None) -> str:
                return local_time(t, with_date=False) if t else "   -    "

            lines.append(
                f"             {a.officer_id:<5} {a.role.value:<8} {hm(a.dispatched_at)}"
                f"   {hm(a.en_route_at)} {hm(a.on_scene_at)} {hm(a.cleared_at)}"
                + (f" {a.disposition}" if a.disposition else "")
            )
        if not call.assignments:
            lines.append("             none")
        self.query_one("#fields", Static).update(terminal_safe("\n".join(lines), True))

    def action_history(self) -> None:
        from cso_console.screens.history import open_history

        open_history(self)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_alerts(self) -> None:
        from cso_console.screens.alerts import open_alerts

        open_alerts(self)

    def action_help(self) -> None:
        from cso_console.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
