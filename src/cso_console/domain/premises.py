"""Premises: which recorded locations are the same place, or on the same block.

A recorded location is read without the town (so what the store keeps for it depends on
the journal alone, and a check can rebuild it): the unit part and a letter on the house
number go; street suffixes are spelled out; an intersection's two streets are put in
alphabetical order, so ``Oak Ave & Elm St`` and ``elm street / oak avenue`` are one place.

- the *place key* names the premises: ``410 ELM STREET``, ``ELM STREET & OAK AVENUE``,
  ``MAIN LIBRARY``;
- the *block* of a numbered address is its street and hundred: ``400-499 ELM STREET``
  (410 and 488 Elm Street are near each other); anything else is its own block.

The town adds one thing when a history is asked for (:func:`premise_blocks`): a landmark
is also the address it stands at, and an address is also the landmark standing there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from cso_console.domain.places import PlaceFinder, split_unit
from cso_console.domain.town import normalize_place

_JOINER = re.compile(r"\s*(?:&|/|@|\bAND\b|\bAT\b)\s*")
_LEADING = re.compile(r"^(\d{1,6})[A-Z]?\s+(\S*[^\W\d]\S*(?:\s.*)?)$")
_TRAILING = re.compile(r"^(\D.*?)\s+(\d{1,6})[A-Z]?$")
BLOCK = 100  # house numbers 400-499 are one block


class Premise(NamedTuple):
    key: str  # the place, without unit: same key, same premises
    block: str  # the block it is on (the key itself when it has no house number)
    street: str | None = None
    number: int | None = None


def block_of(street: str, number: int) -> str:
    low = number // BLOCK * BLOCK
    return f"{low}-{low + BLOCK - 1} {street}"


@lru_cache(maxsize=4096)
def premise_of(location: str) -> Premise:
    """The premises and block of a recorded location (pure; no town needed)."""
    body, _unit = split_unit(" ".join(location.split()))
    key = normalize_place(body.replace("@", " & "))
    parts = [p for p in _JOINER.split(key) if p.strip()]
    if len(parts) == 2 and re.search(r"&|/|@|\bAND\b|\bAT\b", key):
        joined = " & ".join(sorted(p.strip() for p in parts))
        return Premise(joined, joined)
    m = _LEADING.match(key)
    if m:
        number, street = int(m.group(1)), m.group(2).strip()
    else:
        m = _TRAILING.match(key)
        if not m:
            return Premise(key, key)
        street, number = m.group(1).strip(), int(m.group(2))
    return Premise(f"{number} {street}", block_of(street, number), street, number)


def premise_blocks(location: str, places: PlaceFinder | None) -> tuple[set[str], set[str]]:
    """(the place keys that are the same premises, the blocks near them) for a history
    of ``location``: a landmark is also the address it stands at, and the reverse."""
    own = premise_of(location)
    keys, blocks = {own.key}, {own.block}
    if places is None:
        return keys, blocks
    try:
        found = places.find(location)
    except ValueError:
        return keys, blocks
    best = found.candidates[0] if found.candidates else None
    if best is None or not found.location.verified:
        return keys, blocks
    if best.kind == "landmark" and best.note:  # the landmark's address
        at = premise_of(best.note)
        keys.add(at.key)
        blocks.add(at.block)
    elif best.kind == "address" and best.note:  # the landmark standing at the address
        named = premise_of(best.note)
        keys.add(named.key)
        blocks.add(named.block)
    return keys, blocks


@dataclass(frozen=True)
class CallLine:
    """One call in a history or search result: what a list row shows (no caller)."""

    call_id: str
    type_code: str
    priority: int
    received_at: datetime
    status: str
    disposition: str | None
    location: str
    beat_id: str | None
    narrative: str
    same_place: bool = True  # in a premise history: at the place itself, not only near

    @property
    def first_line(self) -> str:
        return self.narrative.strip().split("\n", 1)[0] if self.narrative else ""
