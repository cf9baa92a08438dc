"""The palette (ctrl+p): every action of the screen underneath, with the key in force
(the keymap file's, if it moved one); typing filters, Enter runs the chosen one.

Entries come from ``SOURCES``, functions of the screen underneath. The screen's own
actions are the first source, the command line's verbs the second (choosing one opens the
`:` line with the verb typed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from cso_console.screens.help import screen_title
from cso_console.screens.picker import Choice, PickerScreen
from cso_console.widgets.format import fit
from cso_console.widgets.keys import key_label, keys_of, own_bindings


@dataclass(frozen=True)
class PaletteEntry:
    name: str  # what it does, in words
    keys: str  # how to reach it without the palette: keys, or a command's synopsis
    run: Callable[[], object]
    help: str = ""


def screen_actions(screen: Screen[Any]) -> list[PaletteEntry]:
    """The screen's actions and its widgets', one per description (as help lists them)."""
    app = screen.app
    found: dict[str, tuple[list[str], Callable[[], object]]] = {}
    for node, binding in own_bindings(screen):
        if not binding.description or binding.action.endswith("palette"):
            continue
        keys = [key_label(app, k) for k in keys_of(app, binding)]
        if binding.description not in found:

            def run(action: str = binding.action, node: Any = node) -> None:
                app.call_later(app.run_action, action, node)

            found[binding.description] = ([], run)
        shown = found[binding.description][0]
        shown += [k for k in keys if k not in shown]
    return [PaletteEntry(name, " / ".join(keys), run) for name, (keys, run) in found.items()]


def command_verbs(screen: Screen[Any]) -> list[PaletteEntry]:
    """The command line's verbs (``domain/verbs.py``'s table): choosing one opens the
    `:` line with the verb typed, for its arguments."""
    from cso_console.domain.verbs import VERBS

    app: Any = screen.app
    entries = []
    for verb in VERBS:

        def run(name: str = verb.name) -> None:
            app.call_later(app.action_command_line, f"{name} ")

        lead = " (lead)" if verb.lead_only else ""
        entries.append(PaletteEntry(verb.synopsis, ":", run, verb.help + lead))
    return entries


SOURCES: list[Callable[[Screen[Any]], list[PaletteEntry]]] = [screen_actions, command_verbs]


class PaletteScreen(PickerScreen):
    """The palette over ``screen``: a picker whose choices run something."""

    def __init__(self, screen: Screen[Any]) -> None:
        self.entries = {e.name: e for source in SOURCES for e in source(screen)}
        choices = [
            Choice(  # one line each: the help is cut, not wrapped
                e.name,
                fit(f"{e.keys:<18} {e.name}{f' - {e.help}' if e.help else ''}", 74).rstrip(),
                search=e.keys,
            )
            for e in self.entries.values()
        ]
        super().__init__(
            f"PALETTE - {screen_title(screen)}",
            choices,
            enter="runs",
        )
