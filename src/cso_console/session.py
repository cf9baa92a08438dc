"""Who is at the desk: the first lead, signing in, unlocking, a lead taking over, signing
out. The console's screens run these on the app's follower thread (a PIN check is about
50 ms of scrypt, see :mod:`cso_console.pins`), never on the UI loop.

The operator and the role come from the operators projection (the journal), never from
the login name. A desk operator unlocks only their own session; a shift lead may take over
anyone's: that is recorded as the first operator's sign-out and the lead's sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from cso_console.desk import Desk, Outcome
from cso_console.domain.commands import SignIn, SignOut
from cso_console.domain.model import OperatorRole

# Who the desk acts as while nobody is signed in (nothing is given then: the sign-in
# screen is on top). Not a valid enrolled id by accident: ids are chosen by leads, and
# an unknown id acts as a desk operator once anyone is enrolled.
NOBODY = "nobody"


@dataclass(frozen=True)
class Session:
    """The signed-in operator as the status bar and the lock screen show them."""

    operator_id: str
    name: str
    role: OperatorRole
    demo: bool = False

    @property
    def role_words(self) -> str:
        if self.demo:
            return "demo lead"
        return "shift lead" if self.role is OperatorRole.LEAD else "desk"


def anyone_enrolled(desk: Desk) -> bool:
    return any(o.enrolled for o in desk.operators().values())


def session_of(desk: Desk, operator_id: str, demo: bool = False) -> Session:
    op = desk.operators().get(operator_id)
    name = op.name if op is not None else ""
    return Session(operator_id, name, desk.operator_role, demo)


def sign_in(
    desk: Desk, operator_id: str, pin: str, demo: bool = False
) -> tuple[Outcome, Session | None]:
    """Check the PIN and act as ``operator_id`` (recorded); the session if it holds."""
    out = desk.sign_in(operator_id, pin)
    return out, (session_of(desk, operator_id, demo) if out.ok else None)


def first_lead(desk: Desk, operator_id: str, name: str, pin: str) -> tuple[Outcome, Session | None]:
    """Enroll the journal's first operator, a shift lead, and sign them in. Refused once
    anyone is enrolled (another desk may have been quicker): then sign in instead."""
    if anyone_enrolled(desk):
        return Outcome(False, "An operator is enrolled already: sign in instead."), None
    before = desk.operator_id
    desk.operator_id = operator_id  # the lead enrolls themselves ("by" on the event)
    out = desk.add_operator(operator_id, name, OperatorRole.LEAD, pin)
    if not out.ok:
        desk.operator_id = before
        return out, None
    return sign_in(desk, operator_id, pin)


def unlock(
    desk: Desk, session: Session, operator_id: str, pin: str
) -> tuple[Outcome, Session | None]:
    """The same operator's PIN unlocks; a lead's takes the session over (recorded as
    ``session``'s sign-out and the lead's sign-in). A desk operator cannot take over."""
    if operator_id == session.operator_id:
        out = desk.verify_pin(operator_id, pin)
        return out, (session if out.ok else None)
    out = desk.verify_pin(operator_id, pin)
    if not out.ok:
        return out, None
    op = desk.operators().get(operator_id)
    if op is None or op.role is not OperatorRole.LEAD:
        return (
            Outcome(False, f"Only a shift lead can take over {session.operator_id}'s session."),
            None,
        )
    gone = desk.execute(SignOut(operator_id=session.operator_id))
    if not gone.ok:
        return gone, None
    desk.operator_id = operator_id
    came = desk.execute(SignIn(operator_id=operator_id))
    if not came.ok:
        desk.operator_id = NOBODY
        return came, None
    return came, session_of(desk, operator_id)


def sign_out(desk: Desk, session: Session, operator_id: str, pin: str) -> Outcome:
    """End ``session`` (recorded) with its operator's PIN or a lead's."""
    out = desk.verify_pin(operator_id, pin)
    if not out.ok:
        return out
    if operator_id != session.operator_id:
        op = desk.operators().get(operator_id)
        if op is None or op.role is not OperatorRole.LEAD:
            return Outcome(False, f"Only {session.operator_id} or a shift lead can sign out.")
    done = desk.execute(SignOut(operator_id=session.operator_id))
    if done.ok:
        desk.operator_id = NOBODY
    return done


def pin_quits(desk: Desk, session: Session | None, operator_id: str, pin: str) -> Outcome:
    """Whether a PIN lets the console quit from the lock: the locked operator's or a
    lead's."""
    out = desk.verify_pin(operator_id, pin)
    if not out.ok:
        return out
    if session is not None and operator_id != session.operator_id:
        op = desk.operators().get(operator_id)
        if op is None or op.role is not OperatorRole.LEAD:
            return Outcome(False, f"Only {session.operator_id} or a shift lead can quit.")
    return out
