"""The demo shift: a realistic mid-shift board, written through the desk like any other."""

from __future__ import annotations

import fcntl
import os
from datetime import datetime, timedelta
from pathlib import Path

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock, SystemClock
from cso_console.domain.model import OfficerStatus, OperatorRole
from cso_console.domain.town import Town

# The demo's operators (README): its lead, whom `--demo` signs in, and one desk operator.
DEMO_LEAD, DEMO_PIN = "lead", "2468"
DEMO_DESK, DEMO_DESK_PIN = "desk", "1357"
# Their PINs' hashes (pins.hash_pin), made once: the PINs are published, and each hash is
# ~50 ms of scrypt that `--demo` would spend before its board.
_DEMO_PIN_HASHES = {
    DEMO_LEAD: "scrypt$16384$8$1$zq01gm6DANLdm/vrmgknBw=="
    "$2WL53WHHVZvZGGp85eJGGgQ4k4N8aR7oVofJlT1vLDU=",
    DEMO_DESK: "scrypt$16384$8$1$P2MjOpGJLV03j1EWnUCKNw=="
    "$r9d7gYpPZGAJvdKrpfx0s6GTRDypygH09Re7e9guFsA=",
}

# (minutes after the start of the story, command). The story starts two hours before now.
_ON = [
    "C10",
    "C11",
    "C12",
    "C13",
    "C14",
    "C16",
    "C17",
    "C19",
    "C20",
    "C22",
    "C23",
    "C25",
    "C26",
    "C28",
    "C29",
    "C31",
]


def _story() -> list[tuple[int, c.Command]]:
    s: list[tuple[int, c.Command]] = [(0, c.SignOn(officer=o)) for o in _ON]
    calls = [
        (5, "ABVEH", "410 Elm Street", "Grey sedan, no plates, three weeks on the verge"),
        (12, "NOISE", "Harbor Falls Public Library", "Generator running at the rear dock"),
        (20, "PARK", "220 Main Street", "Car across the bus stop"),
        (31, "STRAY", "Harbor Falls Town Hall", "Loose brown dog near the steps"),
        (44, "WELF", "1200 Northgate Road", "Neighbour has not seen elderly resident"),
        (52, "SIGNAL", "Main Street & Harbor Avenue", "Lights flashing red all ways"),
        (60, "GRAF", "behind the old cannery", "Fresh tags on the sea wall"),
        (71, "MVC", "300 Washington Boulevard", "Two cars, no injuries, exchanging details"),
        (85, "PARTY", "1500 Quarry Road", "Music and shouting, second complaint"),
        (96, "LOSTP", "Harbor Falls Public Library", "Wallet left on a reading table"),
        (104, "BLKDW", "260 Elm Street", "Van blocking driveway, owner late for work"),
        (111, "NUIS", "Harbor Falls Town Hall", "Group loitering by the entrance"),
    ]
    for minute, type_code, location, narrative in calls:
        s.append(
            (
                minute,
                c.ReceiveCall(
                    type_code=type_code,
                    location=location,
                    narrative=narrative,
                    caller_name="Demo Caller",
                    caller_phone="555-0100",
                ),
            )
        )
    s += [
        (8, c.Dispatch(call="1", officers=("C10",))),
        (14, c.MarkEnRoute(officer="C10")),
        (25, c.MarkOnScene(officer="C10")),
        (40, c.ClearUnit(officer="C10", disposition="TOW", note="Tow requested")),
        (22, c.Dispatch(call="3", officers=("C14",))),
        (27, c.MarkEnRoute(officer="C14")),
        (33, c.Dispatch(call="4", officers=("C12",))),
        (38, c.MarkEnRoute(officer="C12")),
        (46, c.MarkOnScene(officer="C12")),
        (47, c.Dispatch(call="5", officers=("C13",))),
        (50, c.MarkEnRoute(officer="C13")),
        (58, c.MarkOnScene(officer="C13")),
        (54, c.Dispatch(call="6", officers=("C16", "C17"))),
        (56, c.MarkEnRoute(officer="C16")),
        (61, c.MarkOnScene(officer="C16")),
        (64, c.MarkOnScene(officer="C17")),
        (74, c.Dispatch(call="8", officers=("C22",))),
        (80, c.MarkEnRoute(officer="C22")),
        (90, c.SetOfficerStatus(officer="C19", status=OfficerStatus.BREAK)),
        (98, c.SetOfficerStatus(officer="C23", status=OfficerStatus.BUSY, reason="reports")),
        (
            100,
            c.SetOfficerStatus(
                officer="C31", status=OfficerStatus.OUT_OF_SERVICE, reason="vehicle fault"
            ),
        ),
        (106, c.Dispatch(call="10", officers=("C20",))),
        (108, c.AddNote(call="6", text="Public works notified, ETA 40 min")),
    ]
    return sorted(s, key=lambda item: item[0])


def seed_demo(path: Path, town: Town, now: datetime | None = None) -> None:
    """Write the demo story into a new database at ``path``, ending two minutes ago, in
    one transaction (the roster taken in first, as ``run`` does); then enroll the demo's
    lead and desk operator (the story before them is the unenrolled "demo")."""
    end = now or SystemClock().now()
    clock = FixedClock(end - timedelta(minutes=120))
    start = clock.now()
    desk = Desk.open(path, town, clock=clock, operator_id="demo")
    try:
        desk.take_roster()
        with desk.batch():
            for minute, cmd in _story():
                clock.set(start + timedelta(minutes=minute))
                outcome = desk.execute(cmd)
                if not outcome.ok:
                    raise RuntimeError(f"demo story step refused: {cmd!r}: {outcome.reason}")
            desk.operator_id = DEMO_LEAD  # the first lead enrolls themselves
            for operator_id, name, role in (
                (DEMO_LEAD, "Demo Lead", OperatorRole.LEAD),
                (DEMO_DESK, "Demo Desk", OperatorRole.DESK),
            ):
                pin_hash = _DEMO_PIN_HASHES[operator_id]
                enroll = c.EnrollOperator(
                    operator=operator_id, name=name, role=role, pin_hash=pin_hash
                )
                outcome = desk.execute(enroll)
                if not outcome.ok:
                    raise RuntimeError(f"demo operator refused: {operator_id}: {outcome.reason}")
    finally:
        desk.close()


class DemoLock:
    """Who is using the demo database: a running demo console holds a shared lock on
    ``demo.db.lock``; a new ``--demo`` reseeds only if it can take it exclusively, so a
    database in use is never deleted (the new console joins it instead)."""

    def __init__(self, db: Path) -> None:
        db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._fd = os.open(f"{db}.lock", os.O_CREAT | os.O_RDWR, 0o600)

    def take(self) -> bool:
        """True if nobody else uses the demo (we hold it exclusively now)."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            fcntl.flock(self._fd, fcntl.LOCK_SH)  # waits while another one seeds
            return False

    def share(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        os.close(self._fd)
