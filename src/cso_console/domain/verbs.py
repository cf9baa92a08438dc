"""The command line's verbs (CAD mnemonics): one table, read by the `:` line, by
``cso-console cmd``, by help and by the palette.

Each verb has its arguments (what each word must be) and builds a desk command
(:mod:`cso_console.domain.commands`), or, for ``PH`` and ``S``, something to show.
:func:`parse` reads a line against the board as plain data (:class:`Board`) and says
which word was wrong, with the close matches, when it cannot: ``D 42 C99: no officer
C99; C9 C19 C29 are close``. Whether the command stands is the desk's to decide.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from cso_console.domain import commands as c
from cso_console.domain.callnumber import parse_call_ref, short_number
from cso_console.domain.model import Call, Officer, OfficerStatus
from cso_console.domain.schedule import schedule_time
from cso_console.domain.town import Town

NARRATIVE_MARK = "//"
EMERGENCY_WORDS = {"ED", "EMERGENCY", "EMERG", "911"}
_CLOSE_CUTOFF = 55.0  # rapidfuzz ratio for "are close"
ECHO = 60  # characters of the line an error repeats, at most


class Kind(StrEnum):
    """What a word (or the rest of the line) must be."""

    CALL = "call"
    UNIT = "unit"
    TYPE = "type"
    DISPO = "dispo"
    PRIORITY = "1-4"
    BEAT = "beat"
    SKILLS = "+skill"
    TIME = "time"
    AGENCY = "to"
    TEXT = "text"


@dataclass(frozen=True)
class Arg:
    name: str  # as the synopsis shows it
    kind: Kind
    optional: bool = False
    many: bool = False  # one or more of these, to the end of the line
    rest: bool = False  # the rest of the line, spaces and all


@dataclass(frozen=True)
class Show:
    """A verb that shows rather than changes: ``history`` of a place, or a ``call``."""

    what: str
    target: str


@dataclass(frozen=True)
class Verb:
    name: str
    args: tuple[Arg, ...]
    build: Callable[[dict[str, Any]], c.Command | Show]
    help: str
    lead_only: bool = False

    @property
    def synopsis(self) -> str:
        words = [self.name]
        for a in self.args:
            word = f"<{a.name}>"
            if a.many:
                word = f"{word} [{word}...]"
            words.append(f"[{word}]" if a.optional else word)
        if self.name == "NC":
            words.append(f"[{NARRATIVE_MARK} narrative]")
        return " ".join(words)


@dataclass(frozen=True)
class Board:
    """What reading a line needs from the desk, as plain data: the town, the officers
    by call sign, the open calls by number, and the time (for ``SCH``)."""

    town: Town
    officers: Mapping[str, Officer] = field(default_factory=dict)
    calls: Mapping[str, Call] = field(default_factory=dict)
    now: datetime | None = None


class VerbError(ValueError):
    """A line that cannot be read; the message says which word and what was expected."""


@dataclass(frozen=True)
class Parsed:
    verb: Verb
    action: c.Command | Show
    words: str  # the line as understood, without an NC narrative

    @property
    def command(self) -> c.Command | None:
        return self.action if isinstance(self.action, c.Command) else None


def _status(status: OfficerStatus) -> Callable[[dict[str, Any]], c.Command]:
    return lambda a: c.SetOfficerStatus(
        officer=a["unit"], status=status, reason=a.get("reason", "")
    )


def _transfer(a: dict[str, Any]) -> c.Command:
    to = a["to"]
    to = c.EMERGENCY_DISPATCH if to.upper() in EMERGENCY_WORDS else to
    return c.Transfer(call=a["call"], to=to, reason=a["reason"])


CALL, UNIT = Arg("call", Kind.CALL), Arg("unit", Kind.UNIT)
DISPO = Arg("dispo", Kind.DISPO)
REASON, NOTE = Arg("reason", Kind.TEXT, rest=True), Arg("note", Kind.TEXT, True, rest=True)

VERBS: tuple[Verb, ...] = (
    Verb(
        "NC",
        (Arg("type", Kind.TYPE), Arg("location", Kind.TEXT, rest=True)),
        lambda a: c.ReceiveCall(
            type_code=a["type"], location=a["location"], narrative=a.get("narrative", "")
        ),
        "take a new call (the location as in intake; // then the narrative)",
    ),
    Verb(
        "D",
        (CALL, Arg("unit", Kind.UNIT, many=True)),
        lambda a: c.Dispatch(call=a["call"], officers=tuple(a["unit"])),
        "dispatch units (the first is primary; to a call with units: assists)",
    ),
    Verb(
        "STK",
        (CALL, UNIT),
        lambda a: c.StackCall(call=a["call"], officer=a["unit"]),
        "stack a call on a unit busy on another: dispatched to it as it clears",
    ),
    Verb("ER", (UNIT,), lambda a: c.MarkEnRoute(officer=a["unit"]), "the unit is en route"),
    Verb("OS", (UNIT,), lambda a: c.MarkOnScene(officer=a["unit"]), "the unit is on scene"),
    Verb(
        "CL",
        (UNIT, DISPO, NOTE),
        lambda a: c.ClearUnit(officer=a["unit"], disposition=a["dispo"], note=a.get("note", "")),
        "clear the unit; the last unit clearing closes the call",
    ),
    Verb(
        "CLOSE",
        (CALL, DISPO, NOTE),
        lambda a: c.CloseCall(call=a["call"], disposition=a["dispo"], note=a.get("note", "")),
        "close a call with no unit on it (e.g. advised by phone)",
    ),
    Verb("AV", (UNIT,), _status(OfficerStatus.AVAILABLE), "the officer is available"),
    Verb("BRK", (UNIT,), _status(OfficerStatus.BREAK), "the officer is on a break"),
    Verb("BSY", (UNIT,), _status(OfficerStatus.BUSY), "the officer is busy (paperwork)"),
    Verb(
        "OOS",
        (UNIT, REASON),
        _status(OfficerStatus.OUT_OF_SERVICE),
        "the officer is out of service, and why",
    ),
    Verb(
        "N",
        (CALL, Arg("text", Kind.TEXT, rest=True)),
        lambda a: c.AddNote(call=a["call"], text=a["text"]),
        "add a note to a call",
    ),
    Verb(
        "P",
        (CALL, Arg("priority", Kind.PRIORITY)),
        lambda a: c.ChangePriority(call=a["call"], priority=a["priority"]),
        "change a call's priority",
    ),
    Verb(
        "DUP",
        (CALL, Arg("of-call", Kind.CALL)),
        lambda a: c.LinkDuplicate(call=a["call"], of_call=a["of-call"]),
        "mark a call a duplicate of another",
    ),
    Verb(
        "UNDUP",
        (CALL, REASON),
        lambda a: c.Reopen(call=a["call"], reason=a["reason"]),
        "undo a duplicate link (recorded as a reopen)",
        lead_only=True,
    ),
    Verb(
        "XFER",
        (CALL, Arg("to", Kind.AGENCY), REASON),
        _transfer,
        "transfer a call (to ED: emergency dispatch, or another agency)",
    ),
    Verb(
        "RA",
        (UNIT, CALL, REASON),
        lambda a: c.Reassign(officer=a["unit"], to_call=a["call"], reason=a["reason"]),
        "reassign: the unit leaves its call for this one",
        lead_only=True,
    ),
    Verb(
        "ON",
        (UNIT, Arg("beat", Kind.BEAT, optional=True), Arg("+skill", Kind.SKILLS, True, True)),
        lambda a: c.SignOn(
            officer=a["unit"], beat=a.get("beat"), skills=tuple(a.get("+skill", ()))
        ),
        "sign an officer on (a beat, extra skills for the shift)",
        lead_only=True,
    ),
    Verb("OFF", (UNIT,), lambda a: c.SignOff(officer=a["unit"]), "sign an officer off", True),
    Verb(
        "CAN",
        (CALL, REASON),
        lambda a: c.Cancel(call=a["call"], reason=a["reason"]),
        "cancel a call",
        lead_only=True,
    ),
    Verb(
        "RO",
        (CALL, REASON),
        lambda a: c.Reopen(call=a["call"], reason=a["reason"]),
        "reopen a call",
        lead_only=True,
    ),
    Verb(
        "SCH",
        (CALL, Arg("time", Kind.TIME, rest=True)),
        lambda a: c.Schedule(call=a["call"], until=a["time"]),
        "hold a call until a time (+30m, 1h, 14:30)",
    ),
    Verb(
        "PH",
        (Arg("address", Kind.TEXT, rest=True),),
        lambda a: Show("history", a["address"]),
        "premise history of an address (or of a call's place)",
    ),
    Verb("S", (CALL,), lambda a: Show("call", a["call"]), "select and open a call"),
)
VERB_BY_NAME = {v.name: v for v in VERBS}


def close_words(word: str, choices: list[str], limit: int = 3) -> list[str]:
    """The choices closest to a mistyped word, best first."""
    from rapidfuzz import fuzz, process  # loaded by the first mistyped word, not at start

    found = process.extract(
        word,
        choices,
        scorer=fuzz.ratio,
        processor=str.upper,
        limit=limit,
        score_cutoff=_CLOSE_CUTOFF,
    )
    return [str(f[0]) for f in found]


def _suggest(problem: str, word: str, choices: list[str]) -> str:
    close = close_words(word, choices)
    if not close:
        return problem
    return f"{problem}; {' '.join(close)} {'is' if len(close) == 1 else 'are'} close"


_TOKEN = re.compile(r"\S+")


class _Reader:
    def __init__(self, line: str, board: Board) -> None:
        self.line = line
        self.board = board

    def fail(self, end: int, problem: str) -> VerbError:
        said = " ".join(self.line[:end].split())
        if len(said) > ECHO:
            said = "..." + said[-(ECHO - 3) :]
        return VerbError(f"{said}: {problem}")

    def word(self, kind: Kind, word: str, end: int) -> Any:
        town = self.board.town
        if kind is Kind.CALL:
            try:
                parse_call_ref(word)
            except ValueError:
                raise self.fail(end, f"'{word}' is not a call number (e.g. 42)") from None
            return word
        if kind is Kind.UNIT:
            sign = word.upper()
            known = sorted(self.board.officers or [o.call_sign for o in town.officers])
            if sign not in known:
                raise self.fail(end, _suggest(f"no officer {sign}", sign, known))
            return sign
        if kind is Kind.TYPE:
            ct = town.find_call_type(word)
            if ct is None:
                codes = [t.code for t in town.call_types]
                raise self.fail(end, _suggest(f"'{word}' is not a call type", word, codes))
            return ct.code
        if kind is Kind.DISPO:
            code = word.upper()
            if code not in town.disposition_by_code:
                codes = [d.code for d in town.dispositions]
                raise self.fail(end, _suggest(f"'{word}' is not a disposition", word, codes))
            return code
        if kind is Kind.PRIORITY:
            if word not in ("1", "2", "3", "4"):
                raise self.fail(end, f"'{word}' is not a priority (1 to 4)")
            return int(word)
        if kind is Kind.BEAT:
            beat = word.upper()
            if beat not in town.beat_by_id:
                raise self.fail(
                    end, _suggest(f"'{word}' is not a beat", beat, list(town.beat_by_id))
                )
            return beat
        if kind is Kind.SKILLS:
            skill = word.lstrip("+").lower()
            codes = [s.code for s in town.skills]
            if not word.startswith("+") or skill not in codes:
                plus = [f"+{c}" for c in codes]
                raise self.fail(
                    end, _suggest(f"'{word}' is not a skill (+skill)", f"+{skill}", plus)
                )
            return skill
        if kind is Kind.TIME:
            if self.board.now is None:
                raise self.fail(end, "no clock to read a time against here")
            try:
                return schedule_time(word, self.board.now, town.zone)
            except ValueError as exc:
                raise self.fail(end, str(exc).rstrip(".")) from None
        return word  # TEXT, AGENCY: as written


def parse(line: str, board: Board) -> Parsed:
    """The command a line asks for, or :class:`VerbError` naming the wrong word."""
    head, mark, narrative = line.partition(NARRATIVE_MARK)
    tokens = list(_TOKEN.finditer(line))
    if not tokens:
        raise VerbError("Type a command, e.g. D 42 C12 (? lists them).")
    first = tokens[0]
    verb = VERB_BY_NAME.get(first.group().upper())
    if verb is None:
        problem = _suggest("not a command", first.group(), list(VERB_BY_NAME))
        raise _Reader(line, board).fail(first.end(), f"{problem} (? lists them)")
    if mark and verb.name == "NC":
        tokens = [t for t in tokens if t.start() < len(head)]
        line_end = len(head)
    else:
        narrative, line_end = "", len(line)
    reader = _Reader(line, board)
    values: dict[str, Any] = {}
    i = 1
    for arg in verb.args:
        if i >= len(tokens):
            if arg.optional:
                continue
            raise reader.fail(line_end, f"{arg.name} missing ({verb.synopsis})")
        t = tokens[i]
        if arg.rest:
            values[arg.name] = line[t.start() : line_end].strip()
            if arg.kind is Kind.TIME:
                values[arg.name] = reader.word(arg.kind, values[arg.name], line_end)
            i = len(tokens)
        elif arg.many:
            values[arg.name] = [reader.word(arg.kind, x.group(), x.end()) for x in tokens[i:]]
            i = len(tokens)
        elif arg.kind is Kind.BEAT and t.group().startswith("+"):
            continue  # no beat given: the skills follow
        else:
            values[arg.name] = reader.word(arg.kind, t.group(), t.end())
            i += 1
    if i < len(tokens):
        t = tokens[i]
        raise reader.fail(t.end(), f"'{t.group()}' is one word too many ({verb.synopsis})")
    if narrative.strip():
        values["narrative"] = narrative.strip()
    try:
        action = verb.build(values)
    except ValueError as exc:  # a model's limit: a name too long and the like
        raise VerbError(f"{line.strip()[:40]}: {_first_error(exc)}") from None
    return Parsed(verb, action, _words(verb, line[:line_end]))


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            return str(found[0].get("msg", exc))
    return str(exc)


def _words(verb: Verb, text: str) -> str:
    rest = text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else ""
    return f"{verb.name} {' '.join(rest.split())}".strip()


def done_words(parsed: Parsed, call_id: str | None = None) -> str:
    """What a command that went through did, in one line (no caller details: an NC
    line's narrative is left out)."""
    if parsed.verb.name == "NC" and call_id:
        return f"{parsed.words}: call {short_number(call_id)} taken"
    return f"{parsed.words}: done"


def duplicate_words(call_id: str, others: list[Call]) -> str:
    """What a new call's line adds when calls are open at its place (the intake form asks
    before saving; a command line tells after): ``; possible duplicate of call 9 PARTY
    (DUP 13 9 links it)``, or nothing."""
    others = [o for o in others if o.call_id != call_id]
    if not others:
        return ""
    new, first = short_number(call_id), others[0]
    more = f" (+{len(others) - 1} more)" if len(others) > 1 else ""
    return (
        f"; possible duplicate of call {short_number(first.call_id)} {first.type_code}{more}"
        f" (DUP {new} {short_number(first.call_id)} links it)"
    )


def help_lines() -> list[str]:
    """The verbs for help (and the palette): synopsis, then what it does, one verb each."""
    out = ["COMMAND LINE (: opens it when no field has focus; Tab completes)"]
    for v in VERBS:
        out.append(v.synopsis)
        out.append(f"    {v.help}" + (" (lead)" if v.lead_only else ""))
    return out
