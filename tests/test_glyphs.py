"""The glyph filter alone: what each kind of character becomes, widths kept."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color

from cso_console.widgets.glyphs import glyph_filter, plain_text


def test_ascii_mode_leaves_nothing_but_ascii_and_keeps_widths():
    for text in ("┌─┐│└┘", "▊▔▎▌▁▅█", "⏎ → ↑", "Café Ж 東京 🚓", "a\u0301b"):
        out = plain_text(text, strict=True)
        assert out.isascii(), (text, out)
        assert cell_len(out) == cell_len(text), (text, out)
    assert plain_text("┌─┐│", strict=True) == "+-+|"
    assert plain_text("Café", strict=True) == "Cafe"


def test_linux_console_keeps_letters_and_replaces_frames():
    assert plain_text("Жуков ┃▌▔", strict=False) == "Жуков ||-"


def test_filter_is_chosen_by_flag_and_term():
    assert glyph_filter(False, "xterm-256color") is None
    strict = glyph_filter(True, "xterm")
    assert strict is not None and strict.strict
    linux = glyph_filter(False, "linux")
    assert linux is not None and not linux.strict
    segs = strict.apply([Segment("▌ hi"), Segment("\x1b[0m", None, [])], Color(0, 0, 0))
    assert segs[0].text == "| hi" and segs[1].control == []
