"""A full disk, simulated with ``max_page_count`` on every connection: a refused command
says so, writes nothing, and the desk (and an intake re-run) carries on once space is back."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cso_console import cli
from cso_console.desk import Desk
from cso_console.domain.commands import AddNote, Dispatch, ReceiveCall, SignOn
from cso_console.domain.town import Town
from cso_console.intake import take_lines
from cso_console.integrity import stored_rows

LONG = 3000  # characters of narrative: a couple of overflow pages per call


def _receive(i: int, size: int = LONG, **kw: object) -> ReceiveCall:
    return ReceiveCall(
        type_code="NOISE", location="410 Elm Street", narrative=f"call {i}: " + "x" * size, **kw
    )  # type: ignore[arg-type]


def _page_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA page_count").fetchone()[0])
    finally:
        conn.close()


def _counts(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0],
        )
    finally:
        conn.close()


def _limited(path: Path, town: Town, clock, margin: int) -> Desk:
    """Reopen ``path`` with room for only ``margin`` more pages."""
    limit = _page_count(path) + margin
    return Desk.open(path, town, clock=clock, extra_pragmas={"max_page_count": limit})


@pytest.fixture
def seeded(tmp_path: Path, town: Town, clock) -> Path:
    """A desk database with one call and two officers on duty, closed (checkpointed)."""
    path = tmp_path / "desk.db"
    desk = Desk.open(path, town, clock=clock)
    desk.take_roster()
    try:
        assert desk.execute(SignOn(officer="C10")).ok
        assert desk.execute(SignOn(officer="C11")).ok
        assert desk.execute(_receive(0, 10)).call_id == "D1-26-000001"
    finally:
        desk.close()
    return path


def _fill_until_refused(desk: Desk, start: int = 1) -> tuple[list[str], int]:
    """Issue long calls until one is refused; returns the acknowledged ids and the index
    of the refused one."""
    acked: list[str] = []
    for i in range(start, start + 200):
        out = desk.execute(_receive(i))
        if not out.ok:
            return acked, i
        assert out.call_id
        acked.append(out.call_id)
    raise AssertionError("the page limit never refused a command")


def test_disk_full_refuses_cleanly_and_desk_recovers(seeded: Path, town: Town, clock) -> None:
    path = seeded
    desk = _limited(path, town, clock, margin=10)
    try:
        acked, _ = _fill_until_refused(desk)
        assert len(acked) >= 1, "the margin should let a few commands in before it is full"
        journal_n, calls_n = desk.store.count_events(), len(list(desk.store.calls()))
        with desk.store.read() as conn:
            projections = stored_rows(conn)

        # refused again, for a single-event and a multi-event command alike
        for cmd in (
            _receive(999),
            ReceiveCall(
                type_code="NOISE", location="410 Elm Street", narrative="y" * LONG, duplicate_of="1"
            ),
            AddNote(call="1", text="z" * (LONG * 2)),
        ):
            out = desk.execute(cmd)
            assert out.ok is False
            assert "disk is full" in out.reason
            assert "Nothing was written" in out.reason
            assert out.events == [] and out.call_id is None

        # nothing half-written
        assert desk.store.count_events() == journal_n
        assert len(list(desk.store.calls())) == calls_n
        with desk.store.read() as conn:
            assert stored_rows(conn) == projections
        report = desk.check()
        assert report.ok, report.problems
    finally:
        desk.close()

    assert _counts(path) == (journal_n, calls_n)

    # space is back: reopen without the limit
    desk = Desk.open(path, town, clock=clock)
    try:
        report = desk.check()
        assert report.ok, report.problems
        assert report.events == journal_n
        # the refused commands used up no call number
        last = int(acked[-1].rsplit("-", 1)[1])
        out = desk.execute(
            ReceiveCall(type_code="NOISE", location="410 Elm Street", narrative="short")
        )
        assert out.ok, out.reason
        assert out.call_id == f"D1-26-{last + 1:06d}"
        assert desk.execute(Dispatch(call=out.call_id, officers=("C10",))).ok
        assert desk.check().ok
    finally:
        desk.close()
    assert _counts(path) == (journal_n + 2, calls_n + 1)


def test_small_command_still_fits_after_a_big_one_is_refused(
    seeded: Path, town: Town, clock
) -> None:
    """A refusal leaves the connection usable: no stuck transaction, no poisoned pool."""
    desk = _limited(seeded, town, clock, margin=10)
    try:
        acked, _ = _fill_until_refused(desk)
        before = desk.store.count_events()
        # the refused command rolled back, so the write lock is free again
        conn = sqlite3.connect(seeded, timeout=0.5)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        # a status change needs no new page: it fits
        out = desk.execute(Dispatch(call="1", officers=("C11",)))
        if out.ok:
            assert desk.store.count_events() == before + 1
        else:
            assert "disk is full" in out.reason
            assert desk.store.count_events() == before
        assert desk.check().ok
    finally:
        desk.close()


# intake --------------------------------------------------------------------------------


def _intake_lines(n: int, bad_at: tuple[int, ...] = ()) -> list[str]:
    lines = []
    for i in range(1, n + 1):
        if i in bad_at:
            lines.append(
                json.dumps(
                    {"type": "NOSUCHTYPE", "location": "410 Elm Street", "source_id": f"feed-{i}"}
                )
            )
            continue
        lines.append(
            json.dumps(
                {
                    "type": "PARK",
                    "location": f"{100 + i} Elm Street",
                    "source_id": f"feed-{i}",
                    "narrative": f"line {i} " + "p" * LONG,
                }
            )
        )
    return lines


def _source_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(
            conn.execute(
                "SELECT source_id, COUNT(*) FROM calls WHERE source_id IS NOT NULL "
                "GROUP BY source_id"
            ).fetchall()
        )
    finally:
        conn.close()


def test_take_lines_stops_on_full_disk_and_rerun_completes(
    seeded: Path, town: Town, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches, so some commit before the disk is full; a batch is all-or-nothing.
    monkeypatch.setattr("cso_console.intake.BATCH_LINES", 3)
    lines = _intake_lines(40, bad_at=(2,))
    good = {f"feed-{i}" for i in range(1, 41) if i != 2}

    desk = _limited(seeded, town, clock, margin=12)
    try:
        report = take_lines(desk, lines)
    finally:
        desk.close()
    assert report.stopped and "disk is full" in report.stopped
    stopped_at = int(report.stopped.split("line ")[1].split(":")[0])
    assert 2 < stopped_at <= 40, "a few lines must fit before the disk is full"
    assert report.refused[0][0] == 2  # the bad line, reported, not a reason to stop
    assert report.refused[-1] == (stopped_at, report.refused[-1][1])
    assert "disk is full" in report.refused[-1][1]
    taken = _source_counts(seeded)
    # every good line before the failure is kept, exactly once, and nothing after it
    assert taken == {f"feed-{i}": 1 for i in range(1, stopped_at) if i != 2}
    assert report.taken == len(taken)

    desk = Desk.open(seeded, town, clock=clock)
    try:
        assert desk.check().ok
        again = take_lines(desk, lines)
        assert again.stopped is None
        assert again.already == len(taken)
        assert again.taken == len(good) - len(taken)
        assert [n for n, _ in again.refused] == [2]
        assert desk.check().ok
    finally:
        desk.close()
    assert _source_counts(seeded) == {s: 1 for s in good}


@pytest.fixture
def limited_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Make every Desk.open of the CLI apply ``max_page_count`` (set ``limit['pages']``)."""
    limit: dict[str, int] = {}
    original = Desk.open.__func__  # type: ignore[attr-defined]

    def open_limited(cls, path, town, **kw):  # type: ignore[no-untyped-def]
        if "pages" in limit:
            kw["extra_pragmas"] = {"max_page_count": limit["pages"]}
        return original(cls, path, town, **kw)

    monkeypatch.setattr(Desk, "open", classmethod(open_limited))
    yield limit


def test_cli_intake_exit_3_on_full_disk_then_rerun_completes(
    seeded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    limited_cli: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("cso_console.intake.BATCH_LINES", 3)  # some batches fit
    lines = _intake_lines(30)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")

    limited_cli["pages"] = _page_count(seeded) + 12
    code = cli.main(["intake", "--db", str(seeded), str(feed)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_FULL == 3, err
    assert "disk is full" in err and "re-run the same file" in err
    kept = _source_counts(seeded)
    assert 0 < len(kept) < 30
    assert kept == {f"feed-{i}": 1 for i in range(1, len(kept) + 1)}

    limited_cli.clear()  # space is back
    code = cli.main(["intake", "--db", str(seeded), str(feed)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"{30 - len(kept)} taken" in err and f"{len(kept)} already taken" in err
    assert _source_counts(seeded) == {f"feed-{i}": 1 for i in range(1, 31)}

    code = cli.main(["check", "--db", str(seeded)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "projections == journal: OK" in out
