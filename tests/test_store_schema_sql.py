"""A new database file is made from plain SQL (``store/schema_sql.py``), not from the
SQLModel metadata at run time: the two must say the same, and making a file must not
import SQLAlchemy (about 0.4 s of the console's start-up).

When ``store/tables.py`` changes, make the plain SQL anew:

    .venv/bin/python tests/test_store_schema_sql.py > src/cso_console/store/schema_sql.py
    .venv/bin/ruff format src/cso_console/store/schema_sql.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cso_console.store import schema_sql
from cso_console.store.database import schema_ddl

HEAD = '''# ruff: noqa: E501  (generated: one statement a line)
"""The schema's DDL as plain SQL, so a new file is created without importing
SQLAlchemy (about 0.4 s of start-up). Generated from the SQLModel tables
(``store/tables.py``) by ``database.schema_ddl``: see tests/test_store_schema_sql.py,
which fails when the two differ and says how to make this file anew.
"""

DDL: tuple[str, ...] = ('''


def render() -> str:
    lines = [HEAD] + [f"    {stmt.strip()!r}," for stmt in schema_ddl()] + [")"]
    return "\n".join(lines) + "\n"


def test_the_plain_sql_is_the_metadatas_ddl() -> None:
    expected = tuple(stmt.strip() for stmt in schema_ddl())
    assert schema_sql.DDL == expected, "store/tables.py changed: see this test's docstring"


def test_a_new_file_is_made_without_sqlalchemy(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from cso_console.desk import Desk\n"
        "from cso_console.domain.town_files import load_town\n"
        "from cso_console.paths import bundled_town_dir\n"
        f"Desk.open({str(tmp_path / 'new.db')!r}, load_town(bundled_town_dir())).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert (tmp_path / "new.db").exists()


if __name__ == "__main__":
    print(render(), end="")
