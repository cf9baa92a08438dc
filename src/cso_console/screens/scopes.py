"""Which actions each screen has (its bindings, its lists' and the app's), for checking a
keymap file before the app runs: a key may serve one action per screen."""

from __future__ import annotations

from textual.binding import Binding

from cso_console.keymap import Scopes


def _add(scope: dict[str, tuple[str, str]], bindings: list[Binding]) -> None:
    for binding in bindings:
        if binding.id is None:
            continue
        keys, words = scope.get(binding.id, ("", binding.description))
        scope[binding.id] = (",".join(k for k in (keys, binding.key) if k), words)


def binding_scopes() -> Scopes:
    """Screen name -> binding id -> (default keys, what it does)."""
    from cso_console.app import ConsoleApp
    from cso_console.screens.alerts import AlertsScreen
    from cso_console.screens.beatmap import BeatMapScreen
    from cso_console.screens.board import BoardScreen
    from cso_console.screens.confirm import ConfirmScreen
    from cso_console.screens.detail import CallDetailScreen
    from cso_console.screens.firstrun import FirstRunScreen
    from cso_console.screens.help import HelpScreen
    from cso_console.screens.history import PremiseHistoryScreen
    from cso_console.screens.intake import IntakeScreen
    from cso_console.screens.lock import LockScreen
    from cso_console.screens.picker import PickerScreen, TextPrompt
    from cso_console.screens.report import ReportScreen
    from cso_console.screens.roster import RosterScreen
    from cso_console.screens.search import SearchScreen
    from cso_console.widgets.rowlist import RowList

    with_lists = (BoardScreen, AlertsScreen, PremiseHistoryScreen, RosterScreen, SearchScreen)
    screens = (
        *with_lists,
        BeatMapScreen,
        CallDetailScreen,
        ConfirmScreen,
        FirstRunScreen,
        HelpScreen,
        IntakeScreen,
        LockScreen,
        PickerScreen,
        ReportScreen,
        TextPrompt,
    )
    scopes: dict[str, dict[str, tuple[str, str]]] = {}
    for screen in screens:
        scope: dict[str, tuple[str, str]] = {}
        bindings: list[Binding] = [b for b in screen.BINDINGS if isinstance(b, Binding)]
        if screen in with_lists:
            bindings += [b for b in RowList.BINDINGS if isinstance(b, Binding)]
        bindings += [b for b in ConsoleApp.BINDINGS if isinstance(b, Binding)]
        _add(scope, bindings)
        scopes[getattr(screen, "HELP_TITLE", "") or screen.__name__.removesuffix("Screen")] = scope
    return scopes
