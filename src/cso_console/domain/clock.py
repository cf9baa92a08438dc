"""Clocks: wall time for people (injectable) and a hybrid logical clock for ordering.

Every "now" in the domain and the UI comes from a :class:`Clock`, so tests fix time
instead of freezing the event loop.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, demos, replay)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now = self._now + timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


def to_millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


# An HLC timestamp packs (physical milliseconds, logical counter) into one integer that
# sorts the same way as the pair: 48 bits of milliseconds, 16 bits of counter.
_COUNTER_BITS = 16
_COUNTER_MASK = (1 << _COUNTER_BITS) - 1


@dataclass(frozen=True, order=True)
class HlcStamp:
    physical_ms: int
    counter: int

    def pack(self) -> int:
        return (self.physical_ms << _COUNTER_BITS) | self.counter

    @classmethod
    def unpack(cls, value: int) -> HlcStamp:
        return cls(value >> _COUNTER_BITS, value & _COUNTER_MASK)


class HybridLogicalClock:
    """Hybrid logical clock (Kulkarni et al.): monotonic, close to wall time, and
    respects causality when stamps from other desks are merged with :meth:`observe`.

    The last stamp is persisted by the store, so restarting with a clock that went
    backwards still yields increasing stamps.
    """

    def __init__(self, clock: Clock, last: int = 0) -> None:
        self._clock = clock
        self._last = HlcStamp.unpack(last)
        self._lock = threading.Lock()

    @property
    def last(self) -> int:
        return self._last.pack()

    def _advance(self, physical: int, other: HlcStamp | None) -> int:
        last = self._last
        candidates = [physical, last.physical_ms] + ([other.physical_ms] if other else [])
        top = max(candidates)
        if top == last.physical_ms and other is not None and top == other.physical_ms:
            counter = max(last.counter, other.counter) + 1
        elif top == last.physical_ms:
            counter = last.counter + 1
        elif other is not None and top == other.physical_ms:
            counter = other.counter + 1
        else:
            counter = 0
        if counter > _COUNTER_MASK:
            top, counter = top + 1, 0
        self._last = HlcStamp(top, counter)
        return self._last.pack()

    def tick(self) -> int:
        """A new stamp for a local event."""
        with self._lock:
            return self._advance(to_millis(self._clock.now()), None)

    def observe(self, remote: int) -> int:
        """Merge a stamp received from another desk; returns the new local stamp."""
        with self._lock:
            return self._advance(to_millis(self._clock.now()), HlcStamp.unpack(remote))
