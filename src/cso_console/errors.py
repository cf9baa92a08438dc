"""Unexpected errors (bugs): a sentence for the screen and an entry in an owner-only log.

What is logged is the error's type and where it happened (file, line, function and the
line of code) for the whole chain of causes. Never the error's message, its arguments or
any frame's locals: those can hold the caller's name and phone or other call data.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_log_path

from cso_console.paths import APP_NAME


def default_error_log() -> Path:
    return user_log_path(APP_NAME, appauthor=False) / "errors.log"


def where(exc: BaseException) -> str:
    """``detail.py:215 in _show_fields``: the innermost frame of our own code, if any."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "cso_console" in f.filename] or frames
    if not ours:
        return "an unknown place"
    last = ours[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


def entry(exc: BaseException, now: datetime | None = None) -> str:
    """The log entry: type and frames of ``exc`` and of each cause, no message, no data."""
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    lines = [f"{stamp} unexpected {type(exc).__name__}"]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current is not exc:
            lines.append(f"  caused by {type(current).__name__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"    {frame.filename}:{frame.lineno} in {frame.name}")
            if frame.line:
                lines.append(f"      {frame.line.strip()}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines) + "\n"


def log_error(exc: BaseException, path: Path) -> str:
    """Append ``exc`` to the log at ``path`` (created 0600, its folder 0700); returns ""
    or why it could not be written (the screen says so instead)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, entry(exc).encode("utf-8", "replace"))
        finally:
            os.close(fd)
    except OSError as err:
        return err.strerror or type(err).__name__
    return ""
