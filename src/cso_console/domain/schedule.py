"""When a held (scheduled) call comes back: the time a desk assistant types, read."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo

_SPAN = re.compile(r"^\+?\s*(?:(\d{1,3})\s*h)?\s*(?:(\d{1,4})\s*m(?:in)?)?$", re.ASCII)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$", re.ASCII)
LONGEST = timedelta(days=7)


def schedule_time(text: str, now: datetime, zone: tzinfo | None) -> datetime:
    """``+30m``, ``30m``, ``1h``, ``2h30m`` from now, or ``HH:MM`` local time (today, or
    tomorrow when that time has passed). Raises ``ValueError`` with a sentence."""
    t = text.strip().lower()
    span = _SPAN.match(t)
    if t and span and (span.group(1) or span.group(2)):
        delta = timedelta(hours=int(span.group(1) or 0), minutes=int(span.group(2) or 0))
        if delta <= timedelta(0):
            raise ValueError("Hold it for a minute or more (e.g. +30m).")
        if delta > LONGEST:
            raise ValueError("A call is held for a week at most.")
        return now + delta
    clock = _CLOCK.match(t)
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        if hour > 23 or minute > 59:
            raise ValueError(f"'{text.strip()}' is not a time of day (00:00 to 23:59).")
        local = now.astimezone(zone)
        when = datetime.combine(local.date(), time(hour, minute), local.tzinfo)
        if when <= local:
            when += timedelta(days=1)
        return when
    raise ValueError(f"'{text.strip()[:20]}' is not a time: try +30m, 1h, 2h30m or 14:30.")
