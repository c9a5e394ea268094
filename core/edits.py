"""Edit arithmetic: applying edits, and mapping offsets back through a chain of cleaners.

Each cleaner reports edits as spans in the text it received. To show every edit against the
document's ``raw`` text, the engine maps spans back through the earlier cleaners' edits.
"""

from __future__ import annotations

from collections.abc import Sequence

from textmill.model import Edit, Span


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply the ``applied`` edits (non-overlapping spans in ``text``) and return the new text."""
    out: list[str] = []
    pos = 0
    for e in sorted((e for e in edits if e.applied), key=lambda e: e.span.start):
        if e.span.start < pos:
            raise ValueError(f"overlapping edits at offset {e.span.start}")
        out.append(text[pos : e.span.start])
        out.append(e.replacement)
        pos = e.span.end
    out.append(text[pos:])
    return "".join(out)


def map_offset_back(pos: int, edits: Sequence[Edit], *, is_end: bool = False) -> int:
    """Map an offset in the text produced by ``edits`` to an offset in the text they were made on.

    An offset inside a replacement maps to the start of the replaced span (or its end when
    ``is_end``), so a mapped span always covers whatever it came from.
    """
    delta = 0
    for e in sorted((e for e in edits if e.applied), key=lambda e: e.span.start):
        out_start = e.span.start + delta
        out_end = out_start + len(e.replacement)
        if pos < out_start or (pos == out_start and not is_end):
            break
        if pos < out_end or (pos == out_end and not is_end and len(e.replacement) == 0):
            return e.span.end if is_end else e.span.start
        if pos == out_end and is_end:
            return e.span.end
        delta += len(e.replacement) - (e.span.end - e.span.start)
    return pos - delta


def map_span_back(span: Span, steps: Sequence[Sequence[Edit]]) -> Span:
    """Map ``span`` (in the output of the last of ``steps``) back to the first step's input."""
    start, end = span.start, span.end
    for edits in reversed(steps):
        start = map_offset_back(start, edits)
        end = map_offset_back(end, edits, is_end=True)
    return Span(start, max(start, end))


def map_edits_back(edits: Sequence[Edit], steps: Sequence[Sequence[Edit]]) -> list[Edit]:
    """Re-express ``edits`` (spans after ``steps``) as spans in the input of the first step."""
    if not steps:
        return list(edits)
    out = []
    for e in edits:
        span = map_span_back(e.span, steps)
        out.append(Edit(span, e.replacement, e.reason, e.confidence, e.applied, e.plugin))
    return out
