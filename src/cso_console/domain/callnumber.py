"""Call numbers: desk code + two-digit year + per-desk sequence, e.g. ``D1-26-000042``.

Unique without coordination between desks, because each desk numbers only its own calls.
People type the short form (``42``), which :func:`parse_call_ref` accepts too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DESK_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{0,5}$")
_FULL_RE = re.compile(r"^([A-Z][A-Z0-9]{0,5})-(\d{2})-(\d{1,9})$")
_SHORT_RE = re.compile(r"^(?:(\d{2})-)?(\d{1,9})$")


@dataclass(frozen=True)
class CallRef:
    """What a user typed to name a call: full or short."""

    desk_code: str | None
    year: int | None  # two digits
    seq: int


def format_call_number(desk_code: str, year: int, seq: int) -> str:
    return f"{desk_code}-{year % 100:02d}-{seq:06d}"


def short_number(call_id: str) -> str:
    """``D1-26-000042`` -> ``42``; anything unparseable is returned as is."""
    m = _FULL_RE.match(call_id)
    return str(int(m.group(3))) if m else call_id


def split_call_number(call_id: str) -> tuple[str, int, int]:
    m = _FULL_RE.match(call_id)
    if not m:
        raise ValueError(f"not a call number: {call_id!r}")
    return m.group(1), int(m.group(2)), int(m.group(3))


def parse_call_ref(text: str) -> CallRef:
    """Parse ``D1-26-000042``, ``26-42`` or ``42`` (case and spaces ignored)."""
    t = text.strip().upper().lstrip("#")
    m = _FULL_RE.match(t)
    if m:
        return CallRef(m.group(1), int(m.group(2)), int(m.group(3)))
    m = _SHORT_RE.match(t)
    if m:
        year = int(m.group(1)) if m.group(1) else None
        return CallRef(None, year, int(m.group(2)))
    raise ValueError(f"'{text.strip()}' is not a call number (expected e.g. 42 or D1-26-000042)")


def validate_desk_code(code: str) -> str:
    c = code.strip().upper()
    if not DESK_CODE_RE.match(c):
        raise ValueError(
            f"desk code '{code}' must be a letter followed by up to 5 letters or digits (e.g. D1)"
        )
    return c
