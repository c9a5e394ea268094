"""A list with a cursor that draws only the rows on screen: held in memory, or read a page at a
time from the store.

It stands in for Textual's ``OptionList`` and ``DataTable``, which hold every row as an object
and whose stylesheets are parsed (with the whole application's) the first time one is shown.
The list's own styles are in ``app.tcss``, read at launch. Rows in memory may wrap over several
lines; paged rows take one line each, so a position in the list is a row number and a jump
anywhere reads one page.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textmill.tui.widgets.scrollbar import BAR, bar_cells, position_at
from textmill.tui.widgets.textview import breaks
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Render = Callable[[Any, int], Text]  # a row and the width -> what the row shows
PAGE = 100
CACHED_PAGES = 16


class RowList(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"rowlist--cursor", "rowlist--header", "rowlist--dim"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.pagedown"),
        Binding("home", "jump(0)", "First", show=False, id="list.home"),
        Binding("end", "jump(-1)", "Last", show=False, id="list.end"),
        Binding("enter", "select", "Select", id="list.select", tooltip="Open the row"),
    ]
    HELP_TITLE = "List"
    HELP = "A list: Up/Down/PageUp/PageDown/Home/End move, Enter selects."

    cursor = reactive(0, init=False)

    class Highlighted(Message):
        def __init__(self, rowlist: RowList, index: int, row: Any) -> None:
            self.rowlist = rowlist
            self.index = index
            self.row = row
            super().__init__()

        @property
        def control(self) -> RowList:
            return self.rowlist

    class Selected(Highlighted):
        pass

    def __init__(
        self,
        empty: str = "",
        highlighted: Callable[[RowList.Highlighted], None] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.empty = empty
        # Called with each new cursor row as it moves, in place of posting Highlighted: what
        # the call changes elsewhere on the screen then reaches it in the same update as the
        # list (a message would arrive after the list's own update, a second one).
        self.highlighted = highlighted
        self.render_row: Render = lambda row, width: Text(str(row))
        self.header: Callable[[int], Text] | None = None
        self.total = 0
        self.wrap = False
        self._items: list[Any] | None = None  # rows in memory
        self._fetch: Callable[[int, int], list[Any]] | None = None  # or a page reader
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self.page = PAGE
        self._lines: list[tuple[int, Text]] = []  # wrapped rows: (row index, line)
        self._first_line: list[int] = []  # the first line of each row (wrapped rows)
        self._width = 0
        self._height = 0
        self._bar_cells: tuple[tuple[int, int, int], list[Segment]] | None = None
        self._styles: dict[str, Style] = {}
        self._strips: dict[tuple[int, bool, int, int], Strip] = {}  # drawn lines
        self.generation = 0

    # --- content ----------------------------------------------------------------------------

    def show_rows(
        self,
        rows: list[Any],
        render: Render,
        *,
        wrap: bool = False,
        header: Callable[[int], Text] | None = None,
        cursor: int = 0,
    ) -> None:
        """List ``rows`` (held here); ``wrap``: a long row takes as many lines as it needs."""
        self._items, self._fetch = list(rows), None
        self._reset(len(rows), render, wrap, header, cursor)

    def show_paged(
        self,
        total: int,
        fetch: Callable[[int, int], list[Any]],
        render: Render,
        *,
        header: Callable[[int], Text] | None = None,
        cursor: int = 0,
        page: int = PAGE,
    ) -> None:
        """List ``total`` rows read by ``fetch(offset, limit)`` ``page`` rows at a time."""
        self._items, self._fetch, self.page = None, fetch, page
        self._reset(total, render, False, header, cursor)

    def _reset(
        self,
        total: int,
        render: Render,
        wrap: bool,
        header: Callable[[int], Text] | None,
        cursor: int,
    ) -> None:
        self.generation += 1
        self.total, self.render_row, self.wrap, self.header = total, render, wrap, header
        self._pages.clear()
        self._strips.clear()
        self._width = 0
        self.set_reactive(RowList.cursor, max(0, min(cursor, total - 1)))
        self.scroll_to(0, 0, animate=False)
        self._layout()
        self._scroll_to_cursor()
        self._highlight(self.cursor)

    def row(self, index: int) -> Any:
        if not 0 <= index < self.total:
            return None
        if self._items is not None:
            return self._items[index]
        assert self._fetch is not None
        n = index // self.page
        page = self._pages.get(n)
        if page is None:
            page = self._pages[n] = self._fetch(n * self.page, self.page)
            if len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(n)
        i = index - n * self.page
        return page[i] if i < len(page) else None

    @property
    def head_lines(self) -> int:
        return 1 if self.header is not None else 0

    def _layout(self) -> None:
        width = self.size.width
        wrapped = self.wrap and self._items is not None
        if width <= 0 and wrapped:
            return
        self._width, self._height = width, self.size.height
        self._strips.clear()
        if wrapped and self._items is not None:
            self._wrap_rows(width)
            if len(self._lines) + self.head_lines > self.size.height > 0:
                self._wrap_rows(max(1, width - BAR))  # beside the scroll bar
            height = len(self._lines)
        else:
            height = self.total
        # Rows are cut to the width, so only the height is virtual: known before the first
        # layout (which then places the scroll bar at once), and unchanged when the width
        # changes (which would ask for one more layout pass).
        self.virtual_size = Size(0, height + self.head_lines)
        self.refresh()

    def _wrap_rows(self, width: int) -> None:
        assert self._items is not None
        self._lines, self._first_line = [], []
        for i, row in enumerate(self._items):
            text = self.render_row(row, width)
            self._first_line.append(len(self._lines))
            plain = text.plain
            starts = [0, *breaks(plain, width)]
            for a, b in zip(starts, [*starts[1:], len(plain)], strict=True):
                self._lines.append((i, text[a:b]))

    def on_resize(self, event: Any) -> None:
        # Only wrapped rows depend on the width; the others are cut to it as they are drawn
        # (and drawn lines are kept by width), so a new width needs no pass over the rows.
        if (
            self.wrap
            and self._items is not None
            and (self.size.width, self.size.height) != (self._width, self._height)
        ):
            self._layout()

    # --- rendering ----------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        """A component's style, or the widget's own (``""``), computed once per style change:
        Textual works them out from every ancestor on each call."""
        found = self._styles.get(name)
        if found is None:
            found = self._styles[name] = (
                self.get_component_rich_style(name) if name else self.rich_style
            )
        return found

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()
        self._bar_cells = None

    # --- the scroll bar -------------------------------------------------------------------------

    def _bar_shown(self) -> bool:
        return 0 < self.size.height < self.virtual_size.height

    def _row_width(self) -> int:
        """The cells a row takes: the width, less the scroll bar's when it shows."""
        return max(1, self.size.width - (BAR if self._bar_shown() else 0))

    def _bar(self) -> list[Segment]:
        key = (self.scroll_offset.y, self.virtual_size.height, self.size.height)
        if self._bar_cells is None or self._bar_cells[0] != key:
            self._bar_cells = (key, bar_cells(self, key[2], key[1], key[0]))
        return self._bar_cells[1]

    def _with_bar(self, strip: Strip, y: int) -> Strip:
        if not self._bar_shown():
            return strip
        cells = self._bar()
        return Strip([*strip, cells[y]]) if y < len(cells) else strip

    @property
    def allow_vertical_scroll(self) -> bool:
        """The mouse wheel scrolls the list when its bar shows (Textual asks for its own)."""
        return not (self.disabled or self.loading) and self._bar_shown()

    def render_line(self, y: int) -> Strip:
        return self._with_bar(self._render_line(y), y)

    def _render_line(self, y: int) -> Strip:
        width = full = self._row_width()  # the bar's cells follow
        base = self._style("")
        if self.header is not None and y == 0:
            style = self._style("rowlist--header")
            line = self.header(width)
            line.truncate(width, overflow="ellipsis", pad=True)
            strip = Strip(list(line.render(self.app.console))).extend_cell_length(full, style)
            return strip.apply_style(base + style)
        line_no = self.scroll_offset.y + y - self.head_lines
        if self.total == 0:
            if line_no == 0 and self.empty:
                strip = Strip([Segment(self.empty, self._style("rowlist--dim"))])
                return strip.extend_cell_length(full).apply_style(base)
            return Strip.blank(full, base)
        if self.wrap and self._items is not None:
            if line_no >= len(self._lines):
                return Strip.blank(full, base)
            index, text = self._lines[line_no]
        else:
            index = line_no
            text = None
        key = (line_no, index == self.cursor, full, width)
        cached = self._strips.get(key)
        if cached is not None:
            return cached
        if text is None:
            row = self.row(index)
            if row is None:
                return Strip.blank(full, base)
            text = self.render_row(row, width)
        text = text.copy()
        text.rstrip()  # a wrapped line keeps the space it broke at
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        if index == self.cursor:  # under the row's own styles, so its labels keep theirs
            cursor = self._style("rowlist--cursor")
            segments = [Segment(s.text, cursor + (s.style or Style())) for s in segments]
        strip = Strip(segments).extend_cell_length(full).apply_style(base)
        if len(self._strips) > 400:
            self._strips.clear()
        self._strips[key] = strip
        return strip

    # --- moving ---------------------------------------------------------------------------------

    def _row_lines(self, index: int) -> tuple[int, int]:
        """The first line of row ``index`` and its number of lines."""
        if self.wrap and self._items is not None and self._first_line:
            first = self._first_line[index]
            nxt = (
                self._first_line[index + 1]
                if index + 1 < len(self._first_line)
                else len(self._lines)
            )
            return first, nxt - first
        return index, 1

    def _scroll_to_cursor(self) -> None:
        if self.total == 0:
            return
        first, n = self._row_lines(self.cursor)
        top = round(self.scroll_offset.y)
        height = max(1, self.size.height - self.head_lines)
        if first < top:
            self.scroll_to(y=first, animate=False)
        elif first + n > top + height:
            self.scroll_to(y=first + n - height, animate=False)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self._highlight(new)

    def _highlight(self, index: int) -> None:
        event = self.Highlighted(self, index, self.row(index))
        if self.highlighted is not None:
            self.highlighted(event)
        else:
            self.post_message(event)

    def action_cursor(self, delta: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - self.head_lines - 1))

    def action_jump(self, where: int) -> None:
        if self.total:
            self.cursor = self.total - 1 if where < 0 else 0

    def action_select(self) -> None:
        row = self.row(self.cursor)
        if row is not None:
            self.post_message(self.Selected(self, self.cursor, row))

    def on_click(self, event: Any) -> None:
        at = event.get_content_offset(self)
        if at is not None and self._bar_shown() and at.x >= self._row_width():
            # On the scroll bar: there, as far down the list as the click is down the bar.
            y = position_at(at.y, self.size.height, self.virtual_size.height)
            self.scroll_to(y=y, animate=False)
            return
        line = round(self.scroll_offset.y) + event.y - self.head_lines
        if event.y < self.head_lines or line < 0:
            return
        if self.wrap and self._items is not None:
            if line >= len(self._lines):
                return
            index = self._lines[line][0]
        else:
            index = line
        if 0 <= index < self.total:
            self.cursor = index
            if getattr(event, "chain", 1) >= 2:
                self.action_select()
