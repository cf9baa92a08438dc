"""Text that came from data (a feed, another desk, a town file), made safe for a terminal.

A location with ``ESC[2J`` would clear the screen, an OSC sequence retitle the terminal, a
backspace overwrite columns, a right-to-left override reorder what follows. Every string
from data passes through :func:`terminal_safe` before it is drawn or printed: control and
bidirectional-control characters become a visible ``?``; line breaks (when asked to keep
them) and ordinary text, any script, are kept.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidirectional embedding/override/isolate controls.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_UNSAFE_KEEP_LINES = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]"
)


def terminal_safe(text: str, keep_lines: bool = False) -> str:
    """``text`` with every character that could steer a terminal shown as ``?``."""
    return (_UNSAFE_KEEP_LINES if keep_lines else _UNSAFE).sub("?", text)
