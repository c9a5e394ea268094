"""The run screen: start or re-run the pipeline, progress per stage and the stage, plugin and
document at work, cancel; per-plugin timings, score distributions and errors.

The timings and distributions read every result (one pass, and one walk of the score index per
plugin), so they are counted in a thread and fill in when ready.
"""

from __future__ import annotations

import threading
from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textmill.display import one_line, safe
from textmill.query import Query
from textmill.store.rows import ErrorRow
from textmill.tui.screens.doctabs import Item, item_text
from textmill.tui.widgets.footer import KeysFooter
from textmill.tui.widgets.histogram import histogram
from textmill.tui.widgets.rowlist import RowList
from textmill.tui.workers import Progress, RunFinished, Working, run_pipeline
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

ERRORS_LISTED = 500
HIST_W = 34  # the cells one histogram takes, with its gap


class RunScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="run.back"),
        Binding("r", "run_all", "Run all", id="run.all", tooltip="Run the whole chain"),
        Binding("p", "run_plugin", "Run selected plugin", id="run.plugin"),
        Binding("x", "cancel", "Cancel", id="run.cancel"),
    ]
    HELP_TITLE = "Run"
    HELP = (
        "r runs the whole chain of the config (unchanged work comes from the cache), p re-runs "
        "only the plugin selected on the left; while it runs, a line names the stage, plugin and "
        "document at work. x cancels (finished work is kept and the next run "
        "resumes). The table shows each plugin's results and time: the per-document hook's "
        "seconds over the stored results, and each plugin's time in the latest run (its corpus "
        "hook included). Below it, the distribution of each plugin's scores. Select an error "
        "to read its traceback."
    )

    def __init__(self, query: Any, config: Any, store_path: Any) -> None:
        super().__init__()
        self.qs = query
        self.config = config
        self.store_path = store_path
        self.cancel = threading.Event()
        self.running = False
        self.bars: dict[str, ProgressBar] = {}
        self.stats: dict[str, dict[str, Any]] | None = None
        self._counted_for: Any = None  # the store the figures on show were counted in
        self.working: tuple[str, str, str] | None = None  # (stage, plugin, doc id) at work

    def compose(self) -> ComposeResult:
        yield Static(id="run-state", classes="tab-head")
        with Horizontal(id="run-body"):
            with Vertical(id="run-side", classes="side"):
                yield Static(Text("the chain (p re-runs one)", "bold"), classes="side-title")
                yield RowList(id="run-plugins")
            with VerticalScroll(id="run-main"):
                yield Static(id="run-activity")
                yield Vertical(id="bars")
                yield Static(Text("counting…", "dim"), id="timings")
                yield Static(id="errors-title")
                yield RowList(id="run-errors")
                yield Static(id="traceback")
                yield Static(id="scores")
        yield KeysFooter()

    def _chain(self) -> list[str]:
        """The plugins of the config's chain, or (without a config) of the latest run's."""
        if self.config is not None:
            return [p for _, p in self.config.chain_plugins()]
        return list(self.qs.plugins())

    def on_mount(self) -> None:
        names = self._chain()
        self.query_one("#run-plugins", RowList).show_rows(
            [Item(n, Text(n)) for n in names], item_text
        )
        self.query_one("#run-errors", RowList).display = False
        self.query_one("#run-activity", Static).display = False  # shown while a plugin works

    def on_screen_resume(self) -> None:
        # Counted when first shown (the screen may be built ahead, and a visitor may never
        # come), and again when a run replaced the store meanwhile.
        if self._counted_for is not self.qs:
            self.refresh_stats()

    def reload(self, query: Any) -> None:
        """Show the figures of ``query`` (a run replaced the store)."""
        self.qs = query
        if self.is_current:
            self.refresh_stats()

    def refresh_stats(self) -> None:
        self._counted_for = self.qs
        run = self.qs.latest_run() or {}
        state = Text(f"latest run {run.get('id', '-')}: {run.get('status', 'none')}", "bold")
        if not run:
            state = Text("No run yet: press r to run the chain of the config.", "bold yellow")
        self.query_one("#run-state", Static).update(state)
        self._count(self.qs.path)

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _count(self, path: Any) -> None:
        q = Query(path)
        try:
            stats = q.plugin_stats()
            hists = {
                p: q.score_histogram(p) for p, s in stats.items() if s["mean_score"] is not None
            }
            errors = q.errors(list(stats), ERRORS_LISTED)
        finally:
            q.close()
        self.app.call_from_thread(self._counted, stats, hists, errors)

    def _counted(
        self,
        stats: dict[str, dict[str, Any]],
        hists: dict[str, list[int]],
        errors: list[ErrorRow],
    ) -> None:
        self.stats = stats
        self.query_one("#timings", Static).update(self._timings(stats))
        self.query_one("#scores", Static).update(self._scores(stats, hists))
        lst = self.query_one("#run-errors", RowList)
        lst.display = bool(errors)
        lst.show_rows(
            [
                Item(
                    f"{e.doc_id}\t{e.plugin}",
                    safe(f"{e.plugin}: {one_line(e.doc_id, 30)}: {one_line(e.error or '', 200)}"),
                )
                for e in errors
            ],
            item_text,
        )
        n = len(errors)
        self.query_one("#errors-title", Static).update(
            Text(f"errors ({n}{'+' if n == ERRORS_LISTED else ''}); Enter shows one", "bold")
            if errors
            else Text("errors: none", "bold")
        )

    def _order(self, names: list[str] | set[str]) -> list[str]:
        chain = self._chain()
        return [p for p in chain if p in names] + sorted(set(names) - set(chain))

    def _timings(self, stats: dict[str, dict[str, Any]]) -> Table:
        table = Table(
            box=box.SIMPLE_HEAD,
            header_style="bold",
            pad_edge=False,
            caption="doc s: the per-document hook's time over the stored results; run s: the "
            "plugin's time in the latest run, its corpus hook included",
            caption_justify="left",
            caption_style="dim",
        )
        for col, right in (
            ("plugin", False),
            ("stage", False),
            ("docs", True),
            ("errors", True),
            ("mean", True),
            ("findings", True),
            ("doc s", True),
            ("run s", True),
            ("cached", True),
        ):
            table.add_column(col, justify="right" if right else "left", no_wrap=True)
        for name in self._order(set(stats)):
            s = stats[name]
            mean, secs, run_s, cached = (
                s["mean_score"],
                s["seconds"],
                s["run_seconds"],
                s["cached"],
            )
            table.add_row(
                name,
                s["stage"],
                f"{s['documents']:,}",
                Text(f"{s['errors']:,}", "red bold" if s["errors"] else ""),
                "" if mean is None else f"{mean:.3f}",
                f"{s['findings']:,}",
                Text("corpus", "dim") if secs is None else f"{secs:.2f}",
                "" if run_s is None else f"{run_s:.2f}",
                "" if cached is None else f"{cached:,}",
            )
        return table

    def _scores(self, stats: dict[str, dict[str, Any]], hists: dict[str, list[int]]) -> Any:
        shown = [p for p in self._order(set(hists)) if any(hists[p])]
        if not shown:
            return Text("No plugin of this run gives scores.", "dim")
        width = max(HIST_W, self.query_one("#scores").content_region.width or 100)
        per_row = max(1, width // HIST_W)
        grid = Table.grid(padding=(1, 4, 0, 0))
        for _ in range(min(per_row, len(shown))):
            grid.add_column()
        charts = [histogram(p, hists[p], mean=stats[p]["mean_score"]) for p in shown]
        for i in range(0, len(charts), per_row):
            grid.add_row(*charts[i : i + per_row])
        title = Text("score distributions (ten bins from 0 to 1)", "bold")
        return Group(title, grid)

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        if event.rowlist.id == "run-errors" and event.row is not None:
            doc_id, plugin = event.row.key.split("\t")
            r = self.qs.result(doc_id, plugin)
            tb = (r.traceback or r.error or "") if r else ""
            self.query_one("#traceback", Static).update(safe(tb, "red"))

    def action_run_all(self) -> None:
        self.start(())

    def action_run_plugin(self) -> None:
        row = self.query_one("#run-plugins", RowList)
        item = row.row(row.cursor)
        if item is None:
            self.notify("Select a plugin on the left first.")
            return
        self.start((item.key,))

    def start(self, only: tuple[str, ...]) -> None:
        if self.running:
            self.notify("A run is already going; x cancels it.")
            return
        if self.config is None:
            self.notify("No config: open the TUI with -c config.toml to run.", severity="error")
            return
        self.running = True
        self.cancel.clear()
        self.query_one("#bars").remove_children()
        self.bars.clear()
        what = ", ".join(only) if only else "the whole chain"
        self.query_one("#run-state", Static).update(Text(f"running {what}…", "bold cyan"))
        self._run(only)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _run(self, only: tuple[str, ...]) -> None:
        run_pipeline(self.post_message, self.config, self.store_path, only, self.cancel)

    def action_cancel(self) -> None:
        if self.running:
            self.cancel.set()
            self.query_one("#run-state", Static).update(Text("cancelling…", "bold yellow"))

    def on_progress(self, msg: Progress) -> None:
        bar = self.bars.get(msg.label)
        if bar is None:
            bar = ProgressBar(total=msg.total, show_eta=False, id=None)
            self.bars[msg.label] = bar
            row = Horizontal(
                Static(Text(one_line(msg.label, 28)), classes="bar-label"), bar, classes="bar-row"
            )
            self.query_one("#bars").mount(row)
        bar.update(total=msg.total, progress=msg.done)

    def on_working(self, msg: Working) -> None:
        if not self.running:
            return  # a message that arrived after the run ended
        self.working = (msg.stage, msg.plugin, msg.doc_id)
        line = self.query_one("#run-activity", Static)
        line.display = True
        line.update(
            Text.assemble(
                (f"{msg.stage}: ", "bold"),
                (msg.plugin, "bold cyan"),
                " on ",
                safe(one_line(msg.doc_id, 60)),
            )
        )

    def on_run_finished(self, msg: RunFinished) -> None:
        self.running = False
        self.working = None
        line = self.query_one("#run-activity", Static)
        line.update("")
        line.display = False
        if msg.error:
            self.notify(msg.error, severity="warning" if "cancel" in msg.error else "error")
        else:
            self.notify("Run finished.")
        self.app.reload_query()  # type: ignore[attr-defined]
        self.qs = self.app.query_store  # type: ignore[attr-defined]
        self.refresh_stats()
        if msg.error:
            self.query_one("#run-state", Static).update(Text(msg.error, "bold yellow"))
