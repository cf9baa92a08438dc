"""The keymap file: which keys run which action, read once at start-up (before the app
runs: no file I/O on the UI loop), checked, then handed to ``App.set_keymap``.

Every action has one binding id, the same on every screen that has it (``call.dispatch``
on the board and in the call detail). The file maps ids to keys::

    call.dispatch = "g,f3"          # or ["g", "f3"]
    [nav]
    help = "question_mark,f1"

A file that is not TOML is ignored whole (every default kept). Otherwise each entry is
taken or refused on its own: an unknown id, a key name Textual does not know, or a key
that another action already uses on a screen where both are refused, and that action
keeps its default keys. Every refusal is a sentence starting ``FILE:LINE:``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from textual.keys import KEY_NAME_REPLACEMENTS, KEY_TO_UNICODE_NAME, Keys, _normalize_key_list

# scope (a screen's name) -> binding id -> (default keys, what it does)
Scopes = Mapping[str, Mapping[str, tuple[str, str]]]

MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_NAMED = (
    {k.value for k in Keys}
    | set(KEY_TO_UNICODE_NAME)
    | set(KEY_NAME_REPLACEMENTS.values())
    | {"space", "tab", "enter", "escape", "backspace"}
)


@dataclass
class Keymap:
    keys: dict[str, str] = field(default_factory=dict)  # id -> "key,key" (long names)
    problems: list[str] = field(default_factory=list)


def key_name_ok(key: str) -> bool:
    """A key Textual can report: ``g``, ``G``, ``f3``, ``ctrl+g``, ``question_mark``."""
    if key in _NAMED:
        return True
    *mods, base = key.split("+")
    if any(m not in MODIFIERS for m in mods):
        return False
    return (len(base) == 1 and base.isprintable() and not base.isspace()) or base in _NAMED


def normal_keys(keys: str) -> list[str]:
    """``"?, F3"`` -> ``["question_mark", "f3"]`` (the names bindings use)."""
    parts = [k.strip() for k in keys.split(",")]
    parts = [k if len(k) == 1 else k.lower() for k in parts]
    return _normalize_key_list(",".join(parts)).split(",")


def _line_of(text: str, binding_id: str) -> int:
    """The line an id is given on: ``call.dispatch = ...``, or ``dispatch = ...`` under
    ``[call]``. 1 when it cannot be told (a refusal still names the file)."""
    lines = text.splitlines()
    whole = re.compile(rf"""^\s*["']?{re.escape(binding_id)}["']?\s*=""")
    for number, line in enumerate(lines, 1):
        if whole.match(line):
            return number
    table, _, leaf = binding_id.rpartition(".")
    inside = False
    part = re.compile(rf"""^\s*["']?{re.escape(leaf)}["']?\s*=""")
    for number, line in enumerate(lines, 1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            inside = header.group(1).strip("\"'") == table
        elif inside and part.match(line):
            return number
    return 1


def _flatten(data: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def read_keymap(path: Path, scopes: Scopes | Callable[[], Scopes]) -> Keymap:
    """The keymap in ``path`` checked against the screens' bindings (``scopes``, or what
    makes them: only a file that exists needs them); a file that does not exist is no
    keymap and no problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Keymap()
    except (OSError, UnicodeDecodeError) as exc:
        return Keymap(problems=[f"{path}: could not be read ({exc}); the default keys are kept."])
    return parse_keymap(text, str(path), scopes() if callable(scopes) else scopes)


def parse_keymap(text: str, name: str, scopes: Scopes) -> Keymap:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = found.group(1) if found else "1"
        return Keymap(problems=[f"{name}:{line}: not TOML ({exc}); all the default keys are kept."])
    known: dict[str, str] = {}
    for bindings in scopes.values():
        for binding_id, (_, words) in bindings.items():
            known.setdefault(binding_id, words)
    result = Keymap()
    lines: dict[str, int] = {}
    for binding_id, value in _flatten(data).items():
        line = _line_of(text, binding_id)
        where = f"{name}:{line}"
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            result.problems.append(f"{where}: there is no action {binding_id}{hint}.")
            continue
        if isinstance(value, str):
            raw = value
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            raw = ",".join(value)
        else:
            result.problems.append(
                f'{where}: {binding_id} needs a key name or a list of them, like "g" or '
                f'["g", "f3"]; it keeps its default keys.'
            )
            continue
        keys = normal_keys(raw)
        bad = [k for k in keys if not key_name_ok(k)]
        if bad or not raw.strip():
            result.problems.append(
                f"{where}: {bad[0] if bad else raw!r} is not a key name (for {binding_id}); "
                "it keeps its default keys."
            )
            continue
        result.keys[binding_id] = ",".join(keys)
        lines[binding_id] = line
    _refuse_clashes(result, lines, name, scopes)
    return result


def _refuse_clashes(result: Keymap, lines: dict[str, int], name: str, scopes: Scopes) -> None:
    """Drop the latest-lined entry of each clash (a key two actions of one screen would
    share) until none is left: the actions it touched keep their default keys."""
    while True:
        clash = _first_clash(result.keys, scopes)
        if clash is None:
            return
        scope, key, first, second = clash
        mine = [i for i in (first, second) if i in result.keys]
        dropped = max(mine, key=lambda i: lines[i])
        other = second if dropped == first else first
        words = dict(scopes[scope])[other][1]
        result.problems.append(
            f"{name}:{lines[dropped]}: {key} is already {other} ({words}) on the {scope} "
            f"screen; {dropped} keeps its default keys."
        )
        del result.keys[dropped]


def _first_clash(keymap: dict[str, str], scopes: Scopes) -> tuple[str, str, str, str] | None:
    for scope, bindings in scopes.items():
        owner: dict[str, str] = {}
        for binding_id, (default, _) in bindings.items():
            mapped = keymap.get(binding_id)
            for key in normal_keys(mapped if mapped is not None else default):
                first = owner.setdefault(key, binding_id)
                if first != binding_id and (first in keymap or binding_id in keymap):
                    return scope, key, first, binding_id
    return None
