"""A plugin's score distribution as a small column chart in text (block characters)."""

from __future__ import annotations

from rich.text import Text

BLOCKS = " ▁▂▃▄▅▆▇█"


def histogram(
    title: str,
    counts: list[int],
    *,
    height: int = 6,
    bar: int = 3,
    style: str = "cyan",
    mean: float | None = None,
) -> Text:
    """``counts`` of equal bins over 0..1 as columns ``height`` lines tall (eighths of a line
    from block characters), the tallest bin at full height, with the 0..1 axis under them,
    ``title`` above and the number scored (and ``mean``) below."""
    total = sum(counts)
    top = max(counts) if counts else 0
    width = len(counts) * bar
    t = Text(title[:width].ljust(width) + "\n", "bold")
    for row in range(height, 0, -1):
        for n in counts:
            eighths = round(8 * height * n / top) if top else 0
            fill = max(0, min(8, eighths - 8 * (row - 1)))
            if n and row == 1 and fill == 0:
                fill = 1  # a bin with anything in it shows
            t.append(BLOCKS[fill] * (bar - 1) + " ", style)
        t.append("\n")
    axis = "0" + " " * (width - 4) + "1.0"
    t.append(axis[:width] + "\n", "dim")
    if total:
        t.append(f"{total:,} scored" + (f", mean {mean:.2f}" if mean is not None else ""), "dim")
    else:
        t.append("no scores", "dim")
    return t
