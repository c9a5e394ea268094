"""A virtual table over the run store: rows are fetched a page at a time as they scroll into view.

Only visible lines are rendered (``ScrollView.render_line``), straight to segments, and pages
come from the query layer with an LRU cache. A page next to a cached one continues from that
page's edge row, pages near the end are read from the end, and a page anywhere else (a drag of
the scroll bar) starts from the nearest of every 500th row of the order, which a thread reads
once per order (``Query.positions``), so every page costs the same on a million rows. Until
they arrive, a jump in a column's order skips along that column's index, and a jump in a score
order or a filtered one shows placeholders. A filter
is counted and its first page read in a thread: the UI answers the key at once and the rows
arrive by message.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textmill.display import safe_text
from textmill.query import DocRow, Filter, Query
from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

# Under this many matches a page starts from the matches; above it, it walks the sort order.
FEW = 20_000
PAGE = 200
CACHED_PAGES = 32
NEAR = 10 * PAGE  # a page this close to either end is read from that end
EVERY = 500  # the spacing of the rows a jump starts from (Query.positions)
LEN_W, FIND_W = 7, 4
DOC_MIN, DOC_MAX = 24, 60
DOC_SHARE = 0.3  # of the table's width the document column keeps before plugin columns get room
CELL_MIN, CELL_MAX = 8, 22


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    sort: str | None  # the sort key it shows, if any
    right: bool = False


def share_width(room: int, wanted: dict[str, int]) -> tuple[int, dict[str, int]]:
    """The document column's width and each plugin column's, in ``room`` cells (a gap after
    each column included). The document column gets its share of the width first (at least
    ``DOC_MIN``); plugin columns that want more than the rest give way, the widest first, down
    to ``CELL_MIN`` or their plugin's name; what is left then widens the document column up to ``DOC_MAX``. Only when
    even that does not fit does the table scroll sideways."""
    doc = max(DOC_MIN, min(DOC_MAX, int((room + 10) * DOC_SHARE)))
    cells = dict(wanted)
    budget = room - doc - 2 - len(cells)  # - 2: no horizontal scrollbar when it fits
    over = sum(cells.values()) - budget
    # A column keeps room for its plugin's name, so the header names every plugin.
    floor = {p: max(CELL_MIN, min(CELL_MAX, cell_len(p))) for p in cells}
    while over > 0:
        above = {p: w for p, w in cells.items() if w > floor[p]}
        if not above:
            break
        widest = max(above.values())
        for p in [p for p, w in above.items() if w == widest]:
            if over > 0:
                cells[p] -= 1
                over -= 1
    if over < 0:
        doc = min(DOC_MAX, doc - over)
    return doc, cells


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` on one line in exactly ``width`` cells (cut with … when longer)."""
    flat = " ".join(safe_text(text).split())
    if cell_len(flat) > width:
        return set_cell_size(flat, max(0, width - 1)) + "…" if width else ""
    pad = " " * (width - cell_len(flat))
    return pad + flat if right else flat + pad


class DocTable(ScrollView, can_focus=True):
    """The corpus table: a header line, then one row per document, one column per plugin."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "doctable--header",
        "doctable--cursor",
        "doctable--dim",
    }
    DEFAULT_CSS = """
    DocTable > .doctable--header { text-style: bold; background: $panel; color: $foreground; }
    DocTable > .doctable--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    DocTable:focus > .doctable--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    DocTable > .doctable--dim { color: $text-muted; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.pagedown"),
        Binding("home", "jump(0)", "First", show=False, id="table.home"),
        Binding("end", "jump(-1)", "Last", show=False, id="table.end"),
        Binding(
            "enter", "open", "Open", id="table.open", tooltip="Open the document under the cursor"
        ),
        Binding("s", "sort", "Sort", id="table.sort", tooltip="Sort by the next column"),
        Binding("S", "reverse", "Reverse", id="table.reverse", tooltip="Reverse the sort order"),
    ]
    HELP_TITLE = "Corpus table"
    HELP = (
        "The corpus table. Up/Down/PageUp/PageDown/Home/End move, Enter opens a document, s "
        "cycles the sort column (seq, id, length, findings, the score of each plugin that "
        "gives one), S reverses it."
    )

    cursor = reactive(0)

    class Opened(Message):
        def __init__(self, doc_id: str) -> None:
            self.doc_id = doc_id
            super().__init__()

    def __init__(
        self,
        query: Query,
        plugins: list[str],
        changed: Callable[[DocRow | None], None] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        # Told, as it happens, of a new cursor row (the row) or new rows (None): a call rather
        # than a message, so what it redraws reaches the screen in the same update as the table.
        self.changed = changed
        self.qs = query
        self.plugins = plugins
        self.filter = Filter()
        scored = query.scored_plugins(plugins)
        self.sorts = ["seq", "id", "length", "findings", *(f"score:{p}" for p in scored)]
        self.sort = "seq"
        self.descending = False
        self.total = 0
        self.exact = True
        self.fetching = False
        self.generation = 0
        self.pages: OrderedDict[int, list[DocRow]] = OrderedDict()
        self.cell_w = {p: max(CELL_MIN, min(CELL_MAX, cell_len(p))) for p in plugins}
        self.seq_w = 3
        self._widths_from_content = False
        self._styles: dict[str, Style] = {}
        self._cols: tuple[int, list[Column]] | None = None
        self.positions: list[DocRow] | None = None  # of the current order, once read
        self._positions_asked = False
        self.refresh_rows()

    # --- data -----------------------------------------------------------------------------------

    def refresh_rows(self, f: Filter | None = None) -> None:
        """Show the rows of filter ``f`` (or of the current filter in the current order).

        Without a filter the count is free and the first page costs a few milliseconds, so
        they are read at once; a filter is counted and read in a thread."""
        if f is not None:
            self.filter = f
        self.generation += 1
        self.pages.clear()
        self.positions, self._positions_asked = None, False
        self.cursor = 0
        self.scroll_to(y=0, animate=False)
        if self.filter == Filter():
            self.total, self.exact, self.fetching = self.qs.count(), True, False
            first = self.row(0)  # the first page, which the columns are sized to
            self._fit_to_content(self.pages.get(0, []) if first else [])
        else:
            self.total, self.exact, self.fetching = 0, False, True
            self._load(self.generation, self.filter, self.sort, self.descending)
        self._resize()
        self.refresh()
        self._changed(None)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self, generation: int, f: Filter, sort: str, descending: bool) -> None:
        q = Query(self.qs.path)  # a connection of this thread's own
        try:
            n = q.count(f, limit=FEW)
            few = n < FEW
            rows = q.page(
                f, limit=PAGE, sort=sort, descending=descending, with_total=False, few=few
            ).rows
            self.app.call_from_thread(self._loaded, generation, n, few, rows)
            if not few:
                self.app.call_from_thread(self._loaded, generation, q.count(f), True, None)
        finally:
            q.close()

    def _loaded(self, generation: int, n: int, exact: bool, rows: list[DocRow] | None) -> None:
        if generation != self.generation:
            return  # a newer filter or order replaced this one meanwhile
        if rows is not None:
            self.pages[0] = rows
            self._fit_to_content(rows)
        self.total, self.exact, self.fetching = n, exact, False
        self._resize()
        self.refresh()
        self._changed(None)
        self._changed(self.row(self.cursor))

    def on_resize(self, event: Any) -> None:
        self._resize()  # the document column takes the width there is

    def _resize(self) -> None:
        self.virtual_size = Size(self.content_width, self.total + 1)  # + the header line

    def row(self, index: int) -> DocRow | None:
        """Row ``index`` of the order, or None (also while the rows a jump to it starts from
        are being read)."""
        if not 0 <= index < self.total:
            return None
        n = index // PAGE
        if n not in self.pages:
            rows = self._fetch(n)
            if rows is None:
                return None
            self.pages[n] = rows
            if len(self.pages) > CACHED_PAGES:
                self.pages.popitem(last=False)
        else:
            self.pages.move_to_end(n)
        rows = self.pages[n]
        i = index - n * PAGE
        return rows[i] if i < len(rows) else None

    def _fetch(self, n: int) -> list[DocRow] | None:
        """Page ``n``: after or before a cached neighbour, from the nearer end, or from the
        nearest known position; None while the positions are still being read."""
        kw: dict[str, Any] = {
            "sort": self.sort,
            "descending": self.descending,
            "with_total": False,
            "few": self.total < FEW,
            "limit": PAGE,
        }
        prev, nxt = self.pages.get(n - 1), self.pages.get(n + 1)
        start, stop = n * PAGE, min((n + 1) * PAGE, self.total)
        if prev and len(prev) == PAGE:
            page = self.qs.page(self.filter, after=prev[-1], **kw)
        elif nxt:
            page = self.qs.page(self.filter, before=nxt[0], **kw)
        elif start < NEAR or kw["few"]:  # few: the page starts from the matches anyway
            page = self.qs.page(self.filter, offset=start, **kw)
        elif self.exact and self.total - stop < NEAR:
            kw["limit"] = stop - start
            page = self.qs.page(self.filter, offset=self.total - stop, from_end=True, **kw)
        elif self.positions is not None:
            j = min(start // EVERY, len(self.positions)) - 1
            if j < 0:
                page = self.qs.page(self.filter, offset=start, **kw)
            else:
                skip = start - (j + 1) * EVERY
                page = self.qs.page(self.filter, after=self.positions[j], offset=skip, **kw)
        else:
            if not self._positions_asked:
                self._positions_asked = True
                self._read_positions(self.generation, self.filter, self.sort, self.descending)
            if self.filter != Filter() or self.sort.startswith("score:"):
                return None  # the skip would walk the matches or a join: wait for positions
            # A column's own index: skipping to the row costs tens of milliseconds, less than
            # the wait for the positions (which later jumps use).
            page = self.qs.page(self.filter, offset=start, **kw)
        return page.rows

    @work(thread=True, exclusive=True, group="positions", exit_on_error=False)
    def _read_positions(self, generation: int, f: Filter, sort: str, descending: bool) -> None:
        q = Query(self.qs.path)
        try:
            found = q.positions(f, sort=sort, descending=descending, every=EVERY)
        finally:
            q.close()
        self.app.call_from_thread(self._positions_read, generation, found)

    def _positions_read(self, generation: int, found: list[DocRow]) -> None:
        if generation != self.generation:
            return  # the order or the filter changed meanwhile
        self.positions = found
        self.refresh()
        self._changed(self.row(self.cursor))

    # --- layout ---------------------------------------------------------------------------------

    def _fit_to_content(self, rows: list[DocRow]) -> None:
        """Size each plugin's column to what the first rows show in it (once per table), so a
        label is not cut where there is room, and a status-only column stays narrow."""
        if self._widths_from_content or not rows:
            return
        self._widths_from_content = True
        self.seq_w = max(3, len(str(max(r.seq for r in rows))) + 1)
        for p in self.plugins:
            need = max(cell_need(r.results.get(p)) for r in rows)
            self.cell_w[p] = max(CELL_MIN, min(CELL_MAX, max(cell_len(p), need)))
        self._cols = None

    def columns(self) -> list[Column]:
        room_w = self.scrollable_content_region.width or 140
        if self._cols is not None and self._cols[0] == room_w:
            return self._cols[1]
        doc_w, cell_w = share_width(room_w - self.seq_w - LEN_W - FIND_W - 4, self.cell_w)
        cols = [
            Column("#", self.seq_w, "seq"),
            Column("document", doc_w, "id"),
            Column("chars", LEN_W, "length", right=True),
            Column("⚑", FIND_W, "findings", right=True),
        ]
        cols += [Column(p, cell_w[p], f"score:{p}") for p in self.plugins]
        self._cols = (room_w, cols)
        return cols

    @property
    def content_width(self) -> int:
        return sum(c.width + 1 for c in self.columns())

    # --- rendering ------------------------------------------------------------------------------

    def header(self) -> Text:
        """The column titles; the sorted column carries ▲ or ▼."""
        t = Text()
        for title in self._titles():
            t.append(title)
        return t

    def _titles(self) -> list[str]:
        arrow = "▼" if self.descending else "▲"
        out = []
        for c in self.columns():
            title = c.title + (f" {arrow}" if self.sort == c.sort else "")
            out.append(fit(title, c.width, c.right) + " ")
        return out

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = (
                self.get_component_rich_style(name, partial=True)
                if name.startswith("doctable--")
                else Style.parse(name)
            )
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            # A segment per column: a terminal that draws ▲ or ⚑ wide shifts one title only.
            head = self._style("doctable--header")
            segments = [Segment(title, head) for title in self._titles()]
        else:
            index = scroll_y + y - 1
            row = self.row(index) if not self.fetching else None
            if row is None:
                if self.fetching and y == 1:
                    segments = [Segment("filtering…", self._style("doctable--dim"))]
                elif self.total == 0 and y == 1:
                    segments = [Segment("no documents match", self._style("doctable--dim"))]
                elif 0 <= index < self.total:  # a jump whose rows are on their way
                    segments = [Segment("…", self._style("doctable--dim"))]
                else:
                    return Strip.blank(width, self.rich_style)
            else:
                segments = self._row_segments(row)
                if index == self.cursor:
                    cursor = self._style("doctable--cursor")
                    segments = [Segment(s.text, (s.style or Style()) + cursor) for s in segments]
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        style = self._style("doctable--header") if y == 0 else None
        strip = strip.extend_cell_length(width, style)
        return strip.apply_style(self.rich_style)

    def _row_segments(self, row: DocRow) -> list[Segment]:
        cols = self.columns()
        s = self._style
        out = [
            Segment(fit(str(row.seq), self.seq_w) + " ", s("dim")),
            Segment(fit(row.title or row.id, cols[1].width) + " "),
            Segment(fit(f"{row.length:,}", LEN_W, right=True) + " "),
            Segment(
                fit(str(row.findings) if row.findings else "·", FIND_W, right=True) + " ",
                s("bold yellow") if row.findings else s("dim"),
            ),
        ]
        plugin_cols = cols[4:]
        if row.error:
            room = sum(c.width + 1 for c in plugin_cols)
            out.append(Segment(fit(f"unreadable: {row.error}", room), s("red")))
            return out
        for p, c in zip(self.plugins, plugin_cols, strict=True):
            out += cell(row.results.get(p), c.width, s)
        return out

    def _row_text(self, row: DocRow) -> Text:
        """A row as plain text (what the row shows, without styles)."""
        return Text("".join(seg.text for seg in self._row_segments(row)))

    # --- actions --------------------------------------------------------------------------------

    def _rows_shown(self) -> int:
        """How many rows fit under the header, above a horizontal scroll bar if there is one."""
        return max(1, self.scrollable_content_region.height - 1)

    def watch_cursor(self, old: int, new: int) -> None:
        self._show_cursor()
        # Again once the layout is done: a horizontal scroll bar that appears with it takes a
        # line from the rows.
        self.call_after_refresh(self._show_cursor)
        self.refresh()
        self._changed(self.row(new))

    def _show_cursor(self) -> bool:
        """Scroll so the cursor's row is on screen; whether it is."""
        top, height, row = self.scroll_offset.y, self._rows_shown(), self.cursor
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)
        return self.scroll_offset.y <= row < self.scroll_offset.y + height

    def _changed(self, row: DocRow | None) -> None:
        if self.changed is not None and self.is_mounted:
            self.changed(row)

    def action_cursor(self, delta: int) -> None:
        self.cursor = max(0, min(self.total - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self._rows_shown() - 1))

    def action_jump(self, where: int) -> None:
        self.cursor = max(0, self.total - 1) if where < 0 else 0

    def action_open(self) -> None:
        row = self.row(self.cursor)
        if row is not None:
            self.post_message(self.Opened(row.id))

    def action_sort(self) -> None:
        self.sort = self.sorts[(self.sorts.index(self.sort) + 1) % len(self.sorts)]
        self.refresh_rows()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.refresh_rows()

    def on_click(self, event: Any) -> None:
        if event.y == 0:
            return
        self.cursor = max(0, min(self.total - 1, self.scroll_offset.y + event.y - 1))
        if getattr(event, "chain", 1) >= 2:
            self.action_open()


MARKS = {"ok": ("✓", "green"), "cached": ("≡", "cyan"), "error": ("✗", "bold red")}


def _body(res: dict[str, Any]) -> tuple[str, str]:
    """A cell's score-and-label text and its finding count (``"3⚑"``, or empty)."""
    score, label = res.get("score"), res.get("label")
    body = f"{score:.2f}" if isinstance(score, (int, float)) else ""
    if label:
        body = f"{body} {label}".strip()
    n = res.get("findings") or 0
    return body, (f"{n}⚑" if n else "")


def cell_need(res: dict[str, Any] | None) -> int:
    """The cells a plugin's cell needs to show ``res`` whole."""
    if res is None:
        return 1
    body, flags = _body(res)
    return 2 + cell_len(body) + (1 + max(len(flags), 3) if flags else 0)


def cell(res: dict[str, Any] | None, width: int, style: Any = Style.parse) -> list[Segment]:
    """One plugin's cell in ``width`` cells and a gap: status mark, score or label, and the
    plugin's finding count."""
    if res is None:
        return [Segment(fit("·", width) + " ", style("dim"))]
    mark, mark_style = MARKS.get(res.get("status") or "", ("?", "yellow"))
    body, flags = _body(res)
    flag_w = max(len(flags), 3) if flags else 0
    return [
        Segment(mark + " ", style(mark_style)),
        Segment(fit(body, width - 2 - flag_w - (1 if flags else 0)) + (" " if flags else "")),
        Segment(fit(flags, flag_w, right=True) + " ", style("yellow")),
    ]
