"""The command line builds its parser without the commands' heavy parts: the console's
start-up loads no report, export or intake code, no domain model and no store before its
first paint; the help it prints is the same as before that was so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HELP = Path(__file__).parent / "data" / "cli_help.txt"

PRINT_HELP = """
import argparse, sys
from cso_console.cli import _parser
p = _parser()
out = [p.format_help()]
def walk(parser, prefix):
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sp in a.choices.items():
                out.append(f"=== {prefix}{name}\\n" + sp.format_help())
                walk(sp, prefix + name + " ")
walk(p, "")
print("\\n".join(out))
print("LOADED", " ".join(sorted(sys.modules)), file=sys.stderr)
"""


def _help(tmp_path: Path) -> tuple[str, set[str]]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/home/user",
        "XDG_DATA_HOME": "/home/user/.local/share",
        "XDG_CONFIG_HOME": "/home/user/.config",
        "COLUMNS": "100",
    }
    out = subprocess.run(
        [sys.executable, "-c", PRINT_HELP],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    loaded = out.stderr.rpartition("LOADED ")[2].split()
    return out.stdout, set(loaded)


def test_help_is_unchanged_and_the_parser_loads_no_command_code(tmp_path: Path) -> None:
    text, loaded = _help(tmp_path)
    assert text == HELP.read_text()
    heavy = {
        "pydantic",
        "textual",
        "cso_console.desk",
        "cso_console.store.sqlite",
        "cso_console.domain.town",
        "cso_console.domain.commands",
        "cso_console.intake",
        "cso_console.export",
        "cso_console.report_formats",
        "cso_console.domain.report",
    }
    assert heavy & loaded == set()


def test_the_console_on_a_current_desk_file_starts_before_loading_the_desk(
    tmp_path: Path, town, clock
) -> None:
    """`cso-console --db FILE` on an existing file of this schema: nothing of the desk,
    the store or the domain models is loaded when the app starts (the opener loads them
    on its thread after the first paint)."""
    from cso_console.desk import Desk

    db = tmp_path / "desk.db"
    Desk.open(db, town, clock=clock).close()
    code = f"""
import sys
import cso_console.app as app
def run_console(desk, **options):
    heavy = {{"pydantic", "cso_console.desk", "cso_console.store.sqlite"}} & set(sys.modules)
    print("desk", desk, "opener", callable(options["opener"]), "loaded", sorted(heavy))
    return 0
app.run_console = run_console
from cso_console.cli import main
sys.exit(main(["--db", {str(db)!r}]))
"""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["desk", "None", "opener", "True", "loaded", "[]"]
