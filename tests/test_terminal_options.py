"""The console's terminal options: --theme, the theme chosen from the colour depth,
--keymap naming a file that is not there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cso_console.app import console_theme

from .cli_run import run_cli


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}


def test_an_unknown_theme_is_refused_with_a_sentence(tmp_path: Path) -> None:
    out = run_cli("--demo", "--theme", "neon", env=_env(tmp_path))
    assert out.returncode == 2
    assert "--theme neon: there is no such theme; the themes are" in out.stderr
    assert "ansi-dark" in out.stderr and "Traceback" not in out.stderr


def test_a_missing_keymap_file_is_refused(tmp_path: Path) -> None:
    out = run_cli("--demo", "--keymap", tmp_path / "nope.toml", env=_env(tmp_path))
    assert out.returncode == 2
    assert "nope.toml: there is no such file; nothing was started." in out.stderr


@pytest.mark.parametrize(
    ("system", "colorfgbg", "theme"),
    [
        ("truecolor", "", "textual-dark"),
        ("256", "", "textual-dark"),
        ("standard", "", "ansi-dark"),
        ("standard", "15;0", "ansi-dark"),
        ("standard", "0;15", "ansi-light"),
        (None, "", "ansi-dark"),
    ],
)
def test_theme_from_the_colour_depth(monkeypatch, system, colorfgbg, theme) -> None:
    monkeypatch.setenv("COLORFGBG", colorfgbg)
    assert console_theme(system) == theme


def test_no_color_draws_an_ansi_theme_as_textuals(monkeypatch) -> None:
    from cso_console.app import legible_theme

    monkeypatch.setenv("NO_COLOR", "1")
    assert legible_theme("ansi-dark") == "textual-dark"
    assert legible_theme("ansi-light") == "textual-light"
    assert legible_theme("textual-light") == "textual-light"
    monkeypatch.delenv("NO_COLOR")
    assert legible_theme("ansi-dark") == "ansi-dark"
