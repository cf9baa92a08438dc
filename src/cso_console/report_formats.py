"""The shift report and the handover as Markdown, CSV and JSON.

Each renders one :class:`~cso_console.domain.report.ShiftReport`; none computes a figure
of its own, and each names a figure as the report does (``received``,
``call_processing``, ``within_target``, ...). Text from data (type codes, beats, call
signs, locations, reasons) is made terminal-safe in Markdown and JSON and
spreadsheet-safe in CSV. Caller details are not in the report, so they cannot be here.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cso_console.domain.report import (
    INTERVAL_MEANING,
    INTERVALS,
    OUTCOMES,
    Figure,
    Period,
    ShiftReport,
    shift_at,
    shift_report,
)
from cso_console.export import spreadsheet_safe
from cso_console.text import terminal_safe

if TYPE_CHECKING:
    from cso_console.desk import Desk

FORMATS = ("md", "csv", "json")
BAR_WIDTH = 40


def read_report(desk: Desk, period: Period | None = None) -> ShiftReport:
    """The report for ``period`` (default: the agency's shift now, by the desk's clock),
    from the desk's whole journal: the one read behind the CLI and the screen. Blocking:
    the screen runs it on the follower thread."""
    now = desk.now()
    events = list(desk.store.events())
    return shift_report(events, desk.town, period or shift_at(desk.town, now), now)


def _cell(text: object) -> str:
    """Data text for a Markdown table cell: terminal-safe, pipes escaped."""
    return terminal_safe(str(text)).replace("|", "\\|")


def _local(report: ShiftReport, when: datetime | None) -> datetime | None:
    from zoneinfo import ZoneInfo

    return when.astimezone(ZoneInfo(report.time_zone)) if when is not None else None


def _time(report: ShiftReport, when: datetime | None) -> str:
    local = _local(report, when)
    return local.strftime("%Y-%m-%d %H:%M") if local is not None else "-"


def _iso(report: ShiftReport, when: datetime | None) -> str | None:
    local = _local(report, when)
    return local.isoformat(timespec="seconds") if local is not None else None


def duration(seconds: int | None) -> str:
    """``4m 05s``, ``1h 07m``; ``-`` for no value."""
    if seconds is None:
        return "-"
    sign, s = ("-", -seconds) if seconds < 0 else ("", seconds)
    if s < 3600:
        return f"{sign}{s // 60}m {s % 60:02d}s"
    return f"{sign}{s // 3600}h {s % 3600 // 60:02d}m"


def share(within: int, of: int) -> str:
    return f"{100 * within // of}% ({within} of {of})" if of else "- (0 dispatched)"


def _period_line(report: ShiftReport) -> str:
    p = report.period
    name = f"{p.shift} shift, " if p.shift else ""
    return (
        f"- period: {_cell(name)}{_time(report, p.start)} to {_time(report, p.end)}\n"
        f"- time zone: {_cell(report.time_zone)}\n"
        f"- as of: {_time(report, report.as_of)}"
    )


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return out


def hours_chart(report: ShiftReport, ascii_only: bool) -> list[str]:
    """Calls received per hour as a text bar chart (one line per hour)."""
    top = max((n for _, n in report.by_hour), default=0)
    glyph = "#" if ascii_only else "\u2588"
    lines = []
    for label, n in report.by_hour:
        width = round(BAR_WIDTH * n / top) if top else 0
        if n and not width:
            width = 1
        lines.append(f"{label} {glyph * width}{' ' if n else ''}{n}")
    return lines


def _figure_rows(groups: dict[str, dict[str, Figure]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for name in INTERVALS:
        for group, figures in groups.items():
            f = figures[name]
            rows.append([name, group, f.n, duration(f.median), duration(f.p90)])
    return rows


def _target_rows(report: ShiftReport) -> list[list[object]]:
    return [
        [
            t.priority,
            f"{t.target_minutes} min" if t.target_minutes else "-",
            t.received,
            t.dispatched,
            share(t.within_target, t.dispatched),
            *(t.outcomes[o] for o in OUTCOMES),
        ]
        for t in report.targets
    ]


def headline(report: ShiftReport) -> list[tuple[str, str]]:
    """The figures a handover leads with, named as in the report."""
    t = report.all_targets
    response = report.intervals_by_priority["all"]["response"]
    return [
        ("received", str(report.received)),
        ("dispatched", str(t.dispatched)),
        ("within_target", share(t.within_target, t.dispatched)),
        ("response", f"median {duration(response.median)} (n={response.n})"),
        ("carried_over", str(len(report.carried_over))),
        ("reopened", str(report.reopened)),
        ("conflicts", str(report.conflicts)),
    ]


def markdown(report: ShiftReport, ascii_only: bool = False) -> str:
    lines = [
        f"# Shift report: {_cell(report.town)}",
        "",
        _period_line(report),
        "",
        f"- received: {report.received}",
        f"- carried_over: {len(report.carried_over)}",
        f"- reopened: {report.reopened}",
        f"- conflicts: {report.conflicts}",
        "",
        "## received by type",
        "",
        *_table(["type", "received"], [[k, v] for k, v in report.by_type.items()]),
        "",
        "## received by priority",
        "",
        *_table(["priority", "received"], [[k, v] for k, v in report.by_priority.items()]),
        "",
        "## received by beat",
        "",
        *_table(["beat", "received"], [[k, v] for k, v in report.by_beat.items()]),
        "",
        "## received by hour",
        "",
        "```",
        *hours_chart(report, ascii_only),
        "```",
        "",
        "## intervals",
        "",
        *(f"- {name}: {INTERVAL_MEANING[name]}" for name in INTERVALS),
        "- median and p90 by nearest rank; n calls measured",
        "",
        "### by priority",
        "",
        *_table(
            ["interval", "priority", "n", "median", "p90"],
            _figure_rows(report.intervals_by_priority),
        ),
        "",
        "### by beat",
        "",
        *_table(["interval", "beat", "n", "median", "p90"], _figure_rows(report.intervals_by_beat)),
        "",
        "## within_target",
        "",
        "Dispatched within the priority's target, over calls dispatched; calls never",
        "dispatched on their own lines.",
        "",
        *_table(
            ["priority", "target", "received", "dispatched", "within_target", *OUTCOMES],
            _target_rows(report),
        ),
        "",
        "## workload",
        "",
        *_table(
            ["officer", "calls", "committed"],
            [[w.officer_id, w.calls, duration(w.committed_seconds)] for w in report.workload],
        ),
        "",
        f"## carried_over ({len(report.carried_over)})",
        "",
        *_open_calls(report),
        "",
    ]
    return "\n".join(lines)


def _open_calls(report: ShiftReport) -> list[str]:
    if not report.carried_over:
        return ["None."]
    return _table(
        ["call", "priority", "type", "beat", "status", "received", "units", "location"],
        [
            [
                c.call_id,
                c.priority,
                c.type_code,
                c.beat_id,
                c.status,
                _time(report, c.received_at),
                " ".join(c.units) or "-",
                c.location,
            ]
            for c in report.carried_over
        ],
    )


def handover(report: ShiftReport) -> str:
    """The shift handover: open calls, officers on duty, alerts, notable events, and the
    report's headline figures."""
    lines = [
        f"# Shift handover: {_cell(report.town)}",
        "",
        _period_line(report),
        "",
        "## headline figures",
        "",
        *(f"- {name}: {value}" for name, value in headline(report)),
        "",
        f"## open calls ({len(report.carried_over)})",
        "",
        *_open_calls(report),
        "",
        f"## officers on duty ({len(report.on_duty)})",
        "",
        *(
            _table(
                ["officer", "status", "since", "beat", "call"],
                [
                    [o.officer_id, o.status, _time(report, o.since), o.beat_id, o.call_id or "-"]
                    for o in report.on_duty
                ],
            )
            if report.on_duty
            else ["None."]
        ),
        "",
        f"## alerts outstanding ({len(report.alerts)})",
        "",
        *([f"- {_cell(a.text)}" for a in report.alerts] or ["None."]),
        "",
        f"## notable events ({len(report.notable)})",
        "",
        *(
            _table(
                ["time", "what", "call", "officer", "detail"],
                [
                    [_time(report, n.at), n.kind, n.call_id or "-", n.officer_id or "-", n.text]
                    for n in report.notable
                ],
            )
            if report.notable
            else ["None."]
        ),
        "",
    ]
    return "\n".join(lines)


def _figure_doc(f: Figure) -> dict[str, Any]:
    return {"n": f.n, "median": f.median, "p90": f.p90}


def as_dict(report: ShiftReport) -> dict[str, Any]:
    """The report as plain data (times in the agency's zone, durations in seconds)."""
    p = report.period
    return {
        "town": report.town,
        "time_zone": report.time_zone,
        "period": {"start": _iso(report, p.start), "end": _iso(report, p.end), "shift": p.shift},
        "as_of": _iso(report, report.as_of),
        "received": report.received,
        "received_by_type": report.by_type,
        "received_by_priority": report.by_priority,
        "received_by_beat": report.by_beat,
        "received_by_hour": dict(report.by_hour),
        "intervals": {
            "unit": "seconds",
            "by_priority": {
                g: {k: _figure_doc(f) for k, f in fs.items()}
                for g, fs in report.intervals_by_priority.items()
            },
            "by_beat": {
                g: {k: _figure_doc(f) for k, f in fs.items()}
                for g, fs in report.intervals_by_beat.items()
            },
        },
        "within_target": [
            {
                "priority": t.priority,
                "target_minutes": t.target_minutes,
                "received": t.received,
                "dispatched": t.dispatched,
                "within_target": t.within_target,
                "share": t.share,
                **t.outcomes,
            }
            for t in report.targets
        ],
        "workload": [
            {"officer_id": w.officer_id, "calls": w.calls, "committed": w.committed_seconds}
            for w in report.workload
        ],
        "carried_over": [
            {
                "call_id": c.call_id,
                "priority": c.priority,
                "type": c.type_code,
                "beat": c.beat_id,
                "status": c.status,
                "received_at": _iso(report, c.received_at),
                "units": list(c.units),
                "location": c.location,
            }
            for c in report.carried_over
        ],
        "reopened": report.reopened,
        "conflicts": report.conflicts,
    }


def to_json(report: ShiftReport) -> str:
    # ASCII escapes: nothing in the output can steer a terminal, and nothing is lost.
    return json.dumps(as_dict(report), indent=2, ensure_ascii=True) + "\n"


CSV_COLUMNS = ["section", "group", "key", "figure", "n", "value", "unit"]


def csv_rows(report: ShiftReport) -> list[list[object]]:
    """Long form: one figure a row, named as in the other formats."""
    p = report.period
    rows: list[list[object]] = [
        ["period", "", "", "start", "", _iso(report, p.start), "time"],
        ["period", "", "", "end", "", _iso(report, p.end), "time"],
        ["period", "", "", "shift", "", p.shift or "", ""],
        ["period", "", "", "as_of", "", _iso(report, report.as_of), "time"],
        ["received", "all", "all", "received", "", report.received, "calls"],
    ]
    for group, counts in (
        ("type", report.by_type),
        ("priority", report.by_priority),
        ("beat", report.by_beat),
        ("hour", dict(report.by_hour)),
    ):
        rows += [["received", group, k, "received", "", v, "calls"] for k, v in counts.items()]
    for group, groups in (
        ("priority", report.intervals_by_priority),
        ("beat", report.intervals_by_beat),
    ):
        for key, figures in groups.items():
            for name in INTERVALS:
                f = figures[name]
                rows.append(["intervals", group, key, f"{name} median", f.n, f.median, "seconds"])
                rows.append(["intervals", group, key, f"{name} p90", f.n, f.p90, "seconds"])
    for t in report.targets:
        rows.append(
            ["within_target", "priority", t.priority, "dispatched", "", t.dispatched, "calls"]
        )
        rows.append(
            [
                "within_target",
                "priority",
                t.priority,
                "within_target",
                t.dispatched,
                t.within_target,
                "calls",
            ]
        )
        rows += [
            ["within_target", "priority", t.priority, o, "", t.outcomes[o], "calls"]
            for o in OUTCOMES
        ]
    for w in report.workload:
        rows.append(["workload", "officer", w.officer_id, "calls", "", w.calls, "calls"])
        rows.append(
            ["workload", "officer", w.officer_id, "committed", "", w.committed_seconds, "seconds"]
        )
    rows.append(
        ["carried_over", "all", "all", "carried_over", "", len(report.carried_over), "calls"]
    )
    rows += [
        ["carried_over", "call", c.call_id, "status", "", c.status, ""] for c in report.carried_over
    ]
    rows.append(["reopened", "all", "all", "reopened", "", report.reopened, "calls"])
    rows.append(["conflicts", "all", "all", "conflicts", "", report.conflicts, "events"])
    return rows


def to_csv(report: ShiftReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(report):
        writer.writerow(
            [
                "" if v is None else spreadsheet_safe(terminal_safe(v)) if isinstance(v, str) else v
                for v in row
            ]
        )
    return out.getvalue()


def render(report: ShiftReport, fmt: str, ascii_only: bool = False) -> str:
    if fmt == "csv":
        return to_csv(report)
    if fmt == "json":
        return to_json(report)
    return markdown(report, ascii_only)
