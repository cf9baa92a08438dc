"""Glyphs a plain terminal can draw: one line filter over everything the console paints.

Textual and its widgets draw some frames with Unicode glyphs whatever the CSS says (a
toast's ``▌`` edge, the ``▊▔▎`` frame of a focused field, scrollbar thumbs, ``⏎`` for
Enter). Rather than chase each one, the app passes every painted line through
``PlainGlyphs``:

- ``--ascii`` (or a terminal whose encoding is not UTF-8): every character becomes ASCII.
  Frame and block glyphs become ``- | + _`` or a space, arrows and marks their ASCII
  look-alikes, accented letters lose their accents, anything else a ``?`` per cell, so
  the columns stay where they were.
- ``TERM=linux`` (the Linux text console): its fonts have Latin, Greek and Cyrillic
  letters but few frame and block glyphs, so only those (box drawing, block elements,
  shapes, arrows) become ASCII; letters from data are left as they are.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

_MARKS = {
    "\u23ce": "~",  # return symbol
    "\u2190": "<",
    "\u2192": ">",
    "\u2191": "^",
    "\u2193": "v",
    "\u2026": "~",  # ellipsis (one cell)
    "\u2022": "*",
    "\u00b7": ".",
    "\u2013": "-",
    "\u2014": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00a0": " ",
}


def _frame_glyph(ch: str) -> str | None:
    """ASCII for a box-drawing, block or shape glyph; None when ``ch`` is none of those."""
    code = ord(ch)
    name = unicodedata.name(ch, "")
    if 0x2500 <= code <= 0x257F:  # box drawing
        horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
        if horizontal and not vertical:
            return "-"
        if vertical and not horizontal:
            return "|"
        return "+"
    if 0x2580 <= code <= 0x259F:  # block elements: frames and scrollbar thumbs
        if "LEFT" in name or "RIGHT" in name:
            return "|"
        if name.startswith("UPPER"):
            return "-"
        if name == "LOWER ONE EIGHTH BLOCK":
            return "_"
        return " "
    if 0x25A0 <= code <= 0x25FF or 0x2190 <= code <= 0x21FF or code == 0x23CE:
        return _MARKS.get(ch, "*")
    return None


@lru_cache(4096)
def plain_char(ch: str, strict: bool) -> str:
    """What to draw for ``ch``: itself when the terminal has it, else ASCII of the same
    width in cells."""
    if ch.isascii():
        return ch
    frame = _frame_glyph(ch)
    if frame is not None:
        return frame
    if not strict:
        return ch
    if ch in _MARKS:
        return _MARKS[ch]
    width = cell_len(ch)
    if width == 0:
        return ""  # a combining mark: its letter is drawn without it
    base = unicodedata.normalize("NFKD", ch)[:1]
    if base.isascii() and base.isprintable() and width == 1:
        return base  # é -> e
    return "?" * width


def plain_text(text: str, strict: bool) -> str:
    if text.isascii():
        return text
    return "".join(plain_char(ch, strict) for ch in text)


class PlainGlyphs(LineFilter):
    """Replace glyphs the terminal may not have (see the module text)."""

    def __init__(self, strict: bool) -> None:
        super().__init__()
        self.strict = strict

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        strict = self.strict
        return [
            seg
            if seg.control or seg.text.isascii()
            else Segment(plain_text(seg.text, strict), seg.style, seg.control)
            for seg in segments
        ]


def glyph_filter(ascii_only: bool, term: str) -> PlainGlyphs | None:
    """The filter for this terminal: strict for --ascii, frames only for the Linux
    console, none for a Unicode terminal emulator."""
    if ascii_only:
        return PlainGlyphs(strict=True)
    if term == "linux":
        return PlainGlyphs(strict=False)
    return None
