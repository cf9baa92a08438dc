"""`cso-console operator add|list|disable|pin`: the centre's operators from the CLI.

On a database with no operator, `operator add` makes the first lead and needs nobody's
credentials. After that, changing operators needs a lead: `--operator ID` and that
lead's PIN, asked on the terminal with no echo, or read with `--pin-stdin` (line 1 the
lead's PIN, the next line the new PIN where one is set). A new PIN asked on the terminal
is asked twice. The file's owner can reset any PIN with `operator pin ID --owner`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from cso_console.text import terminal_safe

FIRST_RUN = "first-run"  # who enrolled the first lead, on the record
OWNER = "file owner"
MAX_WAIT = 8.0  # seconds a wrong PIN holds the command back, at most


def add_parser(
    sub: Any,
    db_opt: Callable[[argparse.ArgumentParser], None],
    town_opt: Callable[[argparse.ArgumentParser], None],
    operator_id: Callable[[str], str],
    **kw: Any,
) -> None:
    sp = sub.add_parser("operator", help="add, list, disable operators; set PINs", **kw)
    verbs = sp.add_subparsers(dest="verb", metavar="VERB", required=True)

    def common(p: argparse.ArgumentParser, lead: bool = True) -> None:
        db_opt(p)
        town_opt(p)
        if lead:
            p.add_argument("--operator", metavar="ID", type=operator_id, help="the lead doing this")
            p.add_argument(
                "--pin-stdin",
                action="store_true",
                help="read PINs from standard input (line 1: yours; then the new one)",
            )

    p = verbs.add_parser("add", help="add an operator (the first one: a lead, no PIN asked)")
    p.add_argument("id", metavar="ID", type=operator_id)
    p.add_argument("--role", choices=["desk", "lead"], default="desk")
    p.add_argument("--name", metavar="NAME", help="full name (default: the id)")
    common(p)
    p = verbs.add_parser("list", help="the operators, their roles and state")
    common(p, lead=False)
    p = verbs.add_parser("disable", help="disable an operator (a lead only)")
    p.add_argument("id", metavar="ID", type=operator_id)
    common(p)
    p = verbs.add_parser("pin", help="set a PIN: your own, anyone's as a lead, or --owner")
    p.add_argument("id", metavar="ID", type=operator_id)
    p.add_argument("--owner", action="store_true", help="reset as the owner of the database file")
    common(p)


class Pins:
    """Where PINs come from: the terminal (no echo), or standard input's lines."""

    def __init__(self, from_stdin: bool) -> None:
        self.lines: Iterator[str] | None = iter(sys.stdin) if from_stdin else None

    def ask(self, prompt: str) -> str:
        from cso_console.cli import CliError

        if self.lines is not None:
            line = next(self.lines, None)
            if line is None:
                raise CliError("--pin-stdin: a PIN line is missing; nothing was changed.")
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise CliError(
                "There is no terminal to ask a PIN on; give --pin-stdin with the PIN on "
                "standard input."
            )
        return getpass.getpass(prompt)

    def new_pin(self, whose: str) -> str:
        from cso_console.cli import CliError

        first = self.ask(f"New PIN for {whose}: ")
        if self.lines is None and self.ask("The same PIN again: ") != first:
            raise CliError("The two PINs differ; nothing was changed.")
        return first


def _refused(out: Any) -> Exception:
    from cso_console.cli import CliError

    if out.wait:
        time.sleep(min(out.wait, MAX_WAIT))
    return CliError(f"refused: {out.reason}")


def _as_lead(desk: Any, args: argparse.Namespace, pins: Pins, what: str) -> None:
    """Sign ``--operator`` in with their PIN (recorded), or refuse (exit 2)."""
    from cso_console.cli import CliError

    if not args.operator:
        raise CliError(f"{what} needs a shift lead: give --operator ID (and that lead's PIN).")
    out = desk.sign_in(args.operator, pins.ask(f"PIN for {args.operator}: "))
    if not out.ok:
        raise _refused(out)


def cmd_operator(args: argparse.Namespace) -> int:
    from cso_console.cli import EXIT_OK, _desk, _existing_db

    if args.verb == "list":
        _existing_db(args)
        desk = _desk(args, "reader", readonly=True)
        try:
            return _list(desk)
        finally:
            desk.close()
    if args.verb != "add":
        _existing_db(args)
    pins = Pins(args.pin_stdin)
    desk = _desk(args, FIRST_RUN)
    try:
        first = not any(o.enrolled for o in desk.operators().values())
        if args.verb == "add":
            _add(desk, args, pins, first)
        elif args.verb == "disable":
            _as_lead(desk, args, pins, "Disabling an operator")
            _done(desk.disable_operator(args.id), f"{args.id} disabled")
        else:
            _pin(desk, args, pins)
        if desk.operator_id not in (FIRST_RUN, OWNER):
            desk.sign_out()
        return EXIT_OK
    finally:
        desk.close()


def _done(out: Any, said: str) -> None:
    if not out.ok:
        raise _refused(out)
    print(terminal_safe(said))


def _add(desk: Any, args: argparse.Namespace, pins: Pins, first: bool) -> None:
    from cso_console.cli import CliError
    from cso_console.domain.model import OperatorRole

    role = OperatorRole(args.role)
    if first:
        if role is not OperatorRole.LEAD:
            raise CliError("The first operator must be a shift lead: give --role lead.")
    else:
        _as_lead(desk, args, pins, "Adding an operator")
    pin = pins.new_pin(args.id)
    _done(
        desk.add_operator(args.id, args.name or args.id, role, pin),
        f"{args.id} added as {role.value}" + (" (the first lead)" if first else ""),
    )


def _pin(desk: Any, args: argparse.Namespace, pins: Pins) -> None:
    from cso_console.cli import CliError, _db_path

    if args.owner:
        path = _db_path(args)
        owner = os.stat(path).st_uid
        if owner != os.getuid():
            raise CliError(f"Only the owner of {path} (uid {owner}) can reset a PIN.")
        desk.operator_id = OWNER
        _done(
            desk.reset_pin_as_owner(args.id, pins.new_pin(args.id)),
            f"PIN of {args.id} reset by the file owner",
        )
        return
    who = args.operator or args.id
    if who == args.id:  # one's own: the old PIN is the credential
        old = pins.ask(f"Current PIN for {who}: ")
        out = desk.sign_in(who, old)
        if not out.ok:
            raise _refused(out)
        _done(desk.set_pin(args.id, pins.new_pin(args.id)), f"PIN of {args.id} changed")
        return
    _as_lead(desk, args, pins, "Setting another operator's PIN")
    _done(desk.set_pin(args.id, pins.new_pin(args.id)), f"PIN of {args.id} set")


def _list(desk: Any) -> int:
    from cso_console.cli import EXIT_OK

    ops = sorted(desk.operators().values(), key=lambda o: o.operator_id)
    enrolled = [o for o in ops if o.enrolled]
    if not enrolled:
        print("No operators yet: `cso-console operator add ID --role lead` makes the first lead.")
        return EXIT_OK
    print(f"{'ID':<14} {'ROLE':<5} {'STATE':<10} NAME")
    for o in enrolled:
        state = "disabled" if o.disabled else "signed in" if o.signed_in else "-"
        print(terminal_safe(f"{o.operator_id[:14]:<14} {o.role.value:<5} {state:<10} {o.name}"))
    return EXIT_OK
