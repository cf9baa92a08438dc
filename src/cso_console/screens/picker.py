"""A picker: typing filters, arrows move, Enter chooses, Esc goes back."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cso_console.text import terminal_safe
from cso_console.widgets.keys import KeyHints
from cso_console.widgets.steady import Steady


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    enabled: bool = True
    search: str = ""  # extra text that filtering matches
    why: str = ""  # why it cannot be chosen (said when someone tries)


class PickerScreen(Steady, ModalScreen[str | None]):
    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen > Vertical { width: 78; height: auto; max-height: 22; border: ascii $accent;
                              background: $surface; padding: 0 1; }
    PickerScreen Input { border: none; height: 1; padding: 0; margin-bottom: 1; }
    PickerScreen OptionList { height: auto; max-height: 16; border: none; padding: 0;
                              scrollbar-size-vertical: 1; }
    PickerScreen #hint { color: $text-muted; }
    /* NO_COLOR: the line Enter acts on in reverse video, not a grey a screen may lose */
    PickerScreen:nocolor OptionList > .option-list--option-highlighted { text-style: bold reverse; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="nav.back"),
        Binding("down", "move(1)", "Down", show=False, id="nav.down"),
        Binding("up", "move(-1)", "Up", show=False, id="nav.up"),
        Binding("pagedown", "move(8)", "Page down", show=False, id="nav.pagedown"),
        Binding("pageup", "move(-8)", "Page up", show=False, id="nav.pageup"),
    ]

    def __init__(self, title: str, choices: list[Choice], enter: str = "chooses") -> None:
        """``enter``: what Enter does, for the hint line (``runs``: the palette)."""
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.enter = enter
        self._shown: list[Choice] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(terminal_safe(self.title_text), id="title", markup=False)
            yield Input(placeholder="type to filter", id="filter", compact=True)
            yield OptionList(id="options")
            yield KeyHints(
                "type to filter", "arrows move", f"Enter {self.enter}", ("nav.back", "back"),
                sep=" - ", id="hint",
            )  # fmt: skip

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, text: str) -> None:
        needle = text.strip().lower()
        shown = self.choices
        exact = [
            ch for ch in self.choices if needle and needle in (ch.value.lower(), ch.search.lower())
        ]
        if exact:
            # What was typed names one exactly (a call sign, a code, a call's short
            # number): that one, and only
            # that one, is what Enter acts on, chosen or refused with its reason.
            self._show(exact, highlight=0)
            return
        if needle:
            from rapidfuzz import fuzz  # loaded by the first search typed, not at start

            scored = []
            for i, ch in enumerate(self.choices):
                hay = f"{ch.value} {ch.label} {ch.search}".lower()
                score = (
                    200
                    if hay.startswith(needle)
                    else 100
                    if needle in hay
                    else fuzz.partial_ratio(needle, hay)
                )
                if score >= 70:
                    scored.append((-score, i, ch))
            shown = [ch for _, _, ch in sorted(scored)]
        first = next((i for i, ch in enumerate(shown) if ch.enabled), None)
        self._show(shown, first)

    def _show(self, shown: list[Choice], highlight: int | None) -> None:
        self.query_one("#hint", KeyHints).show_keys()
        ol = self.query_one(OptionList)
        ol.clear_options()
        # Who cannot be chosen is drawn dim; Enter on them says why (see _choose).
        ol.add_options(
            [
                # Content, not a str: a label is text, never markup ("[// narrative]", a
                # name with brackets in it)
                Option(Content(terminal_safe(ch.label)), id=ch.value, disabled=not ch.enabled)
                for ch in shown
            ]
        )
        self._shown = shown
        ol.highlighted = highlight

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, delta: int) -> None:
        ol = self.query_one(OptionList)
        if ol.option_count == 0:
            return
        current = ol.highlighted if ol.highlighted is not None else -1
        ol.highlighted = max(0, min(ol.option_count - 1, current + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose()

    def _refuse(self, text: str) -> None:
        self.query_one("#hint", Static).update(terminal_safe(f"REFUSED: {text}"))
        self.app.bell()

    def _choose(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is None or not self._shown:
            self._refuse("nothing matches what was typed; Esc goes back.")
            return
        choice = self._shown[ol.highlighted]
        if not choice.enabled:
            self._refuse(choice.why or f"{choice.value} cannot be chosen.")
            return
        self.dismiss(choice.value)

    def action_back(self) -> None:
        self.dismiss(None)


class TextPrompt(Steady, ModalScreen[str | None]):
    """One line of text (a note, a reason); Enter saves, Esc goes back."""

    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical { width: 70; height: auto; border: ascii $accent;
                            background: $surface; padding: 0 1; }
    TextPrompt Input { border: none; height: 1; padding: 0; }
    """
    BINDINGS = [Binding("escape", "back", "Back", id="nav.back")]

    def __init__(self, title: str, required: bool = True, value: str = "") -> None:
        """``value``: the text to start from (a narrative being corrected)."""
        super().__init__()
        self.title_text = title
        self.required = required
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(terminal_safe(self.title_text), markup=False)
            yield Input(terminal_safe(self.value), id="text", compact=True)
            yield KeyHints("Enter saves", ("nav.back", "back"), sep=" - ", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if self.required and not value:
            self.notify("Type something first, or Esc.", severity="warning")
            return
        self.dismiss(value)

    def action_back(self) -> None:
        """Esc: back at once if nothing was typed; else ask before throwing it away."""
        if self.query_one(Input).value.strip() in ("", terminal_safe(self.value).strip()):
            self.dismiss(None)
            return
        from cso_console.screens.confirm import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard what was typed?"), answered)
