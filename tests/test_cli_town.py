"""The real `cso-console` entry point: --version, --help, and `town` (good and bad data)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cso_console.paths import bundled_town_dir

from .cli_run import run_cli

pytestmark = pytest.mark.slow

DATA = bundled_town_dir()
EXIT_CODE_LINES = (
    "exit codes:",
    "0  done",
    "1  done in part",
    "2  could not run",
    "3  the disk is full",
)


def csv_rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if any((v or "").strip() for v in r.values())]


# --version / --help ----------------------------------------------------------------


def test_version(env: dict[str, str]) -> None:
    from cso_console import __version__

    r = run_cli("--version", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"cso-console {__version__}"


@pytest.mark.parametrize("command", [None, "run", "town", "intake", "export", "check"])
def test_help_lists_exit_codes(env: dict[str, str], command: str | None) -> None:
    r = run_cli(*([command] if command else []), "--help", env=env)
    assert r.returncode == 0, r.stderr
    for text in EXIT_CODE_LINES:
        assert text in r.stdout, f"{command or 'cso-console'} --help lacks {text!r}"


# town: the bundled data ----------------------------------------------------------------


def test_town_human_output_names_town_and_counts(env: dict[str, str]) -> None:
    r = run_cli("town", env=env)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Harbor Falls" in out.splitlines()[0]
    expected = {
        "beats": len(csv_rows("beats.csv")),
        "landmarks": len(csv_rows("landmarks.csv")),
        "call types": len(csv_rows("call_types.csv")),
        "dispositions": len(csv_rows("dispositions.csv")),
        "skills": len(csv_rows("skills.csv")),
        "officers": len(csv_rows("officers.csv")),
    }
    for label, n in expected.items():
        assert re.search(rf"^{label}\s+{n}\b", out, re.M), f"{label} {n} not in:\n{out}"
    streets = csv_rows("streets.csv")
    names = {s["name"] for s in streets}
    assert re.search(rf"^streets\s+{len(names)} names, {len(streets)} address ranges", out, re.M)
    emergency = sum(
        r["emergency"].strip().lower() in ("true", "yes") for r in csv_rows("call_types.csv")
    )
    assert f"({emergency} emergency" in out


def test_town_json_is_one_object_with_the_data(env: dict[str, str]) -> None:
    r = run_cli("town", "--json", env=env)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)  # the whole output is exactly one JSON document
    assert isinstance(doc, dict)
    keys = {
        "call_types": {"code", "label", "priority", "emergency"},
        "beats": {"id", "name", "neighbours"},
        "streets": {"name", "from", "to", "beat"},
        "landmarks": {"name", "address"},
        "dispositions": {"code", "label"},
        "officers": {"call_sign", "name", "skills", "beat"},
    }
    for section, fields in keys.items():
        assert isinstance(doc[section], list) and doc[section], section
        for item in doc[section]:
            assert fields <= set(item), (section, item)

    # the counts the data files have
    files = {
        "call_types": "call_types.csv",
        "beats": "beats.csv",
        "streets": "streets.csv",
        "landmarks": "landmarks.csv",
        "dispositions": "dispositions.csv",
        "officers": "officers.csv",
    }
    for section, name in files.items():
        assert len(doc[section]) == len(csv_rows(name)), section
    assert len(doc["call_types"]) >= 25
    assert 6 <= len(doc["beats"]) <= 9
    assert len(doc["streets"]) >= 60
    assert len(doc["landmarks"]) >= 15
    assert len(doc["dispositions"]) >= 8
    assert len(doc["officers"]) >= 20

    # types and cross-references
    types = {c["code"]: c for c in doc["call_types"]}
    assert any(c["emergency"] for c in doc["call_types"])
    assert types["FIRE"]["emergency"] is True and types["NOISE"]["emergency"] is False
    assert all(
        isinstance(c["priority"], int) and 1 <= c["priority"] <= 4 for c in doc["call_types"]
    )
    beat_ids = {b["id"] for b in doc["beats"]}
    for b in doc["beats"]:
        assert isinstance(b["neighbours"], list)
        for n in b["neighbours"]:
            assert b["id"] in next(x for x in doc["beats"] if x["id"] == n)["neighbours"]
    for s in doc["streets"]:
        assert isinstance(s["from"], int) and isinstance(s["to"], int) and s["from"] <= s["to"]
        assert s["beat"] in beat_ids
    for o in doc["officers"]:
        assert isinstance(o["skills"], list) and o["beat"] in beat_ids


# town: bad data ----------------------------------------------------------------------


def _replace_line(path: Path, starts: str, new: str) -> int:
    """Replace the line starting with ``starts``; return its 1-based number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(starts):
            lines[i] = new
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return i + 1
    raise AssertionError(f"no line starting {starts!r} in {path}")


def _street_unknown_beat(folder: Path) -> list[str]:
    n = _replace_line(folder / "streets.csv", "Elm Street,", "Elm Street,100,899,B9")
    return [f"{folder / 'streets.csv'}:{n}: beat:", "B9"]


def _street_from_not_number(folder: Path) -> list[str]:
    n = _replace_line(folder / "streets.csv", "Birch Lane,", "Birch Lane,abc,499,B1")
    return [f"{folder / 'streets.csv'}:{n}: from:", "'abc'"]


def _call_type_unknown_skill(folder: Path) -> list[str]:
    n = _replace_line(folder / "call_types.csv", "LOCK,", "LOCK,Vehicle lockout,3,locksmith,,false")
    return [f"{folder / 'call_types.csv'}:{n}: skill:", "locksmith"]


def _asymmetric_neighbours(folder: Path) -> list[str]:
    n = _replace_line(folder / "beats.csv", "B3,", "B3,Millbrook,B2;B6;B8")
    return [f"{folder / 'beats.csv'}:{n}: neighbours:", "B8"]


def _missing_file(folder: Path) -> list[str]:
    (folder / "officers.csv").unlink()
    return [f"{folder / 'officers.csv'}", "missing"]


def _bad_toml(folder: Path) -> list[str]:
    n = _replace_line(
        folder / "town.toml", "welfare_default_minutes", "welfare_default_minutes = = 20"
    )
    return [f"{folder / 'town.toml'}:{n}:", "TOML"]


BREAKS: dict[str, Callable[[Path], list[str]]] = {
    "street-unknown-beat": _street_unknown_beat,
    "street-from-not-a-number": _street_from_not_number,
    "call-type-unknown-skill": _call_type_unknown_skill,
    "asymmetric-neighbours": _asymmetric_neighbours,
    "missing-file": _missing_file,
    "bad-toml": _bad_toml,
}


@pytest.fixture
def town_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "town"
    shutil.copytree(DATA, folder)
    return folder


@pytest.mark.parametrize("case", list(BREAKS))
def test_bad_town_data_names_file_line_field(
    env: dict[str, str], town_copy: Path, case: str
) -> None:
    expected = BREAKS[case](town_copy)
    r = run_cli("town", "--town", town_copy, env=env)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == ""
    for text in expected:
        assert text in r.stderr, f"{text!r} not in stderr:\n{r.stderr}"


@pytest.mark.parametrize(
    "folder_name, break_it, file_name",
    [
        ("town", _bad_toml, "town.toml"),
        ("s", _street_unknown_beat, "streets.csv"),
    ],
)
def test_bad_town_data_relative_folder_is_named(
    env: dict[str, str],
    tmp_path: Path,
    folder_name: str,
    break_it: Callable[[Path], list[str]],
    file_name: str,
) -> None:
    folder = tmp_path / folder_name
    shutil.copytree(DATA, folder)
    break_it(folder)
    r = run_cli("town", "--town", folder_name, env=env, cwd=tmp_path)
    assert r.returncode == 2
    assert f"  {folder_name}/{file_name}:" in r.stderr, r.stderr
