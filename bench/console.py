"""Every UI figure of the console beside a bare Textual app's, measured in the same run, at
several numbers of open calls: one table with ratios and targets, and how the tick and the
refresh scale.

    python bench/console.py [--sizes 200,2000,20000] [--officers 300] [--rounds 30] [--runs 3]
                            [--no-process | --only-process]

Figures (medians of ``--runs`` runs, each the median of ``--rounds`` rounds):

- tick: main-thread CPU of the app's 1 s tick and the repaint it causes (floor: a bare
  app updating one Static).
- cursor: main-thread CPU and wall time of a cursor move on the queue (floor: a key the
  bare app does not bind).
- detail: open call detail and come back, main-thread CPU (floor: the bare app pushes and
  pops a screen of four Statics).
- refresh: main-thread CPU from handing the desk one command (a note on a call) until the
  board shows its outcome (no floor: the target is absolute). The outcome sets an
  asyncio event; nothing polls while the writer and the follower work.
- lag: the longest gap between two 10 ms heartbeats of the app's loop while it ticks and a
  command runs every 100 ms (floor: the bare app's heartbeat, idle).
- first paint (process): from starting ``cso-console --db FILE`` on an existing database to
  its first frame in a pseudo-terminal (floor: a bare app's process to its first frame).
- demo board (process): ``cso-console --demo`` (a fresh file) to the painted board.
- peak RSS (process): ``--demo`` after the board, a lock (ctrl+l) and an unlock (the PIN
  verified) (floor: the bare app's process after its first frame).
- first paint cpu, demo board cpu (process, diagnosis): the process's user + system CPU
  when that frame appears (``--only-process``: these figures alone).

Main-thread CPU is ``time.thread_time()``: the writer and follower threads' work and the
time spent waiting are not in it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from cso_console.app import WATCH_INTERVAL, ConsoleApp
from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock
from cso_console.domain.model import OperatorRole
from cso_console.domain.town import RosterOfficer
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir
from cso_console.screens.board import BoardScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.session import NOBODY, sign_in

START = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
LEAD, PIN = "lead", "2468-bench"
TARGETS = {
    "tick": "<= 5 ms",
    "cursor cpu": "<= 1.5x",
    "cursor wall": "<= 1.15x",
    "detail": "<= 2x",
    "refresh": "<= 3 ms",
    "lag": "",
    "first paint": "<= 1.3x",
    "first paint cpu": "(diagnosis)",
    "demo board": "<= 2x",
    "demo board cpu": "(diagnosis)",
    "peak RSS": "<= 1.5x",
}


# the desk ----------------------------------------------------------------------------


def build(folder: Path, calls: int, officers: int) -> Path:
    """A file with ``calls`` open calls (the first half of the officers on one each) and a
    lead to sign in as; returns its path."""
    base = load_town(bundled_town_dir())
    beats = [b.id for b in base.beats]
    roster = tuple(
        RosterOfficer(call_sign=f"C{100 + i}", name=f"Officer {i}", skills=(), beat=beats[i % 7])
        for i in range(officers)
    )
    town = base.replaced(officers=roster)
    clock = FixedClock(START - timedelta(hours=3))
    path = folder / f"console-{calls}.db"
    desk = Desk.open(path, town, clock=clock, operator_id=NOBODY)
    desk.take_roster()
    desk.operator_id = LEAD
    assert desk.add_operator(LEAD, "Bench Lead", OperatorRole.LEAD, PIN).ok
    streets = list(town.streets)
    step = 3 * 3600 / max(1, calls)
    with desk.batch():
        for i in range(officers):
            assert desk.execute(c.SignOn(officer=f"C{100 + i}")).ok
        for i in range(calls):
            s = streets[i % len(streets)]
            clock.advance(seconds=step)
            out = desk.execute(
                c.ReceiveCall(
                    type_code=["NOISE", "PARK", "ABVEH", "WELF"][i % 4],
                    location=f"{s.low + i % (s.high - s.low)} {s.name}",
                    priority=2 + i % 3,
                )
            )
            assert out.ok, out.reason
            if i < officers // 2:
                assert desk.execute(c.Dispatch(call=out.call_id, officers=(f"C{100 + i}",))).ok
    desk.close()
    return path


def open_app(path: Path) -> ConsoleApp:
    town = load_town(bundled_town_dir())
    desk = Desk.open(path, town, clock=FixedClock(START), operator_id=NOBODY)
    # the roster of the file, not the bundled one: the town's officers come from the journal
    out, session = sign_in(desk, LEAD, PIN)
    assert out.ok, out.reason
    return ConsoleApp(desk, session=session, lock_after=0)


# in-process figures ------------------------------------------------------------------


async def until(pilot, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting in the benchmark")
        await pilot.pause(0.001)


async def console_figures(path: Path, rounds: int) -> dict[str, float]:
    app = open_app(path)
    ticks, cursor_cpu, cursor_wall, detail, refresh = [], [], [], [], []
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.is_mounted)
        await pilot.pause()
        board = app.screen
        assert isinstance(board, BoardScreen)
        queue = board.query_one("#queue")
        calls = list(getattr(queue, "keys"))  # noqa: B009
        for i in range(rounds):
            app.desk.clock.set(START + timedelta(seconds=i + 1))  # type: ignore[attr-defined]
            t0 = time.thread_time()
            app.tick_screens()
            await pilot.pause()
            ticks.append(time.thread_time() - t0)

            t0, w0 = time.thread_time(), time.perf_counter()
            await pilot.press("down" if i % 2 == 0 else "up")
            await pilot.pause()
            cursor_cpu.append(time.thread_time() - t0)
            cursor_wall.append(time.perf_counter() - w0)

            t0 = time.thread_time()
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, CallDetailScreen))
            await pilot.pause()
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is board)
            await pilot.pause()
            detail.append(time.thread_time() - t0)

            done = asyncio.Event()  # set on this loop by the outcome: no polling meanwhile
            t0 = time.thread_time()
            app.submit(
                c.AddNote(call=calls[i % len(calls)], text=f"bench note {i}"),
                lambda _outcome, done=done: done.set(),
            )
            await asyncio.wait_for(done.wait(), 30)
            await pilot.pause()
            refresh.append(time.thread_time() - t0)
            # untimed: the follower's next look (it sees this commit again) is handled
            # before the next round's tick, so the tick figure holds only the tick
            await pilot.pause(WATCH_INTERVAL + 0.05)

        gaps = await heartbeat(pilot, app, command=lambda i: c.AddNote(call=calls[0], text=f"{i}"))
    app.desk.close()
    return {
        "tick": statistics.median(ticks),
        "cursor cpu": statistics.median(cursor_cpu),
        "cursor wall": statistics.median(cursor_wall),
        "detail": statistics.median(detail),
        "refresh": statistics.median(refresh),
        "lag": max(gaps),
    }


async def heartbeat(pilot, app: App, command=None, seconds: float = 3.0) -> list[float]:
    """Gaps between 10 ms heartbeats while the app's own 1 s tick runs (and, for the
    console, a command every 100 ms)."""
    beats: list[float] = [time.perf_counter()]
    app.set_interval(0.01, lambda: beats.append(time.perf_counter()))
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        if command is not None and isinstance(app, ConsoleApp):
            app.submit(command(i))
        i += 1
        await pilot.pause(0.1)
    return [b - a for a, b in zip(beats, beats[1:], strict=False)]


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("", id="s")


class Four(Screen[None]):
    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        for i in range(4):
            yield Static(f"line {i}")


async def bare_figures(rounds: int) -> dict[str, float]:
    app = Bare()
    ticks, cpu, wall, detail = [], [], [], []
    async with app.run_test(size=(80, 24)) as pilot:
        s = app.query_one(Static)
        base = app.screen
        for i in range(rounds):
            t0 = time.thread_time()
            s.update(f"{i}")
            await pilot.pause()
            ticks.append(time.thread_time() - t0)
            t0, w0 = time.thread_time(), time.perf_counter()
            await pilot.press("down")
            await pilot.pause()
            cpu.append(time.thread_time() - t0)
            wall.append(time.perf_counter() - w0)
            t0 = time.thread_time()
            app.push_screen(Four())
            await until(pilot, lambda: isinstance(app.screen, Four))
            await pilot.pause()
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is base)
            await pilot.pause()
            detail.append(time.thread_time() - t0)
        gaps = await heartbeat(pilot, app)
    return {
        "tick": statistics.median(ticks),
        "cursor cpu": statistics.median(cpu),
        "cursor wall": statistics.median(wall),
        "detail": statistics.median(detail),
        "lag": max(gaps),
    }


# process figures ---------------------------------------------------------------------

BARE_SCRIPT = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("bare app ready")

    Bare().run()
    """
)


def spawn(args: list[str], env: dict[str, str]):
    import pexpect
    import pyte

    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    child = pexpect.spawn(args[0], args[1:], dimensions=(24, 80), env=env, timeout=30)
    return child, screen, stream


def wait_text(child, screen, stream, needle: str, timeout: float = 60.0) -> None:
    import pexpect

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            stream.feed(child.read_nonblocking(65536, timeout=0.005))
        except pexpect.TIMEOUT:
            pass
        if needle in "\n".join(screen.display):
            return
    raise SystemExit(f"{needle!r} never appeared:\n" + "\n".join(screen.display))


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (all its threads; 10 ms ticks): less
    moved by other programs on the machine than the wall-clock figures."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def compiled_package() -> None:
    """The package's bytecode written first, as an installed copy has it: a checkout
    installed in place with PYTHONDONTWRITEBYTECODE set would otherwise compile every
    module from source at each start (about 0.2 s), which the bare app's installed
    Textual never does."""
    import compileall

    import cso_console

    compileall.compile_dir(Path(cso_console.__file__).parent, quiet=1)


def process_figures(db: Path, folder: Path) -> dict[str, float]:
    compiled_package()
    exe = shutil.which("cso-console", path=str(Path(sys.executable).parent)) or "cso-console"
    env = {**os.environ, "TERM": "xterm-256color"}
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(folder / name.lower())
    out: dict[str, float] = {}
    # our first frame on an existing database: the sign-in screen over the board
    t0 = time.perf_counter()
    child, screen, stream = spawn([exe, "--db", str(db)], env)
    wait_text(child, screen, stream, "PIN")
    out["first paint"] = time.perf_counter() - t0
    out["first paint cpu"] = cpu_seconds(child.pid)
    child.terminate(force=True)
    # --demo: a fresh file, seeded, signed in, the board painted
    demo = folder / f"demo-{time.monotonic_ns()}.db"
    t0 = time.perf_counter()
    child, screen, stream = spawn([exe, "--demo", "--db", str(demo)], env)
    wait_text(child, screen, stream, "LOCATION")
    out["demo board"] = time.perf_counter() - t0
    out["demo board cpu"] = cpu_seconds(child.pid)
    child.send("\x0c")  # ctrl+l
    wait_text(child, screen, stream, "LOCKED")
    child.send("2468\r")  # the demo lead's PIN (README)
    wait_text(child, screen, stream, "LOCATION")
    time.sleep(0.5)
    out["peak RSS"] = peak_rss_mib(child.pid)
    child.terminate(force=True)
    # the floor
    script = folder / "bare_app.py"
    script.write_text(BARE_SCRIPT)
    t0 = time.perf_counter()
    child, screen, stream = spawn([sys.executable, str(script)], env)
    wait_text(child, screen, stream, "bare app ready")
    bare_paint = time.perf_counter() - t0
    out["bare first paint cpu"] = cpu_seconds(child.pid)
    time.sleep(0.5)
    bare_rss = peak_rss_mib(child.pid)
    child.terminate(force=True)
    out["bare first paint"] = bare_paint
    out["bare peak RSS"] = bare_rss
    return out


# the table ---------------------------------------------------------------------------


def fmt(name: str, value: float) -> str:
    return f"{value:7.1f} MiB" if name.endswith("RSS") else f"{value * 1000:8.2f} ms"


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", default="200,2000,20000", help="open calls, comma-separated")
    p.add_argument("--officers", type=int, default=300)
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--runs", type=int, default=3, help="runs of each figure; medians shown")
    p.add_argument("--no-process", action="store_true", help="skip the process figures")
    p.add_argument(
        "--only-process",
        action="store_true",
        help="only the process figures (first paint, demo board, peak RSS)",
    )
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    folder = Path(tempfile.mkdtemp(prefix="bench-console-"))
    try:
        rows: dict[int, dict[str, float]] = {}
        floors: dict[str, float] = {}
        if not args.only_process:
            bare_runs = [asyncio.run(bare_figures(args.rounds)) for _ in range(args.runs)]
            for key in bare_runs[0]:
                floors[key] = statistics.median(r[key] for r in bare_runs)
        for n in sizes:
            t0 = time.perf_counter()
            db = build(folder, n, args.officers)
            print(f"{n} open calls, {args.officers} officers: built in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip
            if args.only_process:
                runs = [{} for _ in range(args.runs)]
            else:
                runs = [asyncio.run(console_figures(db, args.rounds)) for _ in range(args.runs)]
            if not args.no_process:
                runs = [{**r, **process_figures(db, folder)} for r in runs]
            rows[n] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print()
        print(f"{'figure':<15} {'calls':>6} {'console':>12} {'floor':>12} {'ratio':>7}  target")
        for name, target in TARGETS.items():
            for n in sizes:
                if name not in rows[n]:
                    continue
                ours = rows[n][name]
                floor = rows[n].get(f"bare {name}", floors.get(name))
                if name.startswith("demo board"):
                    floor = rows[n].get(name.replace("demo board", "bare first paint"))
                ratio = f"{ours / floor:6.2f}x" if floor else "      -"
                floor_text = fmt(name, floor) if floor else "           -"
                print(f"{name:<15} {n:>6} {fmt(name, ours):>12} {floor_text:>12} {ratio}  {target}")
        if len(sizes) > 1:
            first, last = sizes[1] if len(sizes) > 2 else sizes[0], sizes[-1]
            for name in ("tick", "refresh"):
                if name not in rows[first]:
                    continue
                scale = rows[last][name] / rows[first][name]
                print(
                    f"scaling {name}: {last} calls / {first} calls = {scale:.2f}x (target <= 1.2x)"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
