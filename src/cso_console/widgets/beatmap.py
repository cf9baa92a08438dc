"""The ASCII beat map with, in each beat, the calls waiting and the officers free there,
in words; calls whose beat the town does not know get a line of their own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.cells import cell_len

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Call, CallStatus, Officer, OfficerStatus
from cso_console.domain.town import Town
from cso_console.text import terminal_safe

LEGEND = "Each beat: calls waiting, officers free (w = waiting, f = free)."
_SHOWN_NUMBERS = 6  # call numbers listed on the unknown-beat line before "+N more"


@dataclass(frozen=True)
class BeatCount:
    waiting: int = 0  # calls pending or scheduled, nobody sent yet
    free: int = 0  # officers available and on no call
    on_duty: int = 0  # officers on duty there, whatever they are doing


@dataclass(frozen=True)
class MapCounts:
    beats: dict[str, BeatCount]
    unknown: tuple[str, ...] = field(default=())  # waiting calls with no known beat


def beat_counts(town: Town, calls: list[Call], officers: list[Officer]) -> MapCounts:
    """Per beat: calls waiting, officers free, officers on duty; and the waiting calls
    whose beat is missing or not one of the town's."""
    waiting = {b.id: 0 for b in town.beats}
    free = dict(waiting)
    on_duty = dict(waiting)
    unknown: list[Call] = []
    for c in calls:
        if c.status not in (CallStatus.PENDING, CallStatus.SCHEDULED):
            continue
        if c.beat_id in waiting:
            waiting[c.beat_id] += 1
        else:
            unknown.append(c)
    for o in officers:
        beat = o.beat_id or o.home_beat
        if o.status is OfficerStatus.OFF_DUTY or beat not in on_duty:
            continue
        on_duty[beat] += 1
        if o.status is OfficerStatus.AVAILABLE and o.current_call_id is None:
            free[beat] += 1
    unknown.sort(key=lambda c: (c.priority, c.received_at, c.call_id))
    return MapCounts(
        {b: BeatCount(waiting[b], free[b], on_duty[b]) for b in waiting},
        tuple(c.call_id for c in unknown),
    )


def marker(count: BeatCount, room: int) -> str:
    """``2 waiting 1 free``, or ``2w 1f`` where the beat has less room."""
    long = f"{count.waiting} waiting {count.free} free"
    return long if len(long) <= room else f"{count.waiting}w {count.free}f"


def render_map(town: Town, counts: MapCounts) -> str:
    """The town's map with the counts written on the line under each beat id, where
    there is room; beats without room keep their map as drawn (the table has them)."""
    lines = town.beat_map.splitlines()
    for bid, count in counts.beats.items():
        for i, line in enumerate(lines):
            m = re.search(rf"\b{re.escape(bid)}\b", line)
            if not m or i + 1 >= len(lines):
                continue
            below = lines[i + 1]
            col = m.start()
            blank = len(below[col:]) - len(below[col:].lstrip(" "))
            text = marker(count, blank - 1)  # keep a space before the cell's edge
            if len(text) <= blank - 1:
                lines[i + 1] = below[:col] + text + below[col + len(text) :]
            break
    return "\n".join(lines)


def unknown_line(counts: MapCounts) -> str:
    """Waiting calls the map cannot place, by number; '' when there are none."""
    if not counts.unknown:
        return ""
    numbers = [short_number(c) for c in counts.unknown[:_SHOWN_NUMBERS]]
    more = len(counts.unknown) - len(numbers)
    listed = ", ".join(numbers) + (f" +{more} more" if more > 0 else "")
    n = len(counts.unknown)
    return f"Unknown beat: {n} call{'s' if n != 1 else ''} waiting (call {listed})"


def map_panel(town: Town, counts: MapCounts) -> str:
    """The map, what its counts mean, and the calls it cannot place."""
    parts = [render_map(town, counts), "", LEGEND]
    if counts.unknown:
        parts.append(unknown_line(counts))
    return terminal_safe("\n".join(parts), keep_lines=True)


def map_width(town: Town) -> int:
    """Cells the map needs (its widest line)."""
    return max((cell_len(line) for line in town.beat_map.splitlines()), default=0)


def counts_table(town: Town, counts: MapCounts) -> str:
    rows = ["BEAT NAME              WAITING FREE ON DUTY"]
    for b in town.beats:
        n = counts.beats.get(b.id, BeatCount())
        rows.append(f"{b.id:<4} {b.name[:17]:<17} {n.waiting:>7} {n.free:>4} {n.on_duty:>7}")
    if counts.unknown:
        rows.append(f"{'?':<4} {'unknown beat':<17} {len(counts.unknown):>7}")
    return terminal_safe("\n".join(rows), keep_lines=True)
