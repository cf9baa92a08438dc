"""The search line (``/``): a few words, each a filter, all of them together.

    42  D1-26-000042  #42       the call with that number (alone on the line)
    type:noise  t:dog           call types whose code or label says it
    beat:B2  b:b2               calls in that beat
    status:open  s:closed       open, closed, pending, dispatched, en-route, on-scene,
                                scheduled, cancelled, duplicate, transferred
    last:8h  last:2d            received in the last minutes (m), hours (h) or days (d)
    from:2026-11-21 to:2026-11-22T08:00   received in that range (agency time)
    anything else               free text in the location, narrative and notes (3
                                letters or more; "quoted words" as one phrase)
    a word that names a type    that text, or calls of that type: ``park`` (the code
                                PARK), ``dog`` (Stray dog, Barking dog) - the types
                                whose code is the word or whose label has it as a word

Caller name and phone are never searched. Parsing is pure: the store runs the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cso_console.domain.call_types import rank_call_types
from cso_console.domain.callnumber import CallRef, parse_call_ref
from cso_console.domain.model import OPEN_CALL_STATUSES, CallStatus
from cso_console.domain.town import Town

MIN_TEXT = 3  # the trigram index finds words of three characters or more
MAX_QUERY = 200
_RELATIVE = re.compile(r"^(\d{1,5})([mhd])$")
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_STATUS_WORDS = {s.value.lower().replace("_", "-"): frozenset({s}) for s in CallStatus}
_STATUS_WORDS |= {s.value.lower(): frozenset({s}) for s in CallStatus}
_STATUS_WORDS["open"] = frozenset(OPEN_CALL_STATUSES)
_STATUS_WORDS["closed-all"] = frozenset(set(CallStatus) - OPEN_CALL_STATUSES)
_KEYS = {
    "type": "type", "t": "type", "beat": "beat", "b": "beat", "status": "status",
    "s": "status", "last": "last", "from": "from", "since": "from", "to": "to",
    "until": "to",
}  # fmt: skip


@dataclass(frozen=True)
class CallQuery:
    """What to look for; empty fields do not filter."""

    number: CallRef | None = None
    type_codes: frozenset[str] | None = None
    beat: str | None = None
    statuses: frozenset[CallStatus] | None = None
    since: datetime | None = None  # received at or after (UTC)
    until: datetime | None = None  # received before (UTC)
    words: tuple[str, ...] = field(default_factory=tuple)  # free text, each must match
    # words (of ``words``) that name call types: each matches as text OR as those types
    word_types: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def empty(self) -> bool:
        return self == CallQuery()

    def alternatives(self) -> list[CallQuery]:
        """Plain queries (no ``word_types``) whose results together are this one's: for
        each word that names types, once as text and once as a type filter (met with any
        ``type:`` given). The store runs each and merges them newest first."""
        out = [replace(self, word_types=())]
        for word, codes in self.word_types:
            more = []
            for q in out:
                have = q.type_codes if q.type_codes is not None else codes
                both = have & codes
                if both:
                    rest = tuple(w for w in q.words if w != word)
                    more.append(replace(q, type_codes=both, words=rest))
            out += more
        return out


def _when(text: str, zone: ZoneInfo, end: bool) -> datetime:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.fromisoformat(text).date()
            local = datetime.combine(day + timedelta(days=1) if end else day, time(), zone)
        else:
            local = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if local.tzinfo is None:
                local = local.replace(tzinfo=zone)
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(
            f"'{text}' is not a date or time (e.g. 2026-11-21 or 2026-11-21T08:00)."
        ) from None


def _types(town: Town, said: str) -> frozenset[str]:
    t = said.upper().replace("-", " ")
    exact = [ct.code for ct in town.call_types if ct.code.upper() == t]
    if exact:
        return frozenset(exact)
    found = rank_call_types(town.call_types, t, limit=len(town.call_types))
    if not found:
        raise ValueError(f"No call type says '{said}' (see the types in the help).")
    return frozenset(ct.code for ct in found)


MAX_TYPE_WORDS = 2  # words read as types too (each doubles the queries run)


def types_named(town: Town, word: str) -> frozenset[str]:
    """The call types a bare word names: its code, or a whole word of its label
    (``park`` PARK; ``dog`` STRAY and BARK); none for a phrase."""
    w = word.lower()
    if " " in w:
        return frozenset()
    return frozenset(
        ct.code
        for ct in town.call_types
        if ct.code.lower() == w or w in re.split(r"[^a-z0-9]+", ct.label.lower())
    )


def parse_query(text: str, town: Town, now: datetime) -> CallQuery:
    """The query a search line says; ``ValueError`` with a sentence when it cannot be."""
    text = " ".join(text.split())
    if not text:
        raise ValueError("Type what to look for (? shows how).")
    if len(text) > MAX_QUERY:
        raise ValueError(f"A search is at most {MAX_QUERY} characters.")
    if " " not in text and ":" not in text:
        try:
            return CallQuery(number=parse_call_ref(text))
        except ValueError:
            pass
    kw: dict[str, object] = {}
    words: list[str] = []
    quoted: set[str] = set()
    zone = town.zone
    for m in _TOKEN.finditer(text):
        if m.group(1) is not None:  # a quoted phrase: text only
            phrase = " ".join(m.group(1).split())
            if phrase:
                words.append(phrase)
                quoted.add(phrase)
            continue
        token = m.group(2)
        key, sep, value = token.partition(":")
        name = _KEYS.get(key.lower()) if sep else None
        if name is None:
            words.append(token)
            continue
        if not value:
            raise ValueError(f"'{token}' needs a value after the colon.")
        if name in kw:
            raise ValueError(f"'{key}:' is given twice; give it once.")
        if name == "type":
            kw[name] = _types(town, value)
        elif name == "beat":
            beat = next((b.id for b in town.beats if b.id.lower() == value.lower()), None)
            if beat is None:
                beats = ", ".join(b.id for b in town.beats)
                raise ValueError(f"There is no beat '{value}' (beats: {beats}).")
            kw[name] = beat
        elif name == "status":
            statuses = _STATUS_WORDS.get(value.lower())
            if statuses is None:
                raise ValueError(
                    f"'{value}' is not a status (open, closed, pending, dispatched, en-route, "
                    "on-scene, scheduled, cancelled, duplicate, transferred)."
                )
            kw[name] = statuses
        elif name == "last":
            rel = _RELATIVE.match(value.lower())
            if rel is None:
                raise ValueError(f"last:{value}: give minutes, hours or days, e.g. last:8h.")
            n, unit = int(rel.group(1)), rel.group(2)
            kw[name] = now - timedelta(minutes=n * {"m": 1, "h": 60, "d": 1440}[unit])
        else:
            kw[name] = _when(value, zone, end=name == "to")
    for w in words:
        if len(w) < MIN_TEXT:
            raise ValueError(f"'{w}' is too short to look for: give {MIN_TEXT} letters or more.")
    if "last" in kw and "from" in kw:
        raise ValueError("Give last: or from:, not both.")
    since = kw.get("last") or kw.get("from")
    query = CallQuery(
        type_codes=kw.get("type"),  # type: ignore[arg-type]
        beat=kw.get("beat"),  # type: ignore[arg-type]
        statuses=kw.get("status"),  # type: ignore[arg-type]
        since=since,  # type: ignore[arg-type]
        until=kw.get("to"),  # type: ignore[arg-type]
        words=tuple(words),
        word_types=_word_types(town, words, quoted),
    )
    if query.since and query.until and query.since >= query.until:
        raise ValueError("The time range ends before it starts.")
    return query


def _word_types(
    town: Town, words: list[str], quoted: set[str]
) -> tuple[tuple[str, frozenset[str]], ...]:
    out: list[tuple[str, frozenset[str]]] = []
    for w in dict.fromkeys(words):
        codes = types_named(town, w) if w not in quoted else frozenset()
        if codes and len(out) < MAX_TYPE_WORDS:
            out.append((w, codes))
    return tuple(out)
