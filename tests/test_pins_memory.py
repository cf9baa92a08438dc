"""A PIN's hash needs 16 MiB while it runs; afterwards the memory goes back to the system,
whichever thread ran it (glibc kept it in that thread's heap: a console grew by 16 MiB per
worker thread that had checked a PIN)."""

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

PROBE = textwrap.dedent(
    """
    import threading
    from pathlib import Path
    from cso_console import pins

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
