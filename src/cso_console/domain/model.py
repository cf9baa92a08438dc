"""The things on the board: calls, officers, assignments, and the statuses they move through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class CallStatus(StrEnum):
    PENDING = "PENDING"
    SCHEDULED = "SCHEDULED"
    DISPATCHED = "DISPATCHED"
    EN_ROUTE = "EN_ROUTE"
    ON_SCENE = "ON_SCENE"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"
    DUPLICATE = "DUPLICATE"
    TRANSFERRED = "TRANSFERRED"

    @property
    def is_open(self) -> bool:
        return self in OPEN_CALL_STATUSES

    @property
    def rank(self) -> int:
        """Position on the forward path; side exits share the last rank."""
        return _CALL_RANK[self]


OPEN_CALL_STATUSES = frozenset(
    {
        CallStatus.PENDING,
        CallStatus.SCHEDULED,
        CallStatus.DISPATCHED,
        CallStatus.EN_ROUTE,
        CallStatus.ON_SCENE,
    }
)
_CALL_RANK = {
    CallStatus.SCHEDULED: 0,
    CallStatus.PENDING: 1,
    CallStatus.DISPATCHED: 2,
    CallStatus.EN_ROUTE: 3,
    CallStatus.ON_SCENE: 4,
    CallStatus.CLOSED: 5,
    CallStatus.CANCELLED: 5,
    CallStatus.DUPLICATE: 5,
    CallStatus.TRANSFERRED: 5,
}


class OfficerStatus(StrEnum):
    OFF_DUTY = "OFF_DUTY"
    AVAILABLE = "AVAILABLE"
    DISPATCHED = "DISPATCHED"
    EN_ROUTE = "EN_ROUTE"
    ON_SCENE = "ON_SCENE"
    BUSY = "BUSY"
    BREAK = "BREAK"
    OUT_OF_SERVICE = "OUT_OF_SERVICE"

    @property
    def on_call(self) -> bool:
        return self in (OfficerStatus.DISPATCHED, OfficerStatus.EN_ROUTE, OfficerStatus.ON_SCENE)


# Statuses an operator may set directly; the on-call ones come from dispatch events.
SETTABLE_OFFICER_STATUSES = frozenset(
    {
        OfficerStatus.AVAILABLE,
        OfficerStatus.BUSY,
        OfficerStatus.BREAK,
        OfficerStatus.OUT_OF_SERVICE,
    }
)


class Role(StrEnum):
    PRIMARY = "primary"
    ASSIST = "assist"


class OperatorRole(StrEnum):
    DESK = "desk"
    LEAD = "lead"


class AssignmentStage(StrEnum):
    DISPATCHED = "DISPATCHED"
    EN_ROUTE = "EN_ROUTE"
    ON_SCENE = "ON_SCENE"
    CLEARED = "CLEARED"


_STAGE_RANK = {
    AssignmentStage.DISPATCHED: 0,
    AssignmentStage.EN_ROUTE: 1,
    AssignmentStage.ON_SCENE: 2,
    AssignmentStage.CLEARED: 3,
}


def stage_rank(stage: AssignmentStage) -> int:
    return _STAGE_RANK[stage]


@dataclass
class Assignment:
    """One officer on one call, with its own timestamps."""

    call_id: str
    officer_id: str
    role: Role
    dispatched_at: datetime
    en_route_at: datetime | None = None
    on_scene_at: datetime | None = None
    cleared_at: datetime | None = None
    disposition: str | None = None
    welfare_acked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.cleared_at is None

    @property
    def stage(self) -> AssignmentStage:
        if self.cleared_at is not None:
            return AssignmentStage.CLEARED
        if self.on_scene_at is not None:
            return AssignmentStage.ON_SCENE
        if self.en_route_at is not None:
            return AssignmentStage.EN_ROUTE
        return AssignmentStage.DISPATCHED


@dataclass
class Call:
    """One request for service."""

    call_id: str  # the full call number, e.g. D1-26-000042
    type_code: str
    priority: int
    location: str
    location_verified: bool
    beat_id: str | None
    received_at: datetime
    status: CallStatus = CallStatus.PENDING
    status_at: datetime | None = None
    caller_name: str | None = None
    caller_phone: str | None = None
    narrative: str = ""
    disposition: str | None = None
    duplicate_of: str | None = None
    transferred_to: str | None = None
    scheduled_for: datetime | None = None
    source_id: str | None = None
    closed_at: datetime | None = None
    note_count: int = 0
    alert_acked_at: datetime | None = None  # the late-pending alert, acknowledged
    assignments: list[Assignment] = field(default_factory=list)

    @property
    def active_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if a.active]

    @property
    def primary(self) -> Assignment | None:
        for a in self.assignments:
            if a.active and a.role is Role.PRIMARY:
                return a
        active = self.active_assignments
        return active[0] if active else None

    def assignment_of(self, officer_id: str) -> Assignment | None:
        for a in self.assignments:
            if a.officer_id == officer_id and a.active:
                return a
        return None


@dataclass
class Officer:
    """A community service officer (unit) and where they are in the shift."""

    officer_id: str  # the call sign, e.g. C12
    name: str
    skills: tuple[str, ...]
    home_beat: str | None
    status: OfficerStatus = OfficerStatus.OFF_DUTY
    status_since: datetime | None = None
    beat_id: str | None = None
    current_call_id: str | None = None
    calls_this_shift: int = 0
    signed_on_at: datetime | None = None
    queued_call_id: str | None = None  # stacked: dispatched to them when they clear
    shift_skills: tuple[str, ...] = ()  # added for this shift at sign-on, beyond ``skills``
    status_reason: str = ""  # why on break, busy or out of service (as the operator said)
    # The officer-timer alert level acknowledged in this status (0: none; back to 0 when
    # the status changes): 1 covers the limit, 2 twice it.
    timer_acked: int = 0

    @property
    def skills_now(self) -> tuple[str, ...]:
        """The roster's skills and those added for this shift."""
        return self.skills + self.shift_skills


@dataclass
class Operator:
    operator_id: str
    role: OperatorRole
    signed_in_at: datetime | None = None
    signed_in: bool = False
    name: str = ""
    pin_hash: str | None = None
    disabled: bool = False
    enrolled: bool = False  # added as an operator (not only seen signing in, as before)
