"""Clusters by kind and size; the selected one's representative, summary and members.

Both lists read the store a page at a time (the clusters_kind and members_rank indexes), so a
run with a hundred thousand clusters opens as fast as one with two. Cluster summaries are one
payload of the summarizer's corpus hook, read in a thread when the screen opens.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textmill.display import one_line, safe, safe_text
from textmill.query import ClusterRow, MemberRow, Query
from textmill.tui.widgets.doctable import fit
from textmill.tui.widgets.footer import KeysFooter
from textmill.tui.widgets.rowlist import RowList
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

KIND_W, SIZE_W = 6, 7


class ClustersScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="clusters.back"),
        Binding("tab", "app.focus_next", "Next list", id="clusters.pane"),
    ]
    HELP_TITLE = "Clusters"
    HELP = (
        "Clusters of the run: exact and near duplicates, versions of one story, and events, the "
        "largest of each kind first. The panel on the right shows the selected cluster: its "
        "representative (★), the cluster summary and what only some versions say, and its "
        "members with their similarity to the representative. Enter on a cluster (or Tab) "
        "moves to its members; Enter on a member opens it."
    )

    def __init__(self, query: Any) -> None:
        super().__init__()
        self.qs = query
        self.kinds: list[tuple[str, int]] = query.cluster_kinds()
        self.total = sum(n for _, n in self.kinds)
        self.summaries: dict[str, Any] | None = None  # None: still loading
        self.current: ClusterRow | None = None

    def reload(self, query: Any) -> None:
        """Read the lists again from ``query`` (a run replaced the store)."""
        self.qs = query
        self.kinds = query.cluster_kinds()
        self.total = sum(n for _, n in self.kinds)
        self.summaries, self.current = None, None
        if self.is_mounted:
            self.query_one("#clusters-head", Static).update(self._head())
            self.on_mount()

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="clusters-head", classes="tab-head")
        with Horizontal(id="clusters-body"):
            yield RowList(
                empty="This run has no clusters.", highlighted=self._highlighted, id="cluster-list"
            )
            with Vertical(id="cluster-side", classes="side"):
                with VerticalScroll(id="cluster-about"):
                    yield Static(id="cluster-info")
                yield Static(id="members-title", classes="side-title")
                yield RowList(highlighted=self._highlighted, id="cluster-members")
        yield KeysFooter()

    def _head(self) -> Text:
        t = Text()
        t.append(f"{self.total:,} cluster{'' if self.total == 1 else 's'}", "bold")
        if self.kinds:
            t.append(": " + " · ".join(f"{kind} {n:,}" for kind, n in self.kinds), "dim")
        return t

    def on_mount(self) -> None:
        lst = self.query_one("#cluster-list", RowList)
        lst.show_paged(self.total, self._fetch, cluster_line, header=cluster_header)
        lst.focus()
        self._load_summaries()

    def _fetch(self, offset: int, limit: int) -> list[ClusterRow]:
        """Rows ``offset`` … of the list: the kinds in order, each a page from its index."""
        out: list[ClusterRow] = []
        start = 0
        for kind, n in self.kinds:
            if offset < start + n and len(out) < limit:
                local = max(0, offset - start)
                out += self.qs.cluster_rows(kind, offset=local, limit=limit - len(out))
            start += n
        return out

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load_summaries(self) -> None:
        q = Query(self.qs.path)
        try:
            found = _cluster_summaries(q)
        finally:
            q.close()
        self.app.call_from_thread(self._summaries_loaded, found)

    def _summaries_loaded(self, found: dict[str, Any]) -> None:
        self.summaries = found
        if self.current is not None:
            self._show_info(self.current)

    # --- the selected cluster ---------------------------------------------------------------

    def _highlighted(self, event: RowList.Highlighted) -> None:
        if event.rowlist.id == "cluster-list" and event.row is not None:
            self.show(event.row)

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        if event.rowlist.id == "cluster-list":
            self.query_one("#cluster-members", RowList).focus()
        elif event.row is not None:
            self.app.open_document(event.row.doc_id)  # type: ignore[attr-defined]

    def show(self, c: ClusterRow) -> None:
        self.current = c
        self._show_info(c)
        self.query_one("#members-title", Static).update(
            Text(
                f"{c.size:,} member{'' if c.size == 1 else 's'} (similarity to the "
                "representative) · Enter opens one",
                "bold",
            )
        )
        members = self.query_one("#cluster-members", RowList)
        members.show_paged(
            c.size,
            lambda offset, limit: self.qs.cluster_members(c.id, offset=offset, limit=limit),
            lambda m, width: member_line(m, width, c.representative),
        )

    def _show_info(self, c: ClusterRow) -> None:
        parts: list[RenderableType] = []
        head = Text()
        head.append(f"{c.kind} cluster {safe_text(c.id)}", "bold")
        head.append(f" · {c.size:,} documents · from {safe_text(c.plugin)}", "dim")
        parts.append(head)
        rep = Text()
        rep.append("★ ", "yellow")
        rep.append(one_line(c.title or c.representative, 200))
        rep.append(f"  {one_line(c.representative, 60)}", "dim")
        parts.append(rep)
        if self.summaries is None:
            parts.append(Text("loading the cluster summaries…", "dim"))
        else:
            s = self.summaries.get(c.id)
            if s:
                parts += [Text(""), Text("Summary", "bold underline"), safe(s.get("summary", ""))]
                if s.get("only_in_some"):
                    parts.append(Text("Only in some versions", "bold underline"))
                    parts += [safe("• " + x["text"]) for x in s["only_in_some"]]
            else:
                parts.append(Text("No summary of this cluster in the run.", "dim"))
        self.query_one("#cluster-info", Static).update(Group(*parts))
        self.query_one("#cluster-about", VerticalScroll).scroll_home(animate=False)


def _cluster_widths(width: int) -> tuple[int, int]:
    """The representative's column and the id's."""
    room = max(8, width - KIND_W - SIZE_W - 3)
    id_w = min(18, max(8, room // 4))
    return room - id_w - 1, id_w


def cluster_header(width: int) -> Text:
    title_w, id_w = _cluster_widths(width)
    return Text(
        fit("kind", KIND_W)
        + " "
        + fit("size", SIZE_W, right=True)
        + "  "
        + fit("representative", title_w)
        + " "
        + fit("id", id_w, right=True)
    )


def cluster_line(c: ClusterRow, width: int) -> Text:
    title_w, id_w = _cluster_widths(width)
    t = Text()
    t.append(fit(c.kind, KIND_W) + " ", "bold")
    t.append(fit(f"{c.size:,}", SIZE_W, right=True) + "  ")
    t.append(fit(c.title or c.representative, title_w) + " ")
    t.append(fit(c.id, id_w, right=True), "dim")
    return t


def member_line(m: MemberRow, width: int, representative: str) -> Text:
    t = Text()
    t.append("★ " if m.doc_id == representative else "  ", "yellow")
    t.append(f"{m.similarity:.2f}  ", "bold")
    room = max(8, width - 8)
    id_w = min(26, room * 2 // 5) if room > 50 else 0
    t.append(fit(m.title or m.doc_id, room - id_w - (1 if id_w else 0)))
    if id_w:
        t.append(" " + fit(m.doc_id, id_w, right=True), "dim")
    return t


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
