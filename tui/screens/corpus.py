"""The corpus screen: totals, per-plugin score distributions, and the virtual document table."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textmill.display import one_line
from textmill.errors import TextmillError
from textmill.query import Filter, Query, parse_filter
from textmill.tui.widgets.doctable import DocTable
from textmill.tui.widgets.footer import KeysFooter
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Sparkline, Static


class CorpusScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="corpus.filter", tooltip="Filter and search"),
        Binding("escape", "clear_filter", "Clear", show=False, id="corpus.clear"),
    ]
    HELP_TITLE = "Documents"
    HELP = (
        "Every document of the run, one column per plugin: ✓ ok, ≡ cached, ✗ error, then the "
        "score or label and the number of findings (⚑). Type / to filter with an expression: "
        "plugin:NAME status:error severity:warning code:mt.fragment cluster:story-1 "
        "entity:Q7747 score<0.5 score>0.8, and any other words search the text."
    )

    def __init__(self, query: Any) -> None:
        super().__init__()
        self.qs = query
        self.plugins = query.plugins()

    def compose(self) -> ComposeResult:
        with Vertical(id="corpus-head"):
            yield Static(Text("textmill  counting…", "dim"), id="totals")
            yield Horizontal(id="sparks")
        yield Input(
            placeholder="filter: plugin:mt_artifacts severity:error score<0.5 kirby", id="filter"
        )
        yield DocTable(self.qs, self.plugins, self._status, id="table")
        yield Static(id="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DocTable)
        table.focus()
        self._status()
        # After the first paint: the scans share the CPU with it.
        self.call_after_refresh(self.load_stats)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_stats(self) -> None:
        """Totals and score histograms scan whole tables, so they load off the UI thread
        (with their own connection) and fill in the header when ready."""
        q = Query(self.qs.path)
        try:
            counts = q.counts()
            run = q.latest_run() or {}
            hists = {p: q.score_histogram(p) for p in self.plugins}
            # What the score sorts plan by, so the first sort by a score does not count it.
            self.qs.remember_coverage(
                {p: q.score_coverage(p) for p in q.scored_plugins(self.plugins)}
            )
        finally:
            q.close()
        self.app.call_from_thread(self._show_stats, counts, run, hists)

    def _show_stats(
        self, counts: dict[str, int], run: dict[str, Any], hists: dict[str, list[int]]
    ) -> None:
        self.query_one("#totals", Static).update(self._totals(counts, run))
        box = self.query_one("#sparks", Horizontal)
        for p, hist in hists.items():
            if any(hist):
                box.mount(
                    Vertical(
                        Static(Text(p, style="bold"), classes="spark-label"),
                        Sparkline(hist, summary_function=max),
                        classes="spark",
                    )
                )

    def _totals(self, c: dict[str, int], run: dict[str, Any]) -> Text:
        t = Text()
        t.append("textmill ", "bold")
        t.append(f"run {run.get('id', '-')}  ", "dim")
        for key in ("documents", "findings", "clusters", "entities", "errors", "unreadable"):
            style = "red bold" if key in ("errors", "unreadable") and c[key] else ""
            name = key if c[key] != 1 or key == "unreadable" else key[:-1]
            t.append(f"{c[key]:,} {name}   ", style)
        return t

    def _status(self, row: Any = None) -> None:
        table = self.query_one(DocTable)
        if table.fetching:
            count = "filtering…"
        else:
            plural = "" if table.total == 1 else "s"
            count = f"{table.total:,}{'' if table.exact else '+ (counting…)'} document{plural}"
        order = "descending" if table.descending else "ascending"
        t = Text(f"{count}   sorted by {table.sort}, {order}", "dim")
        if table.filter != Filter():
            t.append(f"   filter: {one_line(self.query_one('#filter', Input).value, 50)}", "dim")
        if row is not None:
            t.append("   ")
            t.append(one_line(row.id, 60))
        # One line high whatever it says: a repaint, not a layout of the screen.
        self.query_one("#status", Static).update(t, layout=False)

    def on_doc_table_opened(self, event: DocTable.Opened) -> None:
        self.app.open_document(event.doc_id)  # type: ignore[attr-defined]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(DocTable)
        try:
            table.refresh_rows(parse_filter(event.value))
        except (TextmillError, ValueError) as exc:
            self.notify(str(exc), severity="error")
            return
        table.focus()
        self._status()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one(DocTable).refresh_rows(parse_filter(""))
        self.query_one(DocTable).focus()
        self._status()
