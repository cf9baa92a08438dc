"""Small text helpers for fixed-width columns."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.cells import cell_len, set_cell_size

from cso_console.domain.model import CallStatus, OfficerStatus
from cso_console.text import terminal_safe


def fit(text: str, width: int, right: bool = False) -> str:
    """Exactly ``width`` terminal cells (a CJK character or an emoji takes two): made
    terminal-safe, cut with '~' when too long, padded otherwise."""
    text = terminal_safe(text)
    cells = cell_len(text)
    if cells > width:
        text = set_cell_size(text, width - 1) + "~"
        cells = width
    pad = " " * (width - cells)
    return pad + text if right else text + pad


def elapsed(since: datetime | None, now: datetime) -> str:
    """'0:42' under an hour, '3h05' under a day, '2d04' beyond; '' when unknown."""
    if since is None:
        return ""
    secs = max(0, int((now - since).total_seconds()))
    if secs < 3600:
        return f"{secs // 60}:{secs % 60:02d}"
    if secs < 86400:
        return f"{secs // 3600}h{secs % 3600 // 60:02d}"
    return f"{secs // 86400}d{secs % 86400 // 3600:02d}"


def local_time(t: datetime, with_date: bool = True) -> str:
    """``t`` in the desk's local time, ``2026-11-21 19:02:00`` (or only the time); in UTC,
    marked, when local time cannot show it (a call "received" in year 1 is before year 1
    west of Greenwich)."""
    try:
        local, zone = t.astimezone(), ""
    except (OverflowError, ValueError, OSError):
        local, zone = t.astimezone(UTC), " UTC"
    text = local.isoformat(sep=" ", timespec="seconds")[:19]
    return (text if with_date else text[11:]) + zone


def status_word(status: CallStatus | OfficerStatus) -> str:
    """The one word(s) for a status on every screen: ``ON SCENE``, ``OUT OF SERVICE``."""
    return status.value.replace("_", " ")
