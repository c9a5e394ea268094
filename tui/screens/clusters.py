"""Clusters by kind and size, their representative, members and the cluster summary."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textmill.display import one_line, safe
from textmill.tui.widgets.footer import KeysFooter
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option


class ClustersScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="clusters.back")]
    HELP = (
        "Clusters of the run: exact and near duplicates, versions of one story, and events. "
        "Select a cluster to see its members and summary; select a member to open it."
    )
    LIMIT = 5000

    def __init__(self, query: Any) -> None:
        super().__init__()
        self.qs = query
        order = {"exact": 0, "near": 1, "story": 2, "event": 3}
        self.clusters = sorted(
            query.clusters(), key=lambda c: (order.get(c.kind, 9), -len(c.members))
        )[: self.LIMIT]
        self.summaries = _cluster_summaries(query)

    def compose(self) -> ComposeResult:
        yield Static(
            Text(f"{len(self.clusters)} cluster{'s' if len(self.clusters) != 1 else ''}", "bold"),
            classes="tab-head",
        )
        with Horizontal():
            table: DataTable[Any] = DataTable(
                id="cluster-table", cursor_type="row", zebra_stripes=True
            )
            yield table
            with VerticalScroll(classes="side"):
                yield Static(id="cluster-info")
                yield OptionList(id="cluster-members")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("kind", "id", "size", "representative")
        for c in self.clusters:
            table.add_row(c.kind, c.id, len(c.members), one_line(c.representative, 40), key=c.id)
        table.focus()
        if self.clusters:
            self.show(self.clusters[0].id)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self.show(event.row_key.value)

    def show(self, cluster_id: str) -> None:
        c = next(c for c in self.clusters if c.id == cluster_id)
        parts: list[Any] = [Text(f"{c.kind} cluster {c.id}: {len(c.members)} documents", "bold")]
        s = self.summaries.get(c.id)
        if s:
            parts += [Text("Summary", "bold underline"), safe(s.get("summary", ""))]
            if s.get("only_in_some"):
                parts.append(Text("Only in some versions", "bold underline"))
                parts += [safe("• " + x["text"]) for x in s["only_in_some"]]
        parts.append(Text("Members (similarity to the representative)", "bold underline"))
        self.query_one("#cluster-info", Static).update(Group(*parts))
        members = self.query_one("#cluster-members", OptionList)
        members.clear_options()
        members.add_options(
            [
                Option(
                    Text(
                        ("★ " if m.doc_id == c.representative else "  ")
                        + f"{one_line(m.doc_id, 40)} {m.similarity:.2f}"
                    ),
                    id=m.doc_id,
                )
                for m in c.members
            ]
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_document(event.option.id)  # type: ignore[attr-defined]


def _cluster_summaries(query: Any) -> dict[str, Any]:
    """Cluster summaries from the first plugin of the run (a summarize stage, by the contract)
    whose corpus data holds ``{"clusters": {cluster_id: {"summary": ...}}}``."""
    run = query.latest_run() or {}
    chain = (run.get("config") or {}).get("chain") or {}
    names = list(chain.get("summarize", [])) + [p for ps in chain.values() for p in ps]
    for name in dict.fromkeys(names):
        data = query.corpus_data(name).get("data")
        found = data.get("clusters") if isinstance(data, dict) else None
        if isinstance(found, dict) and any(
            isinstance(v, dict) and "summary" in v for v in found.values()
        ):
            return found
    return {}
