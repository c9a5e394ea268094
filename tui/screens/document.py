"""One document in depth: a tab per plugin of the run.

The app keeps one document screen for its whole life. Opening a document gives the same
widgets new content (tabs are labels on one line, a tab's text is one scrolling view that draws
only the lines on screen), so opening and switching tabs cost no widget construction. Each
tab's content is built when first shown and kept while the document is open.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textmill.display import one_line, safe, safe_text
from textmill.query import DocumentView
from textmill.tui.screens import doctabs
from textmill.tui.screens.doctabs import Item, TabContent, item_text
from textmill.tui.widgets.doctable import fit
from textmill.tui.widgets.footer import KeysFooter
from textmill.tui.widgets.rowlist import RowList
from textmill.tui.widgets.tabbar import TabBar
from textmill.tui.widgets.textview import TextView
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

DOC_LIMIT = 200  # documents listed under an entity, members listed per cluster


class DocumentScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="document.back"),
        Binding(
            "t",
            "toggle_clean",
            "Raw/clean",
            id="document.toggle",
            tooltip="Cleaning: raw text with removals, or the clean text",
        ),
        Binding("tab", "app.focus_next", "Text/list", id="document.pane", tooltip="The next pane"),
        *(
            Binding(str(n), f"tab({n - 1})", f"Tab {n}", show=False, id=f"document.tab{n}")
            for n in range(1, 10)
        ),
    ]
    HELP_TITLE = "Document"
    HELP = (
        "One document, a tab per plugin (Left/Right or 1-9 switch tabs, Tab moves to the text "
        "and the list). Cleaning: removed spans are struck through with their reason, and the "
        "line above sums them up (t toggles the clean text). Quality: findings highlighted by "
        "severity; select one in the list to scroll to it. Duplicates: the other versions and "
        "aligned sentences side by side; select a version to open it. Entities: select one for "
        "its knowledge-base entry and the other documents that mention it; select a document "
        "to open it. Summary: the summary sentences highlighted in the text. Escape goes back "
        "to the document opened before, or to the screen under this one."
    )

    def __init__(self) -> None:
        super().__init__()
        self.view: DocumentView | None = None
        self.history: list[tuple[str, str]] = []  # (doc id, tab id) of documents opened before
        self.show_clean = False
        self.contents: dict[str, TabContent] = {}
        self.side_kind = ""
        self.entity_docs: list[str] = []
        self._pending: DocumentView | None = None
        self._info_fills = False  # the side's info takes the panel's height

    @property
    def qs(self) -> Any:
        return self.app.query_store  # type: ignore[attr-defined]

    @property
    def doc_id(self) -> str:
        return self.view.doc.id if self.view else ""

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="doc-title")
        yield TabBar(self._show_tab, id="tabs")
        yield Static(id="tab-head", classes="tab-head")
        with Horizontal(id="tab-body"):
            yield TextView(id="doc-text", classes="doc-text")
            with Vertical(id="side", classes="side"):
                yield Static(id="side-title", classes="side-title")
                yield RowList(id="side-list")
                yield TextView(id="side-info", classes="side-info")
                yield RowList(id="side-docs")
        yield KeysFooter()

    def on_mount(self) -> None:
        if self._pending is not None:
            view, self._pending = self._pending, None
            self._show_document(view, None)

    # --- opening documents ----------------------------------------------------------------------

    def open(self, view: DocumentView, *, fresh: bool) -> None:
        """Show ``view``. ``fresh``: a new visit (from another screen), so Escape leaves the
        screen; otherwise Escape comes back to the document shown now."""
        if fresh:
            self.history.clear()
        elif self.view is not None:
            self.history.append((self.view.doc.id, self.query_one(TabBar).active))
        if not self.is_mounted:
            self._pending = view
            return
        self._show_document(view, self.query_one(TabBar).active if self.view else None)

    def _show_document(self, view: DocumentView, tab: str | None) -> None:
        self.view = view
        self.contents = {}
        self.show_clean = False
        # One line: the title takes what the id and sizes leave.
        about = (
            f"{one_line(view.doc.id, 60)}  ·  {len(view.doc.raw):,} chars raw, "
            f"{len(view.doc.text):,} clean"
        )
        width = max(20, (self.size.width or 120) - 2)
        title = Text(fit(view.doc.title or view.doc.id, max(10, width - len(about) - 3)), "bold")
        title.append("   " + about, "dim")
        self.query_one("#doc-title", Static).update(title)
        bar = self.query_one(TabBar)
        # The tab of the same plugin stays selected from one document to the next.
        bar.set_tabs(doctabs.tab_list(view), active=tab)
        self._show_tab(bar.active)
        bar.focus()

    def action_back(self) -> None:
        if not self.history:
            self.app.pop_screen()
            return
        doc_id, tab = self.history.pop()
        view = self.qs.document(doc_id, members=DOC_LIMIT)
        if view is None:  # gone after a re-run
            self.app.pop_screen()
            return
        self._show_document(view, tab)

    # --- tabs -----------------------------------------------------------------------------------

    def action_tab(self, index: int) -> None:
        self.query_one(TabBar).select(index)

    def _content(self, tab: str) -> TabContent:
        found = self.contents.get(tab)
        if found is None:
            found = self.contents[tab] = self._build(tab)
        return found

    def _build(self, tab: str) -> TabContent:
        assert self.view is not None
        view = self.view
        if tab == "tab-error":
            return doctabs.error_tab(view)
        if tab == "tab-clean":
            return doctabs.cleaning_tab(view, self.show_clean)
        name = tab.removeprefix("tab-")
        r = view.results[name]
        custom = self._plugin_renderer(name)
        if custom is not None:
            return doctabs.rendered_tab(name, custom)
        if r.status == "error":
            return doctabs.error_result_tab(view, name)
        if r.stage == "dedup":
            return doctabs.duplicates_tab(view, name, self.qs)
        if r.stage == "entities" and r.data.get("mentions") is not None:
            return doctabs.entities_tab(view, name)
        if r.stage == "summarize" and "sentences" in r.data:
            return doctabs.summary_tab(view, name)
        if r.findings or r.stage == "quality":
            return doctabs.findings_tab(view, name)
        return doctabs.generic_tab(view, name)

    def _show_tab(self, tab: str) -> None:
        if self.view is None or not tab:
            return
        content = self._content(tab)
        self.query_one("#tab-head", Static).update(content.head)
        text = self.query_one(TextView)
        text.display = content.main is not None
        if content.main is not None:
            text.show(
                content.main,
                key=(self.view.doc.id, tab, self.show_clean),
                heavy=content.heavy,
            )
        self._show_side(content)

    def _show_side(self, content: TabContent) -> None:
        side = content.side
        box = self.query_one("#side", Vertical)
        box.display = side is not None
        self.side_kind = side.kind if side else ""
        if side is None:
            return
        # Inline styles rather than classes: a class change restyles the whole panel.
        box.styles.border_left = ("none", "black") if side.wide or content.main is None else None
        title = self.query_one("#side-title", Static)
        title.display = side.title is not None
        title.update(side.title or "")
        lst = self.query_one("#side-list", RowList)
        lst.display = side.rows is not None
        if side.fetch is not None and side.rows is not None:
            lst.show_paged(len(side.rows), side.fetch, side.render, page=40)
        else:
            lst.show_rows(side.rows or [], side.render, wrap=side.wrap)
        info = self.query_one("#side-info", TextView)
        info.display = side.info is not None
        # The info takes the panel when it is all the panel holds, and scrolls there.
        fill = side.rows is None
        if fill != self._info_fills:  # setting a style, even to what it is, lays out again
            self._info_fills = fill
            info.styles.height = "1fr" if fill else None
            info.styles.max_height = "100%" if fill else None
        info.show(side.info or Text(""))
        docs = self.query_one("#side-docs", RowList)
        docs.display = False  # until an entity is chosen
        docs.show_rows([], item_text)
        self.entity_docs = []

    # --- selections -----------------------------------------------------------------------------

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        oid = event.row.key
        if event.rowlist.id == "side-docs":
            self.app.open_document(oid)  # type: ignore[attr-defined]
        elif self.side_kind == "finding":
            tab = self.query_one(TabBar).active
            finding = self._content(tab).findings[int(oid)]
            if finding.span is not None:
                self.query_one(TextView).scroll_to_offset(finding.span.start)
            self.notify(one_line(finding.message, 200), title=finding.code)
        elif self.side_kind == "entity":
            self._show_entity(oid)
        elif self.side_kind == "open":
            self.app.open_document(oid)  # type: ignore[attr-defined]

    def _show_entity(self, entity_id: str) -> None:
        row = self.qs.entity_row(entity_id)
        info = Text()
        docs: list[tuple[str, str]] = []
        if row is None:
            info.append(safe_text(entity_id), "bold")
        else:
            info.append(safe_text(row["name"] or entity_id) + "\n", "bold")
            info.append(
                f"KB id: {safe_text(row['kb_id'] or 'none (NIL)')}   "
                f"type: {safe_text(row['type'] or '')}\n"
            )
            if row["description"]:
                info.append(safe_text(row["description"]) + "\n", "italic")
            variants = row["data"].get("variants") or {}
            if variants:
                info.append("written: " + safe_text(", ".join(variants)) + "\n", "dim")
            docs = self.qs.entity_documents(entity_id, exclude=self.doc_id, limit=DOC_LIMIT)
            others = max(0, int(row["doc_count"] or 0) - 1)
            info.append(
                f"{others} other document{'' if others == 1 else 's'} mention it"
                + (f" (the first {len(docs)} here)" if others > len(docs) else "")
                + ":",
                "bold",
            )
        self.query_one("#side-info", TextView).show(info)
        self._mark_mentions(entity_id)
        lst = self.query_one("#side-docs", RowList)
        lst.display = True
        lst.show_rows([Item(d, Text(one_line(title or d, 200))) for d, title in docs], item_text)
        self.entity_docs = [d for d, _ in docs]

    def _mark_mentions(self, entity_id: str) -> None:
        """Show the chosen entity's mentions in reverse video and scroll to the first."""
        tab = self.query_one(TabBar).active
        content = self._content(tab)
        if self.view is None or not isinstance(content.main, Text):
            return
        plugin = tab.removeprefix("tab-")
        spans = [
            (m["start"], m["end"])
            for m in self.view.results[plugin].data.get("mentions") or []
            if m.get("entity") == entity_id
        ]
        marked = content.main.copy()
        for start, end in spans:
            marked.stylize("reverse", start, end)
        text = self.query_one(TextView)
        text.show(marked, key=(self.view.doc.id, tab, self.show_clean))
        if spans:
            text.scroll_to_offset(min(start for start, _ in spans))

    # --- cleaning -------------------------------------------------------------------------------

    def action_toggle_clean(self) -> None:
        if self.view is None or not any(t == "tab-clean" for t, _ in self.query_one(TabBar).tabs):
            self.notify("This run has no cleaning results.")
            return
        self.show_clean = not self.show_clean
        self.contents.pop("tab-clean", None)
        bar = self.query_one(TabBar)
        if bar.active == "tab-clean":
            self._show_tab("tab-clean")
        else:
            bar.active = "tab-clean"

    def _cleaning(self) -> Text:
        """The Cleaning tab's text as it shows now (raw with removals, or clean)."""
        assert self.view is not None
        return doctabs.cleaning_text(self.view, self.show_clean)

    # --- plugins' own renderers -----------------------------------------------------------------

    def _plugin_renderer(self, plugin: str) -> Any:
        manager = self.app.manager  # type: ignore[attr-defined]
        if manager is None or self.view is None:
            return None
        try:
            return manager.pm.hook.textmill_render_result(
                plugin=plugin, result=self.view.results[plugin], document=self.view.doc
            )
        except Exception as exc:  # a broken renderer must not break the screen
            return safe(f"{plugin}'s renderer failed: {exc}", "red")
