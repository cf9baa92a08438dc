"""The board's compositor draws only the lines an update changed, and what it draws is
what Textual's own compositor draws for the same lines: compared cell by cell on the
board (lists alone, and with the map panel beside them) and on the call detail, for
single lines, line pairs, part-width areas and the whole screen."""

from __future__ import annotations

import asyncio
import random

import pytest
from textual._compositor import Compositor
from textual.geometry import Region

from cso_console.screens.board import BoardScreen
from cso_console.screens.detail import CallDetailScreen
from cso_console.widgets.compositor import LineCompositor

from .ui_app import demo_app


def crops(width: int, height: int) -> list[Region]:
    rng = random.Random(7)
    out = [Region(0, y, width, 1) for y in range(height)]
    out += [Region(0, y, width, 2) for y in range(height - 1)]
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        out.append(Region(x, y, rng.randint(1, width - x), rng.randint(1, height - y)))
    out.append(Region(0, 0, width, height))
    return out


def drawn(compositor: Compositor, crop: Region) -> list[list[tuple[int, list[object]]]]:
    """What an update of ``crop`` sends: on each of its lines, the cells from ``crop.x``
    to ``crop.right`` (the terminal gets those spans only), as (x, segments) pieces."""
    lines = set(crop.line_range)
    chops = compositor._render_chops(crop, lines.__contains__)
    out = []
    for y in sorted(lines):
        pieces = []
        for cut, strip in sorted(chops[y].items()):
            if strip is None or cut >= crop.right or cut + strip.cell_length <= crop.x:
                continue
            part = strip.crop(max(0, crop.x - cut), crop.right - cut)
            pieces.append((max(cut, crop.x), list(part)))
        out.append(pieces)
    return out


def same_as_textual(screen) -> int:
    ours = screen._compositor
    assert isinstance(ours, LineCompositor)
    theirs = Compositor()
    theirs.reflow(screen, screen.size)
    width, height = screen.size
    checked = 0
    for crop in crops(width, height):
        assert drawn(ours, crop) == drawn(theirs, crop), crop
        checked += 1
    return checked


def test_the_whole_of_each_crop_is_drawn(tmp_path):
    """No cell of an update is left out: every line of the crop is covered end to end
    (a widget under another is left out only where the one above covers it)."""

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for crop in crops(80, 24):
                for pieces in drawn(app.screen._compositor, crop):
                    cells = sum(sum(s.cell_length for s in segs) for _, segs in pieces)
                    assert cells == crop.width, crop

    asyncio.run(go())


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_board_lines_are_drawn_as_textual_draws_them(tmp_path, size):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            board = app.screen
            assert isinstance(board, BoardScreen)
            assert board.has_class("-map") == (size[0] > 80)
            assert same_as_textual(board) > 2 * size[1]
            for key in ("down", "down", "tab", "down"):  # cursor rows, another list
                await pilot.press(key)
                await pilot.pause()
                same_as_textual(board)

    asyncio.run(go())


def test_detail_lines_are_drawn_as_textual_draws_them(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, CallDetailScreen)
            same_as_textual(app.screen)

    asyncio.run(go())
