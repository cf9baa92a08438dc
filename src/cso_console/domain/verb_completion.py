"""Tab on the command line: what the word being typed may become, and what each is
("C12 Linh Tran, available, beat B1"). Pure: the board comes in as plain data."""

from __future__ import annotations

from dataclasses import dataclass

from cso_console.domain.callnumber import short_number
from cso_console.domain.model import Officer
from cso_console.domain.verbs import NARRATIVE_MARK, VERB_BY_NAME, VERBS, Board, Kind

LIMIT = 50


@dataclass(frozen=True)
class Completion:
    text: str  # the word to put in
    what: str  # what it is, to show beside it


def _officer_words(o: Officer) -> str:
    status = o.status.value.lower().replace("_", " ")
    beat = o.beat_id or o.home_beat
    return f"{o.officer_id} {o.name}, {status}" + (f", beat {beat}" if beat else "")


def _kind_at(line_words: list[str]) -> Kind | None:
    """The kind of the word at position ``len(line_words) - 1`` (0 is the verb)."""
    verb = VERB_BY_NAME.get(line_words[0].upper())
    if verb is None:
        return None
    at = len(line_words) - 1
    i = 1
    for arg in verb.args:
        if arg.kind is Kind.BEAT and line_words[at].startswith("+") and i == at:
            continue
        if i == at or (arg.many and at >= i):
            return None if arg.rest and arg.kind is not Kind.TEXT else arg.kind
        if arg.rest:
            return None
        i += 1
    return None


def _candidates(kind: Kind, board: Board) -> list[Completion]:
    town = board.town
    if kind is Kind.CALL:
        calls = sorted(board.calls.values(), key=lambda x: x.call_id)
        return [
            Completion(
                short_number(x.call_id),
                f"{short_number(x.call_id)} P{x.priority} {x.type_code} {x.location}, "
                f"{x.status.value.lower().replace('_', ' ')}",
            )
            for x in calls
        ]
    if kind is Kind.UNIT:
        return [Completion(o.officer_id, _officer_words(o)) for o in board.officers.values()]
    if kind is Kind.TYPE:
        return [Completion(t.code, f"{t.code} {t.label}, P{t.priority}") for t in town.call_types]
    if kind is Kind.DISPO:
        return [Completion(d.code, f"{d.code} {d.label}") for d in town.dispositions]
    if kind is Kind.BEAT:
        return [Completion(b.id, f"{b.id} {b.name}") for b in town.beats]
    if kind is Kind.SKILLS:
        return [Completion(f"+{s.code}", f"+{s.code} {s.label}") for s in town.skills]
    if kind is Kind.PRIORITY:
        return [Completion(str(p.level), f"P{p.level} {p.label}") for p in town.priorities]
    return []


def complete(line: str, board: Board) -> tuple[int, list[Completion]]:
    """Where the last word of ``line`` starts, and what it may become (best first).
    Nothing for free text (a location, a reason, a narrative)."""
    if NARRATIVE_MARK in line:
        return len(line), []
    words = line.split()
    if not words or line[-1:].isspace():
        words.append("")
    start = len(line) - len(words[-1])
    typed = words[-1].upper()
    if len(words) == 1:
        found = [Completion(v.name, f"{v.synopsis}: {v.help}") for v in VERBS]
    else:
        kind = _kind_at(words)
        if kind is None:
            return start, []
        found = _candidates(kind, board)
    return start, [f for f in found if f.text.upper().startswith(typed)][:LIMIT]
