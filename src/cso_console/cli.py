"""The command line: the console itself, and the admin commands scripts rely on.

Exit codes:
  0  done
  1  done in part: some intake lines or cmd commands refused, or `check` found problems
  2  could not run or nothing done: bad arguments, unreadable input, a file that is not a
     CSO Console database or has a newer schema, a database of another desk, bad town data
  3  the disk is full: nothing half written; free space and run again
"""

from __future__ import annotations

import argparse
import errno
import gc
import getpass
import itertools
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from cso_console import __version__
from cso_console.cli_export import add_output_args
from cso_console.cli_report import add_report_parser
from cso_console.domain.callnumber import validate_desk_code
from cso_console.paths import bundled_town_dir, default_db_path, default_keymap_path, demo_db_path
from cso_console.store import StorageFull, StoreError
from cso_console.store.database import current_file, is_storage_full, plain_error
from cso_console.text import terminal_safe

# What only some commands need is loaded by them (the console's start-up loads no report,
# export or intake code, and no domain model before its first paint).
if TYPE_CHECKING:
    from cso_console.desk import Desk
    from cso_console.domain.town import Town
    from cso_console.keymap import Keymap
    from cso_console.session import Session

EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE, EXIT_FULL = 0, 1, 2, 3

EPILOG = """exit codes:
  0  done
  1  done in part: some intake lines or cmd commands were refused, or check found
     problems
  2  could not run, or nothing done: bad arguments or input, bad credentials, not a
     CSO Console database, newer schema, a database of another desk, bad town data
  3  the disk is full: nothing was half written; free space and run again
"""


TOP = "top_"  # options given before the command


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_UNUSABLE) -> None:
        super().__init__(message)
        self.code = code


def _desk_code(text: str) -> str:
    try:
        return validate_desk_code(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _operator_id(text: str) -> str:
    """Who is recorded on every event: a short printable name, never empty."""
    name = text.strip()
    if not name or len(name) > 40 or not name.isprintable():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an operator id (1-40 printable characters)"
        )
    return name


def _minutes(text: str) -> int:
    try:
        minutes = int(text)
    except ValueError:
        minutes = -1
    if not 0 <= minutes <= 24 * 60:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes from 0 to 1440")
    return minutes


def _source_name(text: str) -> str:
    """What intake records as having written its calls: a short printable name."""
    name = text.strip()
    if not name or len(name) > 40 or not name.isprintable():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a source name (1-40 printable characters)"
        )
    return name


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="cso-console",
        formatter_class=fmt,
        epilog=EPILOG,
        description="Keyboard-only shift console for community service officer desks.",
    )
    p.add_argument("--version", action="version", version=f"cso-console {__version__}")

    def db_opt(sp: argparse.ArgumentParser, demo: bool = True) -> None:
        sp.add_argument(
            "--db",
            type=Path,
            metavar="PATH",
            help=f"the desk database (default: {default_db_path()})",
        )
        if demo:
            sp.add_argument(
                "--demo",
                action="store_true",
                help=f"the demo database of `cso-console --demo` ({demo_db_path()})",
            )

    def town_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--town",
            type=Path,
            metavar="DIR",
            help="jurisdiction folder (default: the bundled demo town)",
        )

    def run_opts(sp: argparse.ArgumentParser, top: bool = False) -> None:
        # Given before a command, an option is kept apart (TOP) and handed to the command
        # by main(), which refuses one the command does not have: never ignored.
        def dest(name: str) -> str:
            return TOP + name if top else name

        sp.add_argument(
            "--demo",
            action="store_true",
            help=f"the demo town mid-shift, in a fresh {demo_db_path()} (or a new --db file)",
            dest=dest("demo"),
        )
        sp.add_argument(
            "--db",
            type=Path,
            metavar="PATH",
            help=f"the desk database (default: {default_db_path()})",
            dest=dest("db"),
        )
        sp.add_argument(
            "--desk",
            type=_desk_code,
            metavar="CODE",
            help="desk code for a new database (default D1)",
            dest=dest("desk"),
        )
        sp.add_argument(
            "--town",
            type=Path,
            metavar="DIR",
            help="jurisdiction folder (default: the bundled demo town)",
            dest=dest("town"),
        )
        sp.add_argument(
            "--operator",
            metavar="ID",
            type=_operator_id,
            help="operator id filled in on the sign-in screen (the PIN is still asked)",
            dest=dest("operator"),
        )
        sp.add_argument(
            "--lock-after",
            type=_minutes,
            metavar="MINUTES",
            help="lock the console after this many minutes without a key (default 10; 0 never)",
            dest=dest("lock_after"),
        )
        sp.add_argument(
            "--ascii", action="store_true", help="ASCII borders and glyphs only", dest=dest("ascii")
        )
        sp.add_argument(
            "--no-mouse",
            action="store_true",
            help="no mouse: the console never turns mouse reporting on (kept for scripts)",
            dest=dest("no_mouse"),
        )
        sp.add_argument(
            "--keymap",
            type=Path,
            metavar="FILE",
            help=f"keys for the actions (default: {default_keymap_path()}, if it exists)",
            dest=dest("keymap"),
        )
        sp.add_argument(
            "--theme",
            metavar="NAME",
            help="colours: ansi-dark, ansi-light (16 colours), textual-dark, textual-light "
            "(default: from the terminal's colours)",
            dest=dest("theme"),
        )

    run_opts(p, top=True)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    run_opts(
        sub.add_parser(
            "run", help="start the console (the default)", epilog=EPILOG, formatter_class=fmt
        )
    )

    sp = sub.add_parser(
        "town", help="validate and show the jurisdiction", epilog=EPILOG, formatter_class=fmt
    )
    town_opt(sp)
    sp.add_argument("--json", action="store_true", help="print one JSON object")

    sp = sub.add_parser(
        "intake", help="append calls from JSON lines", epilog=EPILOG, formatter_class=fmt
    )
    db_opt(sp)
    town_opt(sp)
    sp.add_argument("file", metavar="FILE|-", help="JSON lines file, or - for standard input")
    sp.add_argument(
        "--source",
        metavar="NAME",
        type=_source_name,
        default="intake",
        help="the feed's name, recorded on every call it brings (default: intake); "
        "a feed is not an operator",
    )

    sp = sub.add_parser("export", help="export calls or events", epilog=EPILOG, formatter_class=fmt)
    sp.add_argument("what", choices=["calls", "events"])
    db_opt(sp)
    town_opt(sp)
    sp.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    sp.add_argument(
        "--since",
        metavar="TIME",
        help="from this time on: 2026-11-21, 2026-11-21T08:00, or 8h / 90m / 2d ago",
    )
    sp.add_argument(
        "--include-caller",
        action="store_true",
        help="include caller name and phone (confidential; a lead: --operator ID and PIN)",
    )
    add_output_args(sp, _operator_id)
    add_report_parser(sub, db_opt, town_opt, EPILOG)

    sp = sub.add_parser(
        "check",
        help="verify integrity; prove projections == journal",
        epilog=EPILOG,
        formatter_class=fmt,
    )
    db_opt(sp)
    town_opt(sp)
    sp.add_argument(
        "--rebuild", action="store_true", help="rewrite the projections from the journal"
    )

    sp = sub.add_parser(
        "backup",
        help="copy a desk database, live, into a new file",
        epilog=EPILOG,
        formatter_class=fmt,
    )
    sp.add_argument("path", type=Path, metavar="PATH", help="the new file (must not exist)")
    source = sp.add_mutually_exclusive_group()
    source.add_argument(
        "--db",
        type=Path,
        metavar="DB",
        help=f"the desk database to copy (default: {default_db_path()})",
    )
    source.add_argument(
        "--demo", action="store_true", help=f"copy the demo database ({demo_db_path()})"
    )

    from cso_console.cli_operator import add_parser as add_operator_parser

    add_operator_parser(sub, db_opt, town_opt, _operator_id, epilog=EPILOG, formatter_class=fmt)
    from cso_console.cli_cmd import add_parser as add_cmd_parser

    add_cmd_parser(sub, db_opt, town_opt, _operator_id, epilog=EPILOG, formatter_class=fmt)
    from cso_console.cli_conflicts import add_parser as add_conflicts_parser

    add_conflicts_parser(sub, db_opt, town_opt, _operator_id, epilog=EPILOG, formatter_class=fmt)
    return p


def _town(path: Path | None) -> Town:
    from cso_console.domain.town_files import TownError, load_town

    folder = path or bundled_town_dir()
    if not folder.is_dir():
        raise CliError(f"{folder}: not a folder with town files.")
    try:
        return load_town(folder)
    except TownError as exc:
        # Each problem is "file:line: field: message" relative to the folder.
        raise CliError(
            f"bad town data in {folder}:\n" + "\n".join(f"  {folder / p}" for p in exc.problems)
        ) from None


def _db_path(args: argparse.Namespace) -> Path:
    if args.db is not None:
        return Path(args.db)
    return demo_db_path() if getattr(args, "demo", False) else default_db_path()


def _desk(
    args: argparse.Namespace, operator: str, town: Town | None = None, readonly: bool = False
) -> Any:
    from cso_console.desk import Desk

    path = _db_path(args)
    try:
        return Desk.open(
            path,
            town or _town(args.town),
            desk_code=getattr(args, "desk", None),
            operator_id=operator,
            readonly=readonly,
        )
    except StorageFull as exc:
        raise CliError(str(exc), EXIT_FULL) from None
    except StoreError as exc:
        raise CliError(str(exc)) from None


def _existing_db(args: argparse.Namespace) -> None:
    path = _db_path(args)
    if not path.exists():
        raise CliError(f"{path}: no such database.")


def cmd_town(args: argparse.Namespace) -> int:
    town = _town(args.town)
    if args.json:
        doc = {
            "name": town.name,
            "call_types": [
                {"code": c.code, "label": c.label, "priority": c.priority, "emergency": c.emergency}
                for c in town.call_types
            ],
            "beats": [
                {"id": b.id, "name": b.name, "neighbours": list(b.neighbours)} for b in town.beats
            ],
            "streets": [
                {"name": s.name, "from": s.low, "to": s.high, "beat": s.beat} for s in town.streets
            ],
            "landmarks": [{"name": lm.name, "address": lm.address} for lm in town.landmarks],
            "dispositions": [{"code": d.code, "label": d.label} for d in town.dispositions],
            "officers": [
                {"call_sign": o.call_sign, "name": o.name, "skills": list(o.skills), "beat": o.beat}
                for o in town.officers
            ],
        }
        print(json.dumps(doc, indent=2))
        return EXIT_OK
    print(terminal_safe(f"{town.name} — {town.agency}" if town.agency else town.name))
    print(terminal_safe(town.beat_map, keep_lines=True))
    print(f"beats        {len(town.beats)}: " + ", ".join(f"{b.id} {b.name}" for b in town.beats))
    print(f"streets      {len(town.street_names)} names, {len(town.streets)} address ranges")
    print(f"landmarks    {len(town.landmarks)}")
    print(
        f"call types   {len(town.call_types)} "
        f"({sum(c.emergency for c in town.call_types)} emergency, transferred)"
    )
    print(f"dispositions {len(town.dispositions)}: " + " ".join(d.code for d in town.dispositions))
    print(f"skills       {len(town.skills)}: " + " ".join(s.code for s in town.skills))
    print(f"officers     {len(town.officers)}")
    print(
        "priorities   "
        + ", ".join(f"P{p.level} {p.label} {p.target_minutes} min" for p in town.priorities)
    )
    return EXIT_OK


def _open_feed(name: str) -> BinaryIO:
    if name == "-":
        return sys.stdin.buffer
    try:
        return Path(name).open("rb")
    except FileNotFoundError:
        raise CliError(f"{name}: no such file; nothing taken.") from None
    except OSError as exc:
        raise CliError(f"{name}: cannot be read ({exc.strerror}); nothing taken.") from None


def _intake_db(args: argparse.Namespace) -> bool:
    """Whether intake creates a new database; an explicit --db in a folder that does not
    exist is refused (a mistyped path would feed calls into a file no desk watches)."""
    path = _db_path(args)
    if args.db is not None and not path.parent.is_dir():
        raise CliError(
            f"{path.parent}: no such folder; nothing taken. Check the --db path "
            "(intake creates a new database only in a folder that exists)."
        )
    return not path.exists() or (path.is_file() and path.stat().st_size == 0)


def cmd_intake(args: argparse.Namespace) -> int:

    stream = _open_feed(args.file)
    try:
        return _intake(args, stream)
    except OSError as exc:  # the feed itself failed while read (before a database)
        raise CliError(f"{args.file}: cannot be read ({exc.strerror or exc}).") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _intake(args: argparse.Namespace, stream: BinaryIO) -> int:
    from cso_console.intake import LineRefused, load_object, read_lines, take_lines

    lines = read_lines(stream)  # a stream: one line at a time, each at most 64 KiB
    # Read up to the first line that is a JSON object before a database is even made:
    # a file of nothing readable is refused and creates nothing.
    head_refused: list[tuple[int, str]] = []
    skipped = 0
    first: str | None = None
    for line in lines:
        if line.strip():
            try:
                load_object(line)
                first = line
                break
            except LineRefused as exc:
                head_refused.append((skipped + 1, str(exc)))
        skipped += 1
    if first is None:
        for number, reason in head_refused:
            print(terminal_safe(f"{args.file}:{number}: {reason}"), file=sys.stderr)
        raise CliError(f"{args.file}: no line could be read as a call; nothing taken.")
    new_db = _intake_db(args)
    desk = _desk(args, args.source)
    if new_db:
        print(
            terminal_safe(f"cso-console: a new desk database was created at {_db_path(args)}."),
            file=sys.stderr,
        )
    feed = itertools.chain(itertools.repeat("", skipped), [first], lines)
    try:
        size = os.fstat(stream.fileno()).st_size if stream is not sys.stdin.buffer else 0
        if sys.stderr.isatty() and size >= 64 * 1024:
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task("intake", total=size)
                report = take_lines(
                    desk, feed, lambda: progress.update(task, completed=stream.tell())
                )
        else:
            report = take_lines(desk, feed)
    finally:
        desk.close()
    report.refused[:0] = head_refused
    for number, reason in report.refused:  # reasons quote the line: made terminal-safe
        print(terminal_safe(f"{args.file}:{number}: {reason}"), file=sys.stderr)
    summary = (
        f"{report.taken} taken ({report.unverified} unverified location), "
        f"{report.already} already taken, {len(report.refused)} refused"
    )
    print(summary, file=sys.stderr)
    if report.anonymous:
        print(
            f"{report.anonymous} line(s) had no source_id or received_at: taken as new calls; "
            "re-running this file would take them again.",
            file=sys.stderr,
        )
    if report.stopped:
        fix = "after freeing space" if report.full else "when the database is free"
        again = (
            f"feed the lines from line {report.stopped_at} on {fix} (lines with no source_id "
            "or received_at would be taken twice by a re-run of the whole file)"
            if report.anonymous
            else f"re-run the same file {fix}: nothing is taken twice"
        )
        print(f"{report.stopped}; {again}.", file=sys.stderr)
        if report.full:
            return EXIT_FULL
        return EXIT_PARTIAL if report.taken or report.already else EXIT_UNUSABLE
    if report.refused and not (report.taken or report.already):
        return EXIT_UNUSABLE  # every line refused: nothing taken, could not run
    return EXIT_PARTIAL if report.refused else EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from cso_console.cli_report import cmd_report as run

    return run(args)


def cmd_export(args: argparse.Namespace) -> int:
    from cso_console.cli_export import cmd_export as export_cmd

    return export_cmd(args)


def cmd_check(args: argparse.Namespace) -> int:
    from cso_console import integrity

    _existing_db(args)
    try:
        if args.rebuild:
            desk = _desk(args, getpass.getuser())
            try:
                report = integrity.rebuild(desk)
            finally:
                desk.close()
        else:
            report = integrity.check(_db_path(args))
    except StorageFull as exc:
        raise CliError(str(exc), EXIT_FULL) from None
    except StoreError as exc:
        raise CliError(str(exc)) from None
    for p in report.problems:
        print(terminal_safe(p))
    state = "rebuilt from the journal; " if report.rebuilt else ""
    verdict = "OK" if report.ok else f"{len(report.problems)} problem(s)"
    print(
        f"{_db_path(args)}: {report.events} events, {report.conflicts} "
        f"conflict(s) for the lead; {state}projections == journal: {verdict}"
    )
    return EXIT_OK if report.ok else EXIT_PARTIAL


def cmd_backup(args: argparse.Namespace) -> int:
    from cso_console.backup import backup

    _existing_db(args)
    source = _db_path(args)
    try:
        report = backup(source, args.path)
    except StorageFull as exc:
        raise CliError(str(exc), EXIT_FULL) from None
    except StoreError as exc:
        raise CliError(str(exc)) from None
    print(
        f"{report.target}: a copy of {report.source}, {report.events} events, {report.size} bytes"
    )
    return EXIT_OK


def _keymap(path: Path | None) -> Keymap:
    """The keymap file, read and checked now, before the console starts."""
    from cso_console.keymap import read_keymap
    from cso_console.screens.scopes import binding_scopes

    if path is not None and not path.is_file():
        raise CliError(f"--keymap {path}: there is no such file; nothing was started.")
    return read_keymap(path or default_keymap_path(), binding_scopes)


def cmd_run(args: argparse.Namespace) -> int:
    # Start-up makes hundreds of thousands of objects that live as long as the console
    # (modules, classes, the board's rows): the collector would walk them over and over
    # for nothing (10-15% of start-up's CPU). It comes back once the board's rows are
    # loaded (screens/board.settled, which freezes them first), or app.GC_BACK seconds after
    # the app started, whichever is first.
    gc.disable()
    from cso_console.app import LOCK_AFTER, THEMES

    if args.theme is not None and args.theme not in THEMES:
        raise CliError(
            f"--theme {args.theme}: there is no such theme; the themes are {', '.join(THEMES)}."
        )
    keymap = _keymap(args.keymap)
    lock_after = LOCK_AFTER if args.lock_after is None else args.lock_after
    if not args.demo and args.desk is None and current_file(_db_path(args)):
        return _run_opening(args, keymap, lock_after)
    return _run_open(args, keymap, lock_after)


def _console_options(args: argparse.Namespace, keymap: Keymap, lock_after: float) -> Any:
    return {
        "ascii_only": args.ascii,
        "operator": args.operator or "",
        "lock_after": lock_after,
        "keymap": keymap.keys,
        "keymap_problems": keymap.problems,
        "theme": args.theme,
    }


def _run_opening(args: argparse.Namespace, keymap: Keymap, lock_after: float) -> int:
    """An existing desk file of this schema: the sign-in screen is painted first, the
    town read and the desk opened after it, on a thread. What stops that ends the console
    and is said as it would have been before the console started, with the same code."""
    from cso_console.app import run_console

    opened: list[Desk] = []

    def opener() -> Desk:  # on the opener's thread: the domain is loaded there
        from cso_console.session import NOBODY

        desk: Desk = _desk(args, NOBODY, _town(args.town))
        opened.append(desk)
        desk.take_roster()
        return desk

    try:  # what the opener raised is raised here: main() says it (StoreError, ...)
        return run_console(None, opener=opener, **_console_options(args, keymap, lock_after))
    finally:
        for desk in opened:
            desk.close()


def _run_open(args: argparse.Namespace, keymap: Keymap, lock_after: float) -> int:
    """A new file, one to migrate, the demo or a --desk to check: opened (and any refusal
    said) before the console starts."""
    from cso_console.session import NOBODY

    # Nobody acts until someone signs in on the console (the demo: its lead, below).
    town = _town(args.town)
    lock = None
    if args.demo:
        from cso_console.demo import DemoLock, seed_demo

        fresh = True
        if args.db is not None and args.db.exists() and args.db.stat().st_size > 0:
            raise CliError(f"{args.db} already exists; --demo writes its story into a new file.")
        if args.db is None:
            args.db = demo_db_path()
            lock = DemoLock(args.db)
            fresh = lock.take()
            if fresh:  # nobody is using the demo: it starts afresh
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{args.db}{suffix}").unlink(missing_ok=True)
            else:
                print(
                    f"cso-console: a demo console is running on {args.db}; this one joins it.",
                    file=sys.stderr,
                )
        try:
            if fresh:
                seed_demo(args.db, town)
        except StorageFull as exc:
            raise CliError(str(exc), EXIT_FULL) from None
        except StoreError as exc:
            raise CliError(str(exc)) from None
        finally:
            if lock is not None:
                lock.share()
    desk = _desk(args, NOBODY, town)
    try:
        desk.take_roster()
        session: Session | None = None
        if args.demo:
            session = _demo_lead_signed_in(desk)
        from cso_console.app import run_console

        return run_console(desk, session=session, **_console_options(args, keymap, lock_after))
    except StorageFull as exc:
        raise CliError(str(exc), EXIT_FULL) from None
    except StoreError as exc:
        raise CliError(str(exc)) from None
    finally:
        desk.close()
        if lock is not None:
            lock.release()


def _demo_lead_signed_in(desk: Desk) -> Session:
    """The demo's lead, signed in with the published PIN. The PIN check (scrypt, which
    lets other threads run) is made on a thread while this one loads the console's
    screens and Textual: the board comes up sooner by most of a PIN check."""
    import threading

    from cso_console.demo import DEMO_LEAD, DEMO_PIN
    from cso_console.session import sign_in

    done: list[tuple[Any, Session | None]] = []
    failed: list[BaseException] = []

    def signing() -> None:
        try:
            done.append(sign_in(desk, DEMO_LEAD, DEMO_PIN, demo=True))
        except BaseException as exc:  # raised again below, on this thread
            failed.append(exc)

    thread = threading.Thread(target=signing, name="demo-sign-in")
    thread.start()
    try:
        import cso_console.app  # noqa: F401  (meanwhile: what the console runs on)
    finally:
        thread.join()
    if failed:
        raise failed[0]
    signed, session = done[0]
    if not signed.ok or session is None:
        raise CliError(f"The demo lead could not sign in: {signed.reason}")
    return session


def _top_options(args: argparse.Namespace) -> None:
    """Hand the options given before the command to it (`cso-console --db X check` reads
    X); refuse one the command does not have, or one given both before and after it."""
    top = {k[len(TOP) :]: v for k, v in vars(args).items() if k.startswith(TOP)}
    for name in top:
        delattr(args, TOP + name)
    if args.command is None:
        vars(args).update(top)  # the console itself: they are its options
        return
    for name, value in top.items():
        if value is None or value is False:
            continue
        flag = f"--{name}"
        if not hasattr(args, name):
            raise CliError(f"{flag} is not an option of `{args.command}`; nothing was done.")
        mine = getattr(args, name)
        if mine is not None and mine is not False and mine != value:
            raise CliError(f"{flag} is given twice, before and after `{args.command}`.")
        setattr(args, name, value)
    if args.command == "backup" and args.db is not None and args.demo:
        raise CliError("--db and --demo name two databases for `backup`: give one.")


def cmd_operator(args: argparse.Namespace) -> int:
    from cso_console.cli_operator import cmd_operator as run

    return run(args)


def cmd_cmd(args: argparse.Namespace) -> int:
    from cso_console.cli_cmd import cmd_cmd as run

    return run(args)


def cmd_conflicts(args: argparse.Namespace) -> int:
    from cso_console.cli_conflicts import cmd_conflicts as run

    return run(args)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _top_options(args)
    except CliError as exc:
        print(terminal_safe(f"cso-console: {exc}", keep_lines=True), file=sys.stderr)
        return exc.code
    handler = {
        "town": cmd_town,
        "intake": cmd_intake,
        "export": cmd_export,
        "check": cmd_check,
        "backup": cmd_backup,
        "operator": cmd_operator,
        "cmd": cmd_cmd,
        "report": cmd_report,
        "conflicts": cmd_conflicts,
    }.get(args.command or "run", cmd_run)
    try:
        return handler(args)
    except CliError as exc:
        print(terminal_safe(f"cso-console: {exc}", keep_lines=True), file=sys.stderr)
        return exc.code
    except StorageFull as exc:
        print(terminal_safe(f"cso-console: {exc}", keep_lines=True), file=sys.stderr)
        return EXIT_FULL
    except StoreError as exc:  # already a sentence for the operator
        print(terminal_safe(f"cso-console: {exc}", keep_lines=True), file=sys.stderr)
        return EXIT_UNUSABLE
    except sqlite3.Error as exc:
        if is_storage_full(exc, _db_path(args) if hasattr(args, "db") else None):
            print("cso-console: the disk is full; free space and run again.", file=sys.stderr)
            return EXIT_FULL
        # A database this version cannot read as expected: say so, never a traceback,
        # and in plain words, not SQLite's.
        print(
            terminal_safe(f"cso-console: the database could not be read: {plain_error(exc)}."),
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    except OSError as exc:  # a file or folder the command needed, refused by the system
        where = f"{exc.filename}: " if exc.filename else ""
        print(
            terminal_safe(f"cso-console: {where}{exc.strerror or exc}; nothing more was done."),
            file=sys.stderr,
        )
        return EXIT_FULL if exc.errno == errno.ENOSPC else EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130
