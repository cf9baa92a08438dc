"""`cso-console cmd`: the command line's verbs (``D 42 C12``) from a script or a radio
macro, as an operator signed in with their PIN.

Commands come from the arguments, then (with ``--pin-stdin``, after the PIN line) from
standard input, one per line; blank lines and lines starting with ``#`` are passed by.
Every line is read before any runs: one line not understood, and nothing runs. Then each
runs in order; a refusal is said on standard error with its line number and the others
go on. ``PH`` prints the premise history lines of an address, ``S`` the call's state
(never the caller, nor the narrative).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cso_console.domain.callnumber import short_number
from cso_console.text import terminal_safe

if TYPE_CHECKING:  # the verbs and the domain are loaded when `cmd` runs, not at start-up
    from cso_console.domain.verbs import Parsed, Show


def add_parser(
    sub: Any,
    db_opt: Callable[[argparse.ArgumentParser], None],
    town_opt: Callable[[argparse.ArgumentParser], None],
    operator_id: Callable[[str], str],
    **kw: Any,
) -> None:
    sp = sub.add_parser("cmd", help='run command-line verbs ("D 42 C12") as an operator', **kw)
    db_opt(sp)
    town_opt(sp)
    sp.add_argument("--operator", metavar="ID", type=operator_id, help="who does this")
    sp.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the PIN from standard input's first line; commands may follow, one a line",
    )
    sp.add_argument("lines", nargs="*", metavar="COMMAND", help='one command each, e.g. "D 42 C12"')


def _err(text: str) -> None:
    print(terminal_safe(f"cso-console: {text}"), file=sys.stderr)


def cmd_cmd(args: argparse.Namespace) -> int:
    from cso_console.cli import (
        EXIT_FULL,
        EXIT_OK,
        EXIT_PARTIAL,
        EXIT_UNUSABLE,
        CliError,
        _desk,
        _existing_db,
    )
    from cso_console.cli_operator import Pins, _refused
    from cso_console.domain.verbs import Board, VerbError, parse

    if not args.operator:
        raise CliError("cmd needs --operator ID (and that operator's PIN); nothing was done.")
    _existing_db(args)
    pins = Pins(args.pin_stdin)
    pin = pins.ask(f"PIN for {args.operator}: ")
    given = list(args.lines)
    if pins.lines is not None:
        given += [line.rstrip("\r\n") for line in pins.lines]
    lines = [(n, t) for n, t in enumerate(given, 1) if t.strip() and not t.lstrip().startswith("#")]
    if not lines:
        raise CliError('no command given (e.g. cso-console cmd --operator ID "D 42 C12").')
    desk = _desk(args, args.operator)
    try:
        out = desk.sign_in(args.operator, pin)
        if not out.ok:
            raise _refused(out)
        try:
            board = Board(
                desk.town,
                {o.officer_id: o for o in desk.officers()},
                {x.call_id: x for x in desk.open_calls()},
                desk.now(),
            )
            parsed: list[tuple[int, Parsed]] = []
            for n, text in lines:
                try:
                    parsed.append((n, parse(text, board)))
                except VerbError as exc:
                    _err(f"line {n}: {exc}")
            if len(parsed) < len(lines):
                _err("nothing was done: every line must be understood first.")
                return EXIT_UNUSABLE
            desk.take_roster()  # the town's officers, as the console takes them
            done = refused = 0
            for n, p in parsed:
                ok, full = _run(desk, n, p)
                done, refused = done + ok, refused + (not ok)
                if full:
                    _err(f"the disk is full: the lines after line {n} were not run.")
                    return EXIT_FULL
        finally:
            desk.sign_out()
    finally:
        desk.close()
    if not done:
        return EXIT_UNUSABLE
    return EXIT_PARTIAL if refused else EXIT_OK


def _run(desk: Any, n: int, p: Parsed) -> tuple[bool, bool]:
    """Run one line: (done, the disk is full)."""
    from cso_console.domain import commands as c
    from cso_console.domain.verbs import Show, done_words, duplicate_words

    if isinstance(p.action, Show):
        return _show(desk, n, p.action), False
    out = desk.execute(p.action)
    if out.ok:
        words = done_words(p, out.call_id)
        if isinstance(p.action, c.ReceiveCall) and out.call_id:
            others = desk.likely_duplicates(p.action.location, p.action.type_code)
            words += duplicate_words(out.call_id, others)
        print(terminal_safe(words))
        return True, False
    _err(f"line {n}: {p.words}: refused: {out.reason}{_stack_hint(desk, p.action)}")
    return False, out.full


def _stack_hint(desk: Any, action: object) -> str:
    """A ``D`` of one unit on another call: the ``STK`` line that would stack it (the
    console's : line asks instead; a script cannot be asked)."""
    from cso_console.domain import commands as c

    if not isinstance(action, c.Dispatch) or len(action.officers) != 1:
        return ""
    unit = action.officers[0]
    officer = desk.officer(unit)
    if officer is None or officer.current_call_id is None:
        return ""
    call = desk.find_call(action.call)
    if call is None or call.call_id == officer.current_call_id:
        return ""
    return f" (STK {action.call} {unit} stacks it on them, dispatched as they clear)"


def _show(desk: Any, n: int, show: Show) -> bool:
    if show.what == "history":
        found = desk.place_history(show.target)
        print(terminal_safe(f"PH {show.target}: {len(found)} call(s)"))
        for x in found:
            mark = "=" if x.same_place else "~"
            outcome = x.disposition or x.status.lower()
            when = x.received_at.astimezone(desk.town.zone).strftime("%Y-%m-%d %H:%M")
            print(
                terminal_safe(
                    f"{mark} {short_number(x.call_id)} {when} {x.type_code} {outcome} {x.location}"
                )
            )
        return True
    call = desk.find_call(show.target)
    if call is None:
        _err(f"line {n}: S {show.target}: refused: There is no call {show.target}.")
        return False
    units = ", ".join(
        f"{a.officer_id} {a.role.value.lower()} {a.stage.value.lower().replace('_', ' ')}"
        for a in call.assignments
    )
    status = call.status.value.lower().replace("_", " ")
    said = (
        f"{short_number(call.call_id)} {call.call_id} P{call.priority} {call.type_code} "
        f"{call.location} beat {call.beat_id or '-'}: {status}"
    )
    said += f" {call.disposition}" if call.disposition else ""
    said += f"; units {units}" if units else "; no units"
    print(terminal_safe(f"{said}; {call.note_count} note(s)"))
    return True
