"""Small text helpers for fixed-width columns."""

from __future__ import annotations

from datetime import datetime


def fit(text: str, width: int, right: bool = False) -> str:
    """Exactly ``width`` cells: cut with '~' when too long, padded otherwise."""
    if len(text) > width:
        text = text[: width - 1] + "~"
    return text.rjust(width) if right else text.ljust(width)


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
