"""Running the real entry point in a subprocess, with a home of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: object, env: dict[str, str], input: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cso_console", *map(str, args)],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )
