"""The shift report's figures against a shift worked out by hand (tests/report_fixture.py)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from cso_console.domain.events import EventType
from cso_console.domain.report import (
    Figure,
    Period,
    figure,
    nearest_rank,
    shift_at,
    shift_report,
)
from cso_console.domain.town import DEFAULT_SHIFTS, Town
from cso_console.report_formats import handover, markdown, render, to_csv, to_json
from tests.report_fixture import AFTER, CALLER_NAME, CALLER_PHONE, DAY, Journal, at, day_shift


@pytest.fixture
def report(town: Town):  # type: ignore[no-untyped-def]
    return shift_report(day_shift(), town, DAY, AFTER)


def test_nearest_rank() -> None:
    assert nearest_rank([], 50) is None
    assert nearest_rank([7], 50) == 7 and nearest_rank([7], 90) == 7
    assert nearest_rank([2, 1], 50) == 1  # rank ceil(1.0) = 1: a value that happened
    assert nearest_rank(list(range(1, 11)), 90) == 9
    assert nearest_rank(list(range(1, 21)), 90) == 18
    assert nearest_rank([5, 1, 4, 2, 3], 50) == 3
    assert figure([300, 120, 1500, 360]) == Figure(4, 300, 1500)


def test_received_by_type_priority_beat_and_hour(report) -> None:  # type: ignore[no-untyped-def]
    assert report.received == 9  # A B C D E F H I L; G before the shift, J after
    assert report.by_type == {"ABVEH": 2, "MVC": 2, "NOISE": 4, "WELF": 1}
    assert report.by_priority == {"1": 2, "2": 1, "3": 4, "4": 2}
    assert {k: v for k, v in report.by_beat.items() if v} == {"B1": 4, "B2": 2, "B3": 2, "none": 1}
    assert sum(report.by_beat.values()) == 9
    assert report.by_hour == [
        ("07:00", 2),
        ("08:00", 2),
        ("09:00", 2),
        ("10:00", 2),
        ("11:00", 1),
        ("12:00", 0),
        ("13:00", 0),
        ("14:00", 0),
    ]


def test_intervals_by_nearest_rank(report) -> None:  # type: ignore[no-untyped-def]
    every = report.intervals_by_priority["all"]
    assert every["call_processing"] == Figure(4, 300, 1500)  # A 120, B 360, C 300, F 1500
    assert every["travel"] == Figure(4, 480, 840)  # 420, 480, 840, 840
    assert every["response"] == Figure(4, 900, 2400)  # 600, 900, 1200, 2400
    assert every["on_scene"] == Figure(3, 1800, 1800)  # A 1800, B 1800, F 600; C still on
    p3 = report.intervals_by_priority["3"]
    assert p3["call_processing"] == Figure(2, 120, 300)
    assert p3["on_scene"] == Figure(1, 1800, 1800)
    assert report.intervals_by_priority["4"]["response"] == Figure(0, None, None)
    b1 = report.intervals_by_beat["B1"]
    assert b1["call_processing"] == Figure(3, 300, 1500)  # A 120, C 300, F 1500
    assert list(report.intervals_by_beat) == ["B1", "B2", "B3", "none"]


def test_within_target_and_calls_never_dispatched(report) -> None:  # type: ignore[no-untyped-def]
    lines = {t.priority: t for t in report.targets}
    assert [t.priority for t in report.targets] == ["1", "2", "3", "4", "all"]
    every = lines["all"]
    assert (every.received, every.dispatched, every.within_target) == (9, 4, 2)
    assert every.outcomes == {
        "cancelled": 1,
        "duplicate": 1,
        "transferred": 1,
        "closed_without_unit": 1,
        "waiting": 1,
    }
    assert every.dispatched + sum(every.outcomes.values()) == every.received
    assert (lines["1"].dispatched, lines["1"].within_target) == (1, 0)  # B: 6 min > 5
    assert lines["1"].outcomes["transferred"] == 1
    assert (lines["2"].dispatched, lines["2"].within_target) == (1, 0)  # F reopened: 25 min
    assert (lines["3"].dispatched, lines["3"].within_target) == (2, 2)
    assert lines["4"].dispatched == 0 and lines["4"].share is None
    assert lines["4"].target_minutes == 120


def test_workload_an_officer_on_two_calls_in_turn(report) -> None:  # type: ignore[no-untyped-def]
    load = {w.officer_id: (w.calls, w.committed_seconds) for w in report.workload}
    # C10: A 12:02-12:40 (2280 s), then C 13:05 to the shift's end 20:00 (24900 s)
    assert load["C10"] == (2, 2280 + 24900)
    assert load["C11"] == (1, 2340)
    # C12: G from the shift's start 12:00 to 12:20, then F 14:35-15:00
    assert load["C12"] == (2, 1200 + 1500)


def test_carried_over_reopened_conflicts_notable(report) -> None:  # type: ignore[no-untyped-def]
    assert [(c.call_id, c.status) for c in report.carried_over] == [
        ("C", "ON_SCENE"),
        ("E", "PENDING"),
    ]
    assert report.carried_over[0].units == ("C10",)
    assert report.reopened == 1
    assert report.conflicts == 1
    assert [(n.kind, n.call_id) for n in report.notable] == [
        ("cancelled", "D"),
        ("reopened", "F"),
        ("duplicate", "H"),
        ("transferred", "I"),
        ("conflict", "A"),
    ]
    assert report.notable[3].text == "to emergency dispatch: fire"
    assert report.as_of == DAY.end


def test_a_past_shift_reads_the_same_whenever_asked(town: Town) -> None:
    later = shift_report(day_shift(), town, DAY, datetime(2027, 1, 1, tzinfo=UTC))
    assert later == shift_report(day_shift(), town, DAY, AFTER)


def test_a_shift_in_progress_counts_up_to_now(town: Town) -> None:
    r = shift_report(day_shift(), town, DAY, at("13:30"))
    assert r.as_of == at("13:30")
    load = {w.officer_id: w.committed_seconds for w in r.workload}
    assert load["C10"] == 2280 + 25 * 60  # on C since 13:05
    # calls received after "now" in the same journal are still counted (the journal is
    # what it is); carried over is as the fold stands at the period's end
    assert r.received == 9


def test_empty_shift(town: Town) -> None:
    r = shift_report([], town, DAY, AFTER)
    assert r.received == 0 and r.workload == [] and r.carried_over == []
    assert r.conflicts == 0 and r.notable == [] and r.alerts == []
    assert all(f == Figure(0, None, None) for f in r.intervals_by_priority["all"].values())
    assert r.all_targets.share is None
    assert [n for _, n in r.by_hour] == [0] * 8
    for fmt in ("md", "csv", "json"):
        assert render(r, fmt)
    assert "None." in handover(r)


def test_calls_never_dispatched_only(town: Town) -> None:
    j = Journal()
    j.call("X", "12:00", 3, "B1")
    j.call("Y", "13:00", 1, "B2")
    r = shift_report(j.events, town, DAY, AFTER)
    assert r.all_targets.dispatched == 0 and r.all_targets.outcomes["waiting"] == 2
    assert r.intervals_by_priority["all"]["call_processing"] == Figure(0, None, None)
    assert [c.call_id for c in r.carried_over] == ["Y", "X"]  # priority first
    assert [a.kind for a in r.alerts] == ["late", "late"]  # both past target at 20:00


def test_shift_at_finds_the_agencys_shift(town: Town) -> None:
    # 15:00 in New York (EST, UTC-5) is the start of the evening shift
    p = shift_at(town, datetime(2026, 11, 21, 20, 0, tzinfo=UTC))
    assert (p.shift, p.start, p.end) == (
        "evening",
        datetime(2026, 11, 21, 20, 0, tzinfo=UTC),
        datetime(2026, 11, 22, 4, 0, tzinfo=UTC),
    )
    # 00:30 local: the night shift that began at 23:00 the day before
    p = shift_at(town, datetime(2026, 11, 22, 5, 30, tzinfo=UTC))
    assert (p.shift, p.start.hour, p.end.hour) == ("night", 4, 12)
    # the night clocks go forward (2026-03-08): 23:00 EST to 07:00 EDT is seven hours
    p = shift_at(town, datetime(2026, 3, 8, 8, 0, tzinfo=UTC))
    assert p.shift == "night" and (p.end - p.start).total_seconds() == 7 * 3600


def test_town_without_zone_or_shifts_is_utc_whole_days(town: Town) -> None:
    plain = town.replaced(time_zone="UTC", shifts=DEFAULT_SHIFTS)
    p = shift_at(plain, datetime(2026, 11, 21, 13, 45, tzinfo=UTC))
    assert (p.shift, p.start, p.end) == (
        "day",
        datetime(2026, 11, 21, tzinfo=UTC),
        datetime(2026, 11, 22, tzinfo=UTC),
    )


def _all_outputs(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        markdown(report),
        markdown(report, ascii_only=True),
        to_csv(report),
        to_json(report),
        handover(report),
    ]


def test_no_caller_details_in_any_output(report) -> None:  # type: ignore[no-untyped-def]
    for text in _all_outputs(report):
        assert CALLER_NAME not in text and CALLER_PHONE not in text
        assert "Quornfield" not in text and "7731" not in text
        assert "caller says hello" not in text  # nor the narrative


def test_every_format_has_the_same_figures(report) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(to_json(report))
    assert doc["received"] == 9 and doc["conflicts"] == 1 and doc["reopened"] == 1
    every = doc["intervals"]["by_priority"]["all"]["call_processing"]
    assert every == {"n": 4, "median": 300, "p90": 1500}
    assert doc["within_target"][-1]["share"] == 0.5
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    cp = [
        r
        for r in rows
        if r["section"] == "intervals"
        and r["group"] == "priority"
        and r["key"] == "all"
        and r["figure"] == "call_processing median"
    ]
    assert [(r["n"], r["value"]) for r in cp] == [("4", "300")]
    assert {r["figure"] for r in rows if r["section"] == "within_target"} >= {
        "dispatched",
        "within_target",
        "cancelled",
        "duplicate",
        "transferred",
        "closed_without_unit",
        "waiting",
    }
    md = markdown(report)
    assert "| call_processing | all | 4 | 5m 00s | 25m 00s |" in md
    assert "| all | - | 9 | 4 | 50% (2 of 4) | 1 | 1 | 1 | 1 | 1 |" in md
    assert "| C10 | 2 | 7h 33m |" in md
    h = handover(report)
    assert "- within_target: 50% (2 of 4)" in h and "- conflicts: 1" in h
    assert "| C | 3 | NOISE | B1 | ON_SCENE |" in h


def test_hours_chart_ascii_and_unicode(report) -> None:  # type: ignore[no-untyped-def]
    md = markdown(report, ascii_only=True)
    assert "07:00 " + "#" * 40 + " 2" in md and "11:00 " + "#" * 20 + " 1" in md
    assert md.isascii()
    assert "\u2588" * 40 in markdown(report)


def test_data_text_cannot_steer_the_terminal(town: Town) -> None:
    j = Journal()
    j.call("Z", "12:00", 3, "B1", type_code="NO\x1b[2JISE")
    j.events[-1] = j.events[-1].replaced(
        payload={**j.events[-1].payload, "location": "1 Main\x1b]0;pwn\x07 St|x"}
    )
    j.add("12:05", EventType.CALL_TRANSFERRED, call="Z", to="agency\u202e", reason="r\x9bx")
    j.add("12:06", EventType.CALL_REOPENED, call="Z", reason="ok")
    r = shift_report(j.events, town, DAY, AFTER)
    for text in _all_outputs(r):
        for bad in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert bad not in text
    assert "1 Main?]0;pwn? St\\|x" in handover(r)


def test_period_is_half_open(town: Town) -> None:
    j = Journal()
    j.call("S", "12:00", 3, "B1")  # at the start: in
    j.call("T", "20:00", 3, "B1")  # at the end: out
    r = shift_report(j.events, town, Period(at("12:00"), at("20:00")), AFTER)
    assert r.received == 1 and [c.call_id for c in r.carried_over] == ["S"]
