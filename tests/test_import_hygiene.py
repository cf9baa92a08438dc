"""The layer rule, kept true: domain imports no Textual/SQL; screens and widgets no store."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cso_console"


def imports_of(folder: Path) -> dict[str, set[str]]:
    out = {}
    for path in folder.rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        out[str(path.relative_to(SRC))] = names
    return out


def offenders(folder: str, banned: tuple[str, ...]) -> list[str]:
    return [
        f"{file}: {name}"
        for file, names in imports_of(SRC / folder).items()
        for name in names
        if name.split(".")[0] in banned or name.startswith(banned)
    ]


def test_domain_is_pure():
    assert (
        offenders(
            "domain",
            (
                "textual",
                "sqlmodel",
                "sqlalchemy",
                "sqlite3",
                "psycopg",
                "rich",
                "cso_console.store",
                "cso_console.desk",
            ),
        )
        == []
    )


def test_ui_never_touches_the_store():
    for folder in ("screens", "widgets"):
        assert (
            offenders(folder, ("sqlmodel", "sqlalchemy", "sqlite3", "psycopg", "cso_console.store"))
            == []
        )


def _loaded_by(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {m.split(".")[0] for m in out.stdout.split()}


def test_domain_desk_and_store_load_no_textual_in_a_fresh_interpreter() -> None:
    for module in ("cso_console.domain.fold", "cso_console.desk", "cso_console.store"):
        assert "textual" not in _loaded_by(module), module
    domain = _loaded_by("cso_console.domain.commands")
    assert not {"sqlalchemy", "sqlmodel", "textual", "sqlite3"} & domain


def test_the_console_runs_without_pydantic() -> None:
    """The domain's records replaced pydantic (~10 MiB of the console's memory): the desk,
    the console's screens, intake and export load none of it (only the schema's table
    definitions do, through sqlmodel, where a schema is compiled)."""
    modules = ", ".join(
        f"cso_console.{m}"
        for m in ("cli", "app", "desk", "intake", "export", "screens.board", "screens.detail",
                  "screens.intake", "screens.roster", "screens.report", "domain.town_files")
    )  # fmt: skip
    assert "pydantic" not in _loaded_by(modules)


def test_relative_imports_are_resolved() -> None:
    """A relative import (``from ..store import x``) counts as the module it names."""
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.relative_to(SRC)}: use absolute imports"


def test_domain_models_are_built_when_first_used_not_at_import() -> None:
    """Importing the desk reads no record's field types (the checks are compiled when a
    record is first made: model building was ~70 ms of start-up); the first use
    compiles the one it needs."""
    code = (
        "import cso_console.desk\n"
        "from cso_console.domain import commands as c, events as e\n"
        "def built(cls): return cls.__dict__.get('_plan') is not None\n"
        "print(built(c.ReceiveCall), built(e.CallReceived))\n"
        "c.ReceiveCall(type_code='NOISE', location='1 Elm Street')\n"
        "print(built(c.ReceiveCall), built(c.Dispatch))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "False"]


def test_the_sign_in_screen_loads_no_domain_model_nor_the_desk() -> None:
    """The console's first paint is the sign-in screen: its code, the app's and the
    command line's load no pydantic model, no desk and no store (they load after it)."""
    loaded = _loaded_by("cso_console.cli, cso_console.app, cso_console.screens.signin")
    assert "pydantic" not in loaded
    code = (
        "import sys, cso_console.cli, cso_console.app, cso_console.screens.signin; "
        "print(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(out.stdout.split())
    heavy = {"cso_console.desk", "cso_console.store.sqlite", "cso_console.domain.town"}
    assert heavy & modules == set()
    assert "cso_console.screens.board" not in modules


def test_the_sign_in_screen_is_drawn_before_the_domain_is_loaded(tmp_path) -> None:
    """Up to the sign-in screen's first frame (the desk still opening) the app loads no
    domain model, no desk and no session code: they load on the opener's thread."""
    code = """
import asyncio, sys, threading
from cso_console.app import ConsoleApp
go = threading.Event()
def opener():
    go.wait(10)
    raise RuntimeError("not opened in this test")
app = ConsoleApp(opener=opener, history_path=sys.argv[1])
async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        heavy = {"pydantic", "cso_console.desk", "cso_console.session", "cso_console.store.sqlite"}
        print(type(app.screen).__name__, sorted(heavy & set(sys.modules)))
        go.set()
asyncio.run(main())
"""
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "history")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["SignInScreen", "[]"]


def test_fuzzy_matching_is_loaded_by_the_first_fuzzy_match_not_by_the_board() -> None:
    """rapidfuzz (and the C++ runtime under it) loads when a typo is first looked for:
    a console that has only shown its board does not carry it."""
    loaded = _loaded_by(
        "cso_console.cli, cso_console.app, cso_console.desk, cso_console.screens.board, "
        "cso_console.screens.detail, cso_console.screens.picker, cso_console.domain.verbs, "
        "cso_console.domain.places, cso_console.domain.call_types, cso_console.demo"
    )
    assert "rapidfuzz" not in loaded
    code = (
        "import sys\n"
        "from cso_console.domain.verbs import close_words\n"
        "print(close_words('DISPTCH', ['DISPATCH', 'CLEAR']), 'rapidfuzz' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['DISPATCH']", "True"]
