"""Which officer to send: ranked, with the reasons in words a dispatcher would say."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, Officer, OfficerStatus
from cso_console.domain.town import Town

_UNAVAILABLE = {
    OfficerStatus.OFF_DUTY: "off duty",
    OfficerStatus.BREAK: "on break",
    OfficerStatus.OUT_OF_SERVICE: "out of service",
    OfficerStatus.BUSY: "busy (paperwork)",
}


@dataclass(frozen=True)
class Recommendation:
    officer: Officer
    available: bool
    reasons: tuple[str, ...]
    sort_key: tuple[int | float | str, ...]


def _minutes(since: datetime | None, now: datetime) -> int:
    return max(0, int((now - since).total_seconds() // 60)) if since else 0


def recommend(
    call: Call, officers: list[Officer], town: Town, now: datetime
) -> list[Recommendation]:
    """Available officers first: those with the call type's required skill, then by beat
    distance (same beat, neighbours), fewest calls this shift, longest available. Then the
    rest, saying why they cannot go. Reasons are short, to fit a picker line at 80
    columns."""
    ct = town.call_type_by_code.get(call.type_code)
    skill = ct.skill if ct else None
    out = []
    for o in officers:
        beat = o.beat_id or o.home_beat
        dist = town.beat_distance(call.beat_id, beat)
        reasons: list[str] = []
        if o.current_call_id is not None:
            available, why = False, f"on call {short_number(o.current_call_id)}"
        elif o.status in _UNAVAILABLE:
            available, why = False, _UNAVAILABLE[o.status]
        else:
            available, why = True, ""
        if not available:
            reasons.append(why)
        if dist == 0:
            reasons.append(f"same beat {beat}")
        elif dist is not None:
            reasons.append(f"next beat {beat}" if dist == 1 else f"{dist} beats ({beat})")
        else:
            reasons.append(f"beat {beat or '?'}; call beat unknown")
        has_skill = skill is None or skill in o.skills_now
        if skill:
            reasons.append(f"has {skill}" if has_skill else f"LACKS {skill}")
        if available:
            reasons.append(f"{o.calls_this_shift} call{'s' if o.calls_this_shift != 1 else ''}")
            reasons.append(f"free {_minutes(o.status_since, now)}m")
        key = (
            0 if available else 1,
            0 if has_skill else 1,
            dist if dist is not None else 99,
            o.calls_this_shift,
            -_minutes(o.status_since, now),
            o.officer_id,
        )
        out.append(Recommendation(o, available, tuple(reasons), key))
    return sorted(out, key=lambda r: r.sort_key)


def likely_duplicates(
    place_key: str,
    open_calls: list[Call],
    now: datetime,
    key_of: Callable[[str], str],
    type_code: str | None = None,
    within_minutes: int = 120,
) -> list[Call]:
    """Open calls at the same place (``key_of`` a call's location equals ``place_key``),
    received recently: the ones to offer linking to. Calls of ``type_code`` come first,
    then the newest."""
    same = [
        c
        for c in open_calls
        if (now - c.received_at).total_seconds() <= within_minutes * 60
        and key_of(c.location) == place_key
    ]
    same.sort(key=lambda c: c.received_at, reverse=True)
    same.sort(key=lambda c: c.type_code != type_code)
    return same
