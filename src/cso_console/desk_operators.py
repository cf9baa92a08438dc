"""The desk's operators: adding them, their PINs, signing in, and the lockout (the
Desk's methods of the same names call these).

A wrong PIN is an event (``operator.pin_refused``, written at this desk). From those
events, read back per desk, come the growing delay before the next try (1, 2, 4, 8 s)
and the lockout: five wrong PINs in a row lock that operator out on this desk for five
minutes; another desk is not locked. A right PIN or a new one starts the count again,
as does the end of a lockout. PINs are checked off the write lock (the hash is slow on
purpose) and only their salted hashes are ever written (:mod:`cso_console.pins`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cso_console import pins
from cso_console.domain.commands import (
    DisableOperator,
    EnrollOperator,
    RefusePin,
    SetPin,
    SignIn,
    SignOut,
)
from cso_console.domain.model import OperatorRole

if TYPE_CHECKING:
    from cso_console.desk import Desk, Outcome

TRIES = 5
LOCKOUT = timedelta(minutes=5)
DELAYS = (1.0, 2.0, 4.0, 8.0)  # seconds before the next try, after 1, 2, 3, 4+ wrong PINs
UNKNOWN = "Unknown operator or wrong PIN."


def _delay(refused: int) -> float:
    return DELAYS[min(refused, len(DELAYS)) - 1] if refused else 0.0


def pin_state(
    history: list[tuple[str, datetime]], now: datetime
) -> tuple[int, datetime | None, datetime | None]:
    """From one operator's sign-in history at one desk (oldest first): the wrong PINs
    in a row that still count, when the lockout ends (if locked now), and when the last
    wrong PIN was given."""
    refused, locked_until, last = 0, None, None
    for kind, when in history:
        if kind in ("operator.signed_in", "operator.pin_set", "operator.enrolled"):
            refused, locked_until, last = 0, None, None
        elif kind == "operator.pin_refused":
            if locked_until is not None and when >= locked_until:
                refused, locked_until = 0, None
            refused += 1
            last = when
            if refused >= TRIES and locked_until is None:
                locked_until = when + LOCKOUT
    if locked_until is not None and now >= locked_until:
        refused, locked_until = 0, None
    return refused, locked_until, last


def verify_pin(desk: Desk, operator_id: str, pin: str) -> Outcome:
    """Whether ``pin`` is ``operator_id``'s. A wrong one is recorded; ``wait`` says
    how long before the next try is heard."""
    from cso_console.desk import Outcome

    now = desk.clock.now()
    op = desk.store.operators().get(operator_id)
    if op is None or not op.enrolled:
        return Outcome(False, UNKNOWN, wait=DELAYS[0])
    if op.disabled:
        return Outcome(False, f"Operator {operator_id} is disabled; ask a shift lead.")
    history = desk.store.sign_in_history(operator_id, desk.desk_code)
    refused, locked_until, last = pin_state(history, now)
    if locked_until is not None:
        return Outcome(
            False,
            f"{operator_id} is locked out on this desk until {locked_until:%H:%M:%S} UTC "
            f"after {TRIES} wrong PINs.",
            wait=(locked_until - now).total_seconds(),
        )
    if last is not None and now < last + timedelta(seconds=_delay(refused)):
        wait = (last + timedelta(seconds=_delay(refused)) - now).total_seconds()
        return Outcome(False, f"Wait {wait:.0f} s before the next try.", wait=wait)
    if op.pin_hash and pins.verify(pin, op.pin_hash):
        return Outcome(True)
    recorded = desk.execute(RefusePin(operator=operator_id))
    if not recorded.ok:
        return Outcome(False, f"Wrong PIN, and it could not be recorded: {recorded.reason}")
    refused += 1
    if refused >= TRIES:
        return Outcome(
            False,
            f"Wrong PIN. {operator_id} is locked out on this desk for "
            f"{LOCKOUT.seconds // 60} minutes.",
            wait=LOCKOUT.total_seconds(),
        )
    return Outcome(False, f"Wrong PIN ({refused} of {TRIES}).", wait=_delay(refused))


def sign_in(desk: Desk, operator_id: str, pin: str) -> Outcome:
    """Check the PIN, then act as ``operator_id`` with their enrolled role."""
    checked = desk.verify_pin(operator_id, pin)
    if not checked.ok:
        return checked
    before = desk.operator_id
    desk.operator_id = operator_id
    out = desk.execute(SignIn(operator_id=operator_id))
    if not out.ok:
        desk.operator_id = before
    return out


def sign_out(desk: Desk) -> Outcome:
    return desk.execute(SignOut(operator_id=desk.operator_id))


def add_operator(
    desk: Desk, operator_id: str, name: str, role: OperatorRole, pin: str | None
) -> Outcome:
    from cso_console.desk import Outcome

    try:
        hashed = pins.hash_pin(pins.check_rules(pin)) if pin is not None else None
        cmd = EnrollOperator(operator=operator_id, name=name, role=role, pin_hash=hashed)
    except ValueError as exc:
        return Outcome(False, _sentence(exc))
    return desk.execute(cmd)


def set_pin(desk: Desk, operator_id: str, new_pin: str, old_pin: str | None = None) -> Outcome:
    """A new PIN: one's own (the old PIN checked where given; a desk operator must
    give it), or anyone's for a lead."""
    from cso_console.desk import Outcome

    try:
        pins.check_rules(new_pin)
    except ValueError as exc:
        return Outcome(False, str(exc))
    own = operator_id == desk.operator_id
    if old_pin is not None or (own and desk.operator_role is not OperatorRole.LEAD):
        checked = desk.verify_pin(operator_id, old_pin or "")
        if not checked.ok:
            return checked
    return desk.execute(SetPin(operator=operator_id, pin_hash=pins.hash_pin(new_pin)))


def reset_pin_as_owner(desk: Desk, operator_id: str, new_pin: str) -> Outcome:
    """The database file's owner sets a PIN without the old one (the CLI checks the
    ownership); recorded as set by "file owner"."""
    from cso_console.desk import Outcome

    try:
        pins.check_rules(new_pin)
    except ValueError as exc:
        return Outcome(False, str(exc))
    return desk.execute(
        SetPin(operator=operator_id, pin_hash=pins.hash_pin(new_pin), by_owner=True)
    )


def disable_operator(desk: Desk, operator_id: str) -> Outcome:
    return desk.execute(DisableOperator(operator=operator_id))


def _sentence(exc: ValueError) -> str:
    """A record's refusal as the one sentence it carries."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        msg = str(first.get("msg", exc)).removeprefix("Value error, ")
        field = ".".join(str(p) for p in first.get("loc", ()))
        return f"{field}: {msg}" if field else msg
    return str(exc)
