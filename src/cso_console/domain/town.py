"""The jurisdiction: beats, streets, landmarks, call types, dispositions, skills, roster.

A town is data, not code. :func:`cso_console.domain.town_files.load_town` reads it from
files; this module holds the validated model and the lookups built on it (address
resolution, beat distance).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cso_console.domain.record import Record, field

if TYPE_CHECKING:
    from cso_console.domain.places import PlaceFinder

DEFAULT_TARGETS = {1: 5, 2: 15, 3: 45, 4: 120}


class _Frozen(Record):
    pass


class Priority(_Frozen):
    level: int = field(ge=1, le=4)
    label: str
    target_minutes: int = field(gt=0, le=24 * 60)


class OfficerTimers(_Frozen):
    """Minutes before an officer who may be forgotten is alerted on (town.toml's
    ``[officer_timers]``); each alerts again at twice its limit."""

    dispatched_minutes: int = field(default=5, gt=0, le=24 * 60)  # dispatched, not en route
    break_minutes: int = field(default=30, gt=0, le=24 * 60)
    out_of_service_minutes: int = field(default=60, gt=0, le=24 * 60)


class Shift(_Frozen):
    """A shift of the agency's day: its name and the local time it starts (``HH:MM``)."""

    name: str = field(min_length=1)
    start: str = field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

    @property
    def start_minutes(self) -> int:
        """Minutes after local midnight."""
        return int(self.start[:2]) * 60 + int(self.start[3:])


# A town that names no zone or shifts: UTC, and one shift of the whole day from midnight.
DEFAULT_TIME_ZONE = "UTC"
DEFAULT_SHIFTS = (Shift(name="day", start="00:00"),)


class Beat(_Frozen):
    id: str
    name: str
    neighbours: tuple[str, ...] = ()


class StreetRange(_Frozen):
    name: str
    low: int = field(ge=0)
    high: int = field(ge=0)
    beat: str


class Landmark(_Frozen):
    name: str
    address: str
    aliases: tuple[str, ...] = ()


class CallType(_Frozen):
    code: str
    label: str
    priority: int = field(ge=1, le=4)
    skill: str | None = None
    welfare_minutes: int | None = field(default=None, gt=0)
    emergency: bool = False


class Disposition(_Frozen):
    code: str
    label: str


class Skill(_Frozen):
    code: str
    label: str


class RosterOfficer(_Frozen):
    call_sign: str
    name: str
    skills: tuple[str, ...] = ()
    beat: str


_SUFFIXES = {
    "ST": "STREET",
    "STR": "STREET",
    "AVE": "AVENUE",
    "AV": "AVENUE",
    "RD": "ROAD",
    "LN": "LANE",
    "DR": "DRIVE",
    "BLVD": "BOULEVARD",
    "BVD": "BOULEVARD",
    "CT": "COURT",
    "PL": "PLACE",
    "WY": "WAY",
    "TER": "TERRACE",
    "TERR": "TERRACE",
    "PKWY": "PARKWAY",
    "PKY": "PARKWAY",
    "HWY": "HIGHWAY",
}


_PUNCTUATION = re.compile(r"[^\w&/ ]+|_")


def normalize_place(text: str) -> str:
    """Upper case, no punctuation, one space, street suffixes spelled out."""
    # Letters and digits of any script are kept (a place named in Cyrillic or Japanese is
    # still a place); punctuation goes.
    t = _PUNCTUATION.sub(" ", text.upper().replace("'", ""))
    words = [_SUFFIXES.get(w, w) for w in t.split()]
    return " ".join(words)


@dataclass(frozen=True)
class Location:
    """What a typed location resolved to."""

    text: str  # as it will be recorded (canonical when verified)
    verified: bool
    beat_id: str | None
    kind: str  # "address" | "landmark" | "intersection" | "unverified"
    street: str | None = None
    number: int | None = None
    place_key: str = ""  # set by the place finder: no unit part; a landmark is its address

    @property
    def key(self) -> str:
        """The place key: same key, same place (duplicates); units and spelling left out."""
        return self.place_key or normalize_place(self.text)


class Town(_Frozen):
    name: str
    agency: str = ""
    welfare_default_minutes: int = field(default=20, gt=0)
    officer_timers: OfficerTimers = OfficerTimers()
    time_zone: str = DEFAULT_TIME_ZONE  # an IANA name, e.g. America/New_York
    shifts: tuple[Shift, ...] = DEFAULT_SHIFTS  # sorted by start, starts unique
    priorities: tuple[Priority, ...]
    beats: tuple[Beat, ...]
    beat_map: str
    streets: tuple[StreetRange, ...]
    landmarks: tuple[Landmark, ...]
    call_types: tuple[CallType, ...]
    dispositions: tuple[Disposition, ...]
    skills: tuple[Skill, ...]
    officers: tuple[RosterOfficer, ...]

    # lookups -------------------------------------------------------------

    @cached_property
    def call_type_by_code(self) -> dict[str, CallType]:
        return {t.code: t for t in self.call_types}

    @cached_property
    def disposition_by_code(self) -> dict[str, Disposition]:
        return {d.code: d for d in self.dispositions}

    @cached_property
    def beat_by_id(self) -> dict[str, Beat]:
        return {b.id: b for b in self.beats}

    @cached_property
    def officer_by_call_sign(self) -> dict[str, RosterOfficer]:
        return {o.call_sign: o for o in self.officers}

    @cached_property
    def _targets(self) -> dict[int, int]:
        return DEFAULT_TARGETS | {p.level: p.target_minutes for p in self.priorities}

    @property
    def zone(self) -> ZoneInfo:
        """The agency's time zone: the hours of its shifts and reports (ZoneInfo keeps
        one instance per name; not cached here, so a copy with another zone is right)."""
        return ZoneInfo(self.time_zone)

    def target_minutes(self, priority: int) -> int:
        return self._targets.get(priority, 120)  # every tick, for every waiting call

    def welfare_minutes(self, type_code: str) -> int:
        t = self.call_type_by_code.get(type_code)
        return t.welfare_minutes if t and t.welfare_minutes else self.welfare_default_minutes

    def find_call_type(self, text: str) -> CallType | None:
        """A call type by code, or by its exact label, case-insensitive."""
        t = text.strip().upper()
        if t in self.call_type_by_code:
            return self.call_type_by_code[t]
        for ct in self.call_types:
            if ct.label.upper() == t:
                return ct
        return None

    def find_call_types(self, text: str, limit: int = 5) -> list[CallType]:
        """The call types a typed text may mean, best first: by code, label or any word."""
        from cso_console.domain.call_types import rank_call_types

        return rank_call_types(self.call_types, text, limit)

    # beats ---------------------------------------------------------------

    @cached_property
    def _beat_distances(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for start in self.beat_by_id:
            dist = {start: 0}
            queue = deque([start])
            while queue:
                here = queue.popleft()
                for nxt in self.beat_by_id[here].neighbours:
                    if nxt not in dist:
                        dist[nxt] = dist[here] + 1
                        queue.append(nxt)
            out[start] = dist
        return out

    def beat_distance(self, a: str | None, b: str | None) -> int | None:
        """Hops between two beats through neighbours; None when either is unknown."""
        if a is None or b is None:
            return None
        return self._beat_distances.get(a, {}).get(b)

    # addresses -----------------------------------------------------------

    @cached_property
    def _streets_by_key(self) -> dict[str, list[StreetRange]]:
        out: dict[str, list[StreetRange]] = {}
        for s in self.streets:
            out.setdefault(normalize_place(s.name), []).append(s)
        return out

    @cached_property
    def places(self) -> PlaceFinder:
        """Streets and landmarks indexed for finding places the way people say them."""
        from cso_console.domain.places import PlaceFinder

        return PlaceFinder(self.streets, self.landmarks)

    @cached_property
    def street_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.name for s in self.streets))

    def street_beat(self, street_key: str, number: int) -> StreetRange | None:
        for s in self._streets_by_key.get(street_key, ()):
            if s.low <= number <= s.high:
                return s
        return None

    def resolve_location(self, text: str) -> Location:
        """Resolve what a caller said to a verified address, landmark, intersection or
        street (see :mod:`cso_console.domain.places`).

        Anything else is kept as typed, unverified, with no beat; text with no letter or
        digit raises ``ValueError("A location is needed.")``.
        """
        return self.places.find(text).location

    def place_key(self, location: str) -> str:
        """The place key of a recorded location: two calls at one place share it."""
        return self.places.key_of(location)
