"""Where things live: the bundled demo town and the default database."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "cso-console"


def bundled_town_dir() -> Path:
    """The demo town shipped in the wheel (``cso_console/data``), or ``data/`` in a checkout."""
    packaged = Path(str(files("cso_console"))) / "data"
    if (packaged / "town.toml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "data"
    return checkout


def default_db_path() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "desk.db"


def demo_db_path() -> Path:
    """Where ``--demo`` writes its story (fresh at every start), for export and check."""
    return user_data_path(APP_NAME, appauthor=False) / "demo.db"


def command_history_path() -> Path:
    """The `:` line's history, kept across restarts (owner-only)."""
    return user_data_path(APP_NAME, appauthor=False) / "command-history"


def default_keymap_path() -> Path:
    """The keymap file read at every start, when it exists (see keymap.py)."""
    return user_config_path(APP_NAME, appauthor=False) / "keymap.toml"
