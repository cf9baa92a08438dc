"""A call written by another process -> visible in the console's change feed: p50/p95 ms.

Writer: a second process (this script with ``--writer``) opens the same desk file as its
own ``Desk`` (system clock, operator ``follow-writer``) and takes calls one at a time with
``Desk.execute(ReceiveCall(..., source_id=...))``, sleeping a random gap between them
(uniform, mean ``max(150 ms, tick)``), so commits land at random points of the reader's
tick. For each call it logs ``time.monotonic()`` before ``execute`` and after it returned
(the COMMIT is done by then); ``CLOCK_MONOTONIC`` is the same clock in every process.

Reader (what the console does, modelled): ``Desk.open(path, town)``, cursor and
generation from ``desk.head()``, then every tick (``--intervals``; default 50 ms, 250 ms --
the console follower's ``WATCH_INTERVAL`` on main since 7b830bb -- and 1000 ms, the
board's clock tick): ``desk.data_version()``; when it changed,
``desk.changes_since(cursor, generation)``, advance the cursor, and note the time each
writer call shows up in ``Changes.received``. Latency = seen - commit.

Floor: the same tick loop on a raw ``sqlite3`` connection: ``PRAGMA data_version``, and
when it changed ``SELECT seq, json_extract(payload, '$.source_id') FROM journal WHERE seq >
? AND type = 'call.received'``. So the floor pays the polling delay too (about half a tick
on average) and the ratio shows what ``changes_since`` adds on top.

Each interval runs the desk reader, then the floor reader, each with its own writer
process on the same file. Prints plain text; never asserts timing.
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import done_with, scratch_dir  # bench/common.py

from cso_console.desk import Desk
from cso_console.domain.commands import ReceiveCall
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir

WRITER_STARTUP_S = 30.0  # give up if the writer has not written its first call by then


# ---------------------------------------------------------------------------------------
# the writer process


def writer(db: Path, log: Path, calls: int, gap: float, prefix: str, seed: int) -> int:
    town = load_town(bundled_town_dir())
    desk = Desk.open(db, town, operator_id="follow-writer")
    rng = random.Random(seed)
    streets = town.streets
    with log.open("w", encoding="utf-8") as out:
        for i in range(calls):
            time.sleep(rng.uniform(gap / 3, gap * 5 / 3))
            street = rng.choice(streets)
            cmd = ReceiveCall(
                type_code="NOISE",
                location=f"{rng.randrange(street.low, street.high + 1)} {street.name}",
                narrative="follow bench",
                source_id=f"{prefix}{i:06d}",
            )
            t0 = time.monotonic()
            outcome = desk.execute(cmd)
            t1 = time.monotonic()
            if not outcome.ok:
                print(f"writer: refused: {outcome.reason}", file=sys.stderr)
                return 1
            out.write(f"{prefix}{i:06d} {t0:.6f} {t1:.6f}\n")
            out.flush()
    desk.close()
    return 0


# ---------------------------------------------------------------------------------------
# the readers


@dataclass
class Follow:
    latencies_ms: list[float]
    writes_ms: list[float]  # execute() in the writer, start to return
    polls: int = 0
    fetches: int = 0
    poll_us: list[float] = field(default_factory=list)  # data_version
    fetch_ms: list[float] = field(default_factory=list)  # changes_since / the SELECT
    missing: int = 0


def _start_writer(
    db: Path, log: Path, calls: int, gap: float, prefix: str, seed: int
) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--writer", str(db), str(log)]
    cmd += [str(calls), str(gap), prefix, str(seed)]
    return subprocess.Popen(cmd)


def follow(
    kind: str, db: Path, tmp: Path, interval: float, calls: int, gap: float, tag: str, seed: int
) -> Follow:
    """Poll every ``interval`` seconds with the desk (``kind`` = "desk") or raw sqlite3
    ("floor") while a writer process takes ``calls`` calls."""
    prefix = f"follow-{tag}-"
    seen: dict[str, float] = {}
    poll_us: list[float] = []
    fetch_ms: list[float] = []
    if kind == "desk":
        town = load_town(bundled_town_dir())
        desk = Desk.open(db, town)
        cursor, generation = desk.head()
        last_dv = desk.data_version()

        def poll() -> int:
            return desk.data_version()

        def fetch() -> list[str]:
            nonlocal cursor, generation
            ch = desk.changes_since(cursor, generation)
            cursor, generation = ch.head, ch.generation
            return [str(e.payload.get("source_id")) for e in ch.received]

        close = desk.close
    else:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 5000")
        cursor = conn.execute("SELECT coalesce(max(seq), 0) FROM journal").fetchone()[0]
        last_dv = conn.execute("PRAGMA data_version").fetchone()[0]
        q = (
            "SELECT seq, json_extract(payload, '$.source_id') FROM journal "
            "WHERE seq > ? AND type = 'call.received' ORDER BY seq"
        )

        def poll() -> int:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

        def fetch() -> list[str]:
            nonlocal cursor
            found = conn.execute(q, (cursor,)).fetchall()
            if found:
                cursor = found[-1][0]
            return [str(r[1]) for r in found]

        close = conn.close

    log = tmp / f"writer-{tag}.log"
    proc = _start_writer(db, log, calls, gap, prefix, seed)
    started = time.monotonic()
    next_tick = time.monotonic()
    try:
        while True:
            next_tick += interval
            pause = next_tick - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:
                next_tick = time.monotonic()  # fell behind: do not burst
            t = time.perf_counter()
            dv = poll()
            poll_us.append((time.perf_counter() - t) * 1e6)
            if dv != last_dv:
                last_dv = dv
                t = time.perf_counter()
                got = fetch()
                now = time.monotonic()
                fetch_ms.append((time.perf_counter() - t) * 1000)
                for sid in got:
                    if sid.startswith(prefix):
                        seen.setdefault(sid, now)
            if proc.poll() is not None and (len(seen) >= calls or proc.returncode != 0):
                break
            if not seen and time.monotonic() - started > WRITER_STARTUP_S + calls * gap * 2:
                raise SystemExit("the writer wrote nothing in time")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        close()
    if proc.returncode != 0:
        raise SystemExit(f"writer exited {proc.returncode}")
    latencies, writes = [], []
    missing = 0
    for line in log.read_text(encoding="utf-8").splitlines():
        sid, t0, t1 = line.split()
        writes.append((float(t1) - float(t0)) * 1000)
        if sid in seen:
            latencies.append((seen[sid] - float(t1)) * 1000)
        else:
            missing += 1
    return Follow(
        latencies, writes, len(poll_us), len(fetch_ms), poll_us, fetch_ms, missing=missing
    )


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--writer"]:
        db, log, calls, gap, prefix, seed = argv[1:7]
        return writer(Path(db), Path(log), int(calls), float(gap), prefix, int(seed))

    ap = argparse.ArgumentParser(
        description="Commit in another process -> visible through the console's change feed "
        "(data_version poll + changes_since), p50/p95 ms, against raw sqlite3 polling "
        "data_version + a SELECT at the same tick. Prints plain text; never asserts timing."
    )
    ap.add_argument(
        "--intervals",
        default="50,250,1000",
        help="reader ticks in milliseconds, comma-separated (default 50,250,1000: a fast "
        "poll, the console follower's 250 ms, the board's 1 s tick)",
    )
    ap.add_argument(
        "--calls",
        default="80,60,24",
        help="calls the writer takes per run, one number or one per interval "
        "(default 80,60,24: about 12, 15 and 24 s a run)",
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="desk run + floor run pairs per interval; samples are pooled (default 1)",
    )
    ap.add_argument(
        "--dir",
        type=Path,
        help="where the temp dir goes (default: the system temp dir, where the tests' files go)",
    )
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and its files")
    args = ap.parse_args(argv)

    intervals = [int(x) for x in args.intervals.split(",") if x.strip()]
    counts = [int(x) for x in args.calls.split(",") if x.strip()]
    if len(counts) == 1:
        counts *= len(intervals)
    if len(counts) != len(intervals):
        raise SystemExit("--calls: one number, or one per interval")

    tmp = scratch_dir("bench-follow-", args.dir)
    try:
        print(f"temp dir: {tmp}")
        print(f"sqlite {sqlite3.sqlite_version}, python {sys.version.split()[0]}")
        db = tmp / "desk.db"
        town = load_town(bundled_town_dir())
        desk = Desk.open(db, town)
        desk.take_roster()
        desk.close()

        results: list[tuple[int, Follow, Follow, float]] = []
        seed = args.seed
        for ms, calls in zip(intervals, counts, strict=True):
            interval = ms / 1000
            gap = max(0.15, interval)
            runs: dict[str, list[Follow]] = {"desk": [], "floor": []}
            for r in range(args.rounds):
                for kind in ("desk", "floor"):
                    seed += 1
                    tag = f"{kind}{ms}r{r}"
                    runs[kind].append(follow(kind, db, tmp, interval, calls, gap, tag, seed))
                    f = runs[kind][-1]
                    print(
                        f"  tick {ms} ms, {kind:<5} round {r + 1}: {len(f.latencies_ms)} calls, "
                        f"p50 {statistics.median(f.latencies_ms):.1f} ms",
                        flush=True,
                    )
            pooled = {
                k: Follow(
                    [x for f in v for x in f.latencies_ms],
                    [x for f in v for x in f.writes_ms],
                    sum(f.polls for f in v),
                    sum(f.fetches for f in v),
                    [x for f in v for x in f.poll_us],
                    [x for f in v for x in f.fetch_ms],
                    sum(f.missing for f in v),
                )
                for k, v in runs.items()
            }
            results.append((ms, pooled["desk"], pooled["floor"], gap))

        print("\ncommit in another process -> visible to the reader, milliseconds:")
        print(
            f"{'tick':>6} {'reader':<38} {'calls':>5} {'p50':>7} {'p95':>7} {'max':>7} "
            f"{'poll us':>7} {'fetch ms':>8}"
        )
        for ms, d, f, _ in results:
            for label, run in (
                ("desk: data_version + changes_since", d),
                ("floor: raw data_version + SELECT", f),
            ):
                print(
                    f"{ms:>4} ms {label:<38} {len(run.latencies_ms):>5} "
                    f"{statistics.median(run.latencies_ms):>7.1f} "
                    f"{_pct(run.latencies_ms, 95):>7.1f} {max(run.latencies_ms):>7.1f} "
                    f"{statistics.median(run.poll_us):>7.1f} "
                    f"{statistics.median(run.fetch_ms) if run.fetch_ms else 0:>8.2f}"
                )
            p50 = statistics.median(d.latencies_ms) / statistics.median(f.latencies_ms)
            p95 = _pct(d.latencies_ms, 95) / _pct(f.latencies_ms, 95)
            print(
                f"{'':>7} {'ratio desk/floor (1.0 = as fast as raw)':<38} {'':>5} "
                f"{p50:>7.2f} {p95:>7.2f}"
            )
        print(
            "poll us / fetch ms: medians of one data_version call and of one fetch "
            "(changes_since, or the raw SELECT) on the reader's side"
        )
        writes = [x for _, d, f, _ in results for x in d.writes_ms + f.writes_ms]
        print(
            f"writer: Desk.execute(ReceiveCall) median {statistics.median(writes):.2f} ms, "
            f"p95 {_pct(writes, 95):.2f} ms ({len(writes)} calls; gaps uniform around "
            + ", ".join(f"{g * 1000:.0f} ms" for *_, g in results)
            + ")"
        )
        missing = sum(d.missing + f.missing for _, d, f, _ in results)
        if missing:
            print(f"NOT SEEN by the reader: {missing} calls")
    finally:
        done_with(tmp, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
