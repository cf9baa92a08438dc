"""`cso-console export`: the one reader that may write.

A default export (no caller details) opens the database read-only and writes nothing.
``--include-caller`` needs a shift lead: ``--operator ID`` and that lead's PIN (asked on
the terminal with no echo, or line 1 of standard input with ``--pin-stdin``). The lead's
sign-in (or the wrong PIN) and a ``callers.exported`` event (what was exported, from
when) are recorded before any output; without a lead the export is refused (exit 2).

``--output FILE`` writes to a new file made owner-only (0600); an existing file is never
overwritten. Standard output stays as the shell made it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import IO, Any


def add_output_args(sp: argparse.ArgumentParser, operator_id: Any) -> None:
    sp.add_argument(
        "--output",
        metavar="FILE",
        help="write to this new file, owner-only (0600); an existing file is refused",
    )
    sp.add_argument(
        "--operator",
        metavar="ID",
        type=operator_id,
        help="the shift lead exporting caller details (--include-caller)",
    )
    sp.add_argument(
        "--pin-stdin", action="store_true", help="read the lead's PIN from standard input"
    )


def _refuse_existing(path: Path) -> None:
    from cso_console.cli import CliError

    if os.path.lexists(path):
        raise CliError(f"{path} already exists; an export never overwrites a file.")


def open_output(path: Path) -> IO[str]:
    """A new file, owner-only from the start (O_EXCL: never one that exists, nor a link)."""
    from cso_console.cli import CliError

    _refuse_existing(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise CliError(f"{path} already exists; an export never overwrites a file.") from None
    except OSError as exc:
        raise CliError(f"{path}: the export cannot be written there ({exc.strerror}).") from None
    os.fchmod(fd, 0o600)
    return open(fd, "w", encoding="utf-8", newline="")


def cmd_export(args: argparse.Namespace) -> int:
    from cso_console import export
    from cso_console.cli import EXIT_OK, CliError, _desk, _existing_db
    from cso_console.cli_operator import Pins, _as_lead, _refused
    from cso_console.domain import commands as c

    _existing_db(args)
    output = Path(args.output) if args.output else None
    if output is not None:
        _refuse_existing(output)  # before any PIN is asked
    if not args.include_caller and (args.operator or args.pin_stdin):
        raise CliError("--operator and --pin-stdin are for --include-caller only.")
    if args.include_caller:
        desk = _desk(args, "export")
    else:
        desk = _desk(args, getpass.getuser(), readonly=True)
    lead = False
    try:
        try:
            since = export.parse_since(args.since, desk.now()) if args.since is not None else None
        except ValueError as exc:
            raise CliError(str(exc)) from None
        if args.include_caller:
            _as_lead(desk, args, Pins(args.pin_stdin), "Exporting caller details")
            lead = True
            out = desk.execute(c.ExportCallers(kind=args.what, since=args.since))
            if not out.ok:
                raise _refused(out)
        _write(export, desk, args, since, output)
        return EXIT_OK
    finally:
        if lead:
            desk.sign_out()
        desk.close()


def _write(
    export: Any, desk: Any, args: argparse.Namespace, since: str | None, output: Path | None
) -> None:
    columns, records = _records(export, desk, args, since)
    target = open_output(output) if output is not None else sys.stdout
    try:
        export.write(records, columns, args.format, target)
        target.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and let nothing try to write
        # to the closed pipe again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        records.close()  # its read transaction ends before the database closes
        if target is not sys.stdout:
            target.close()


def _records(
    export: Any, desk: Any, args: argparse.Namespace, since: str | None
) -> tuple[list[str], Any]:
    if args.what == "calls":
        columns = export.CALL_COLUMNS + (
            ["caller_name", "caller_phone"] if args.include_caller else []
        )
        return columns, export.call_records(desk, since, args.include_caller)
    return export.EVENT_COLUMNS, export.event_records(desk, since, args.include_caller)
