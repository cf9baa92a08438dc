"""The command line's verbs, read purely: every verb, good lines and bad ones, the word
that was wrong and the close matches, and Tab's completions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cso_console.domain import commands as c
from cso_console.domain.model import Call, Officer, OfficerStatus
from cso_console.domain.verb_completion import complete
from cso_console.domain.verbs import VERBS, Board, Show, VerbError, done_words, parse

from .conftest import START


@pytest.fixture
def board(town):
    officers = {
        o.call_sign: Officer(o.call_sign, o.name, tuple(o.skills), o.beat) for o in town.officers
    }
    officers["C12"].status = OfficerStatus.AVAILABLE
    call = Call("D1-26-000042", "NOISE", 3, "12 Main St", True, "B1", START)
    return Board(town, officers, {call.call_id: call}, START)


GOOD = [
    ("NC noise 12 Main St", c.ReceiveCall(type_code="NOISE", location="12 Main St")),
    (
        "nc NOISE 12 Main St // music, third floor",
        c.ReceiveCall(type_code="NOISE", location="12 Main St", narrative="music, third floor"),
    ),
    ("D 42 C12", c.Dispatch(call="42", officers=("C12",))),
    ("d 42 c12 c13", c.Dispatch(call="42", officers=("C12", "C13"))),
    ("D D1-26-000042 C12", c.Dispatch(call="D1-26-000042", officers=("C12",))),
    ("ER c12", c.MarkEnRoute(officer="C12")),
    ("OS C12", c.MarkOnScene(officer="C12")),
    ("CL C12 adv", c.ClearUnit(officer="C12", disposition="ADV")),
    (
        "CL C12 RPT took a report",
        c.ClearUnit(officer="C12", disposition="RPT", note="took a report"),
    ),
    ("CLOSE 42 ADV by phone", c.CloseCall(call="42", disposition="ADV", note="by phone")),
    ("AV C12", c.SetOfficerStatus(officer="C12", status=OfficerStatus.AVAILABLE)),
    ("BRK C12", c.SetOfficerStatus(officer="C12", status=OfficerStatus.BREAK)),
    ("BSY C12", c.SetOfficerStatus(officer="C12", status=OfficerStatus.BUSY)),
    (
        "OOS C12 flat tyre",
        c.SetOfficerStatus(officer="C12", status=OfficerStatus.OUT_OF_SERVICE, reason="flat tyre"),
    ),
    ("N 42 caller called back", c.AddNote(call="42", text="caller called back")),
    ("P 42 2", c.ChangePriority(call="42", priority=2)),
    ("DUP 43 42", c.LinkDuplicate(call="43", of_call="42")),
    ("UNDUP 43 not the same place", c.Reopen(call="43", reason="not the same place")),
    (
        "XFER 42 ED weapon seen",
        c.Transfer(call="42", to=c.EMERGENCY_DISPATCH, reason="weapon seen"),
    ),
    ("XFER 42 county animal control", c.Transfer(call="42", to="county", reason="animal control")),
    ("RA C12 43 more urgent", c.Reassign(officer="C12", to_call="43", reason="more urgent")),
    ("ON C12", c.SignOn(officer="C12")),
    ("ON C12 b3", c.SignOn(officer="C12", beat="B3")),
    (
        "ON C12 B3 +animal +traffic",
        c.SignOn(officer="C12", beat="B3", skills=("animal", "traffic")),
    ),
    ("ON C12 +animal", c.SignOn(officer="C12", skills=("animal",))),
    ("OFF C12", c.SignOff(officer="C12")),
    ("CAN 42 caller withdrew", c.Cancel(call="42", reason="caller withdrew")),
    ("RO 42 came back", c.Reopen(call="42", reason="came back")),
    ("SCH 42 +30m", c.Schedule(call="42", until=START + timedelta(minutes=30))),
    ("STK 42 C12", c.StackCall(call="42", officer="C12")),
    ("stk 42 c12", c.StackCall(call="42", officer="C12")),
    ("sch 42 2h 30m", c.Schedule(call="42", until=START + timedelta(hours=2, minutes=30))),
]


@pytest.mark.parametrize(("line", "command"), GOOD, ids=[g[0] for g in GOOD])
def test_a_good_line_builds_its_command(board, line, command):
    assert parse(line, board).command == command


def test_every_verb_of_the_brief_and_stk_is_in_the_table():
    names = [v.name for v in VERBS]
    brief = "NC D ER OS CL CLOSE AV BRK BSY OOS N P DUP UNDUP XFER RA ON OFF CAN RO SCH PH S"
    assert names == ["NC", "D", "STK", *brief.split()[2:]]
    lead = {v.name for v in VERBS if v.lead_only}
    assert lead == {"UNDUP", "RA", "ON", "OFF", "CAN", "RO"}
    for v in VERBS:
        assert v.synopsis.startswith(v.name) and v.help
        built = v.build  # a lead-only verb builds a lead-only command
        assert callable(built)


def test_the_showing_verbs(board):
    assert parse("PH 12 Main St", board).action == Show("history", "12 Main St")
    assert parse("s 42", board).action == Show("call", "42")
    assert parse("s 42", board).command is None


BAD = [
    ("D 42 C99", "D 42 C99: no officer C99; C19 C29"),
    ("D 42 C12 C99", "D 42 C12 C99: no officer C99;"),
    ("XX 42", "XX: not a command"),
    ("DD 42 C12", "DD: not a command; D"),
    ("D 42", "D 42: unit missing (D <call> <unit> [<unit>...])"),
    ("D", "D: call missing"),
    ("D abc C12", "D abc: 'abc' is not a call number (e.g. 42)"),
    ("NC NOIZE 12 Main St", "NC NOIZE: 'NOIZE' is not a call type; NOISE"),
    ("NC NOISE", "NC NOISE: location missing"),
    ("CL C12 ADX", "CL C12 ADX: 'ADX' is not a disposition; ADV"),
    ("CL C12", "CL C12: dispo missing"),
    ("CLOSE 42 XYZ", "CLOSE 42 XYZ: 'XYZ' is not a disposition"),
    ("P 42 7", "P 42 7: '7' is not a priority (1 to 4)"),
    ("P 42 2 3", "P 42 2 3: '3' is one word too many"),
    ("ER C12 now", "ER C12 now: 'now' is one word too many"),
    ("ON C12 B9", "ON C12 B9: 'B9' is not a beat"),
    ("ON C12 B3 +aminal", "ON C12 B3 +aminal: '+aminal' is not a skill (+skill); +animal"),
    ("SCH 42 soon", "SCH 42 soon: 'soon' is not a time"),
    ("SCH 42", "SCH 42: time missing"),
    ("OOS C12", "OOS C12: reason missing"),
    ("XFER 42 ED", "XFER 42 ED: reason missing"),
    ("CAN 42", "CAN 42: reason missing"),
    ("N 42", "N 42: text missing"),
    ("PH", "PH: address missing"),
    ("NC", "NC: type missing"),
    ("ER", "ER: unit missing (ER <unit>)"),
    ("OS C1", "OS C1: no officer C1; C10 C11"),
    ("CLOSE 42", "CLOSE 42: dispo missing"),
    ("AV", "AV: unit missing"),
    ("BRK C99", "BRK C99: no officer C99"),
    ("BSY C12 now", "BSY C12 now: 'now' is one word too many"),
    ("P 42", "P 42: priority missing"),
    ("DUP 42", "DUP 42: of-call missing"),
    ("DUP 42 x", "DUP 42 x: 'x' is not a call number"),
    ("UNDUP 42", "UNDUP 42: reason missing"),
    ("XFER 42", "XFER 42: to missing"),
    ("RA C12 42", "RA C12 42: reason missing"),
    ("RA 42 C12 why", "RA 42: no officer 42"),
    ("ON", "ON: unit missing"),
    ("OFF C12 C13", "OFF C12 C13: 'C13' is one word too many"),
    ("RO 42", "RO 42: reason missing"),
    ("S", "S: call missing"),
    ("S main", "S main: 'main' is not a call number"),
    ("", "Type a command"),
]


@pytest.mark.parametrize(("line", "said"), BAD, ids=[b[0] or "empty" for b in BAD])
def test_a_bad_line_names_the_wrong_word(board, line, said):
    with pytest.raises(VerbError) as exc:
        parse(line, board)
    assert str(exc.value).startswith(said), str(exc.value)


def test_close_officers_are_suggested(board):
    with pytest.raises(VerbError) as exc:
        parse("D 42 C99", board)
    assert str(exc.value) == "D 42 C99: no officer C99; C19 C29 are close"


def test_done_words_leave_the_narrative_out(board):
    parsed = parse("NC NOISE 12 Main St // Ana 555-0101", board)
    assert done_words(parsed, "D1-26-000043") == "NC NOISE 12 Main St: call 43 taken"
    assert done_words(parse("d 42  c12", board)) == "D 42 c12: done"


def test_tab_completes_verbs_units_calls_types_dispositions(board):
    start, found = complete("D", board)
    assert start == 0 and [f.text for f in found] == ["D", "DUP"]
    assert "dispatch units" in found[0].what
    start, found = complete("D 42 C1", board)
    assert start == 5 and found[0].text == "C10" and len(found) == 10
    c12 = next(f for f in found if f.text == "C12")
    assert c12.what == "C12 Linh Tran, available, beat B1"
    start, found = complete("D ", board)
    assert start == 2 and [f.what for f in found] == ["42 P3 NOISE 12 Main St, pending"]
    _, found = complete("D 42 C12 C3", board)  # more units
    assert found[0].text == "C30"
    _, found = complete("nc noi", board)
    assert [f.text for f in found] == ["NOISE"]
    _, found = complete("CL C12 A", board)
    assert [f.text for f in found] == ["ADV", "ASST"]
    _, found = complete("ON C12 +ani", board)
    assert [f.text for f in found] == ["+animal"]
    assert complete("NC NOISE 12 Ma", board)[1] == []  # a location: free text
    assert complete("N 42 some te", board)[1] == []


def test_an_error_repeats_a_long_line_only_in_part(board):
    with pytest.raises(VerbError) as exc:
        parse("X" * 500, board)
    assert str(exc.value).startswith("..." + "X" * 57 + ": not a command")
    with pytest.raises(VerbError) as exc:
        parse("D 42 " + "C10 " * 50 + "C999", board)
    echoed = str(exc.value).split(": ", 1)[0]
    assert echoed.startswith("...") and echoed.endswith("C10 C999") and len(echoed) == 60
