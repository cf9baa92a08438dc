"""Premise history and search (issue 8, item 7) on real SQLite files: the place without
its unit, near numbers on the block, intersections either way, landmarks and their
address; the text index in step with the calls on every write path, never holding a
caller's name or phone; the schema-2 fixture upgraded 2 -> 3 -> 4."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.clock import FixedClock
from cso_console.domain.premises import premise_of
from cso_console.domain.town import Town
from cso_console.store.database import SCHEMA_VERSION
from cso_console.store.sqlite import SqliteStore

FIXTURE_2 = Path(__file__).parent / "data" / "schema2-demo.db"
CALLER = "Zebulon Quixote-Farnsworth"
PHONE = "555-0199-8877"


def _receive(desk: Desk, location: str, type_code: str = "NOISE", **kw: object) -> str:
    out = desk.execute(c.ReceiveCall(type_code=type_code, location=location, **kw))  # type: ignore[arg-type]
    assert out.ok and out.call_id, out.reason
    return out.call_id


def _ids(lines: list) -> list[str]:  # type: ignore[type-arg]
    return [x.call_id for x in lines]


# the place, pure ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "key", "block"),
    [
        ("410 Elm Street Apt 3", "410 ELM STREET", "400-499 ELM STREET"),
        ("410B Elm St #3", "410 ELM STREET", "400-499 ELM STREET"),
        ("Elm Street 488", "488 ELM STREET", "400-499 ELM STREET"),
        ("Oak Ave & Elm St", "ELM STREET & OAK AVENUE", "ELM STREET & OAK AVENUE"),
        ("elm street / oak avenue", "ELM STREET & OAK AVENUE", "ELM STREET & OAK AVENUE"),
        ("Public Library", "PUBLIC LIBRARY", "PUBLIC LIBRARY"),
        ("12 5th Avenue", "12 5TH AVENUE", "0-99 5TH AVENUE"),
    ],
)
def test_the_place_and_block_of_a_recorded_location(said: str, key: str, block: str) -> None:
    assert premise_of(said)[:2] == (key, block)


# premise history ----------------------------------------------------------------------


def test_history_is_the_place_without_the_unit_then_the_block(
    desk: Desk, clock: FixedClock
) -> None:
    first = _receive(desk, "410 Elm Street Apt 3", narrative="music loud\nsecond line")
    clock.advance(minutes=5)
    second = _receive(desk, "410 Elm Street")
    clock.advance(minutes=5)
    near = _receive(desk, "488 Elm Street")
    _receive(desk, "510 Elm Street")  # the next block: not near
    clock.advance(minutes=5)
    now = _receive(desk, "410 Elm St #7")
    lines = desk.premise_history(now)
    assert _ids(lines) == [second, first, near]
    assert [x.same_place for x in lines] == [True, True, False]
    assert lines[1].first_line == "music loud"


def test_history_of_an_intersection_written_either_way(desk: Desk) -> None:
    corner = _receive(desk, "Main Street & Harbor Avenue")
    typed = _receive(desk, "harbor ave @ main st")
    assert _ids(desk.premise_history(typed)) == [corner]


def test_history_of_a_landmark_includes_its_address(desk: Desk, clock: FixedClock) -> None:
    at_address = _receive(desk, "200 Civic Center Drive")  # Town Hall stands here
    clock.advance(minutes=1)
    hall = _receive(desk, "town hall")
    assert _ids(desk.premise_history(hall)) == [at_address]
    assert _ids(desk.premise_history(at_address)) == [hall]


def test_history_of_an_unknown_call_is_empty(desk: Desk) -> None:
    assert desk.premise_history("D1-26-999999") == []


# search --------------------------------------------------------------------------------


def test_search_by_number_type_beat_status_text_and_time(desk: Desk, clock: FixedClock) -> None:
    old = _receive(desk, "410 Elm Street", "BARK", narrative="a dog barking all night")
    clock.advance(hours=3)
    new = _receive(desk, "Main Street & Harbor Avenue", "NOISE", narrative="loud party")
    assert _ids(desk.search(new.split("-")[-1].lstrip("0"))) == [new]
    assert _ids(desk.search(old)) == [old]
    assert _ids(desk.search("type:bark")) == [old]
    assert _ids(desk.search("t:dog")) == [old]  # a word of the type's label
    assert _ids(desk.search("beat:b7")) == [new]
    assert _ids(desk.search("status:pending")) == [new, old]
    assert _ids(desk.search("status:closed")) == []
    assert _ids(desk.search("barking")) == [old]
    assert _ids(desk.search("ELM STR")) == [old]  # word parts, any case
    assert _ids(desk.search("last:1h")) == [new]
    assert _ids(desk.search("party last:1h beat:B7")) == [new]
    assert _ids(desk.search('"loud party"')) == [new]
    assert _ids(desk.search("from:2026-11-21 to:2026-11-21")) == [new, old]
    assert desk.search("from:2026-11-22") == []


def test_text_first_when_the_filters_meet_many_calls(
    desk: Desk, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cso_console.store import search_index

    monkeypatch.setattr(search_index, "WALK", 0)  # as if the filters met thousands
    old = _receive(desk, "410 Elm Street", "BARK", narrative="a dog barking all night")
    clock.advance(hours=3)
    new = _receive(desk, "488 Elm Street", "BARK", narrative="barking again")
    assert _ids(desk.search("barking type:bark")) == [new, old]
    assert _ids(desk.search("barking last:1h")) == [new]
    assert _ids(desk.search("barking beat:B7")) == []


def test_a_word_that_names_a_type_finds_that_type_or_that_text(
    desk: Desk, clock: FixedClock
) -> None:
    parked = _receive(desk, "410 Elm Street", "PARK", narrative="blue van on the kerb")
    clock.advance(minutes=5)
    said = _receive(desk, "488 Elm Street", "NOISE", narrative="music from the park")
    clock.advance(minutes=5)
    dog = _receive(desk, "220 Main Street", "STRAY", narrative="brown, friendly")
    assert _ids(desk.search("park")) == [said, parked]  # the type PARK, or the word
    assert _ids(desk.search('"park"')) == [said]  # quoted: the text only
    assert _ids(desk.search("noise")) == [said]
    assert _ids(desk.search("park type:noise")) == [said]  # the type given wins
    assert _ids(desk.search("dog")) == [dog]  # Stray dog: a word of the label
    assert _ids(desk.search("park kerb")) == [parked]  # type PARK and the text kerb
    assert _ids(desk.search("zebra")) == []
    assert desk.execute(c.AddNote(call=dog, text="Ladder left on the verge")).ok
    beat = desk.call(dog).beat_id  # type: ignore[union-attr]
    assert beat
    assert _ids(desk.search(f"ladder beat:{beat}")) == [dog]  # the text first
    assert _ids(desk.search("ladder type:stray")) == [dog]  # the filters first: a note
    assert _ids(desk.search("LADDER")) == [dog]  # the text first


def test_the_filters_walk_gives_way_to_the_text_when_the_text_is_rare(
    desk: Desk, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cso_console.store import search_index

    monkeypatch.setattr(search_index, "WALK", 2)
    monkeypatch.setattr(search_index, "STEP", 1)
    old = _receive(desk, "410 Elm Street", "PARK", narrative="red car on the kerb")
    for n in range(3):
        clock.advance(minutes=5)
        _receive(desk, f"{420 + 2 * n} Elm Street", "PARK", narrative="blue van")
    assert _ids(desk.search("kerb type:park")) == [old]  # 4 calls > WALK, 0 of 1: text
    assert len(desk.search("van type:park")) == 3


def test_a_query_with_type_words_is_the_union_of_plain_queries(town: Town) -> None:
    from datetime import UTC, datetime

    from cso_console.domain.search import parse_query

    q = parse_query("dog barking beat:B2", town, datetime(2026, 11, 21, tzinfo=UTC))
    assert dict(q.word_types) == {"dog": {"STRAY", "BARK"}, "barking": {"BARK"}}
    ways = {(w.type_codes, w.words) for w in q.alternatives()}
    assert ways == {
        (None, ("dog", "barking")),
        (frozenset({"STRAY", "BARK"}), ("barking",)),
        (frozenset({"BARK"}), ("dog",)),
        (frozenset({"BARK"}), ()),
    }
    assert all(w.beat == "B2" and not w.word_types for w in q.alternatives())


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("", "Type what"),
        ("ab", "too short"),
        ("beat:B99", "no beat"),
        ("status:asleep", "not a status"),
        ("type:zzzzzz", "No call type"),
        ("last:forever", "last:"),
        ("from:yesterday", "not a date"),
        ("from:2026-11-22 to:2026-11-21", "ends before"),
    ],
)
def test_a_search_that_cannot_be_read_is_a_sentence(desk: Desk, line: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        desk.search(line)


def test_caller_fields_are_never_searchable(desk: Desk) -> None:
    cid = _receive(desk, "410 Elm Street", caller_name=CALLER, caller_phone=PHONE)
    desk.execute(c.AddNote(call=cid, text="gate code given"))
    assert desk.search("Quixote") == []
    assert desk.search("0199") == []
    assert _ids(desk.search("gate code")) == [cid]
    conn = sqlite3.connect(desk.store.path)
    text = conn.execute("SELECT group_concat(location || narrative || notes) FROM call_text")
    assert "Quixote" not in text.fetchone()[0]
    conn.close()


# the text index in step with the calls --------------------------------------------------


def test_text_index_follows_notes_closing_and_a_rebuild(desk: Desk) -> None:
    cid = _receive(desk, "410 Elm Street", narrative="first words")
    desk.execute(c.AddNote(call=cid, text="ladder on the porch"))
    assert _ids(desk.search("ladder")) == [cid]
    desk.execute(c.CloseCall(call=cid, disposition="GOA", note="nobody answered the door"))
    assert _ids(desk.search("answered")) == [cid]
    assert desk.check().ok
    report = desk.check(rebuild=True)
    assert report.ok, report.problems
    assert _ids(desk.search("ladder")) == [cid]
    assert _ids(desk.search("answered status:closed")) == [cid]
    cid2 = _receive(desk, "12 Harbor Avenue", narrative="after the rebuild")
    assert _ids(desk.search("rebuild")) == [cid2]  # the triggers are on the new table
    assert desk.check().ok


def test_text_index_follows_ingest_and_refold(
    make_desk: Callable[..., Desk], clock: FixedClock
) -> None:
    a, b = make_desk("a.db", desk_code="D1"), make_desk("b.db", desk_code="D2")
    cid = _receive(b, "410 Elm Street", narrative="from the other desk")
    b.execute(c.AddNote(call=cid, text="porch light out"))
    clock.advance(minutes=1)
    mine = _receive(a, "12 Harbor Avenue", narrative="this desk")
    events = list(b.store.events())
    later = [e for e in events if e.type.value == "call.note_added"]
    report = a.ingest([e for e in events if e not in later])
    assert report.new and report.refolded_events  # older than a's head: re-folded
    assert _ids(a.search("this desk")) == [mine]
    assert _ids(a.search("other desk")) == [cid]
    assert a.search("porch") == []
    a.ingest(later)
    assert _ids(a.search("porch")) == [cid]
    assert a.check().ok


def test_a_check_finds_a_text_index_out_of_step(desk: Desk) -> None:
    _receive(desk, "410 Elm Street", narrative="quiet now")
    conn = sqlite3.connect(desk.store.path)
    conn.execute("UPDATE call_text SET narrative = 'edited behind its back'")
    conn.commit()
    conn.close()
    report = desk.check()
    assert any(p.startswith("call_text") for p in report.problems)


def test_schema_2_fixture_upgrades_to_4_with_history_and_search(tmp_path: Path, town: Town) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE_2, path)
    desk = Desk.open(path, town)
    try:
        assert desk.check().ok, desk.check().problems
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        calls = conn.execute("SELECT count(*) FROM calls").fetchone()[0]
        indexed = conn.execute("SELECT count(*) FROM call_text").fetchone()[0]
        keyed = conn.execute("SELECT count(*) FROM calls WHERE place_key != ''").fetchone()[0]
        some = conn.execute("SELECT call_id, location FROM calls LIMIT 1").fetchone()
        conn.close()
        assert calls == indexed == keyed > 0
        word = some[1].split()[-1]
        assert some[0] in _ids(desk.search(f'"{word}"', limit=10_000))
        desk.premise_history(some[0])
        new = _receive(desk, "410 Elm Street", narrative="after the upgrade")
        assert _ids(desk.search("upgrade")) == [new]
        assert desk.check().ok
    finally:
        desk.close()
    store = SqliteStore(path, readonly=True)  # a reader opens the upgraded file
    store.close()
