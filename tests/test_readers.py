"""Readers read: `export`, `check` (without --rebuild) and `backup` open the file read-only,
never create, migrate, chmod or seed it, refuse what is not a desk database with a plain
sentence, and see one consistent snapshot while writers carry on beside them."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pwd
import shutil
import sqlite3
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import cso_console
from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.town import Town
from cso_console.paths import bundled_town_dir
from cso_console.store.database import APPLICATION_ID, SCHEMA_VERSION

from .cli_run import run_cli

pytestmark = pytest.mark.slow

# What must never reach a desk assistant's screen from a reader.
JARGON = ("sqlite3", "OperationalError", "DatabaseError", "Traceback", "SELECT", "http")
SQLITE_WORDING = ("disk image is malformed", "file is not a database", "no such table")
SIDECARS = ("-wal", "-shm")
READS = (
    ("export", "calls"),
    ("export", "events"),
    ("export", "calls", "--format", "csv"),  # --include-caller writes: test_cli_export_callers
    ("export", "events", "--format", "csv", "--since", "2d"),
    ("check",),
)


# helpers ---------------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def listing(folder: Path) -> set[str]:
    """The folder's files, without the -wal/-shm sidecars SQLite may make for a reader."""
    return {p.name for p in folder.iterdir() if not p.name.endswith(SIDECARS)}


def assert_plain(stderr: str) -> None:
    """One sentence for a person: no library names, no SQL, no links, no traceback."""
    for word in JARGON:
        assert word not in stderr, stderr
    assert "sqlite3" not in stderr.lower(), stderr
    for words in SQLITE_WORDING:
        assert words not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("cso-console: ") and lines[0].endswith("."), stderr
    assert "could not be read: The database" not in stderr, stderr  # said once, not twice


def journal_head(path: Path) -> int:
    """The last journal seq, read through a read-only connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return int(conn.execute("SELECT coalesce(max(seq), 0) FROM journal").fetchone()[0])
    finally:
        conn.close()


def journal(path: Path) -> list[tuple[int, str]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute("SELECT seq, event_id FROM journal ORDER BY seq").fetchall()
    finally:
        conn.close()


def wait_until(cond: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def fill(desk: Desk, calls: int) -> None:
    """Calls received (with callers), dispatched, worked and some closed: every projection
    has rows, the journal has every kind of event a reader exports."""
    desk.take_roster()
    officers = ["C10", "C11", "C12", "C13"]
    with desk.batch():
        for o in officers:
            assert desk.execute(c.SignOn(officer=o)).ok
    for i in range(calls):
        out = desk.execute(
            c.ReceiveCall(
                type_code="NOISE",
                location="410 Elm Street",
                narrative=f"call {i}",
                caller_name="Zebulon Quigley",
                caller_phone="555-0199",
            )
        )
        assert out.ok and out.call_id, out.reason
        if i % 2:
            continue
        o = officers[i % len(officers)]
        for cmd in (
            c.Dispatch(call=out.call_id, officers=(o,)),
            c.MarkEnRoute(officer=o),
            c.MarkOnScene(officer=o),
            c.AddNote(call=out.call_id, text="spoke to caller"),
            c.ClearUnit(officer=o, disposition="TOW", note="done"),
        ):
            r = desk.execute(cmd)
            assert r.ok, r.reason


def make_db(path: Path, town: Town, calls: int = 6) -> Path:
    desk = Desk.open(path, town, operator_id="maker")
    try:
        fill(desk, calls)
    finally:
        desk.close()
    return path


@pytest.fixture
def db(tmp_path: Path, town: Town) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return make_db(folder / "desk.db", town)


# A writer in its own process: the console or intake beside a reader. It prints one line
# per round of commands and stops when the stop file appears.
WRITER = r"""
import sys
from pathlib import Path
from cso_console.desk import Desk
from cso_console.domain import commands as c
from cso_console.domain.town_files import load_town
from cso_console.paths import bundled_town_dir

db, stop, preload = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
desk = Desk.open(db, load_town(bundled_town_dir()), operator_id="writer")
desk.take_roster()
officers = ["C10", "C11", "C12", "C13"]
with desk.batch():
    for o in officers:
        desk.execute(c.SignOn(officer=o))
    for i in range(preload):
        desk.execute(c.ReceiveCall(type_code="PARK", location="220 Main Street"))
print("ready", flush=True)
n = 0
while not stop.exists():
    o = officers[n % len(officers)]
    out = desk.execute(c.ReceiveCall(type_code="NOISE", location="410 Elm Street"))
    assert out.ok, out.reason
    for cmd in (
        c.Dispatch(call=out.call_id, officers=(o,)),
        c.MarkEnRoute(officer=o),
        c.MarkOnScene(officer=o),
        c.ClearUnit(officer=o, disposition="TOW", note="done"),
    ):
        r = desk.execute(cmd)
        assert r.ok, r.reason
    n += 1
    print(n, flush=True)
desk.close()
"""


class Writer:
    def __init__(self, db: Path, env: dict[str, str], preload: int) -> None:
        self.db = db
        self.stop_file = db.parent / "stop-writer"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(self.stop_file), str(preload)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()  # blocks until the preload is committed
        assert first.strip() == "ready", first + self.proc.stderr.read()  # type: ignore[union-attr]
        self.start = journal_head(db)

    def writing(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        self.stop_file.touch()
        out, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, err


@pytest.fixture
def writer(tmp_path: Path, env: dict[str, str]) -> Iterator[Callable[[int], Writer]]:
    started: list[Writer] = []

    def start(preload: int = 0) -> Writer:
        folder = tmp_path / "live"
        folder.mkdir(exist_ok=True)
        w = Writer(folder / "desk.db", env, preload)
        started.append(w)
        return w

    yield start
    for w in started:
        if w.writing():
            w.stop_file.touch()
            try:
                w.proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.communicate()


# An unprivileged user: root ignores file modes, so read-only files are only read-only for
# somebody else.


def _unprivileged_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def _drop_to(user: pwd.struct_passwd) -> Callable[[], None]:
    def drop() -> None:
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return drop


@functools.cache
def _user_python() -> tuple[tuple[str, ...], dict[str, str]] | str:
    """A Python the unprivileged user can run, with this checkout's cso_console and its
    dependencies on its path; or why there is none."""
    user = _unprivileged_user()
    if user is None:
        return "needs root (to become an unprivileged user) and a user 'nobody'"
    package_parent = str(Path(cso_console.__file__).resolve().parents[1])
    site = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": "/nonexistent",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": os.pathsep.join([package_parent, *sorted(site)]),
    }
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [
        sys.executable,
        os.path.realpath(sys.executable),
        shutil.which(f"python{version}") or "",
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
    ]
    probe = "import sqlite3, cso_console.cli, cso_console.desk"
    for exe in dict.fromkeys(x for x in candidates if x and os.path.exists(x)):
        try:
            r = subprocess.run(
                [exe, "-c", probe],
                env=env,
                preexec_fn=_drop_to(user),
                capture_output=True,
                timeout=60,
            )
        except OSError:
            continue
        if r.returncode == 0:
            return (exe, "-m", "cso_console"), env
    return f"no Python {version} that user 'nobody' may run can import cso_console"


def run_as_user(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    found = _user_python()
    if isinstance(found, str):
        pytest.skip(found)
    argv, env = found
    user = _unprivileged_user()
    assert user is not None
    return subprocess.run(
        [*argv, *map(str, args)],
        env=env,
        preexec_fn=_drop_to(user),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder outside root's private pytest dir, which the unprivileged user can reach."""
    if isinstance(_user_python(), str):
        pytest.skip(str(_user_python()))
    base = Path(tempfile.mkdtemp(prefix="cso-readers-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for p in base.rglob("*"):
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o700)
        shutil.rmtree(base)


def give_readonly(folder: Path, user: pwd.struct_passwd) -> None:
    """Files 0400 and the folder 0500, all the user's: readable, and not writable by them."""
    for p in folder.iterdir():
        os.chown(p, user.pw_uid, user.pw_gid)
        p.chmod(0o400)
    os.chown(folder, user.pw_uid, user.pw_gid)
    folder.chmod(0o500)


# the file is left as it was -----------------------------------------------------------


@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a))
def test_reader_leaves_the_file_byte_identical(
    db: Path, env: dict[str, str], args: tuple[str, ...]
) -> None:
    before, files, mode_before = digest(db), listing(db.parent), mode(db)
    r = run_cli(*args, "--db", db, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout
    assert digest(db) == before
    assert mode(db) == mode_before == 0o600
    assert listing(db.parent) == files  # nothing created beside it (but SQLite's sidecars)


def test_readers_do_not_chmod_a_0400_file_or_create_anything(
    db: Path, env: dict[str, str], tmp_path: Path
) -> None:
    db.chmod(0o400)
    before = digest(db)
    for args in READS:
        r = run_cli(*args, "--db", db, env=env)
        assert r.returncode == 0, (args, r.stderr)
        assert mode(db) == 0o400
        assert digest(db) == before
    # neither the default database nor the demo one was created on the way
    assert not (tmp_path / "xdg").exists()


def test_export_with_another_town_writes_nothing(
    db: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """A town whose roster differs from the journal's: a writer would take it in as events;
    a reader takes in nothing."""
    other = tmp_path / "other-town"
    shutil.copytree(bundled_town_dir(), other)
    roster = (other / "officers.csv").read_text(encoding="utf-8").splitlines()
    header, first, *rest = roster
    cells = first.split(",")
    cells[1] = "Renamed Officer"
    roster = [header, ",".join(cells), *rest, "C99,Nova Newcomer,,B1"]
    (other / "officers.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    assert run_cli("town", "--town", other, env=env).returncode == 0
    before, events = digest(db), journal(db)
    for args in READS:
        r = run_cli(*args, "--db", db, "--town", other, env=env)
        assert r.returncode == 0, (args, r.stderr)
        assert digest(db) == before
    assert journal(db) == events


# what is not a desk database is refused, and stays as it was ------------------------------


def test_zero_byte_file_is_refused_and_stays_empty(tmp_path: Path, env: dict[str, str]) -> None:
    empty = tmp_path / "empty.db"
    empty.touch(mode=0o644)
    empty.chmod(0o644)
    for args in (*READS, ("backup", tmp_path / "copy.db")):
        r = run_cli(*args, "--db", empty, env=env)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert_plain(r.stderr)
        assert "empty" in r.stderr
        assert empty.stat().st_size == 0
        assert mode(empty) == 0o644
    assert listing(tmp_path) == {"empty.db"}
    assert not any(tmp_path.glob("empty.db-*"))  # never opened by SQLite
    assert not (tmp_path / "copy.db").exists()


def test_missing_file_is_refused_and_not_created(tmp_path: Path, env: dict[str, str]) -> None:
    for missing in (tmp_path / "nope.db", tmp_path / "no-folder" / "nope.db"):
        for args in (*READS, ("backup", tmp_path / "copy.db")):
            r = run_cli(*args, "--db", missing, env=env)
            assert r.returncode == 2, (args, r.stderr)
            assert_plain(r.stderr)
            assert "no such database" in r.stderr
            assert not missing.exists()
            assert not missing.parent.exists() or missing.parent == tmp_path
            assert not (tmp_path / "copy.db").exists()
    for args in (*READS, ("backup", tmp_path / "copy.db")):  # --demo before any demo ran
        r = run_cli(*args, "--demo", env=env)
        assert r.returncode == 2, (args, r.stderr)
        assert_plain(r.stderr)
    assert not (tmp_path / "xdg").exists()


def _drop_table(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE conflicts")
    conn.close()


def _rename_table(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE calls RENAME TO calls_old")
    conn.close()


def _drop_column(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        for index in ("ix_calls_type", "ix_calls_type_beat"):  # schema 4 searches by type
            conn.execute(f"DROP INDEX {index}")
        conn.execute("ALTER TABLE calls DROP COLUMN type_code")
    conn.close()


def _drop_officer_column(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE officers DROP COLUMN home_beat")
    conn.close()


def _view_for_table(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "DROP TABLE operators; CREATE VIEW operators AS SELECT 'x' AS operator_id, "
            "'lead' AS role, NULL AS signed_in_at, 0 AS signed_in, 0 AS changed_seq"
        )
    conn.close()


BREAKAGES = {
    "table dropped": _drop_table,
    "table renamed": _rename_table,
    "column dropped": _drop_column,
    "officer column dropped": _drop_officer_column,
    "view instead of table": _view_for_table,
}


def _only_foo(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("CREATE TABLE foo (x)")
    conn.commit()
    conn.close()


def _refused_everywhere(path: Path, env: dict[str, str], words: str) -> None:
    before, files = digest(path), listing(path.parent)
    for args in (*READS, ("backup", path.parent / "copy.db")):
        r = run_cli(*args, "--db", path, env=env)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert_plain(r.stderr)
        assert words in r.stderr, r.stderr
        assert str(path) in r.stderr, r.stderr
        assert digest(path) == before
        assert listing(path.parent) == files


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_right_mark_broken_tables_is_refused(
    tmp_path: Path, town: Town, env: dict[str, str], breakage: str
) -> None:
    path = make_db(tmp_path / "broken.db", town, calls=2)
    BREAKAGES[breakage](path)
    _refused_everywhere(path, env, "not its tables")


def test_right_mark_foreign_tables_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "foo.db"
    _only_foo(path)
    _refused_everywhere(path, env, "not its tables")


def test_older_schema_is_refused_not_migrated(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    for table in ("journal (event_id)", "officers (officer_id)", "meta (key, value)", "calls (x)"):
        conn.execute(f"CREATE TABLE {table}")
    conn.commit()
    conn.close()
    _refused_everywhere(path, env, "older CSO Console")


def test_newer_schema_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "new.db"
    _only_foo(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    _refused_everywhere(path, env, "newer than this console")


def test_foreign_sqlite_file_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE journal (x)")
    conn.commit()
    conn.close()
    _refused_everywhere(path, env, "not a CSO Console database")


# SQLite's own complaints, as sentences ----------------------------------------------------


def _page_of(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        q = "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?"
        return int(conn.execute(q, (table,)).fetchone()[0])
    finally:
        conn.close()


def _smash(path: Path, page: int) -> None:
    """Overwrite one b-tree page with nonsense (the header and schema stay readable)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    conn.close()
    with path.open("r+b") as fh:
        fh.seek(size * (page - 1))
        fh.write(b"\x0d\x00\x00\xff\xff" + b"\xff" * (size - 5))


@pytest.mark.parametrize("damage", ["truncated", "calls", "journal", "meta", "garbage"])
def test_sqlite_errors_reach_the_user_as_sentences(
    db: Path, env: dict[str, str], damage: str
) -> None:
    if damage == "truncated":
        db.write_bytes(db.read_bytes()[:8192])
    elif damage == "garbage":
        data = bytearray(db.read_bytes())
        data[100:] = os.urandom(len(data) - 100)
        db.write_bytes(bytes(data))
    else:
        _smash(db, _page_of(db, damage))
    before = digest(db)
    codes = set()
    for args in (*READS, ("backup", db.parent / "copy.db")):
        r = run_cli(*args, "--db", db, env=env)
        codes.add(r.returncode)
        assert digest(db) == before
        assert r.returncode in (0, 1, 2), (args, r.stderr)
        if r.returncode == 1:  # check found problems and listed them
            assert "problem" in r.stdout
        elif r.returncode == 2:
            assert_plain(r.stderr)
        # 0: this reader never touched the damaged page
    assert codes - {0}, "no reader noticed the damage"
    assert not (db.parent / "copy.db").exists()
    assert not [p for p in db.parent.iterdir() if p.name.startswith(".copy.db")]


def test_unreadable_file_is_refused_as_a_sentence(shared_dir: Path) -> None:
    user = _unprivileged_user()
    assert user is not None
    folder = shared_dir / "private"
    folder.mkdir()
    path = folder / "desk.db"
    _only_foo(path)
    path.chmod(0o600)  # root's, not readable by the user
    folder.chmod(0o755)
    for args in (*READS, ("backup", shared_dir / "copy.db")):
        r = run_as_user(*args, "--db", path)
        assert r.returncode == 2, (args, r.stderr)
        assert_plain(r.stderr)


# a read-only copy in a read-only folder, read by an unprivileged user ----------------------


@pytest.fixture
def reference(db: Path, env: dict[str, str]) -> dict[tuple[str, ...], str]:
    """Each read's output on the original, as root."""
    out = {}
    for args in READS:
        r = run_cli(*args, "--db", db, env=env)
        assert r.returncode == 0, r.stderr
        out[args] = r.stdout
    return out


def _same_output(args: tuple[str, ...], got: str, want: str, copy: Path, db: Path) -> None:
    if args[0] == "check":  # the report names the file it checked
        assert got.replace(str(copy), "X") == want.replace(str(db), "X")
    else:
        assert got == want


def test_readonly_copy_in_readonly_folder_is_read_by_an_unprivileged_user(
    db: Path, shared_dir: Path, reference: dict[tuple[str, ...], str]
) -> None:
    user = _unprivileged_user()
    assert user is not None
    folder = shared_dir / "archive"
    folder.mkdir()
    copy = folder / "desk.db"
    shutil.copyfile(db, copy)  # the file alone, as an operator copies it
    give_readonly(folder, user)
    before, files = digest(copy), set(os.listdir(folder))
    for args in READS:
        r = run_as_user(*args, "--db", copy)
        assert r.returncode == 0, (args, r.stderr)
        _same_output(args, r.stdout, reference[args], copy, db)
        assert digest(copy) == before
        assert mode(copy) == 0o400
        assert mode(folder) == 0o500
        assert set(os.listdir(folder)) == files


def _live_copy(src: Path, dst_folder: Path, town: Town, sidecars: tuple[str, ...]) -> Path:
    """Copy a database whose last commits are still only in its WAL (a writer is open and
    has not checkpointed), together with the given sidecar files."""
    live = Desk.open(src, town, operator_id="late", extra_pragmas={"wal_autocheckpoint": 0})
    try:
        for i in range(3):
            assert live.execute(c.ReceiveCall(type_code="GRAF", location=f"{i}10 Elm Street")).ok
        assert Path(f"{src}-wal").stat().st_size > 0
        dst = dst_folder / "desk.db"
        for suffix in ("", *sidecars):
            shutil.copyfile(f"{src}{suffix}", f"{dst}{suffix}")
    finally:
        live.close()
    return dst


def test_readonly_folder_with_its_wal_and_shm_is_read_whole(
    tmp_path: Path, town: Town, shared_dir: Path, env: dict[str, str]
) -> None:
    user = _unprivileged_user()
    assert user is not None
    src = make_db(tmp_path / "src.db", town, calls=2)
    folder = shared_dir / "archive"
    folder.mkdir()
    copy = _live_copy(src, folder, town, ("-wal", "-shm"))
    want = run_cli("export", "calls", "--db", src, env=env)
    give_readonly(folder, user)
    before = {p.name: digest(p) for p in folder.iterdir()}
    r = run_as_user("export", "calls", "--db", copy)
    assert r.returncode == 0, r.stderr
    assert r.stdout == want.stdout  # the commits in the WAL included
    assert len(r.stdout.splitlines()) == 5
    r = run_as_user("check", "--db", copy)
    assert r.returncode == 0, r.stderr
    assert {p.name: digest(p) for p in folder.iterdir()} == before


def test_readonly_folder_with_an_unreadable_wal_is_refused_not_read_stale(
    tmp_path: Path, town: Town, shared_dir: Path
) -> None:
    """The WAL holds commits but SQLite cannot share it here (no -shm, and none can be
    made): reading the main file alone would silently miss them."""
    user = _unprivileged_user()
    assert user is not None
    src = make_db(tmp_path / "src.db", town, calls=2)
    folder = shared_dir / "archive"
    folder.mkdir()
    copy = _live_copy(src, folder, town, ("-wal",))
    give_readonly(folder, user)
    before = {p.name: digest(p) for p in folder.iterdir()}
    for args in (*READS, ("backup", shared_dir / "copy.db")):
        r = run_as_user(*args, "--db", copy)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert_plain(r.stderr)
        assert "-wal" in r.stderr
    assert {p.name: digest(p) for p in folder.iterdir()} == before


def test_unprivileged_backup_of_a_readonly_copy(
    db: Path, shared_dir: Path, reference: dict[tuple[str, ...], str]
) -> None:
    user = _unprivileged_user()
    assert user is not None
    folder = shared_dir / "archive"
    folder.mkdir()
    copy = folder / "desk.db"
    shutil.copyfile(db, copy)
    give_readonly(folder, user)
    out = shared_dir / "out"
    out.mkdir()
    os.chown(out, user.pw_uid, user.pw_gid)
    before = digest(copy)
    r = run_as_user("backup", folder / "beside.db", "--db", copy)  # a folder it cannot write
    assert r.returncode == 2, r.stderr
    assert_plain(r.stderr)
    assert sorted(os.listdir(folder)) == ["desk.db"]
    r = run_as_user("backup", out / "again.db", "--db", copy)
    assert r.returncode == 0, r.stderr
    assert digest(copy) == before and mode(copy) == 0o400
    again = out / "again.db"
    assert mode(again) == 0o600 and again.stat().st_uid == user.pw_uid
    for args in READS:
        r = run_as_user(*args, "--db", again)
        assert r.returncode == 0, r.stderr
        _same_output(args, r.stdout, reference[args], again, db)


# check and backup beside a writer ---------------------------------------------------------


def test_check_beside_a_writer_reports_ok(
    writer: Callable[[int], Writer], env: dict[str, str]
) -> None:
    w = writer(3000)  # a journal long enough that a check takes a while
    wait_until(lambda: journal_head(w.db) > w.start, "the writer to commit beside us")
    overlapped = runs = 0
    while overlapped < 3:
        runs += 1
        assert runs <= 30, "the writer never wrote while check ran"
        head = journal_head(w.db)
        r = run_cli("check", "--db", w.db, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "projections == journal: OK" in r.stdout, r.stdout
        assert "problem" not in r.stdout
        assert w.writing()
        overlapped += journal_head(w.db) > head
    # export too: every line a whole record
    head = journal_head(w.db)
    r = run_cli("export", "events", "--db", w.db, env=env)
    assert r.returncode == 0, r.stderr
    assert len([json.loads(line) for line in r.stdout.splitlines()]) >= head
    w.stop()
    r = run_cli("check", "--db", w.db, env=env)
    assert r.returncode == 0 and "OK" in r.stdout, r.stdout


def _export_all(db: Path, env: dict[str, str]) -> dict[tuple[str, ...], str]:
    out = {}
    for args in READS[:4]:
        r = run_cli(*args, "--db", db, env=env)
        assert r.returncode == 0, r.stderr
        out[args] = r.stdout
    return out


def test_backup_is_a_desk_database_exporting_like_its_source(
    db: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "backups"
    out.mkdir()
    before = digest(db)
    r = run_cli("backup", out / "copy.db", "--db", db, env=env)
    assert r.returncode == 0, r.stderr
    assert "copy.db" in r.stdout
    copy = out / "copy.db"
    assert digest(db) == before and mode(db) == 0o600
    assert mode(copy) == 0o600
    assert listing(out) == {"copy.db"}  # no temporary file left beside it
    r = run_cli("check", "--db", copy, env=env)
    assert r.returncode == 0 and "projections == journal: OK" in r.stdout, r.stdout
    assert _export_all(copy, env) == _export_all(db, env)
    assert journal(copy) == journal(db)


def test_backup_of_the_demo_database(tmp_path: Path, env: dict[str, str], town: Town) -> None:
    from cso_console.demo import seed_demo

    demo = Path(env["XDG_DATA_HOME"]) / "cso-console" / "demo.db"
    demo.parent.mkdir(parents=True)
    seed_demo(demo, town)
    r = run_cli("backup", tmp_path / "demo-copy.db", "--demo", env=env)
    assert r.returncode == 0, r.stderr
    assert _export_all(tmp_path / "demo-copy.db", env) == _export_all(demo, env)
    r = run_cli("backup", tmp_path / "x.db", "--demo", "--db", demo, env=env)
    assert r.returncode == 2
    assert not (tmp_path / "x.db").exists()


def _content(p: Path) -> object:
    if p.is_symlink():
        return ("link", os.readlink(p))
    return "folder" if p.is_dir() else p.read_bytes()


@pytest.mark.parametrize("existing", ["file", "empty file", "folder", "dangling link", "source"])
def test_backup_refuses_an_existing_path(
    db: Path, env: dict[str, str], tmp_path: Path, existing: str
) -> None:
    target = tmp_path / "target.db"
    if existing == "file":
        target.write_text("keep me")
    elif existing == "empty file":
        target.touch()
    elif existing == "folder":
        target.mkdir()
    elif existing == "dangling link":
        target.symlink_to(tmp_path / "nowhere.db")
    else:
        target = db
    before = {p.name: _content(p) for p in target.parent.iterdir()}
    src_before = digest(db)
    r = run_cli("backup", target, "--db", db, env=env)
    assert r.returncode == 2, r.stderr
    assert_plain(r.stderr)
    assert "already exists" in r.stderr
    after = {p.name: _content(p) for p in target.parent.iterdir()}
    assert {k: v for k, v in after.items() if not k.endswith(SIDECARS)} == {
        k: v for k, v in before.items() if not k.endswith(SIDECARS)
    }
    assert digest(db) == src_before
    if existing == "dangling link":
        assert target.is_symlink() and not (tmp_path / "nowhere.db").exists()


def test_backup_into_a_missing_folder_is_refused(
    db: Path, env: dict[str, str], tmp_path: Path
) -> None:
    r = run_cli("backup", tmp_path / "no" / "copy.db", "--db", db, env=env)
    assert r.returncode == 2
    assert_plain(r.stderr)
    assert not (tmp_path / "no").exists()


def test_backup_beside_a_writer_is_one_consistent_snapshot(
    writer: Callable[[int], Writer], env: dict[str, str], tmp_path: Path
) -> None:
    w = writer(3000)
    wait_until(lambda: journal_head(w.db) > w.start, "the writer to commit beside us")
    copies: list[Path] = []
    overlapped = 0
    while overlapped < 2:
        assert len(copies) < 20, "the writer never wrote while backup ran"
        copy = tmp_path / f"copy-{len(copies)}.db"
        head = journal_head(w.db)
        r = run_cli("backup", copy, "--db", w.db, env=env)
        assert r.returncode == 0, r.stderr
        copies.append(copy)
        overlapped += journal_head(w.db) > head
        assert w.writing()
    w.stop()
    source = journal(w.db)
    source_events = set(run_cli("export", "events", "--db", w.db, env=env).stdout.splitlines())
    for copy in copies:
        assert mode(copy) == 0o600
        r = run_cli("check", "--db", copy, env=env)
        assert r.returncode == 0 and "projections == journal: OK" in r.stdout, r.stdout
        mine = journal(copy)
        assert mine == source[: len(mine)]  # a prefix of the source's commits: a snapshot
        r = run_cli("export", "events", "--db", copy, env=env)
        assert set(r.stdout.splitlines()) <= source_events
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".copy")]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB file system (tmpfs), or skip where one cannot be mounted."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs for a full disk")
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_backup_on_a_full_disk_leaves_nothing(
    tmp_path: Path, town: Town, env: dict[str, str], small_disk: Path
) -> None:
    big = make_db(tmp_path / "big.db", town, calls=400)
    assert big.stat().st_size > 256 * 1024
    before = digest(big)
    r = run_cli("backup", small_disk / "copy.db", "--db", big, env=env)
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert_plain(r.stderr)
    assert "disk is full" in r.stderr
    assert list(small_disk.iterdir()) == []
    assert digest(big) == before
    # with room, the same command works
    small = make_db(tmp_path / "small.db", town, calls=1)
    r = run_cli("backup", small_disk / "copy.db", "--db", small, env=env)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in small_disk.iterdir()] == ["copy.db"]


def test_backup_help_and_command_table(env: dict[str, str]) -> None:
    r = run_cli("backup", "--help", env=env)
    assert r.returncode == 0
    assert "PATH" in r.stdout and "--db" in r.stdout and "--demo" in r.stdout
    readme = Path(__file__).resolve().parents[1] / "README.md"
    if readme.is_file():
        assert "cso-console backup PATH" in readme.read_text(encoding="utf-8")
