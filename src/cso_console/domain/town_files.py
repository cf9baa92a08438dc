"""Reading a town from its files, with errors that name file, line and field.

The folder holds ``town.toml`` (name, priorities and targets, officer timer limits), ``beats.csv``,
``beatmap.txt``, ``streets.csv``, ``landmarks.csv``, ``call_types.csv``,
``dispositions.csv``, ``skills.csv`` and ``officers.csv``. Reading files is I/O, but it is
done once, up front, and returns the pure :class:`Town` the rest of the domain uses.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cso_console.domain.record import Invalid
from cso_console.domain.town import (
    Beat,
    CallType,
    Disposition,
    Landmark,
    OfficerTimers,
    Priority,
    RosterOfficer,
    Shift,
    Skill,
    StreetRange,
    Town,
    normalize_place,
)

_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
_SKILL_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_BEAT_RE = re.compile(r"^[A-Z][A-Z0-9]{0,3}$")
_CALL_SIGN_RE = re.compile(r"^[A-Z]{1,3}[0-9]{1,4}$")
_START_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
MAP_MAX_WIDTH = 78


class TownError(Exception):
    """Bad jurisdiction data; ``problems`` lists each as ``file:line: field: message``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, line: int | None, field: str | None, message: str) -> None:
        where = f"{file}:{line}" if line else file
        self.items.append(f"{where}: {field}: {message}" if field else f"{where}: {message}")


def _rows(
    folder: Path, name: str, columns: tuple[str, ...], probs: _Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    path = folder / name
    if not path.is_file():
        probs.add(name, None, None, "file is missing")
        return
    text = _read_text(path, name, probs)
    if text is None:
        return
    reader = csv.DictReader(text.splitlines())
    header = tuple(h.strip() for h in (reader.fieldnames or ()))
    missing = [c for c in columns if c not in header]
    if missing:
        probs.add(name, 1, None, f"header lacks column(s) {', '.join(missing)}")
        return
    for row in _csv_rows(reader, name, probs):
        line = reader.line_num
        if not any((v or "").strip() for v in row.values()):
            continue
        if None in row:
            probs.add(name, line, None, "more fields than the header has")
            continue
        yield line, {k.strip(): (v or "").strip() for k, v in row.items() if k}


MAX_FILE_BYTES = 16 * 1024 * 1024  # a town file larger than this is a mistake


def _read_text(path: Path, name: str, probs: _Problems) -> str | None:
    """A town file as text, or None with the problem said (too large, not UTF-8, unreadable)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        probs.add(name, None, None, f"cannot be read ({exc.strerror or exc})")
        return None
    if len(data) > MAX_FILE_BYTES:
        probs.add(name, None, None, f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        probs.add(name, line, None, "is not UTF-8 text (save it as UTF-8)")
        return None


def _csv_rows(
    reader: csv.DictReader[str], name: str, probs: _Problems
) -> Iterator[dict[str, str | None]]:
    try:
        yield from reader
    except csv.Error as exc:  # a field past the csv module's size limit, a NUL
        probs.add(name, reader.line_num, None, f"cannot be read as CSV ({exc})")


def _build(model: Callable[..., Any], file: str, line: int, probs: _Problems, **fields: Any) -> Any:
    try:
        return model(**fields)
    except Invalid as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "row"
            probs.add(file, line, field, err["msg"])
        return None


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


def _int(value: str, file: str, line: int, field: str, probs: _Problems) -> int | None:
    try:
        return int(value)
    except ValueError:
        probs.add(file, line, field, f"'{value}' is not a whole number")
        return None


def _toml_line(text: str, key: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if re.match(rf"^\s*\[?{re.escape(key)}\b", line):
            return i
    return None


def _zone_and_shifts(data: dict[str, Any], text: str, probs: _Problems) -> dict[str, Any]:
    """``time_zone`` (an IANA name) and ``shifts`` (name and local start ``HH:MM`` each);
    a town without them keeps the defaults (UTC, one shift from 00:00)."""
    name = "town.toml"
    out: dict[str, Any] = {}
    if "time_zone" in data:
        tz = data["time_zone"]
        line = _toml_line(text, "time_zone")
        if not isinstance(tz, str) or not tz.strip():
            probs.add(name, line, "time_zone", "must be a time zone name like America/New_York")
        else:
            try:
                ZoneInfo(tz.strip())
                out["time_zone"] = tz.strip()
            except (ZoneInfoNotFoundError, ValueError):
                probs.add(
                    name,
                    line,
                    "time_zone",
                    f"'{tz}' is not a time zone known here (an IANA name like "
                    "America/New_York; if none is known, install the tzdata package)",
                )
    if "shifts" not in data:
        return out
    raw, line = data["shifts"], _toml_line(text, "shifts")
    if not isinstance(raw, list) or not raw:
        probs.add(name, line, "shifts", 'must be a list like [{name="day", start="07:00"}]')
        return out
    shifts: list[Shift] = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict) or set(item) != {"name", "start"}:
            probs.add(name, line, f"shifts.{i}", "needs exactly a name and a start")
            continue
        if not isinstance(item["start"], str) or not _START_RE.match(item["start"]):
            probs.add(name, line, f"shifts.{i}.start", "must be a time HH:MM, 00:00 to 23:59")
            continue
        if not isinstance(item["name"], str) or not item["name"].strip():
            probs.add(name, line, f"shifts.{i}.name", "must be a non-empty text")
            continue
        s = Shift(name=item["name"].strip(), start=item["start"])
        if any(o.start == s.start for o in shifts):
            probs.add(name, line, f"shifts.{i}.start", f"{s.start} starts two shifts")
        elif any(o.name == s.name for o in shifts):
            probs.add(name, line, f"shifts.{i}.name", f"'{s.name}' is named twice")
        else:
            shifts.append(s)
    if len(shifts) == len(raw):
        out["shifts"] = tuple(sorted(shifts, key=lambda s: s.start))
    return out


def _read_town_toml(folder: Path, probs: _Problems) -> dict[str, Any]:
    name = "town.toml"
    path = folder / name
    if not path.is_file():
        probs.add(name, None, None, "file is missing")
        return {}
    text = _read_text(path, name, probs)
    if text is None:
        return {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        probs.add(name, int(m.group(1)) if m else None, None, f"not valid TOML: {exc}")
        return {}
    except RecursionError:
        probs.add(name, None, None, "not valid TOML: nested too deep")
        return {}
    out: dict[str, Any] = {}
    for key in ("name", "agency"):
        value = data.get(key, "")
        if not isinstance(value, str) or (key == "name" and not value.strip()):
            probs.add(name, _toml_line(text, key), key, "must be a non-empty text")
        else:
            out[key] = value.strip()
    wd = data.get("welfare_default_minutes", 20)
    if not isinstance(wd, int) or isinstance(wd, bool) or not 0 < wd <= 600:
        probs.add(
            name,
            _toml_line(text, "welfare_default_minutes"),
            "welfare_default_minutes",
            "must be minutes between 1 and 600",
        )
    else:
        out["welfare_default_minutes"] = wd
    out.update(_zone_and_shifts(data, text, probs))
    prios = data.get("priorities", {})
    priorities = []
    if not isinstance(prios, dict):
        probs.add(name, _toml_line(text, "priorities"), "priorities", "must be a table")
        prios = {}
    for level in ("1", "2", "3", "4"):
        table = prios.get(level)
        key = f"priorities.{level}"
        if not isinstance(table, dict):
            probs.add(name, _toml_line(text, "priorities"), key, "is missing")
            continue
        p = _build(
            Priority,
            name,
            _toml_line(text, key) or 0,
            probs,
            level=int(level),
            label=table.get("label", f"P{level}"),
            target_minutes=table.get("target_minutes"),
        )
        if p:
            priorities.append(p)
    out["priorities"] = tuple(priorities)
    timers = data.get("officer_timers", {})
    if not isinstance(timers, dict):
        probs.add(name, _toml_line(text, "officer_timers"), "officer_timers", "must be a table")
    else:
        line = _toml_line(text, "officer_timers") or 0
        known = set(OfficerTimers.field_names())
        for key in sorted(set(timers) - known):
            probs.add(
                name, line, f"officer_timers.{key}", f"unknown (known: {', '.join(sorted(known))})"
            )
        wrong = [
            k
            for k in known & set(timers)
            if not isinstance(timers[k], int) or isinstance(timers[k], bool)
        ]
        for key in sorted(wrong):
            probs.add(name, line, f"officer_timers.{key}", "must be whole minutes")
        if not wrong and set(timers) <= known:
            built = _build(OfficerTimers, name, line, probs, **timers)
            if built is not None:
                out["officer_timers"] = built
    return out


def load_town(folder: str | Path) -> Town:
    """Read and validate a town folder; raises :class:`TownError` listing every problem."""
    folder = Path(folder)
    probs = _Problems()
    if not folder.is_dir():
        raise TownError([f"{folder}: not a folder with town files"])
    head = _read_town_toml(folder, probs)

    skills: dict[str, Skill] = {}
    for line, r in _rows(folder, "skills.csv", ("code", "label"), probs):
        if not _SKILL_RE.match(r["code"]):
            probs.add(
                "skills.csv",
                line,
                "code",
                f"'{r['code']}' must be lower-case letters, digits and dashes",
            )
        elif r["code"] in skills:
            probs.add("skills.csv", line, "code", f"'{r['code']}' is listed twice")
        elif s := _build(Skill, "skills.csv", line, probs, code=r["code"], label=r["label"]):
            skills[s.code] = s

    beats: dict[str, tuple[int, Beat]] = {}
    for line, r in _rows(folder, "beats.csv", ("id", "name", "neighbours"), probs):
        if not _BEAT_RE.match(r["id"]):
            probs.add("beats.csv", line, "id", f"'{r['id']}' must be like B1")
        elif r["id"] in beats:
            probs.add("beats.csv", line, "id", f"'{r['id']}' is listed twice")
        elif not r["name"]:
            probs.add("beats.csv", line, "name", "is empty")
        else:
            beats[r["id"]] = (
                line,
                Beat(id=r["id"], name=r["name"], neighbours=_split(r["neighbours"])),
            )
    for bid, (line, beat) in beats.items():
        for n in beat.neighbours:
            if n not in beats:
                probs.add("beats.csv", line, "neighbours", f"unknown beat '{n}'")
            elif bid not in beats[n][1].neighbours:
                probs.add(
                    "beats.csv", line, "neighbours", f"{bid} lists {n} but {n} does not list {bid}"
                )

    beat_map = ""
    map_path = folder / "beatmap.txt"
    if not map_path.is_file():
        probs.add("beatmap.txt", None, None, "file is missing")
    else:
        beat_map = (_read_text(map_path, "beatmap.txt", probs) or "").rstrip("\n")
        for i, text in enumerate(beat_map.splitlines(), 1):
            if len(text) > MAP_MAX_WIDTH:
                probs.add("beatmap.txt", i, None, f"{len(text)} columns; at most {MAP_MAX_WIDTH}")
            if not text.isascii():
                probs.add("beatmap.txt", i, None, "only ASCII characters are allowed")
        for bid in beats:
            if len(re.findall(rf"\b{re.escape(bid)}\b", beat_map)) != 1:
                probs.add("beatmap.txt", None, None, f"beat {bid} must be written exactly once")

    streets: list[StreetRange] = []
    named: dict[str, list[StreetRange]] = {}  # by normalized name: each name once, not n^2
    for line, r in _rows(folder, "streets.csv", ("name", "from", "to", "beat"), probs):
        low = _int(r["from"], "streets.csv", line, "from", probs)
        high = _int(r["to"], "streets.csv", line, "to", probs)
        if low is None or high is None:
            continue
        if not r["name"]:
            probs.add("streets.csv", line, "name", "is empty")
        elif r["beat"] not in beats:
            probs.add("streets.csv", line, "beat", f"unknown beat '{r['beat']}'")
        elif low > high:
            probs.add("streets.csv", line, "to", f"{high} is below from ({low})")
        else:
            same = named.setdefault(normalize_place(r["name"]), [])
            clash = [s for s in same if s.low <= high and low <= s.high]
            if clash:
                probs.add(
                    "streets.csv",
                    line,
                    "from",
                    f"{low}-{high} overlaps {clash[0].low}-{clash[0].high} of {r['name']}",
                )
            elif s := _build(
                StreetRange,
                "streets.csv",
                line,
                probs,
                name=r["name"],
                low=low,
                high=high,
                beat=r["beat"],
            ):
                streets.append(s)
                same.append(s)

    call_types: dict[str, CallType] = {}
    for line, r in _rows(
        folder,
        "call_types.csv",
        ("code", "label", "priority", "skill", "welfare_minutes", "emergency"),
        probs,
    ):
        f = "call_types.csv"
        code = r["code"].upper()
        prio = _int(r["priority"], f, line, "priority", probs)
        welfare = (
            _int(r["welfare_minutes"], f, line, "welfare_minutes", probs)
            if r["welfare_minutes"]
            else None
        )
        emergency = r["emergency"].lower()
        if not _CODE_RE.match(code):
            probs.add(f, line, "code", f"'{r['code']}' must be letters and digits, up to 8")
        elif code in call_types:
            probs.add(f, line, "code", f"'{code}' is listed twice")
        elif r["skill"] and r["skill"] not in skills:
            probs.add(f, line, "skill", f"unknown skill '{r['skill']}'")
        elif emergency not in ("true", "false", "yes", "no", ""):
            probs.add(f, line, "emergency", f"'{r['emergency']}' must be true or false")
        elif prio is not None and (
            ct := _build(
                CallType,
                f,
                line,
                probs,
                code=code,
                label=r["label"],
                priority=prio,
                skill=r["skill"] or None,
                welfare_minutes=welfare,
                emergency=emergency in ("true", "yes"),
            )
        ):
            if not ct.label:
                probs.add(f, line, "label", "is empty")
            call_types[code] = ct

    dispositions: dict[str, Disposition] = {}
    for line, r in _rows(folder, "dispositions.csv", ("code", "label"), probs):
        code = r["code"].upper()
        if not _CODE_RE.match(code):
            probs.add("dispositions.csv", line, "code", f"'{r['code']}' must be letters/digits")
        elif code in dispositions:
            probs.add("dispositions.csv", line, "code", f"'{code}' is listed twice")
        elif not r["label"]:
            probs.add("dispositions.csv", line, "label", "is empty")
        else:
            dispositions[code] = Disposition(code=code, label=r["label"])

    officers: dict[str, RosterOfficer] = {}
    for line, r in _rows(folder, "officers.csv", ("call_sign", "name", "skills", "beat"), probs):
        f = "officers.csv"
        cs = r["call_sign"].upper()
        unknown = [s for s in _split(r["skills"]) if s not in skills]
        if not _CALL_SIGN_RE.match(cs):
            probs.add(f, line, "call_sign", f"'{r['call_sign']}' must be like C12")
        elif cs in officers:
            probs.add(f, line, "call_sign", f"'{cs}' is listed twice")
        elif not r["name"]:
            probs.add(f, line, "name", "is empty")
        elif unknown:
            probs.add(f, line, "skills", f"unknown skill(s) {', '.join(unknown)}")
        elif r["beat"] not in beats:
            probs.add(f, line, "beat", f"unknown beat '{r['beat']}'")
        else:
            officers[cs] = RosterOfficer(
                call_sign=cs, name=r["name"], skills=_split(r["skills"]), beat=r["beat"]
            )

    landmark_rows: list[tuple[int, Landmark]] = []
    for line, r in _rows(folder, "landmarks.csv", ("name", "address", "aliases"), probs):
        if not r["name"]:
            probs.add("landmarks.csv", line, "name", "is empty")
        elif lm := _build(
            Landmark,
            "landmarks.csv",
            line,
            probs,
            name=r["name"],
            address=r["address"],
            aliases=_split(r["aliases"]),
        ):
            landmark_rows.append((line, lm))

    if not call_types:
        probs.add("call_types.csv", None, None, "no call types")
    if not dispositions:
        probs.add("dispositions.csv", None, None, "no dispositions")
    if not beats:
        probs.add("beats.csv", None, None, "no beats")
    if probs.items:
        raise TownError(probs.items)

    town = Town(
        name=head["name"],
        agency=head.get("agency", ""),
        welfare_default_minutes=head["welfare_default_minutes"],
        officer_timers=head.get("officer_timers", OfficerTimers()),
        **{k: head[k] for k in ("time_zone", "shifts") if k in head},
        priorities=head["priorities"],
        beats=tuple(b for _, b in beats.values()),
        beat_map=beat_map,
        streets=tuple(streets),
        landmarks=tuple(lm for _, lm in landmark_rows),
        call_types=tuple(call_types.values()),
        dispositions=tuple(dispositions.values()),
        skills=tuple(skills.values()),
        officers=tuple(officers.values()),
    )
    for line, lm in landmark_rows:
        loc = town.resolve_location(lm.address)
        if loc.kind != "address":
            probs.add(
                "landmarks.csv",
                line,
                "address",
                f"'{lm.address}' is not a number on a street in streets.csv",
            )
    if probs.items:
        raise TownError(probs.items)
    return town
