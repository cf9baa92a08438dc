"""The command line: the console itself, and the admin commands scripts rely on.

Exit codes:
  0  done
  1  done in part: some intake lines refused, or `check` found problems
  2  could not run: bad arguments, unreadable input, a file that is not a CSO Console
     database or has a newer schema, a database of another desk, bad town data
  3  the disk is full: nothing half written; free space and run again
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from cso_console import __version__
from cso_console.cli_report import add_report_parser, cmd_report
from cso_console.domain.callnumber import validate_desk_code
from cso_console.domain.town import Town
from cso_console.domain.town_files import TownError, load_town
from cso_console.paths import bundled_town_dir, default_db_path, demo_db_path
from cso_console.store import StorageFull, StoreError
from cso_console.store.database import plain_error
from cso_console.text import terminal_safe

EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE, EXIT_FULL = 0, 1, 2, 3

EPILOG = """exit codes:
  0  done
  1  done in part: some intake lines were refused, or check found problems
  2  could not run: bad arguments or input, not a CSO Console database, newer schema,
     a database of another desk, bad town data
  3  the disk is full: nothing was half written; free space and run again
"""


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

    def run_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--demo",
            action="store_true",
            help=f"the demo town mid-shift, in a fresh {demo_db_path()} (or a new --db file)",
        )
        db_opt(sp, demo=False)
        sp.add_argument(
            "--desk",
            type=_desk_code,
            metavar="CODE",
            help="desk code for a new database (default D1)",
        )
        town_opt(sp)
        sp.add_argument(
            "--operator", metavar="ID", type=_operator_id, help="operator id (default: login name)"
        )
        sp.add_argument("--ascii", action="store_true", help="ASCII borders and glyphs only")

    run_opts(p)
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
        "--operator",
        metavar="ID",
        default="intake",
        type=_operator_id,
        help="operator recorded on the calls (default: intake)",
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
        "--include-caller", action="store_true", help="include caller name and phone (confidential)"
    )
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
    return p


def _town(path: Path | None) -> Town:
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


def _json_problem(line: str) -> str | None:
    from cso_console.intake import NOT_UTF8, not_utf8

    if not_utf8(line):
        return NOT_UTF8
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"not JSON ({exc.msg})"
    return None if isinstance(obj, dict) else "not a JSON object"


def cmd_intake(args: argparse.Namespace) -> int:
    from cso_console.intake import decode_lines, take_lines

    try:
        if args.file == "-":
            data = sys.stdin.buffer.read()
        else:
            data = Path(args.file).read_bytes()
    except FileNotFoundError:
        raise CliError(f"{args.file}: no such file; nothing taken.") from None
    except OSError as exc:
        raise CliError(f"{args.file}: cannot be read ({exc.strerror}); nothing taken.") from None
    lines = decode_lines(data)  # a line that is not UTF-8 is refused alone, later
    if not any(_json_problem(line) is None for line in lines if line.strip()):
        # Nothing readable: refuse before a database is even created.
        for number, line in enumerate(lines, 1):
            if line.strip():
                print(
                    terminal_safe(f"{args.file}:{number}: {_json_problem(line)}"), file=sys.stderr
                )
        raise CliError(f"{args.file}: no line could be read as a call; nothing taken.")
    desk = _desk(args, args.operator)
    try:
        if sys.stderr.isatty() and len(lines) >= 200:
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task("intake", total=len(lines))
                report = take_lines(desk, lines, lambda: progress.advance(task))
        else:
            report = take_lines(desk, lines)
    finally:
        desk.close()
    for number, reason in report.refused:  # reasons quote the line: made terminal-safe
        print(terminal_safe(f"{args.file}:{number}: {reason}"), file=sys.stderr)
    summary = (
        f"{report.taken} taken ({report.unverified} unverified location), "
        f"{report.already} already taken, {len(report.refused)} refused"
    )
    print(summary, file=sys.stderr)
    if report.stopped:
        fix = "after freeing space" if report.full else "when the database is free"
        print(
            f"{report.stopped}; re-run the same file {fix}: nothing is taken twice.",
            file=sys.stderr,
        )
        if report.full:
            return EXIT_FULL
        return EXIT_PARTIAL if report.taken or report.already else EXIT_UNUSABLE
    if report.refused and not (report.taken or report.already):
        return EXIT_UNUSABLE  # every line refused: nothing taken, could not run
    return EXIT_PARTIAL if report.refused else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from cso_console import export

    _existing_db(args)
    desk = _desk(args, getpass.getuser(), readonly=True)
    try:
        since = export.parse_since(args.since, desk.now()) if args.since else None
    except ValueError as exc:
        desk.close()
        raise CliError(str(exc)) from None
    if args.what == "calls":
        columns = export.CALL_COLUMNS + (
            ["caller_name", "caller_phone"] if args.include_caller else []
        )
        records = export.call_records(desk, since, args.include_caller)
    else:
        columns = export.EVENT_COLUMNS
        records = export.event_records(desk, since, args.include_caller)
    try:
        export.write(records, columns, args.format, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and let nothing try to write
        # to the closed pipe again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        records.close()  # its read transaction ends before the database closes
        desk.close()
    return EXIT_OK


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


def cmd_run(args: argparse.Namespace) -> int:
    from cso_console.app import run_console

    operator = args.operator or getpass.getuser()
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
    desk = _desk(args, operator, town)
    try:
        desk.take_roster()
        return run_console(desk, ascii_only=args.ascii)
    except StorageFull as exc:
        raise CliError(str(exc), EXIT_FULL) from None
    except StoreError as exc:
        raise CliError(str(exc)) from None
    finally:
        desk.close()
        if lock is not None:
            lock.release()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {
        "town": cmd_town,
        "intake": cmd_intake,
        "export": cmd_export,
        "check": cmd_check,
        "backup": cmd_backup,
        "report": cmd_report,
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
        # A database this version cannot read as expected: say so, never a traceback,
        # and in plain words, not SQLite's.
        print(
            terminal_safe(f"cso-console: the database could not be read: {plain_error(exc)}."),
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130
