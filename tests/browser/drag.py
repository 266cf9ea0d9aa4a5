"""Dragging with the mouse, step by step, as SortableJS (in its pointer mode) expects from a hand."""

from __future__ import annotations

from typing import Any

from tests.browser.wait import wait_until


def drag(page: Any, source: Any, target: Any, *, below: bool = True) -> None:
    """Press on `source`, move in small steps, and release over `target` (near its bottom edge when
    `below`, so the item lands after what is there) once SortableJS has moved the item there."""
    start = source.bounding_box()
    end = target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1 = end["x"] + end["width"] / 2
    y1 = end["y"] + (end["height"] - 6 if below else 6)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 5, y0 + 5, steps=3)
    page.mouse.move(x1, y1, steps=15)
    page.mouse.move(x1, y1 + 1, steps=2)
    # SortableJS in pointer mode looks at the pointer on a 50 ms timer: release only once it has put
    # the dragged item (the one with class sortable-ghost) into the target list, or beside the target
    # item, or a busy machine drops it where it last was.
    wait_until(
        page, """([t, below]) => { const g = document.querySelector('.sortable-ghost');
           return g !== null && (t.contains(g) || (below ? t.nextElementSibling === g : g.nextElementSibling === t)); }""",
        arg=[target.element_handle(), below])
    page.mouse.up()
