"""`cso-console conflicts [settle EVENT --reason TEXT]`: the open conflicts, from the CLI.

Listing is a read-only reader. Settling needs a shift lead: `--operator ID` and that
lead's PIN, asked on the terminal with no echo or read with `--pin-stdin` (as for
`operator`); a refusal exits 2 and writes nothing but the refused sign-in's record.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from cso_console.text import terminal_safe


def add_parser(
    sub: Any,
    db_opt: Callable[[argparse.ArgumentParser], None],
    town_opt: Callable[[argparse.ArgumentParser], None],
    operator_id: Callable[[str], str],
    **kw: Any,
) -> None:
    sp = sub.add_parser("conflicts", help="list the open conflicts; settle one (a lead)", **kw)
    sp.add_argument("verb", nargs="?", choices=["list", "settle"], default="list")
    sp.add_argument("event", nargs="?", metavar="EVENT_ID", help="the conflict to settle")
    sp.add_argument("--reason", metavar="TEXT", help="why it is settled so (needed to settle)")
    db_opt(sp)
    town_opt(sp)
    sp.add_argument("--operator", metavar="ID", type=operator_id, help="the lead settling it")
    sp.add_argument(
        "--pin-stdin", action="store_true", help="read the lead's PIN from standard input"
    )


def cmd_conflicts(args: argparse.Namespace) -> int:
    from cso_console.cli import EXIT_OK, CliError, _desk, _existing_db

    _existing_db(args)
    if args.verb == "list":
        if args.event or args.reason:
            raise CliError("`conflicts` lists; to settle one: `conflicts settle EVENT_ID`.")
        desk = _desk(args, "reader", readonly=True)
        try:
            return _list(desk)
        finally:
            desk.close()
    return _settle(args, CliError, EXIT_OK)


def _settle(args: argparse.Namespace, CliError: Any, ok: int) -> int:
    from cso_console.cli import _desk
    from cso_console.cli_operator import Pins, _as_lead, _done
    from cso_console.domain.commands import SettleConflict

    if not args.event:
        raise CliError("Name the conflict to settle: `conflicts settle EVENT_ID --reason TEXT`.")
    reason = (args.reason or "").strip()
    if not reason:
        raise CliError("Settling a conflict needs a reason: give --reason TEXT.")
    if len(args.event) < 4:
        raise CliError("Give at least the first 4 characters of the event id.")
    desk = _desk(args, "cli")
    try:
        _as_lead(desk, args, Pins(args.pin_stdin), "Settling a conflict")
        cmd = SettleConflict(event_id=args.event, reason=reason[:500])
        _done(desk.execute(cmd), f"conflict over event {args.event} settled: {reason}")
        desk.sign_out()
        return ok
    finally:
        desk.close()


def _list(desk: Any) -> int:
    from cso_console.cli import EXIT_OK

    found = desk.open_conflicts()
    if not found:
        print("No open conflicts.")
        return EXIT_OK
    print(f"{'EVENT':<8} {'WHEN':<16} CONFLICT")
    for k in found:
        when = k.occurred_at.strftime("%Y-%m-%d %H:%M") if k.occurred_at else "?"
        print(terminal_safe(f"{k.short_id:<8} {when:<16} {k.text()}"))
    return EXIT_OK
