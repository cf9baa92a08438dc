"""The keys as they are now: a binding's default keys, or the keymap file's for its id.
Help, the key-hint lines and the palette all read keys through here, so a remap shows
everywhere at once."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from cso_console.widgets.steady import Steady

_ASCII_KEYS = str.maketrans(
    {"\u2191": "up", "\u2193": "down", "\u2190": "left", "\u2192": "right", "\u23ce": "Enter"}
)
_NAMES = {"enter": "Enter", "esc": "Esc", "tab": "Tab", "shift+tab": "Shift+Tab"}


def keys_of(app: App[Any], binding: Binding) -> list[str]:
    """The keys that run ``binding`` now (long names: ``question_mark``, ``f3``)."""
    keymap: dict[str, str] = getattr(app, "keymap", {})
    mapped = keymap.get(binding.id) if binding.id else None
    return [k.strip() for k in (mapped or binding.key).split(",") if k.strip()]


def key_label(app: App[Any], key: str) -> str:
    """How a key is written on screen, in ASCII: ``?``, ``F3``, ``^l``, ``Enter``."""
    shown = app.get_key_display(Binding(key, "")).translate(_ASCII_KEYS)
    shown = _NAMES.get(shown.lower(), shown)
    if len(shown) >= 2 and shown[0] in "fF" and shown[1:].isdigit():
        return shown.upper()
    return shown


def own_bindings(screen: Screen[Any]) -> list[tuple[DOMNode, Binding]]:
    """The console's bindings on a screen: the screen's and its widgets', in order (a
    text field's editing keys are every field's, not this screen's)."""
    found: list[tuple[DOMNode, Binding]] = []
    for node in [screen, *screen.query("*")]:
        if not type(node).__module__.startswith("cso_console."):
            continue
        found += [(node, b) for b in getattr(node, "BINDINGS", []) if isinstance(b, Binding)]
    return found


Hint = str | tuple[str | tuple[str, ...], str]  # literal text, or (id or ids, word)


def hint_line(screen: Screen[Any], hints: list[Hint], sep: str = "  ", every: bool = False) -> str:
    """``n new  d dispatch  ? help`` from the keys in force: each id's shortest-written
    key (``d`` rather than ``F3``), the first of equals; ``every``: all its keys
    (``n/Esc no``)."""
    app = screen.app
    first: dict[str, str] = {}
    for _, binding in own_bindings(screen):
        if binding.id and binding.id not in first:
            labels = [key_label(app, k) for k in keys_of(app, binding)]
            labels = [lb.capitalize() if len(lb) > 1 and lb.islower() else lb for lb in labels]
            if labels and every:
                first[binding.id] = "/".join(dict.fromkeys(labels))
            elif labels:
                first[binding.id] = min(labels, key=lambda label: len(label) > 1)
    parts: list[str] = []
    for hint in hints:
        if isinstance(hint, str):
            parts.append(hint)
            continue
        ids, word = hint
        shown = [first[i] for i in ((ids,) if isinstance(ids, str) else ids) if i in first]
        if shown:
            parts.append(f"{'/'.join(shown)} {word}".rstrip())
    return sep.join(parts)


class KeyHints(Steady, Static):
    """The key-hint line at a screen's foot, written from the keys in force."""

    DEFAULT_CSS = "KeyHints { height: 1; color: $text-muted; }"

    def __init__(
        self,
        *hints: Hint,
        sep: str = "  ",
        id: str = "keys",
        classes: str | None = None,
        every: bool = False,
    ) -> None:
        super().__init__("", id=id, markup=False, classes=classes)
        self.hints = list(hints)
        self.sep = sep
        self.every = every

    def on_mount(self) -> None:
        self.show_keys()

    def show_keys(self) -> None:
        """The hints again (after the line said something else)."""
        self.update(hint_line(self.screen, self.hints, self.sep, self.every))
