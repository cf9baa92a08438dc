"""Finding places the way people say them: streets, house numbers, intersections, landmarks.

A :class:`PlaceFinder` is built once per town (``Town.places``) and answers, for any text,
the best few :class:`Place` candidates, each with the beat it resolves to, and whether the
best one is *sure* enough to be recorded as verified without a person choosing it.

How a text is read:

- a unit or apartment part at the end (``Apt 3``, ``#3``, ``Unit 4B``, ``Suite 120``) and a
  letter on the house number (``410B``) are kept, as said, in what is recorded; the place
  key (premises, duplicates) leaves them out;
- the house number may come first or last (``410 Elm St``, ``Elm Street 410``);
- street suffixes may be abbreviated (St, Rd, Ave, Dr ...), the suffix may be left out
  when only one street has that name, and a small typo is forgiven (``quary road``);
- two streets joined by ``&``, ``/``, ``@``, ``and`` or ``at`` are an intersection, in any
  order; it is recorded in one order (the town's street order);
- a landmark is found by its name or any alias, and by any whole word of them
  (``library``, ``mall``); ``the`` and ``of`` do not count;
- a street alone resolves to the street, verified with its beat when the whole street is
  in one beat; a street across beats stays unverified (a number is needed to find the beat).

Ranking: an exact name wins; a landmark matched by a whole word ranks above a street matched
only by the start of its name or by its bare name without a number (``ferry`` is the Ferry
Terminal, not Ferry Road: people name a place by a word of it, and a street without a
number is not yet a place). Anything not found is still a location: unverified, as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from cso_console.domain.town import Landmark, StreetRange

from cso_console.domain.town import Location, normalize_place

_UNIT_RE = re.compile(
    r"(?:^|[\s,]+)((?:(?:apt|apartment|unit|suite|ste|flat|room|rm|floor|fl|bldg|building|lot"
    r"|space|spc)\.?\s*#?\s*|#\s*)[0-9a-z][\w-]*)\s*$",
    re.IGNORECASE,
)
_UNIT_WORDS = frozenset(
    "# apt apartment unit suite ste flat room rm floor fl bldg building lot space spc".split()
)
_LEADING_NUMBER = re.compile(r"^(\d{1,6})([A-Z]?)\s+(.+)$")
_TRAILING_NUMBER = re.compile(r"^(.+?)\s+(\d{1,6})([A-Z]?)$")
_JOINER = re.compile(r"\s*(?:&|/|\bAND\b|\bAT\b)\s*")
_STOP_WORDS = frozenset({"THE", "OF", "A", "AN"})
_SUFFIX_WORDS = frozenset(
    {
        "STREET", "AVENUE", "ROAD", "LANE", "DRIVE", "BOULEVARD", "COURT", "PLACE", "WAY",
        "TERRACE", "PARKWAY", "HIGHWAY",
    }
)  # fmt: skip
_TYPO_CUTOFF = 84.0  # rapidfuzz ratio (0-100) for a misspelt street or landmark word
_SURE_TYPO = 88.0  # a misspelling this close, with no rival, is taken as the street
_CACHE_SIZE = 1024
_KIND_ORDER = {"landmark": 0, "address": 1, "intersection": 2, "street": 3}


class Place(NamedTuple):
    """One candidate for what a text means (a tuple: many are made, on every intake line)."""

    text: str  # as it would be recorded: canonical, with the unit part said kept
    kind: str  # "address" | "landmark" | "intersection" | "street"
    beat_id: str | None
    key: str  # the place key: same key, same premises (no unit)
    score: float  # 0-100, higher is better
    sure: bool  # good enough to record as verified without a choice
    street: str | None = None
    number: int | None = None
    unit: str = ""
    note: str = ""  # e.g. the landmark at an address, or the beats a street crosses

    @property
    def verified(self) -> bool:
        return self.beat_id is not None or self.kind == "intersection"

    def location(self) -> Location:
        return Location(
            self.text,
            self.verified,
            self.beat_id,
            self.kind if self.verified else "unverified",
            self.street,
            self.number,
            place_key=self.key,
        )


@dataclass(frozen=True)
class Found:
    """What a text resolves to, and the best few candidates to offer."""

    location: Location
    candidates: tuple[Place, ...]


@dataclass(frozen=True)
class _Street:
    name: str
    key: str
    base: str  # the key without its suffix word ("ELM" for "ELM STREET")
    order: int
    ranges: tuple[StreetRange, ...]

    @property
    def beats(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.beat for r in self.ranges))

    def beat_at(self, number: int) -> str | None:
        for r in self.ranges:
            if r.low <= number <= r.high:
                return r.beat
        return None


@dataclass(frozen=True)
class _StreetHit:
    street: _Street
    score: float
    sure: bool


@dataclass(frozen=True)
class _Name:
    landmark: Landmark
    key: str  # the whole name or alias, normalized
    words: tuple[str, ...]  # its words without stop words


def _words(key: str) -> tuple[str, ...]:
    return tuple(w for w in key.split() if w not in _STOP_WORDS)


def split_unit(text: str) -> tuple[str, str]:
    """``('410 Elm St', '#3')`` from ``'410 Elm St #3'``; the unit as said, or ``''``."""
    words = text.lower().replace(",", " ").replace(".", " ").replace("#", " # ").split()
    if len(words) < 2 or not (_UNIT_WORDS & set(words[-3:])):
        return text, ""  # the common case, without the expression
    m = _UNIT_RE.search(text)
    if m is None or not text[: m.start()].strip(" ,"):
        return text, ""
    return text[: m.start()].rstrip(" ,"), m.group(1).strip()


class PlaceFinder:
    """The town's streets and landmarks, indexed for :meth:`find`."""

    def __init__(
        self, streets: Iterable[StreetRange], landmarks: Iterable[Landmark], limit: int = 5
    ) -> None:
        grouped: dict[str, list[StreetRange]] = {}
        names: dict[str, str] = {}
        for s in streets:
            key = normalize_place(s.name)
            grouped.setdefault(key, []).append(s)
            names.setdefault(key, s.name)
        self._streets: dict[str, _Street] = {}
        for order, (key, ranges) in enumerate(grouped.items()):
            words = key.split()
            base = " ".join(words[:-1]) if len(words) > 1 and words[-1] in _SUFFIX_WORDS else key
            self._streets[key] = _Street(names[key], key, base, order, tuple(ranges))
        self._by_base: dict[str, list[_Street]] = {}
        for st in self._streets.values():
            self._by_base.setdefault(st.base, []).append(st)
        self._names: list[_Name] = []
        for lm in landmarks:
            for said in dict.fromkeys((lm.name, *lm.aliases)):
                key = normalize_place(said)
                if key:
                    self._names.append(_Name(lm, key, _words(key)))
        self._exact_names: dict[str, Landmark] = {}
        for name in self._names:
            self._exact_names.setdefault(name.key, name.landmark)
            self._exact_names.setdefault(" ".join(name.words), name.landmark)
        self._landmark_place: dict[str, Place | None] = {}
        self._landmark_at: dict[str, Landmark] = {}
        for name in self._names:
            lm = name.landmark
            if lm.name not in self._landmark_place:
                at = self._address(normalize_place(lm.address), "")
                self._landmark_place[lm.name] = at[0] if at else None
                if at:
                    self._landmark_at.setdefault(at[0].key, lm)
        self.limit = limit
        self._cache: dict[str, Found] = {}

    # the answer ----------------------------------------------------------

    def find(self, text: str) -> Found:
        """The best few candidates for ``text`` and what it resolves to.

        Raises ``ValueError("A location is needed.")`` when it has no letter or digit.
        """
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        raw = " ".join(text.split())
        body, unit = split_unit(raw)
        key = normalize_place(body.replace("@", " & ") if "@" in body else body)
        if not key.strip("&/ "):
            raise ValueError("A location is needed.")
        found = self._find(raw, key, unit)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[text] = found
        return found

    def key_of(self, text: str) -> str:
        """The place key of a recorded location (units left out; a landmark is its address)."""
        try:
            return self.find(text).location.key
        except ValueError:
            return ""

    def _find(self, raw: str, key: str, unit: str) -> Found:
        places = self._exact(key, unit)
        if len(places) == 1 and places[0].sure and places[0].verified:
            return Found(places[0].location(), (places[0],))  # the common case
        if not places:
            if _JOINER.search(key):
                places += self._intersection(key, unit)
            numbered = self._address(key, unit)
            places += numbered
            places += self._landmarks(key, unit)
            if not numbered:
                places += self._off_the_numbers(key, unit) or self._street_only(key, unit)
        best: dict[str, Place] = {}
        for p in places:
            held = best.get(p.key)
            if held is None or (p.score, p.sure) > (held.score, held.sure):
                best[p.key] = p
        ranked = sorted(
            best.values(), key=lambda p: (-p.score, not p.sure, _KIND_ORDER[p.kind], p.text)
        )[: self.limit]
        if ranked and ranked[0].sure and ranked[0].verified:
            rival = len(ranked) > 1 and ranked[1].sure and ranked[1].score == ranked[0].score
            if not rival:
                return Found(ranked[0].location(), tuple(ranked))
        unverified = Location(raw, False, None, "unverified", place_key=key)
        return Found(unverified, tuple(ranked))

    def _exact(self, key: str, unit: str) -> list[Place]:
        """The common case, quickly: a landmark's exact name, or a number on a street."""
        lm = self._exact_names.get(key) or self._exact_names.get(" ".join(_words(key)))
        if lm is not None:  # and a street of the same name ("ferry"), without guessing
            at = self._landmark_place.get(lm.name)
            if at is not None:
                named = self._place_of(lm, at, 100.0, True, unit)
                return [named, *self._street_only(key, unit, loose=False)]
        m = _LEADING_NUMBER.match(key)
        if m and m.group(3) in self._streets:
            return self._address(key, unit)
        return []

    # streets -------------------------------------------------------------

    def _street_hits(self, part: str, loose: bool = True) -> list[_StreetHit]:
        """Streets a street part may mean, best first; ``loose``: by prefix and typos too."""
        part = part.strip()
        if not part:
            return []
        exact = self._streets.get(part)
        if exact is not None:
            return [_StreetHit(exact, 100.0, True)]
        bare = self._by_base.get(part, [])
        if bare:
            one = len(bare) == 1
            return [_StreetHit(st, 95.0 if one else 85.0, one) for st in bare]
        if not loose:
            return []
        from rapidfuzz import fuzz  # loaded by the first loose match, not at start

        hits: list[_StreetHit] = []
        for st in self._streets.values():
            if st.key.startswith(part) or st.base.startswith(part):
                hits.append(_StreetHit(st, 70.0 + 20.0 * len(part) / len(st.key), False))
                continue
            ratio = max(fuzz.ratio(part, st.key), fuzz.ratio(part, st.base))
            if ratio >= _TYPO_CUTOFF:
                hits.append(_StreetHit(st, ratio * 0.95, ratio >= _SURE_TYPO))
        hits.sort(key=lambda h: (-h.score, h.street.order))
        if len(hits) > 1 and hits[0].sure and hits[1].score >= hits[0].score - 5:
            hits[0] = _StreetHit(hits[0].street, hits[0].score, False)  # two close rivals
        return hits

    @staticmethod
    def _numbered(key: str) -> tuple[int, str, str] | None:
        """(number, letter, street part) of ``12B ELM ST`` or ``ELM ST 12B``."""
        m = _LEADING_NUMBER.match(key)
        if m:
            return int(m.group(1)), m.group(2), m.group(3)
        m = _TRAILING_NUMBER.match(key)
        if m:
            return int(m.group(2)), m.group(3), m.group(1)
        return None

    def _off_the_numbers(self, key: str, unit: str) -> list[Place]:
        """A number none of the street's ranges holds (``12 Elm St``; Elm Street runs
        100-899): the street offered with the number as said, never verified; the street
        alone would lose the number to whoever takes it."""
        said = self._numbered(key)
        if said is None:
            return []
        number, letter, part = said
        return [
            Place(
                _join(f"{number}{letter} {hit.street.name}", unit),
                "address",
                None,
                f"{number} {hit.street.key}",
                min(hit.score, 70.0),
                False,
                hit.street.name,
                number,
                unit=_join(letter, unit),
                note=f"no {number} on it in the town's data",
            )
            for hit in self._street_hits(part)
        ]

    def _address(self, key: str, unit: str) -> list[Place]:
        said = self._numbered(key)
        if said is None:
            return []
        number, letter, part = said
        out: list[Place] = []
        for hit in self._street_hits(part):
            beat = hit.street.beat_at(number)
            if beat is None:
                continue
            place_key = f"{number} {hit.street.key}"
            lm = self._landmark_at.get(place_key) if self._landmark_at else None
            out.append(
                Place(
                    _join(f"{number}{letter} {hit.street.name}", unit),
                    "address",
                    beat,
                    place_key,
                    hit.score,
                    hit.sure,
                    hit.street.name,
                    number,
                    unit=_join(letter, unit),
                    note=lm.name if lm else "",
                )
            )
        return out

    def _street_only(self, key: str, unit: str, loose: bool = True) -> list[Place]:
        out: list[Place] = []
        for hit in self._street_hits(key, loose):
            st = hit.street
            beats = st.beats
            one = len(beats) == 1
            named = st.key == key  # the whole name, suffix and all
            score = 80.0 if named else min(hit.score, 75.0)
            out.append(
                Place(
                    _join(st.name, unit),
                    "street",
                    beats[0] if one else None,
                    st.key,
                    score,
                    one and named,
                    st.name,
                    unit=unit,
                    note="" if one else "beats " + "/".join(beats) + ": give a number",
                )
            )
        return out

    def _intersection(self, key: str, unit: str) -> list[Place]:
        parts = [p for p in _JOINER.split(key) if p.strip()]
        if len(parts) != 2:
            return []
        a_hits = self._street_hits(parts[0])[:3]
        b_hits = self._street_hits(parts[1])[:3]
        out: list[Place] = []
        for a in a_hits:
            for b in b_hits:
                if a.street.key == b.street.key:
                    continue
                first, second = sorted((a.street, b.street), key=lambda s: s.order)
                common = sorted(set(first.beats) & set(second.beats))
                beat = common[0] if len(common) == 1 else None
                if beat is None and len(first.beats) == 1:
                    beat = first.beats[0]
                out.append(
                    Place(
                        _join(f"{first.name} & {second.name}", unit),
                        "intersection",
                        beat,
                        f"{first.key} & {second.key}",
                        min(a.score, b.score),
                        a.sure and b.sure,
                        unit=unit,
                    )
                )
        return out

    # landmarks -----------------------------------------------------------

    def _landmarks(self, key: str, unit: str) -> list[Place]:
        words = _words(key)
        if not words:
            return []
        said = " ".join(words)
        scores: dict[str, tuple[float, Landmark]] = {}
        for typo in (False, True):  # misspellings only when nothing matched as written
            for name in self._names:
                score = _landmark_score(key, said, words, name, typo)
                if score and score > scores.get(name.landmark.name, (0.0, name.landmark))[0]:
                    scores[name.landmark.name] = (score, name.landmark)
            if scores:
                break
        whole_word = [lm for s, lm in scores.values() if s >= 90.0]
        # a word that is also a street's name ("main": Main Street, the Main Library) is
        # offered, never taken on its own
        names_a_street = any(w in self._by_base or w in self._streets for w in words)
        out: list[Place] = []
        for score, lm in scores.values():
            at = self._landmark_place.get(lm.name)
            if at is None:
                continue
            sure = score >= 100.0 or (score >= 90.0 and len(whole_word) == 1 and not names_a_street)
            out.append(self._place_of(lm, at, score, sure, unit))
        return out

    @staticmethod
    def _place_of(lm: Landmark, at: Place, score: float, sure: bool, unit: str) -> Place:
        return Place(
            _join(lm.name, unit),
            "landmark",
            at.beat_id,
            at.key,
            score,
            sure,
            at.street,
            at.number,
            unit=unit,
            note=at.text,
        )


def _landmark_score(key: str, said: str, words: tuple[str, ...], name: _Name, typo: bool) -> float:
    if key == name.key or said == " ".join(name.words):
        return 100.0
    if not name.words:
        return 0.0
    if all(w in name.words for w in words):
        return 90.0
    *whole, last = words
    if all(w in name.words for w in whole) and len(last) >= 2:
        if any(w.startswith(last) for w in name.words):
            return 72.0
    if not typo:
        return 0.0
    from rapidfuzz import fuzz  # loaded by the first typo looked for, not at start

    matched = [max(fuzz.ratio(w, nw) for nw in name.words) for w in words if len(w) >= 4]
    if matched and len(matched) == len(words) and min(matched) >= _TYPO_CUTOFF:
        return 60.0 + min(matched) / 5
    return 0.0


def _join(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text
