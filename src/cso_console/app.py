"""The Textual application: screens on top of one desk.

The UI's event loop never waits on the database. Desk work runs on two long-lived
thread workers and comes back as Messages:

- the writer takes commands from one queue and executes them one at a time, in the order
  they were given (none dropped, none reordered); a command may wait up to the store's
  busy timeout while another program holds the write lock, the keyboard does not;
- the follower watches ``PRAGMA data_version`` (cheap: it changes whenever anyone commits
  to the file), fetches ``changes_since`` its cursor when it moves, settles the writer's
  outcomes after the board has the rows they touched, and runs the screens' other reads.

Both threads post to the app only; widgets are touched on the UI thread alone.
"""

from __future__ import annotations

import gc
import locale
import os
import queue
import sys
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.filter import LineFilter
from textual.message import Message
from textual.screen import Screen
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.timer import Timer

from cso_console.domain.callnumber import short_number
from cso_console.errors import default_error_log, log_error, where
from cso_console.paths import command_history_path
from cso_console.widgets.alert_count import AlertCount
from cso_console.widgets.glyphs import glyph_filter
from cso_console.widgets.message import MessageLine
from cso_console.widgets.steady import Steady

# The desk, the domain and the board are loaded when used: the console paints its sign-in
# screen first and opens the desk after (see ConsoleApp's opener).
if TYPE_CHECKING:
    from cso_console.desk import Changes, Desk, Outcome
    from cso_console.domain import commands as c
    from cso_console.domain.alerts import Alert
    from cso_console.domain.conflicts import OpenConflict
    from cso_console.domain.events import Event
    from cso_console.domain.fold import Changed
    from cso_console.domain.model import Call, Officer
    from cso_console.session import Session
    from cso_console.widgets.alerts import AlertsStrip

    Feed = Changes  # what the desk's change feed hands back

WATCH_INTERVAL = 0.25  # seconds between data_version looks while nothing else is asked
LINK_WAIT = 30.0  # seconds the end of the console waits for the desk threads
GC_BACK = 10.0  # seconds after the start the collector runs again at the latest (cli.cmd_run)
RESTART_PAUSE = 0.2  # seconds before a desk thread's loop starts again after a bug
SLOW_COMMAND = 0.25  # seconds before a command still running shows "saving..."
QUIT_QUESTION = "Quit CSO Console?"
STRIP = "AlertsStrip"  # the board's alert line, queried by its name (see _show_conflicts)
LOCK_AFTER = 10  # idle minutes before the console locks itself (0: never)
BURST_SECONDS = 5.0  # calls arriving this close together are announced as one burst


@dataclass(eq=False)
class Ticket:
    """One command on its way to the writer; ``done`` runs on the UI thread."""

    cmd: c.Command
    done: Callable[[Outcome], None] | None
    slow: bool = False
    timer: Timer | None = None


@dataclass(eq=False)
class ReadJob:
    """A read for the follower thread; ``done`` gets the result on the UI thread."""

    fn: Callable[[], Any]
    done: Callable[[Any], None]
    owner: Any = None  # a screen: skip ``done`` if it is gone by then


@dataclass(eq=False)
class _Settle:
    ticket: Ticket
    outcome: Outcome


_POLL = object()
_STOP = object()


def announcement(event: Event, desk_code: str) -> str:
    """``new P2 call 57 from intake``: the operator who took it, or the desk it came from."""
    source = event.operator_id if event.desk_id == desk_code else f"desk {event.desk_id}"
    number = short_number(event.call_id or "")
    return f"new P{event.payload.get('priority', '?')} call {number} from {source}"


def announce_burst(events: list[Event], desk_code: str) -> str:
    """One line for the calls that came in from elsewhere lately: the most urgent first,
    and how many there were of each priority, so nothing urgent hides behind a count."""
    ranked = sorted(events, key=lambda e: (e.payload.get("priority", 9), e.hlc))
    if len(ranked) <= 2:
        return "; ".join(announcement(e, desk_code) for e in ranked)
    counts: dict[object, int] = {}
    for e in ranked[1:]:
        counts[e.payload.get("priority", "?")] = counts.get(e.payload.get("priority", "?"), 0) + 1
    by_priority = ", ".join(f"{n} P{p}" for p, n in sorted(counts.items(), key=str))
    return f"{announcement(ranked[0], desk_code)} (+{len(ranked) - 1} more: {by_priority})"


class DeskFollowed(Message):
    """What changed in the journal (or None if it could not be read), and the commands
    settled with it: the board takes the rows first, then each command hears its outcome."""

    def __init__(
        self,
        changes: Feed | None,
        full: bool,
        settled: list[tuple[Ticket, Outcome]],
        error: str = "",
    ) -> None:
        super().__init__()
        self.changes = changes
        self.full = full  # projections rebuilt: changes hold every open call and officer
        self.settled = settled
        self.error = error


class LinkFailed(Message):
    """A bug ended the writer or the follower (from its thread)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class DeskOpened(Message):
    """The opener's desk (or what stopped it), from its thread."""

    def __init__(self, desk: Desk | None, error: BaseException | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.error = error


class DeskRead(Message):
    def __init__(self, job: ReadJob, result: Any = None, error: str = "") -> None:
        super().__init__()
        self.job = job
        self.result = result
        self.error = error


class DeskLink:
    """The writer and the follower threads, and the queues that feed them. Commands and
    reads may be queued before the desk is open: the threads start with the desk."""

    desk: Desk

    def __init__(self, desk: Desk | None, post: Callable[[Message], object]) -> None:
        if desk is not None:
            self.desk = desk
        self.post = post
        self.commands: queue.Queue[Ticket | object] = queue.Queue()
        self.jobs: queue.Queue[object] = queue.Queue()
        self.stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.version = -1
        self.seq = 0
        self.generation = -1

    def start_at(self, version: int, seq: int, generation: int) -> None:
        """Where the board's first load was: the follower goes on from there."""
        self.version, self.seq, self.generation = version, seq, generation

    def poll(self) -> None:
        """Ask for the change feed now (thread-safe)."""
        self.jobs.put(_POLL)

    def start(self) -> None:
        """The writer and the follower threads start (plain threads, so that whoever
        ends the console can wait for them: see ``join``)."""
        for name, loop in (("desk-writer", self.write_loop), ("desk-follower", self.follow_loop)):
            thread = threading.Thread(target=self._guarded, args=(loop,), name=name, daemon=True)
            self._threads.append(thread)
            thread.start()

    def _guarded(self, loop: Callable[[], None]) -> None:
        """Run ``loop`` until told to stop. A bug that ends it is said and logged as one
        in a handler would be, and the loop starts again (its queue is where it was; the
        command or read in hand when it failed gets no answer): the desk goes on, and a
        sign-out at quit still gets its answer."""
        while True:
            try:
                loop()
                return
            except Exception as exc:
                self.post(LinkFailed(exc))
                if self.stopping.wait(RESTART_PAUSE):
                    return

    def stop(self) -> None:
        """The writer finishes every command given so far, then both threads end."""
        self.stopping.set()
        self.commands.put(_STOP)
        self.jobs.put(_STOP)

    def join(self, timeout: float) -> bool:
        """Wait for both threads to end; False if one is still running after ``timeout``
        seconds (a read or a command stuck in SQLite)."""
        end = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, end - time.monotonic()))
        return self.running == 0

    @property
    def running(self) -> int:
        """The writer and follower threads still running."""
        return sum(thread.is_alive() for thread in self._threads)

    # the writer ---------------------------------------------------------------

    def write_loop(self) -> None:
        while True:
            try:
                item = self.commands.get(timeout=WATCH_INTERVAL)
            except queue.Empty:
                if self.stopping.is_set():
                    return
                continue
            if item is _STOP:
                return
            assert isinstance(item, Ticket)
            try:
                outcome = self.desk.execute(item.cmd)
            except Exception as exc:  # a bug or a dead file: say so, keep the thread
                from cso_console.desk import Outcome

                outcome = Outcome(False, f"Not saved: {exc}")
            self.jobs.put(_Settle(item, outcome))

    # the follower -------------------------------------------------------------

    def follow_loop(self) -> None:
        while True:
            batch: list[object] = []
            try:
                batch.append(self.jobs.get(timeout=WATCH_INTERVAL))
            except queue.Empty:
                if self.stopping.is_set():
                    return
            while True:  # take everything asked so far: one feed read serves it all
                try:
                    batch.append(self.jobs.get_nowait())
                except queue.Empty:
                    break
            try:
                if self.desk.data_version() != self.version:  # someone committed
                    batch.insert(0, _POLL)
            except Exception:
                pass  # the feed read below, if any, says what is wrong
            if batch and self._run(batch):
                return

    def _run(self, batch: list[object]) -> bool:
        """Run a batch in order; True when told to stop."""
        settled: list[tuple[Ticket, Outcome]] = []
        want = False
        for item in batch:
            if item is _STOP:
                return True
            if item is _POLL:
                want = True
            elif isinstance(item, _Settle):
                settled.append((item.ticket, item.outcome))
                want = want or item.outcome.ok
            elif isinstance(item, ReadJob):
                self._flush(want, settled)
                settled, want = [], False
                try:
                    self.post(DeskRead(item, item.fn()))
                except Exception as exc:
                    self.post(DeskRead(item, error=str(exc)))
        self._flush(want, settled)
        return False

    def _flush(self, want: bool, settled: list[tuple[Ticket, Outcome]]) -> None:
        if not (want or settled):
            return
        changes: Feed | None = None
        full, error = False, ""
        if want:
            try:
                # Read the version first: a commit after this look is seen next round.
                version = self.desk.data_version()
                changes = self.desk.changes_since(self.seq, self.generation)
            except Exception as exc:
                self.version = -1  # try again on the next look
                error = str(exc)
            else:
                full = changes.generation != self.generation
                self.version, self.seq, self.generation = (
                    version,
                    changes.head,
                    changes.generation,
                )
        self.post(DeskFollowed(changes, full, settled, error))


class ConsoleApp(Steady, App[int]):
    """The shift console. Every clock on screen is driven by one 1 s tick."""

    TITLE = "CSO Console"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    Screen { background: $background; }
    ModalScreen { background: $background 40%; }  /* the board stays in view behind */
    """
    BINDINGS = [
        Binding("ctrl+c,ctrl+q", "quit_asked", "Quit", show=False, priority=True, id="desk.quit"),
        Binding("ctrl+l", "lock", "Lock", show=False, priority=True, id="desk.lock"),
        Binding("ctrl+p", "palette", "Command palette", show=False, id="desk.palette"),
        Binding("colon", "command_line", "Command line", show=False, id="desk.command_line"),
    ]

    strict = False  # tests set it: the first unexpected error ends the app and the test

    desk: Desk  # set once open: at once, or by ``opener`` after the first paint

    def __init__(
        self,
        desk: Desk | None = None,
        *,
        opener: Callable[[], Desk] | None = None,
        ascii_only: bool = False,
        error_log: Path | None = None,
        session: Session | None = None,
        operator: str = "",
        lock_after: float = LOCK_AFTER,
        history_path: Path | None = None,
        keymap: dict[str, str] | None = None,
        keymap_problems: list[str] | None = None,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        if (desk is None) == (opener is None):
            raise ValueError("a console needs a desk, or an opener for one")
        # ``opener`` opens the desk on a thread of its own once the sign-in screen is
        # painted; what it raises ends the console and is raised again by run_console.
        self.opener = opener
        self._opening: threading.Thread | None = None
        self.failure: BaseException | None = None
        self.history_path = history_path or command_history_path()  # the `:` line's
        # binding id -> keys, from the keymap file (read and checked before the app ran)
        self.keymap: dict[str, str] = dict(keymap or {})
        self.keymap_problems = list(keymap_problems or [])
        if theme is not None:
            self.theme = theme
        # Who is signed in (None: the sign-in or first-run screen is on top). ``operator``
        # only fills in the sign-in screen's id; the role is the operators projection's.
        self.session = session
        self.preset_operator = operator
        self.lock_after = lock_after  # minutes without a key before the lock; 0: never
        self.error_log = error_log or default_error_log()
        self.unexpected = 0  # errors survived this session
        self.ascii_only = ascii_only
        # --ascii: ASCII only; TERM=linux: no frame or block glyphs (see widgets/glyphs.py)
        self._glyphs = glyph_filter(ascii_only, os.environ.get("TERM", ""))
        self.link = DeskLink(desk, self.post_message)
        self.pending: list[Ticket] = []
        self._arrived: list[Event] = []
        self._burst: list[Event] = []  # calls announced in the last few seconds
        self._burst_at = 0.0
        self._feed_error = ""
        self._held_keys: list[events.Key] = []  # type-ahead: see _hold
        self._held_since = 0.0
        self._returned: list[events.Key] = []  # keys back from a screen no longer on top
        self._in_flight: events.Key | None = None  # a key whose binding may still run
        self._in_flight_since = 0.0
        self._handing_on = False
        self._key_screens: weakref.WeakKeyDictionary[events.Key, Screen[Any]] = (
            weakref.WeakKeyDictionary()
        )
        self._unfocused: weakref.WeakKeyDictionary[Screen[Any], float] = weakref.WeakKeyDictionary()
        # The open conflicts, for a lead only: read on the follower when the change feed
        # says conflicts changed (never on the tick), shown beside the alerts.
        self.conflicts: list[OpenConflict] = []
        self._conflicts_seen: set[str] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self.ready = False  # the desk is open
        if desk is not None:
            self._take_desk(desk)

    def _take_desk(self, desk: Desk) -> None:
        self.desk = self.link.desk = desk
        self.last_key_at = desk.now()
        self._unsubscribe = desk.subscribe(self._desk_changed)
        self.ready = True

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        return [*filters, self._glyphs] if self._glyphs is not None else filters

    def on_mount(self) -> None:
        from cso_console.screens.signin import SignInScreen

        if self.ready:
            self._link_up()
        self.set_keymap(self.keymap)
        if self.ready:
            from cso_console.screens.board import BoardScreen

            self.push_screen(BoardScreen())
        if self.session is None:
            self.push_screen(SignInScreen(self.preset_operator))
        else:
            assert self.ready, "a session needs the desk open"
        self.set_interval(1.0, self._tick, name="tick")
        self.set_timer(GC_BACK, gc.enable)  # if no board has loaded its rows by then
        self.refresh_conflicts()
        if not self.ready:
            self.call_after_refresh(self._open_desk)  # once the sign-in is on screen
        self.call_after_refresh(self.fit_terminal)
        if self.keymap_problems:
            self.call_after_refresh(self._keymap_said)

    def _link_up(self) -> None:
        """The writer and the follower start, from the journal's head now."""
        # The cursor before the board's first load: whatever commits in between is
        # fetched again (harmless), nothing is missed.
        version = self.desk.data_version()
        seq, generation = self.desk.head()
        self.link.start_at(version, seq, generation)
        self.link.start()

    def _open_desk(self) -> None:
        opener = self.opener
        assert opener is not None

        def opening() -> None:
            try:
                self.post_message(DeskOpened(opener()))
            except BaseException as exc:  # said by run_console once the app has ended
                self.post_message(DeskOpened(None, exc))

        self._opening = threading.Thread(target=opening, name="desk-opener", daemon=True)
        self._opening.start()

    def on_desk_opened(self, message: DeskOpened) -> None:
        """The desk is open: the follower and the writer start, the board goes under the
        sign-in screen (where it has been since the first paint on a desk given open),
        and the reads and commands queued meanwhile run, in order."""
        if message.desk is None:
            self.failure = message.error
            self.exit(1)
            return
        from cso_console.screens.board import BoardScreen

        self._take_desk(message.desk)
        self._link_up()
        self._put_under(BoardScreen())
        self.tick_screens()

    def _put_under(self, screen: Screen[Any]) -> None:
        """``screen`` at the bottom of the stack, above the default screen, mounted (as
        push_screen does for the screen on top, without suspending the one on top)."""
        screen, _ = self._get_screen(screen)
        screen._push_result_callback(self, None)
        self._load_screen_css(screen)
        screen._update_auto_focus()
        self._screen_stack.insert(1, screen)

    def wait_for_desk(self) -> None:
        """After the app has ended: the opener thread is done (its desk is open or it
        failed), so whoever gave the opener can close what it opened."""
        if self._opening is not None:
            self._opening.join()

    def _keymap_said(self) -> None:
        """The keymap file's refusals: each a toast (over any screen, the sign-in too),
        the first on the message line."""
        problems = self.keymap_problems
        for problem in problems[:3]:
            self.notify(problem, title="Keymap", severity="warning", timeout=20, markup=False)
        if len(problems) > 3:
            self.notify(f"... and {len(problems) - 3} more keymap problems.", timeout=20)
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        self.say(f"Keymap: {problems[0]}{more}", error=True)

    def _tick(self) -> None:
        """The app's one tick: the idle lock, then every clock on screen."""
        self.lock_when_idle()
        self.tick_screens()
        self.fit_terminal()

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_terminal)

    def fit_terminal(self) -> None:
        """Below 80x24, the too-small note on top of whatever is on screen (also over a
        screen pushed since, e.g. the idle lock); it goes on a resize, or at the next tick
        after a size that was only passing. The quit question (ctrl+c) is left alone."""
        from cso_console.screens.confirm import ConfirmScreen
        from cso_console.screens.too_small import TooSmallScreen, too_small

        screen = self.screen
        if isinstance(screen, ConfirmScreen) and screen.question == QUIT_QUESTION:
            return
        if isinstance(screen, TooSmallScreen):
            screen.fit()  # says the size now, or goes
        elif too_small(self.size):
            self.push_screen(TooSmallScreen())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.key == "ctrl+j" and not event.is_forwarded:
            # A line feed is Enter (as in readline): a terminal still in cooked mode turns
            # the Enter typed while the console starts into one (ICRNL).
            event = events.Key("enter", "\r")
            event.set_sender(self)
        if isinstance(event, events.Key) and not self.screen_stack:
            return  # the console is closing: a key still on its way has nowhere to go
        if isinstance(event, events.Key) and not event.is_forwarded:  # as typed
            if self.ready:
                self.last_key_at = self.desk.now()  # the desk's clock: a fixed one in tests
            if self._held_keys or self._in_flight is not None or not self._ready_for_keys():
                self._hold(event)
                return
            self._key_screens[event] = self.screen
            await super().on_event(event)
            if not event.is_printable and event.is_forwarded:
                # on its way to the focused widget and back, where a binding may run: the
                # next key waits for it (a priority binding, e.g. ctrl+l, ran already)
                self._in_flight = event
                self._in_flight_since = time.monotonic()
            return
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        """A key no widget took, back at the app, where bindings run. If the screen
        changed while it was on its way (the key before it opened one), it is the new
        screen's key; otherwise its binding runs here, then the keys held behind it go."""
        event.prevent_default()  # App._on_key is called here, not again after
        if not self.screen_stack:
            return  # the console is closing
        origin = self._key_screens.pop(event, None)
        if origin is not None and origin is not self.screen:
            self._returned.append(event)
        else:
            await super()._on_key(event)
        if event is self._in_flight:
            self._in_flight = None
        if self._held_keys or self._returned:
            self._hold_more()

    # type-ahead ---------------------------------------------------------------
    # A fast typist's keys arrive in one burst: `n12 Elm Street`, or ctrl+u then a new
    # line. Textual hands each key on before the one ahead of it has run its binding: the
    # keys after `n` reached the board, came back to the app after `n` had opened the new
    # call's screen, and were dropped; the keys after ctrl+u were typed into the field
    # before ctrl+u's binding emptied it. So a key that may be a binding (not a printable
    # character) holds the keys behind it until its binding has run, keys that came back
    # from a screen no longer on top go to the new one, and keys wait while the screen on
    # top is being composed and given its focus; then they are handed on in order.

    def _ready_for_keys(self) -> bool:
        """The screen on top can take a key: mounted, and its first focus given (a
        screen that has been without focus a while takes keys as it is)."""
        screen = self.screen
        if not screen.is_mounted or getattr(screen, "loading_rows", False):
            return False  # a key acts on the rows: the board's are still being read
        if screen.focused is not None or not screen.focus_chain:
            return True
        first = self._unfocused.setdefault(screen, time.monotonic())
        return time.monotonic() - first > 0.3

    def _messages_on_way(self) -> bool:
        """A message still on its way from the focused widget up to its screen: what a
        binding posted (an Enter's Submitted, whose handler moves the focus to the PIN
        field) is handled before the keys typed after it."""
        node: DOMNode | None = self.screen.focused or self.screen
        while node is not None:
            queue: Any = node._message_queue  # noqa: SLF001 (Textual 8.2.8, pinned)
            # waiting or in hand: a message being handled (the queue is empty while its
            # handler runs) may still post or move the focus
            if getattr(queue, "_unfinished_tasks", queue.qsize()):
                return True
            if node is self.screen:
                return False
            node = node.parent
        return False

    def _hold(self, key: events.Key) -> None:
        self._held_keys.append(key)
        self._hold_more()

    def _hold_more(self) -> None:
        if not self._handing_on:
            self._handing_on = True
            self._held_since = time.monotonic()
            self.call_after_refresh(self._hand_on_keys)

    def _hand_on_keys(self) -> None:
        self._handing_on = False
        if not self.screen_stack:  # the app is closing
            self._held_keys.clear()
            self._returned.clear()
            return
        now = time.monotonic()
        if self._in_flight is not None and now - self._in_flight_since > 0.25:
            self._in_flight = None  # a widget took it on its way: nothing comes back
        waited = now - self._held_since
        busy = self._in_flight is not None or not self._ready_for_keys() or self._messages_on_way()
        if busy and waited < 1.0:  # a binding still running, a screen still being made
            self._handing_on = True
            self.set_timer(0.01, self._hand_on_keys)
            return
        self._in_flight = None
        held = self._returned + self._held_keys  # the ones that came back are older
        self._returned, self._held_keys = [], []
        for key in held:
            again = events.Key(key.key, key.character)
            again.set_sender(self)
            self.post_message(again)

    # who is at the desk (screens/signin.py, firstrun.py, lock.py) --------------

    def signed_in(self, session: Session, words: str = "") -> None:
        """A sign-in or the first run went through: the board (or what was on it)."""
        from cso_console.screens.firstrun import FirstRunScreen
        from cso_console.screens.signin import SignInScreen

        self.session = session
        self.last_key_at = self.desk.now()
        if isinstance(self.screen, SignInScreen | FirstRunScreen):
            self.pop_screen()
        self.tick_screens()
        self.refresh_conflicts()
        self.say(words or f"{session.operator_id} signed in ({session.role_words}).")

    def locked(self) -> bool:
        from cso_console.screens.lock import LockScreen

        return any(isinstance(s, LockScreen) for s in self.screen_stack)

    def action_lock(self) -> None:
        """ctrl+l: the lock on top of whatever is on screen (nothing underneath moves)."""
        from cso_console.screens.lock import LockScreen

        if self.session is None or self.locked():
            return
        self.push_screen(LockScreen(self.session))

    def action_command_line(self, typed: str = "") -> None:
        """`:` (when no text field has focus): the command line at the bottom, on every
        screen but the sign-in, the first run and the lock (nor while the terminal is too
        small, nor over the palette). ``typed``: the line's start (from the palette)."""
        from cso_console.screens.command_line import CommandLineScreen
        from cso_console.screens.firstrun import FirstRunScreen
        from cso_console.screens.palette import PaletteScreen
        from cso_console.screens.signin import SignInScreen
        from cso_console.screens.too_small import TooSmallScreen

        if self.session is None or self.locked():
            return
        if isinstance(
            self.screen,
            SignInScreen | FirstRunScreen | CommandLineScreen | TooSmallScreen | PaletteScreen,
        ):
            return
        self.push_screen(CommandLineScreen(typed))

    def action_palette(self) -> None:
        """ctrl+p: the palette over the screen on top; not before sign-in, on the lock,
        while the terminal is too small, or over the palette or the command line (a bell
        there)."""
        from cso_console.screens.command_line import CommandLineScreen
        from cso_console.screens.firstrun import FirstRunScreen
        from cso_console.screens.palette import PaletteScreen
        from cso_console.screens.signin import PinScreen
        from cso_console.screens.too_small import TooSmallScreen

        screen = self.screen
        if self.session is None or isinstance(
            screen, PinScreen | FirstRunScreen | TooSmallScreen | PaletteScreen | CommandLineScreen
        ):
            self.bell()
            return

        def chosen(name: str | None) -> None:
            if name is not None:
                palette.entries[name].run()

        palette = PaletteScreen(screen)
        self.push_screen(palette, chosen)

    def lock_when_idle(self) -> None:
        if self.session is None or self.lock_after <= 0 or self.locked():
            return
        idle = (self.desk.now() - self.last_key_at).total_seconds()
        if idle >= self.lock_after * 60:
            self.action_lock()

    def unlocked(self, session: Session) -> None:
        """The lock goes; a lead who took over is the session's operator from now."""
        from cso_console.screens.lock import LockScreen

        taken = session.operator_id != (self.session and self.session.operator_id)
        self.session = session
        self.last_key_at = self.desk.now()
        if isinstance(self.screen, LockScreen):
            self.pop_screen()
        self.tick_screens()
        self.refresh_conflicts()
        if taken:
            self.say(f"{session.operator_id} took over the desk ({session.role_words}).")

    def signed_out(self, operator_id: str) -> None:
        """Back to the board alone, under the sign-in screen."""
        from cso_console.screens.signin import SignInScreen

        self.session = None
        self._show_conflicts([])
        while len(self.screen_stack) > 2:  # the default screen and the board stay
            self.pop_screen()
        self.push_screen(SignInScreen(operator_id, note=f"{operator_id} signed out."))

    def tick_screens(self) -> None:
        """Every screen that shows a clock or a timer (the board, the alerts list), bottom
        first: a screen on top may show what the board underneath just worked out.
        A screen pushed but not yet mounted (its widgets not composed) is passed by: its
        own mount shows the time. Nothing before the desk is open."""
        if not self.ready or not self.is_running:
            return
        now = self.desk.now()
        for screen in self.screen_stack:
            tick = getattr(screen, "tick", None)
            if tick is not None and screen.is_mounted:
                tick(now)

    def _is_lead(self) -> bool:
        if self.session is None:  # the sign-in screen: the domain may not be loaded yet
            return False
        from cso_console.domain.model import OperatorRole

        return self.session.role is OperatorRole.LEAD

    def refresh_conflicts(self) -> None:
        """Read the open conflicts on the follower thread (a lead's); nobody else's."""
        if self._is_lead():
            self.read(self.desk.open_conflicts, self._show_conflicts)
        else:
            self._show_conflicts([])

    def _show_conflicts(self, found: list[OpenConflict]) -> None:
        found = found if self._is_lead() else []
        new = {k.event_id for k in found} - self._conflicts_seen
        self._conflicts_seen |= new
        self.conflicts = found
        for screen in self.screen_stack:  # only what shows them (no tick of every screen)
            if not screen.is_mounted:
                continue
            for strip in screen.query(STRIP):  # by name: none before the board is loaded
                cast("AlertsStrip", strip).set_conflicts(len(found))
            shown = getattr(screen, "conflicts_changed", None)
            if shown is not None:
                shown()
        self.alerts_loaded()  # the counts on every screen that shows them
        if new:
            self.bell()  # once for each conflict, as for a new alert

    def _desk_changed(self, changed: Changed) -> None:
        """Called on whichever thread committed: only wakes the follower."""
        self.link.poll()

    # commands and reads -------------------------------------------------------

    def submit(self, cmd: c.Command, done: Callable[[Outcome], None] | None = None) -> None:
        """Hand a command to the writer; ``done`` hears the outcome once the board has
        the rows it touched. Returns at once."""
        ticket = Ticket(cmd, done)
        self.pending.append(ticket)
        ticket.timer = self.set_timer(SLOW_COMMAND, lambda: self._slow(ticket))
        self.link.commands.put(ticket)

    def read(self, fn: Callable[[], Any], done: Callable[[Any], None], owner: Any = None) -> None:
        """Run ``fn`` (a desk read) on the follower thread; ``done(result)`` on this one."""
        self.link.jobs.put(ReadJob(fn, done, owner))

    def follow_now(self) -> None:
        self.link.poll()

    @property
    def rows_loading(self) -> bool:
        """A screen's first rows are still being read (the board's, after its paint)."""
        return any(getattr(s, "loading_rows", False) for s in self.screen_stack)

    def alerts_loaded(self) -> None:
        """The board has its alerts: the counts on the screens above it show them."""
        for screen in self.screen_stack:
            if screen.is_mounted:
                for count in screen.query(AlertCount):
                    count.refresh_count()

    @property
    def idle(self) -> bool:
        """No command waiting for its outcome (tests wait for this)."""
        return not self.pending

    def _slow(self, ticket: Ticket) -> None:
        if ticket in self.pending:
            ticket.slow = True
            self._show_saving()

    _saving_shown = False  # a message line may say "saving..."

    def _show_saving(self) -> None:
        saving = any(t.slow for t in self.pending)
        if not (saving or self._saving_shown):
            return  # no line says it: nothing to look for (after every command's outcome)
        self._saving_shown = saving
        for screen in self.screen_stack:
            for line in screen.query(MessageLine):
                line.saving(saving)

    def on_desk_followed(self, message: DeskFollowed) -> None:
        if not self.is_running:  # shutting down: the screens' widgets are going
            return
        ring = False
        if message.changes is not None:
            for screen in self.screen_stack:
                follow = getattr(screen, "follow", None)
                if follow is not None and follow(message.changes, message.full):
                    ring = True
            if message.full or message.changes.conflicts:
                self.refresh_conflicts()
            if not message.full:  # after a rebuild ``received`` is every call ever taken
                calls = message.changes.calls
                self._arrived.extend(  # a call linked or transferred at once needs nobody
                    e
                    for e in message.changes.received
                    if e.call_id in calls and calls[e.call_id].status.is_open
                )
        for ticket, outcome in message.settled:
            if ticket.timer is not None:
                ticket.timer.stop()
            if ticket in self.pending:
                self.pending.remove(ticket)
            if ticket.done is not None:
                ticket.done(outcome)
        self._show_saving()
        if message.error and message.error != self._feed_error:
            self.say(f"The board could not be refreshed: {message.error}", error=True)
        self._feed_error = message.error if message.changes is None else ""
        if self._announce():
            ring = True
        if ring:
            self.bell()

    def on_desk_read(self, message: DeskRead) -> None:
        job = message.job
        owner = job.owner
        if owner is not None and (
            not owner.is_attached or (isinstance(owner, Screen) and owner not in self.screen_stack)
        ):  # gone, or (a screen kept installed) out of the stack
            return
        if message.error:
            self.say(message.error, error=True)
            return
        job.done(message.result)

    def _announce(self) -> bool:
        """Say which calls came in from elsewhere; True if there was one (bell once).

        Held while a command of ours is on its way: until its outcome is back the desk
        may not yet know it wrote that call."""
        if not self._arrived or self.pending:
            return False
        arrived, self._arrived = self._arrived, []
        new = [e for e in arrived if e.call_id and not self.desk.wrote(e.event_id)]
        if not new:
            return False
        now = time.monotonic()
        if now - self._burst_at > BURST_SECONDS:  # a quiet spell: a new burst starts
            self._burst = []
        self._burst += new
        self._burst_at = now
        self.say(announce_burst(self._burst, self.desk.desk_code))
        return True

    # what the screens share ---------------------------------------------------

    def say(self, text: str, error: bool = False) -> None:
        """Put a line on the top-most message line (a modal on top has none); an error
        is in bold and rings the bell."""
        for screen in reversed(self.screen_stack):
            line = next(iter(screen.query(MessageLine)), None)
            if line is not None:
                line.say(text, error=error)
                break
        if error:
            self.bell()

    def known_calls(self) -> dict[str, Call]:
        """The open calls as the board has them (no database read)."""
        from cso_console.widgets.boards import CallQueue

        for screen in self.screen_stack:
            found = next(iter(screen.query(CallQueue)), None)
            if found is not None:
                return found.calls
        return {}

    def standing_alerts(self) -> list[Alert]:
        """The alerts as the board's alert line has them, in order, in words (no database
        read; every alert is put into words: for the alerts list)."""
        strip = self._alert_strip()
        return strip.alerts if strip is not None else []

    def alert_counts(self) -> list[tuple[str, int]]:
        """The standing alerts counted by kind, most urgent first (cheap: kept as they
        come and go)."""
        strip = self._alert_strip()
        return strip.counts if strip is not None else []

    def _alert_strip(self) -> AlertsStrip | None:
        from cso_console.widgets.alerts import AlertsStrip

        for screen in self.screen_stack:
            found = next(iter(screen.query(AlertsStrip)), None)
            if found is not None:
                return found
        return None

    def known_officers(self) -> dict[str, Officer]:
        """The officers as the board has them (no database read)."""
        from cso_console.widgets.boards import OfficerBoard

        for screen in self.screen_stack:
            found = next(iter(screen.query(OfficerBoard)), None)
            if found is not None:
                return found.officers
        return {}

    def _handle_exception(self, error: Exception) -> None:
        """A bug in a handler: said on the message line, logged without caller details
        (see errors.py), and the desk goes on. Textual's own handler would end the app
        and print the traceback with its locals, which can hold the caller's details."""
        if self.strict:
            super()._handle_exception(error)
            return
        self.unexpected += 1
        problem = log_error(error, self.error_log)
        logged = f"not logged: {problem}" if problem else f"logged to {self.error_log}"
        self.say(
            f"Unexpected error {type(error).__name__} at {where(error)} ({logged}); "
            "the desk goes on.",
            error=True,
        )

    def action_quit_asked(self) -> None:
        """ctrl+c / ctrl+q ask first, as q does: a call being typed is never lost to a
        stray key. A second press while asking is the same question, not a second one.
        While locked, quitting needs a PIN (the lock screen asks for it)."""
        from cso_console.screens.confirm import ConfirmScreen
        from cso_console.screens.lock import LockScreen

        if isinstance(self.screen, LockScreen):
            self.screen.ask_quit()
            return

        if isinstance(self.screen, ConfirmScreen) and self.screen.question == QUIT_QUESTION:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.quit_now()

        self.push_screen(ConfirmScreen(QUIT_QUESTION), answered)

    def quit_now(self) -> None:
        """End the console; the operator signed in is signed out first (the record says
        when they left the desk). The app ends once that is answered, saved or not."""
        if self.session is None:
            self.exit(0)
            return
        from cso_console.domain import commands as c

        self.submit(c.SignOut(operator_id=self.session.operator_id), lambda _: self.exit(0))

    def on_unmount(self) -> None:
        """The writer saves what it was given and both desk threads end before the app
        does: whoever opened the desk closes it next, and a connection closed under a
        thread still using it crashes in SQLite's C code."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.link.stop()
        self.link.join(LINK_WAIT)

    def on_link_failed(self, message: LinkFailed) -> None:
        self._handle_exception(message.error)


class _AsciiScrollBarRender(ScrollBarRender):
    """Scrollbar thumbs as reverse-video spaces: no block glyphs a console font may lack."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


def console_theme(color_system: str | None) -> str:
    """The theme for the terminal's colours: Textual's own on 256 or more, an ANSI one on
    16 (light when ``COLORFGBG`` says the background is light, dark otherwise)."""
    if color_system in ("truecolor", "256"):
        return "textual-dark"
    background = os.environ.get("COLORFGBG", "").rpartition(";")[2]
    return "ansi-light" if background in ("7", "15") else "ansi-dark"


def legible_theme(theme: str) -> str:
    """Under NO_COLOR an ANSI theme becomes Textual's own: the monochrome filter turned
    the ANSI theme's colours into one grey, and a 16-colour terminal drew the board black
    on black; Textual's themes go to distinct greys (and no colour is shown either way)."""
    if os.environ.get("NO_COLOR") and theme.startswith("ansi-"):
        return theme.replace("ansi-", "textual-", 1)
    return theme


THEMES = ("textual-dark", "textual-light", "ansi-dark", "ansi-light")


def wants_ascii(flag: bool) -> bool:
    """--ascii, or a terminal whose encoding is not UTF-8."""
    encoding = getattr(sys.stdout, "encoding", None) or locale.getpreferredencoding(False)
    return flag or "utf" not in encoding.lower().replace("-", "")


def run_console(
    desk: Desk | None,
    *,
    opener: Callable[[], Desk] | None = None,
    ascii_only: bool = False,
    session: Session | None = None,
    operator: str = "",
    lock_after: float = LOCK_AFTER,
    keymap: dict[str, str] | None = None,
    keymap_problems: list[str] | None = None,
    theme: str | None = None,
) -> int:
    ascii_only = wants_ascii(ascii_only)
    if theme is None:
        from rich.console import Console

        theme = console_theme(Console(force_terminal=True).color_system)
    theme = legible_theme(theme)
    if ascii_only:
        ScrollBar.renderer = _AsciiScrollBarRender
    app = ConsoleApp(
        desk,
        opener=opener,
        ascii_only=ascii_only,
        session=session,
        operator=operator,
        lock_after=lock_after,
        keymap=keymap,
        keymap_problems=keymap_problems,
        theme=theme,
    )
    try:
        result = app.run(mouse=False)
    finally:
        app.wait_for_desk()
    if app.failure is not None:  # the desk could not be opened: said as before a start
        raise app.failure
    return int(result or 0)
