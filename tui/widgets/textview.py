"""A scrolling view of one long text (or any Rich renderable) that renders only the lines on screen.

A ``Static`` in a scroll container renders every line of its content whenever it is laid out,
and each new widget costs Textual's stylesheet work. This view is one widget for the whole
life of a screen: new content replaces the old, the text is wrapped at the view's width (plain
string work, no styled copies), and a line becomes segments only when it is drawn. A long text
is wrapped in a thread after its first screenful, and a renderable the caller marks as heavy
(a table of hundreds of rows) is rendered in a thread; both arrive by message. Its styles are
in ``app.tcss``: a ``DEFAULT_CSS`` would make Textual re-parse the whole stylesheet when the
first view is shown.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len, chop_cells
from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text
from textmill.tui.widgets.scrollbar import BAR, bar_cells, position_at
from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

_WORD = re.compile(r"\s*\S+\s*")
SYNC_WRAP = 30_000  # characters wrapped at once; the rest of a longer text in a thread


def breaks(line: str, width: int) -> list[int]:
    """Offsets at which ``line`` (no newlines) wraps into lines of at most ``width`` cells: at
    the start of a word that does not fit, and inside a word longer than a line."""
    if width <= 0 or cell_len(line) <= width:
        return []
    out: list[int] = []
    used = 0
    for m in _WORD.finditer(line):
        start, word = m.start(), m.group(0)
        need = cell_len(word.rstrip())
        if width - used >= need:
            used += cell_len(word)
            continue
        if need > width:  # fold the word over as many lines as it takes
            if start and used:
                out.append(start)
            pieces = chop_cells(word, width)
            for piece in pieces[:-1]:
                start += len(piece)
                out.append(start)
            used = cell_len(pieces[-1])
        else:
            if start:
                out.append(start)
            used = cell_len(word)
    return out


@dataclass
class Wrapped:
    """A text wrapped at ``width``: where each line starts (offsets into the plain text), and
    the spans that touch each line."""

    width: int
    starts: list[int]
    ends: list[int]
    spans: list[list[Span]]


def wrap(text: Text, width: int, stop: int | None = None) -> Wrapped:
    """Wrap ``text`` (up to offset ``stop``, a line boundary) at ``width`` cells."""
    plain = text.plain
    limit = len(plain) if stop is None else stop
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    while pos <= limit:
        nl = plain.find("\n", pos, limit)
        end = limit if nl < 0 else nl
        line_starts = [pos] + [pos + b for b in breaks(plain[pos:end], width)]
        starts += line_starts
        ends += [*line_starts[1:], end]
        if nl < 0:
            break
        pos = nl + 1
    # Spans per line in one sweep (spans sorted by start; a span may cover many lines).
    spans = sorted(text.spans, key=lambda s: s.start)
    per: list[list[Span]] = []
    active: list[Span] = []
    k = 0
    for a, b in zip(starts, ends, strict=True):
        active = [s for s in active if s.end > a]  # a new list: the last line keeps its own
        while k < len(spans) and spans[k].start < b:
            active.append(spans[k])
            k += 1
        per.append(active)
    return Wrapped(width, starts, ends, per)


def render_lines(
    renderable: RenderableType, width: int, console: Console | None = None
) -> list[Strip]:
    """``renderable`` as lines of ``width`` cells (with a console of its own when none is given,
    so it can run in a thread)."""
    console = console or Console(
        file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor"
    )
    options = console.options.update(width=width, height=None)
    return [Strip(line) for line in console.render_lines(renderable, options, pad=False)]


class TextView(ScrollView, can_focus=True):
    """Shows a ``Text`` wrapped to the width, or any renderable, rendering only visible lines."""

    # Moving keys everyone knows: kept out of the key bar, which then has room for the
    # screen's own keys (F1 lists them all).
    BINDINGS = [
        Binding("up", "scroll_up", "Up", show=False, id="text.up"),
        Binding("down", "scroll_down", "Down", show=False, id="text.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="text.pageup"),
        Binding("pagedown", "page_down", "Page down", show=False, id="text.pagedown"),
        Binding("home", "scroll_home", "Top", show=False, id="text.home"),
        Binding("end", "scroll_end", "Bottom", show=False, id="text.end"),
    ]
    HELP_TITLE = "Text"
    HELP = "The text of this tab. Up/Down/PageUp/PageDown/Home/End scroll it."

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._text: Text | None = None
        self._renderable: RenderableType | None = None
        self._heavy = False
        self._key: Hashable = None
        self._wrapped: Wrapped | None = None
        self._complete = True  # False while a long text's remainder is wrapped in a thread
        self._strips: list[Strip] | None = None
        self._cache: dict[tuple[int, int, int], Strip] = {}  # drawn lines
        self._base: Style | None = None
        self._bar_cells: tuple[tuple[int, int, int], list[Segment]] | None = None
        # What was shown under recent keys, wrapped and drawn: a tab shown again reuses it.
        self._memo: OrderedDict[
            Hashable, tuple[Any, Wrapped | None, list[Strip] | None, dict[Any, Strip]]
        ] = OrderedDict()
        self.generation = 0

    # --- content ----------------------------------------------------------------------------

    def show(self, content: RenderableType, *, key: Hashable = None, heavy: bool = False) -> None:
        """Show ``content``: a ``Text`` is wrapped here; another renderable is rendered whole,
        in a thread when ``heavy``. The same ``key`` as the content on show keeps the scroll
        position (a refresh of the same thing)."""
        same = key is not None and key == self._key
        self._remember()
        self.generation += 1
        self._key = key
        self._text = content if isinstance(content, Text) else None
        self._renderable = None if isinstance(content, Text) else content
        self._heavy = heavy
        self._wrapped = None
        self._strips = None
        self._cache = {}  # a new one: the memo may keep the old
        if not same:
            self.scroll_to(0, 0, animate=False)
        known = self._memo.get(key) if key is not None else None
        if known is not None and known[0] is content:
            _, self._wrapped, self._strips, self._cache = known
            width = self._wrapped.width if self._wrapped else self.width
            if width == self.width:
                lines = len(self._wrapped.starts) if self._wrapped else len(self._strips or [])
                self.virtual_size = Size(width, lines)
                self.refresh()
                return
        self._layout()

    def _remember(self) -> None:
        """Keep the content on show, wrapped, under its key (a few keys)."""
        if self._key is None or not self._complete:
            return
        content = self._text if self._text is not None else self._renderable
        if content is None or (self._wrapped is None and self._strips is None):
            return
        self._memo[self._key] = (content, self._wrapped, self._strips, self._cache)
        self._memo.move_to_end(self._key)
        while len(self._memo) > 8:
            self._memo.popitem(last=False)

    @property
    def own_bar(self) -> bool:
        """The view draws its scroll bar in its lines (``overflow-y: hidden``, the default in
        ``app.tcss``), always keeping its two cells; otherwise Textual's bar is used."""
        return self.styles.overflow_y == "hidden"

    @property
    def width(self) -> int:
        """The cells a line of text takes."""
        if self.own_bar:
            return max(0, self.size.width - BAR)
        return self.scrollable_content_region.width

    @property
    def allow_vertical_scroll(self) -> bool:
        if self.own_bar:  # the mouse wheel scrolls when there is more than the view shows
            return (
                not (self.disabled or self.loading) and self.virtual_size.height > self.size.height
            )
        return super().allow_vertical_scroll

    def _with_bar(self, strip: Strip, y: int) -> Strip:
        if not self.own_bar:
            return strip
        height, lines = self.size.height, self.virtual_size.height
        if lines <= height:
            return strip.extend_cell_length(self.size.width, self._base)
        key = (self.scroll_offset.y, lines, height)
        if self._bar_cells is None or self._bar_cells[0] != key:
            self._bar_cells = (key, bar_cells(self, height, lines, key[0]))
        cells = self._bar_cells[1]
        return Strip([*strip, cells[y]]) if y < len(cells) else strip

    def on_click(self, event: Any) -> None:
        at = event.get_content_offset(self)
        lines, height = self.virtual_size.height, self.size.height
        if self.own_bar and at is not None and at.x >= self.width and lines > height:
            self.scroll_to(y=position_at(at.y, height, lines), animate=False)

    def _layout(self) -> None:
        """Wrap or render the content at the current width and size the scroll area to it."""
        width = self.width
        if width <= 0:
            return
        self._cache = {}
        if self._text is not None:
            text = self._text
            if len(text.plain) > SYNC_WRAP:
                cut = text.plain.rfind("\n", 0, SYNC_WRAP)
                cut = SYNC_WRAP if cut < 0 else cut
                self._wrapped = wrap(text, width, stop=cut)
                self._complete = False
                self._wrap_rest(text, width, self.generation)
            else:
                self._wrapped = wrap(text, width)
                self._complete = True
            lines = len(self._wrapped.starts)
        elif self._renderable is not None:
            if self._heavy:
                self._strips = [Strip([Segment("rendering…", Style(dim=True))])]
                self._complete = False
                self._render_rest(self._renderable, width, self.generation)
            else:
                self._strips = render_lines(self._renderable, width, self.app.console)
                self._complete = True
            lines = len(self._strips)
        else:
            lines = 0
        self.virtual_size = Size(width, lines)
        self.refresh()

    @work(thread=True, exclusive=True, group="wrap", exit_on_error=False)
    def _wrap_rest(self, text: Text, width: int, generation: int) -> None:
        wrapped = wrap(text, width)
        self.app.call_from_thread(self._arrived, generation, width, wrapped, None)

    @work(thread=True, exclusive=True, group="render", exit_on_error=False)
    def _render_rest(self, renderable: RenderableType, width: int, generation: int) -> None:
        strips = render_lines(renderable, width)
        self.app.call_from_thread(self._arrived, generation, width, None, strips)

    def _arrived(
        self, generation: int, width: int, wrapped: Wrapped | None, strips: list[Strip] | None
    ) -> None:
        if generation != self.generation or width != self.width:
            return  # newer content, or a new width (whose own work is on its way)
        if wrapped is not None:
            self._wrapped, self._complete = wrapped, True
            lines = len(wrapped.starts)
        else:
            self._strips, self._complete = strips or [], True
            lines = len(self._strips)
        self._cache.clear()
        self.virtual_size = Size(width, lines)
        self.refresh()

    def on_resize(self, event: Any) -> None:
        known = self._wrapped.width if self._wrapped else None
        if self._text is not None and known == self.width:
            return
        self._layout()

    # --- positions ----------------------------------------------------------------------------

    def line_of(self, offset: int) -> int:
        """The wrapped line holding character ``offset`` of the text (0 for a renderable)."""
        if self._wrapped is None:
            return 0
        return max(0, bisect_right(self._wrapped.starts, offset) - 1)

    def scroll_to_offset(self, offset: int, above: int = 2) -> None:
        """Scroll so that character ``offset`` shows ``above`` lines below the top."""
        self.scroll_to(y=max(0, self.line_of(offset) - above), animate=False)

    @property
    def line_count(self) -> int:
        return self.virtual_size.height

    def plain_lines(self) -> list[str]:
        """What the view shows, line by line, as plain text (for tests and help)."""
        return ["".join(seg.text for seg in self._line(i)).rstrip() for i in range(self.line_count)]

    # --- rendering ----------------------------------------------------------------------------

    def _line(self, index: int) -> list[Segment]:
        if self._strips is not None:
            return list(self._strips[index]) if index < len(self._strips) else []
        w, text = self._wrapped, self._text
        if w is None or text is None or index >= len(w.starts):
            return []
        a, b = w.starts[index], w.ends[index]
        line = Text(
            text.plain[a:b],
            style=text.style,
            spans=[
                Span(max(s.start, a) - a, min(s.end, b) - a, s.style)
                for s in w.spans[index]
                if min(s.end, b) > max(s.start, a)
            ],
            end="",
        )
        return list(line.render(self.app.console))

    def render_line(self, y: int) -> Strip:
        return self._with_bar(self._render_line(y), y)

    def _render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.width if self.own_bar else self.size.width
        selection = self.text_selection
        key = (index, scroll_x, width)
        strip = self._cache.get(key) if selection is None else None
        if strip is None:
            if self._base is None:  # Textual works it out from every ancestor on each call
                self._base = self.rich_style
            segments = self._line(index)
            span = selection.get_span(index) if selection is not None else None
            if span is not None:  # the part of the line under a mouse selection
                start, end = span
                line = Text.assemble(*((seg.text, seg.style or "") for seg in segments), end="")
                style = self.screen.get_component_rich_style("screen--selection")
                line.stylize(style, start, len(line) if end == -1 else end)
                segments = list(line.render(self.app.console))
            strip = Strip(segments).crop(scroll_x, scroll_x + width)
            strip = strip.extend_cell_length(width).apply_style(self._base)
            # Offsets tell Textual which character is under the mouse, for selecting text.
            strip = strip.apply_offsets(scroll_x, index)
            if selection is None:
                if len(self._cache) > 500:
                    self._cache.clear()
                self._cache[key] = strip
        return strip

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text under a mouse selection (lines as wrapped)."""
        return selection.extract("\n".join(self.plain_lines())), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._cache = {}
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._bar_cells = None
        self._cache = {}
        self._memo.clear()  # drawn in the old styles
