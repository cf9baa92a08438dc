"""town.toml's time zone and shifts: read, checked, and defaulted when absent."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cso_console.domain.town import Shift
from cso_console.domain.town_files import TownError, load_town
from cso_console.paths import bundled_town_dir


def _town_with(tmp_path: Path, zone_and_shifts: str) -> Path:
    folder = tmp_path / "town"
    shutil.copytree(bundled_town_dir(), folder)
    toml = folder / "town.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(
        r"# The agency's time zone.*?\]\n", "", text, flags=re.S
    )  # the demo's zone and shifts
    assert "time_zone" not in text and "shifts" not in text
    head, rest = text.split("[priorities.1]", 1)
    toml.write_text(head + zone_and_shifts + "\n[priorities.1]" + rest, encoding="utf-8")
    return folder


def test_the_demo_town_has_new_york_and_three_shifts() -> None:
    town = load_town(bundled_town_dir())
    assert town.time_zone == "America/New_York"
    assert [(s.name, s.start) for s in town.shifts] == [
        ("day", "07:00"),
        ("evening", "15:00"),
        ("night", "23:00"),
    ]


def test_a_town_without_them_is_utc_with_one_shift_from_midnight(tmp_path: Path) -> None:
    town = load_town(_town_with(tmp_path, ""))
    assert town.time_zone == "UTC"
    assert town.shifts == (Shift(name="day", start="00:00"),)


def test_shifts_are_sorted_by_start(tmp_path: Path) -> None:
    folder = _town_with(
        tmp_path,
        'time_zone = "Europe/Berlin"\n'
        'shifts = [{name="late", start="14:00"}, {name="early", start="06:00"}]\n',
    )
    town = load_town(folder)
    assert town.time_zone == "Europe/Berlin"
    assert [s.name for s in town.shifts] == ["early", "late"]


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        ('time_zone = "Mars/Olympus"', "time_zone: 'Mars/Olympus' is not a time zone known here"),
        ('time_zone = "../../etc/passwd"', "is not a time zone known here"),
        ("time_zone = 5", "time_zone: must be a time zone name"),
        ('shifts = [{name="day", start="7:00"}]', "shifts.1.start: must be a time HH:MM"),
        ('shifts = [{name="day", start="24:00"}]', "shifts.1.start: must be a time HH:MM"),
        ('shifts = [{name="day"}]', "shifts.1: needs exactly a name and a start"),
        ('shifts = [{name="", start="07:00"}]', "shifts.1.name"),
        ("shifts = []", "shifts: must be a list"),
        ('shifts = "day"', "shifts: must be a list"),
        (
            'shifts = [{name="a", start="07:00"}, {name="b", start="07:00"}]',
            "shifts.2.start: 07:00 starts two shifts",
        ),
        (
            'shifts = [{name="a", start="07:00"}, {name="a", start="19:00"}]',
            "shifts.2.name: 'a' is named twice",
        ),
    ],
)
def test_bad_zone_or_shifts_are_refused_with_the_line(
    tmp_path: Path, lines: str, says: str
) -> None:
    with pytest.raises(TownError) as err:
        load_town(_town_with(tmp_path, lines + "\n"))
    problems = "\n".join(err.value.problems)
    assert says in problems
    assert problems.startswith("town.toml:")
