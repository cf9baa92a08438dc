"""``cso-console report shift|handover``: the shift report and the handover, from the journal.

A reader: the database is opened read-only and never created, migrated or changed. The
period is the agency's current shift (by the desk's clock) unless ``--from``/``--to``
say otherwise; a time without a zone is the agency's (``time_zone`` in town.toml).
"""

from __future__ import annotations

import argparse
import errno
import getpass
import io
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the report's code is loaded when a report runs, not at start-up
    from cso_console.domain.report import Period, ShiftReport
    from cso_console.domain.town import Town

FORMATS = ("md", "csv", "json")  # report_formats.FORMATS, imported only when a report runs
TIME_HELP = "an ISO time, e.g. 2026-11-21T07:00 (the agency's zone) or 2026-11-21T12:00Z"


def add_report_parser(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    db_opt: Callable[[argparse.ArgumentParser], None],
    town_opt: Callable[[argparse.ArgumentParser], None],
    epilog: str,
) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    sp = sub.add_parser(
        "report", help="the shift report or the handover", epilog=epilog, formatter_class=fmt
    )
    kinds = sp.add_subparsers(dest="report", metavar="shift|handover", required=True)
    for name, text in (
        ("shift", "calls, intervals, targets, workload and what is carried over"),
        ("handover", "Markdown handover: open calls, officers, alerts, notable events"),
    ):
        k = kinds.add_parser(name, help=text, epilog=epilog, formatter_class=fmt)
        db_opt(k)
        town_opt(k)
        k.add_argument("--from", dest="start", metavar="TIME", help=f"start: {TIME_HELP}")
        k.add_argument("--to", dest="end", metavar="TIME", help="end (default: now)")
        if name == "shift":
            k.add_argument("--format", choices=FORMATS, default="md")
        k.add_argument("--output", type=Path, metavar="FILE", help="write a new file (owner-only)")
        k.add_argument("--ascii", action="store_true", help="ASCII only (the hours chart)")


def parse_time(text: str, town: Town, option: str) -> datetime:
    """An ISO date or datetime; one without a zone is in the agency's zone."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{option} '{text}' is not a time ({TIME_HELP})") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=town.zone)
    return when


def period_of(start: str | None, end: str | None, town: Town, now: datetime) -> Period:
    """The period asked for, or the agency's shift at ``now``."""
    from cso_console.domain.report import Period, shift_at

    if start is None and end is None:
        return shift_at(town, now)
    if start is None:
        raise ValueError("--to needs --from (the start of the period)")
    begin = parse_time(start, town, "--from")
    finish = parse_time(end, town, "--to") if end is not None else now
    if finish <= begin:
        raise ValueError("the period is empty: --to must be after --from")
    return Period(begin, finish)


def build(args: argparse.Namespace) -> ShiftReport:
    """Open the database read-only and compute the report (the reader's whole work)."""
    from cso_console.cli import CliError, _desk, _existing_db
    from cso_console.report_formats import read_report

    _existing_db(args)
    desk = _desk(args, getpass.getuser(), readonly=True)
    try:
        try:
            period = period_of(args.start, args.end, desk.town, desk.now())
        except ValueError as exc:
            raise CliError(str(exc)) from None
        return read_report(desk, period)
    finally:
        desk.close()


def write_new_file(path: Path, text: str) -> None:
    """Create ``path`` owner-only (0600) and write ``text``; never overwrite; on a full
    disk remove what was begun."""
    from cso_console.cli import EXIT_FULL, CliError

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CliError(f"{path} already exists; a report never overwrites a file.") from None
    except OSError as exc:
        raise CliError(f"{path} cannot be created ({exc.strerror}).") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    except OSError as exc:
        path.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise CliError(
                f"the disk is full; {path} was not written. Free space and run again.", EXIT_FULL
            ) from None
        raise CliError(f"{path} could not be written ({exc.strerror}).") from None


def _utf8(stream: object) -> bool:
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "") == "utf8"


def cmd_report(args: argparse.Namespace) -> int:
    from cso_console.report_formats import handover, render

    report = build(args)
    to_stdout = args.output is None
    ascii_only = args.ascii or (to_stdout and not _utf8(sys.stdout))
    if args.report == "handover":
        text = handover(report)
    else:
        text = render(report, args.format, ascii_only)
    if not to_stdout:
        write_new_file(args.output, text)
        return 0
    if not _utf8(sys.stdout) and isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="replace")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
