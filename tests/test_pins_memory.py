"""A PIN's hash needs 16 MiB while it runs: it runs in a child process, so the console's
peak memory never holds them. Where no child can start it runs in the process, and the
memory then goes back to the system afterwards, whichever thread ran it (glibc kept it in
that thread's heap: a console grew by 16 MiB per worker thread that had checked a PIN)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists() or not sys.platform.startswith("linux"),
    reason="reads the resident set size from /proc (Linux)",
)

PEAK_PROBE = textwrap.dedent(
    """
    from pathlib import Path
    from cso_console import pins

    def peak_kib():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

    before = peak_kib()
    stored = pins.hash_pin("2468")
    assert pins.verify("2468", stored) and not pins.verify("1357", stored)
    print(peak_kib() - before)
    """
)

PROBE = textwrap.dedent(
    """
    import sys
    import threading
    from pathlib import Path
    from cso_console import pins

    sys.executable = ""  # no child can be started: the hash is made in this process

    def rss_kib():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

    stored = pins.hash_pin("2468")  # warms everything up once
    pins.verify("2468", stored)
    before = rss_kib()
    for _ in range(3):
        pins.verify("2468", stored)
        worker = threading.Thread(target=pins.verify, args=("1357", stored))
        worker.start()
        worker.join()
    print(rss_kib() - before)
    """
)


def test_checking_pins_in_several_threads_keeps_no_memory() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    grown_kib = int(out.stdout.strip())
    assert grown_kib < 4 * 1024, f"{grown_kib} KiB kept after six PIN checks"


def test_a_pin_check_leaves_the_peak_memory_where_it_was() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    grown_kib = int(out.stdout.strip())
    assert grown_kib < 4 * 1024, f"the peak grew {grown_kib} KiB over a hash and two checks"


def test_the_pin_reaches_the_child_on_its_input_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from cso_console import pins

    seen: list[dict[str, object]] = []
    run = subprocess.run

    def spy(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        seen.append({"args": args, **kwargs})
        return run(args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(pins.subprocess, "run", spy)
    stored = pins.hash_pin("Quokka-7431")
    assert pins.verify("Quokka-7431", stored) and not pins.verify("Quokka-7432", stored)
    assert len(seen) == 3
    for call in seen:
        assert not any("Quokka" in arg for arg in call["args"])  # type: ignore[attr-defined]
        assert "env" not in call  # the child's own environment, unchanged
        assert b"Quokka" not in call["input"]  # type: ignore[operator]  (base64 on stdin)


@pytest.mark.parametrize("interpreter", ["/bin/false", "/bin/echo", "/nonexistent/python"])
def test_without_a_working_child_the_pin_is_checked_here(
    monkeypatch: pytest.MonkeyPatch, interpreter: str
) -> None:
    """An interpreter that cannot run the child (gone, not Python, failing at start) never
    locks anyone out: the hash is made in the process, as before."""
    from cso_console import pins

    stored = pins.hash_pin("2468")
    monkeypatch.setattr(pins.sys, "executable", interpreter)
    assert pins.verify("2468", stored)
    assert not pins.verify("1357", stored)
    assert pins.verify("2468", pins.hash_pin("2468"))
