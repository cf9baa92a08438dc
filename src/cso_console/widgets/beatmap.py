"""The ASCII beat map with pending calls and officers written into each beat."""

from __future__ import annotations

import re

from cso_console.domain.model import Call, CallStatus, Officer, OfficerStatus
from cso_console.domain.town import Town


def beat_counts(
    town: Town, calls: list[Call], officers: list[Officer]
) -> dict[str, tuple[int, int]]:
    """Per beat: (pending calls, officers on duty there)."""
    out = {b.id: [0, 0] for b in town.beats}
    for c in calls:
        if c.status in (CallStatus.PENDING, CallStatus.SCHEDULED) and c.beat_id in out:
            out[c.beat_id][0] += 1
    for o in officers:
        beat = o.beat_id or o.home_beat
        if o.status is not OfficerStatus.OFF_DUTY and beat in out:
            out[beat][1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def render_map(town: Town, counts: dict[str, tuple[int, int]]) -> str:
    """The town's map with ``P<pending> U<units>`` written on the line under each beat id,
    where there is room; beats without room keep their map as drawn."""
    lines = town.beat_map.splitlines()
    for bid, (pending, units) in counts.items():
        marker = f"P{pending} U{units}" + (" !" if pending else "")
        for i, line in enumerate(lines):
            m = re.search(rf"\b{re.escape(bid)}\b", line)
            if not m or i + 1 >= len(lines):
                continue
            below = lines[i + 1]
            col = m.start()
            room = below[col : col + len(marker)]
            if len(room) == len(marker) and room.strip() == "":
                lines[i + 1] = below[:col] + marker + below[col + len(marker) :]
            break
    return "\n".join(lines)


def counts_table(town: Town, counts: dict[str, tuple[int, int]]) -> str:
    rows = ["BEAT NAME              PENDING UNITS"]
    for b in town.beats:
        p, u = counts.get(b.id, (0, 0))
        rows.append(f"{b.id:<4} {b.name[:17]:<17} {p:>7} {u:>5}")
    return "\n".join(rows)
