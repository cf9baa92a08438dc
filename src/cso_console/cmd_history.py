"""The `:` line's history: the lines that were understood, kept across restarts in a file
of the data dir, readable by its owner only, the newest :data:`LIMIT` lines.

What is kept: the line as typed, except an ``NC`` line's narrative (after ``//``), which
may quote the caller; a line holding anything like a phone number is not kept at all.
File work runs off the UI loop (the app's read worker)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from cso_console.domain.verbs import NARRATIVE_MARK

LIMIT = 200
_PHONE = re.compile(r"\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b|\b\d{3}[\s.-]\d{4}\b")


def keepable(line: str) -> str | None:
    """The line as history keeps it, or None to keep nothing."""
    text = " ".join(line.split())
    words = text.split(None, 1)
    if words and words[0].upper() == "NC":
        text = text.split(NARRATIVE_MARK, 1)[0].rstrip()
    if not text or _PHONE.search(text) or not text.isprintable():
        return None
    return text


def load(path: Path) -> list[str]:
    """The lines kept, oldest first (none when there is no file or it cannot be read)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [x for x in lines if x.strip()][-LIMIT:]


def remember(path: Path, line: str) -> list[str]:
    """Add a line (moved to the end if it was there) and write the file (mode 0600);
    the lines kept, oldest first."""
    kept = keepable(line)
    lines = load(path)
    if kept is None:
        return lines
    lines = [x for x in lines if x != kept] + [kept]
    lines = lines[-LIMIT:]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")  # two consoles, one file
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return lines
