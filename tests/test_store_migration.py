"""A schema-1 file (made by the first release's demo) is upgraded by a writer: its journal
keeps every event in fold order, its roster becomes events, its projections are rebuilt;
a reader refuses it without touching it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cso_console.desk import Desk
from cso_console.domain.town import Town
from cso_console.store.database import SCHEMA_VERSION, OlderSchema
from cso_console.store.sqlite import SqliteStore

FIXTURE = Path(__file__).parent / "data" / "schema1-demo.db"


def test_schema_1_file_is_upgraded_by_a_writer(tmp_path: Path, town: Town) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    old = sqlite3.connect(FIXTURE)
    events = old.execute("SELECT count(*) FROM journal").fetchone()[0]
    open_calls = old.execute("SELECT count(*) FROM calls WHERE is_open = 1").fetchone()[0]
    old.close()

    with pytest.raises(OlderSchema):
        SqliteStore(path, readonly=True)
    assert path.read_bytes() == FIXTURE.read_bytes()

    desk = Desk.open(path, town)
    try:
        assert desk.store.count_events() == events + 24  # + the roster, as events
        assert len(desk.open_calls()) == open_calls
        assert len(desk.officers()) == 24
        assert desk.check().ok
        assert desk.take_roster().new == 0  # the roster file says what the journal says
    finally:
        desk.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
