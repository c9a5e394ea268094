"""A virtual table over the run store: rows are fetched a page at a time as they scroll into view.

Only visible lines are rendered (``ScrollView.render_line``), pages come from the query layer
with an LRU cache, and the row count comes from one ``COUNT(*)``, so a million-document run
opens as fast as a five-document one.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from rich.text import Text
from textmill.display import one_line
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
PLUGIN_W = 16  # columns per plugin cell
COLS = (("#", 6, "seq"), ("document", 28, "id"), ("chars", 7, "length"), ("find", 5, "findings"))


class DocTable(ScrollView, can_focus=True):
    """The corpus table: one row per document, one column per plugin."""

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
    HELP = (
        "The corpus table. Up/Down/PageUp/PageDown move, Enter opens a document, s cycles the "
        "sort column (seq, id, length, findings, each plugin's score), S reverses it."
    )

    cursor = reactive(0)

    class Opened(Message):
        def __init__(self, doc_id: str) -> None:
            self.doc_id = doc_id
            super().__init__()

    class Moved(Message):
        def __init__(self, row: DocRow | None) -> None:
            self.row = row
            super().__init__()

    def __init__(self, query: Query, plugins: list[str], **kw: Any) -> None:
        super().__init__(**kw)
        self.qs = query
        self.plugins = plugins
        self.filter = Filter()
        self.sorts = ["seq", "id", "length", "findings", *(f"score:{p}" for p in plugins)]
        self.sort = "seq"
        self.descending = False
        self.total = 0
        self.exact = True
        self.pages: OrderedDict[int, list[DocRow]] = OrderedDict()
        self.refresh_rows()

    # --- data -----------------------------------------------------------------------------------

    def refresh_rows(self, f: Filter | None = None) -> None:
        if f is not None:
            self.filter = f
        self.pages.clear()
        # Count up to FEW at once; a filter with more matches is counted exactly in a thread
        # and the table grows when the figure arrives.
        self.total = self.qs.count(self.filter, limit=FEW)
        self.exact = self.total < FEW or self.filter == Filter()
        if not self.exact:
            self._count_exactly(self.filter)
        self.virtual_size = Size(self.content_width, self.total + 1)
        # A new order or filter starts at the top (a deep offset under a filter is costly).
        self.scroll_to(y=0, animate=False)
        self.cursor = 0
        self.refresh()

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count_exactly(self, f: Filter) -> None:
        q = Query(self.qs.store.path)  # a connection of this thread's own
        try:
            n = q.count(f)
        finally:
            q.close()
        self.app.call_from_thread(self._counted, f, n)

    def _counted(self, f: Filter, n: int) -> None:
        if f is not self.filter:
            return  # a newer filter replaced this one while it was counted
        self.total, self.exact = n, True
        self.virtual_size = Size(self.content_width, self.total + 1)
        self.refresh()
        self.post_message(self.Moved(self.row(self.cursor)))

    def row(self, index: int) -> DocRow | None:
        if not 0 <= index < self.total:
            return None
        n = index // PAGE
        if n not in self.pages:
            page = self.qs.page(
                self.filter,
                offset=n * PAGE,
                limit=PAGE,
                sort=self.sort,
                descending=self.descending,
                with_total=False,
                few=self.total < FEW,
            )
            self.pages[n] = page.rows
            if len(self.pages) > 32:
                self.pages.popitem(last=False)
        else:
            self.pages.move_to_end(n)
        rows = self.pages[n]
        i = index - n * PAGE
        return rows[i] if i < len(rows) else None

    @property
    def content_width(self) -> int:
        return sum(w + 1 for _, w, _ in COLS) + PLUGIN_W * len(self.plugins)

    # --- rendering ------------------------------------------------------------------------------

    def header(self) -> Text:
        t = Text(style="bold")
        arrow = " ▼" if self.descending else " ▲"
        cols = [
            ("#", 6, "seq"),
            ("document", 26, "id"),
            ("chars", 7, "length"),
            ("find", 5, "findings"),
        ]
        for name, width, key in cols:
            label = name + (arrow if self.sort == key else "")
            t.append(label[:width].ljust(width + 1))
        for p in self.plugins:
            label = p + (arrow if self.sort == f"score:{p}" else "")
            t.append(label[:21].ljust(22))
        return t

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        row = self.row(index)
        if row is None:
            return Strip.blank(width)
        text = self._row_text(row)
        if index == self.cursor:
            text.stylize("reverse")
        segments = list(text.render(self.app.console))
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width)

    def _row_text(self, row: DocRow) -> Text:
        t = Text()
        t.append(str(row.seq).ljust(7), "dim")
        t.append(one_line(row.title or row.id, 28).ljust(29))
        t.append(str(row.length).rjust(7) + " ")
        t.append(str(row.findings).rjust(5) + " ", "bold" if row.findings else "dim")
        if row.error:
            t.append(one_line(f"unreadable: {row.error}", PLUGIN_W * len(self.plugins)), "red")
            return t
        for p in self.plugins:
            t.append_text(cell(row.results.get(p)))
        return t

    # --- actions --------------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        height = max(1, self.size.height)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)
        self.refresh()
        self.post_message(self.Moved(self.row(new)))

    def action_cursor(self, delta: int) -> None:
        self.cursor = max(0, min(self.total - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 1))

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
        self.cursor = max(0, min(self.total - 1, self.scroll_offset.y + event.y))
        if getattr(event, "chain", 1) >= 2:
            self.action_open()


def cell(res: dict[str, Any] | None) -> Text:
    """One plugin's cell: status mark, score or label, finding count (PLUGIN_W columns)."""
    t = Text()
    if res is None:
        return t.append("·".ljust(PLUGIN_W), "dim")
    status = res.get("status")
    mark, style = {"ok": ("✓", "green"), "cached": ("≡", "cyan"), "error": ("✗", "red bold")}.get(
        status or "", ("?", "yellow")
    )
    t.append(mark + " ", style)
    score = res.get("score")
    label = res.get("label")
    body = f"{score:.2f}" if isinstance(score, (int, float)) else ""
    if label:
        body = (body + " " + str(label)).strip()
    t.append(one_line(body, PLUGIN_W - 8).ljust(PLUGIN_W - 7))
    n = res.get("findings") or 0
    t.append((f"{n}⚑" if n else "").rjust(4) + " ", "yellow" if n else "dim")
    return t
