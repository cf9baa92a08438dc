"""The demo town loads, resolves addresses and measures beats."""

from __future__ import annotations


def test_demo_town_sizes(town):
    assert 6 <= len(town.beats) <= 9
    assert len(town.streets) >= 60 and len(town.landmarks) >= 15
    assert len(town.call_types) >= 25 and any(t.emergency for t in town.call_types)
    assert len(town.dispositions) >= 8 and len(town.officers) >= 20
    assert all(len(line) <= 80 for line in town.beat_map.splitlines())


def test_address_resolution(town):
    loc = town.resolve_location("200 civic center dr")
    assert (loc.text, loc.verified, loc.beat_id) == ("200 Civic Center Drive", True, "B5")
    lm = town.resolve_location("city hall")
    assert lm.kind == "landmark" and lm.beat_id == "B5"
    odd = town.resolve_location("behind the old cannery")
    assert (odd.verified, odd.beat_id, odd.text) == (False, None, "behind the old cannery")


def test_beat_distance_follows_neighbours(town):
    assert town.beat_distance("B1", "B1") == 0
    assert town.beat_distance("B1", "B2") == 1
    assert town.beat_distance("B1", "B8") >= 2
    assert town.beat_distance("B1", None) is None


def test_overlapping_ranges_of_one_street_are_refused_however_it_is_spelled(tmp_path):
    """An address range overlapping an earlier one of the same street (its name spelled
    another way) is a problem naming both ranges; a range of another street is not."""
    import shutil

    import pytest

    from cso_console.domain.town_files import TownError, load_town
    from cso_console.paths import bundled_town_dir

    folder = tmp_path / "town"
    shutil.copytree(bundled_town_dir(), folder)
    streets = folder / "streets.csv"
    first = streets.read_text().splitlines()[1].split(",")
    name, low, high, beat = first[0], int(first[1]), int(first[2]), first[3]
    respelled = name.lower().replace("street", "st.")
    extra = [f"{respelled},{high},{high + 10},{beat}", f"Nowhere Lane,{low},{high},{beat}"]
    streets.write_text(streets.read_text() + "\n".join(extra) + "\n")
    with pytest.raises(TownError) as err:
        load_town(folder)
    problems = [p for p in err.value.problems if "overlaps" in p]
    assert len(problems) == 1
    assert f"{high}-{high + 10} overlaps {low}-{high} of {respelled}" in problems[0]
