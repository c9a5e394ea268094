"""A vertical scroll bar drawn in a widget's own lines, cell for cell as Textual draws its own.

Textual's scroll bar is a widget of its own: it comes and goes with a layout pass of the screen
each time the content outgrows the view or fits in it again, and it repaints one screen update
after every layout, so a key that changes a list or a text cost two or three more updates. A
view that draws its bar with its lines (``RowList``, ``TextView``) answers in one.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.scrollbar import ScrollBarRender

BAR = 2  # the bar's width, as Textual's


def bar_cells(widget: Any, height: int, virtual: int, position: float) -> list[Segment]:
    """The bar's cells for a view of ``height`` lines at ``position`` in ``virtual`` lines: a
    segment per line, in the colours of the widget's scroll bar styles."""
    styles = widget.styles
    background = styles.scrollbar_background
    if background.a < 1:
        background = widget.background_colors[0] + background
    color = background + styles.scrollbar_color
    bar = ScrollBarRender.render_bar(
        size=height,
        virtual_size=virtual,
        window_size=height,
        position=position,
        thickness=BAR,
        vertical=True,
        back_color=background.rich_color,
        bar_color=color.rich_color,
    )
    return [  # without the mouse actions, which only Textual's scroll bar widget answers
        Segment(
            s.text, Style(color=s.style.color, bgcolor=s.style.bgcolor, reverse=s.style.reverse)
        )
        for s in bar.segments
        if s.style is not None
    ]


def position_at(y: int, height: int, virtual: int) -> int:
    """The scroll position a click on line ``y`` of the bar asks for."""
    return round((virtual - height) * y / max(1, height - 1))
