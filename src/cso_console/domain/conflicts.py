"""Open conflicts as the lead reads them: the refused event, what it was about, and why.

A conflict is an event the fold refused (two desks sent one officer to two calls while
apart, an event on a call already closed ...). It stays open, in the alerts list and in
``cso-console conflicts``, until a lead settles it with a reason (``conflict.settled``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cso_console.domain.callnumber import short_number

LABEL = "CONFLICT"  # the word it is counted under beside the alerts


@dataclass(frozen=True, slots=True)
class OpenConflict:
    event_id: str
    call_id: str | None
    officer_id: str | None
    reason: str
    event_type: str  # the refused event's type, e.g. unit.dispatched
    desk_id: str  # the desk that wrote it
    occurred_at: datetime | None

    @property
    def short_id(self) -> str:
        """The start of the event id the lead types to settle it."""
        return self.event_id[:8]

    def text(self) -> str:
        """``C12 call 26-0012 unit.dispatched from desk D2: C12 is already on call ...``
        (data in it: pass it through ``text.terminal_safe`` before display)."""
        about = " ".join(
            part
            for part in (
                self.officer_id or "",
                f"call {short_number(self.call_id)}" if self.call_id else "",
            )
            if part
        )
        head = f"{about} {self.event_type}" if about else self.event_type
        return f"{head} from desk {self.desk_id}: {self.reason}"
