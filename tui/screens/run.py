"""The run screen: start or re-run the pipeline, progress per stage, cancel, timings and errors."""

from __future__ import annotations

import threading
from typing import Any

from rich.text import Text
from textmill.display import one_line, safe
from textmill.tui.widgets.footer import KeysFooter
from textmill.tui.workers import Progress, RunFinished, run_pipeline
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option


class RunScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="run.back"),
        Binding("r", "run_all", "Run all", id="run.all", tooltip="Run the whole chain"),
        Binding("p", "run_plugin", "Run selected plugin", id="run.plugin"),
        Binding("x", "cancel", "Cancel", id="run.cancel"),
    ]
    HELP = (
        "r runs the whole chain of the config (unchanged work comes from the cache), p re-runs "
        "only the plugin selected on the left, x cancels (finished work is kept and the next run "
        "resumes). The table shows each plugin's timings; select an error to read its traceback."
    )

    def __init__(self, query: Any, config: Any, store_path: Any) -> None:
        super().__init__()
        self.qs = query
        self.config = config
        self.store_path = store_path
        self.cancel = threading.Event()
        self.running = False
        self.bars: dict[str, ProgressBar] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="run-state", classes="tab-head")
        with Horizontal():
            with Vertical(classes="side"):
                yield Static(Text("plugins in the chain (p re-runs one)", "bold"))
                names = self._chain()
                yield OptionList(*[Option(n, id=n) for n in names], id="run-plugins")
            with VerticalScroll(id="run-main"):
                yield Vertical(id="bars")
                yield DataTable(id="timings", cursor_type="row")
                yield Static(Text("errors", "bold"), id="errors-title")
                yield OptionList(id="run-errors")
                yield Static(id="traceback")
        yield KeysFooter()

    def _chain(self) -> list[str]:
        """The plugins of the config's chain, or (without a config) of the latest run's."""
        if self.config is not None:
            return [p for _, p in self.config.chain_plugins()]
        return list(self.qs.plugins())

    def on_mount(self) -> None:
        table = self.query_one("#timings", DataTable)
        table.add_columns("plugin", "documents", "errors", "mean score", "findings", "seconds")
        self.refresh_stats()

    def refresh_stats(self) -> None:
        table = self.query_one("#timings", DataTable)
        table.clear()
        stats = self.qs.plugin_stats()
        chain = self._chain()
        for name in [p for p in chain if p in stats] + sorted(set(stats) - set(chain)):
            s = stats[name]
            mean = s["mean_score"]
            table.add_row(
                name,
                s["documents"],
                Text(str(s["errors"]), "red bold" if s["errors"] else ""),
                "" if mean is None else f"{mean:.3f}",
                s["findings"],
                f"{s['seconds']:.2f}",
            )
        errors = self.query_one("#run-errors", OptionList)
        errors.clear_options()
        rows = self.qs.conn.execute(
            "SELECT doc_id, plugin, error FROM results WHERE status='error' LIMIT 500"
        ).fetchall()
        errors.add_options(
            [
                Option(safe(f"{p}: {one_line(d, 30)}: {one_line(e or '', 80)}"), id=f"{d}\t{p}")
                for d, p, e in rows
            ]
        )
        errors.display = bool(rows)
        self.query_one("#errors-title", Static).update(
            Text(f"errors ({len(rows)}{'+' if len(rows) == 500 else ''})", "bold")
            if rows
            else Text("errors: none", "bold")
        )
        run = self.qs.latest_run() or {}
        state = Text(f"latest run {run.get('id', '-')}: {run.get('status', 'none')}", "bold")
        if not run:
            state = Text("No run yet: press r to run the chain of the config.", "bold yellow")
        self.query_one("#run-state", Static).update(state)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "run-errors" and event.option.id:
            doc_id, plugin = event.option.id.split("\t")
            r = self.qs.store.result(doc_id, plugin)
            tb = (r.traceback or r.error or "") if r else ""
            self.query_one("#traceback", Static).update(safe(tb, "red"))

    def action_run_all(self) -> None:
        self.start(())

    def action_run_plugin(self) -> None:
        lst = self.query_one("#run-plugins", OptionList)
        if lst.highlighted is None:
            self.notify("Select a plugin on the left first.")
            return
        option = lst.get_option_at_index(lst.highlighted)
        self.start((option.id or "",))

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
            box = Horizontal(
                Static(Text(one_line(msg.label, 28)), classes="bar-label"), bar, classes="bar-row"
            )
            self.query_one("#bars").mount(box)
        bar.update(total=msg.total, progress=msg.done)

    def on_run_finished(self, msg: RunFinished) -> None:
        self.running = False
        if msg.error:
            self.notify(msg.error, severity="warning" if "cancel" in msg.error else "error")
        else:
            self.notify("Run finished.")
        self.app.reload_query()  # type: ignore[attr-defined]
        self.qs = self.app.query_store  # type: ignore[attr-defined]
        self.refresh_stats()
        if msg.error:
            self.query_one("#run-state", Static).update(Text(msg.error, "bold yellow"))
