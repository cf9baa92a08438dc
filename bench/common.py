"""What the bench scripts share: a scratch folder kept or removed, and cProfile output."""

from __future__ import annotations

import cProfile
import io
import pstats
import shutil
import tempfile
from pathlib import Path


def scratch_dir(prefix: str, base: Path | None) -> Path:
    """A fresh folder under ``base`` (default: the system temp dir, where the tests'
    files go), so every file of a run is on one filesystem."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base or Path(tempfile.gettempdir())))


def done_with(folder: Path, keep: bool) -> None:
    """Remove the scratch folder, or say where it was kept (``--keep``)."""
    if keep:
        print(f"kept: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def print_profile(prof: cProfile.Profile, top: int, what: str) -> None:
    """The top entries by own time and by cumulative time."""
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats(key).print_stats(top)
        text = out.getvalue()
        print(f"\ncProfile of {what}, top {top} by {key}:")
        print(text[text.find("   ncalls") :].rstrip())
