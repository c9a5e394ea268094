"""One document in depth: a tab per plugin of the run."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.pretty import Pretty
from rich.table import Table
from rich.text import Text
from textmill.display import one_line, safe, safe_text
from textmill.model import Finding
from textmill.query import DocumentView
from textmill.tui.widgets.footer import KeysFooter
from textmill.tui.widgets.highlight import LABEL_STYLE, SEVERITY_STYLE, highlighted, line_of
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

STAGE_TITLES = {
    "clean": "Cleaning",
    "quality": "Quality",
    "dedup": "Duplicates",
    "entities": "Entities",
    "summarize": "Summary",
}


class TabBody(Vertical):
    """A tab's content, composed from a builder when the tab is first shown."""

    def __init__(self, build: Callable[[], ComposeResult]) -> None:
        super().__init__()
        self.build = build

    def compose(self) -> ComposeResult:
        yield from self.build()


class DocumentScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="document.back"),
        Binding(
            "t",
            "toggle_clean",
            "Raw/clean",
            id="document.toggle",
            tooltip="Cleaning: raw text with removals, or the clean text",
        ),
    ]
    HELP = (
        "One document, a tab per plugin. Cleaning: removed spans are struck through with their "
        "reason (t toggles the clean text). Quality: findings highlighted by severity; select "
        "one in the list to jump to it. Duplicates: the other versions and aligned sentences side "
        "by side. Entities: select one to see its knowledge-base entry and the other documents "
        "that mention it; select a document to open it. Summary: the summary sentences "
        "highlighted in the text."
    )

    def __init__(self, query: Any, doc_id: str, manager: Any = None) -> None:
        super().__init__()
        self.qs = query
        self.doc_id = doc_id
        self.manager = manager
        view = query.document(doc_id)
        assert view is not None
        self.view: DocumentView = view
        self.show_clean = False
        self.entity_docs: list[str] = []
        self._lazy: dict[str, Any] = {}  # pane id -> builder of its widgets

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        v = self.view
        title = Text(one_line(v.doc.title or v.doc.id, 100), style="bold")
        title.append(
            f"   {v.doc.id}  ·  {len(v.doc.raw):,} chars raw, {len(v.doc.text):,} clean", "dim"
        )
        yield Static(title, id="doc-title")
        stages: dict[str, list[str]] = {}
        for name, r in v.results.items():
            stages.setdefault(r.stage, []).append(name)
        # Tabs fill in when first shown: a document with many plugins opens as fast as one
        # with a single tab.
        with TabbedContent(id="tabs"):
            for pane_id, label, build in self._tabs(stages):
                with TabPane(label, id=pane_id):
                    if not self._lazy:
                        yield TabBody(build)
                self._lazy[pane_id] = build
        yield KeysFooter()

    def _tabs(self, stages: dict[str, list[str]]) -> list[tuple[str, str, Any]]:
        """``(pane id, label, builder)`` of each tab; a builder yields the tab's widgets."""
        v = self.view
        tabs: list[tuple[str, str, Any]] = []
        if v.error:
            tabs.append(("tab-error", "Error", self._error_tab))
        if "clean" in stages:
            tabs.append(("tab-clean", "Cleaning", self._cleaning_tab))
        for name, r in v.results.items():
            if r.stage == "clean":
                continue
            label = name if r.stage not in STAGE_TITLES else f"{STAGE_TITLES[r.stage]}: {name}"
            tabs.append((f"tab-{name}", label, partial(self._plugin_tab, name)))
        return tabs

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane
        build = self._lazy.get(pane.id or "")
        if build is not None and not pane.children:
            pane.mount(TabBody(build))

    def _error_tab(self) -> ComposeResult:
        yield Static(safe(f"This document could not be read: {self.view.error}", "red"))

    def _cleaning_tab(self) -> ComposeResult:
        with VerticalScroll(id="clean-scroll"):
            yield Static(self._cleaning(), id="clean-text")

    def _plugin_tab(self, name: str) -> ComposeResult:
        r = self.view.results[name]
        custom = self._plugin_renderer(name)
        if custom is not None:
            with VerticalScroll():
                yield Static(custom)
        elif r.status == "error":
            yield Static(safe(f"{name} failed: {r.error}\n\n{r.traceback or ''}", "red"))
        elif name == "dedup" or r.stage == "dedup":
            yield from self._duplicates(name)
        elif r.stage == "entities" and r.data.get("mentions") is not None:
            yield from self._entities(name)
        elif r.stage == "summarize" and "sentences" in r.data:
            yield from self._summary(name)
        elif r.findings or r.stage == "quality":
            yield from self._findings(name)
        else:
            with VerticalScroll():
                yield Static(self._generic(name))

    # --- cleaning -------------------------------------------------------------------------------

    def _cleaning(self) -> Text:
        v = self.view
        if self.show_clean:
            return safe(v.doc.text)
        raw = v.doc.raw
        out = Text()
        pos = 0
        for e in sorted(v.clean_edits, key=lambda e: (e.span.start, e.span.end)):
            if e.span.start < pos:
                continue
            out.append(safe_text(raw[pos : e.span.start]))
            removed = raw[e.span.start : e.span.end]
            if e.replacement == "" and removed.strip():
                style = "strike dim red" if e.applied else "underline yellow"
                out.append(safe_text(removed.rstrip("\n")), style)
                out.append(
                    f"  ⟨{e.reason} {e.confidence:.2f}{'' if e.applied else ', flagged'}⟩",
                    "italic magenta",
                )
                if removed.endswith("\n"):
                    out.append("\n")
            elif e.replacement:
                out.append(safe_text(removed), "strike dim")
                out.append(safe_text(e.replacement), "green")
            else:
                out.append(safe_text(removed), "dim")
            pos = e.span.end
        out.append(safe_text(raw[pos:]))
        return out

    def action_toggle_clean(self) -> None:
        self.show_clean = not self.show_clean
        try:
            self.query_one("#clean-text", Static).update(self._cleaning())
        except Exception:  # no cleaning tab in this run
            self.notify("This run has no cleaning results.")

    # --- quality and generic findings ------------------------------------------------------------

    def _findings(self, plugin: str) -> ComposeResult:
        r = self.view.results[plugin]
        text = self.view.doc.text
        spans = [
            (f.span.start, f.span.end, SEVERITY_STYLE.get(f.severity, "underline"))
            for f in r.findings
            if f.span
        ]
        head = Text()
        if r.score is not None:
            head.append(f"score {r.score:.3f}  ", "bold")
        if r.label:
            head.append(safe_text(str(r.label)) + "  ")
        head.append(f"{len(r.findings)} findings", "dim")
        yield Static(head, classes="tab-head")
        with Horizontal():
            with VerticalScroll(classes="doc-text", id=f"text-{plugin}"):
                yield Static(highlighted(text, spans))
            options = [
                Option(_finding_line(f), id=f"{plugin}:{i}") for i, f in enumerate(r.findings)
            ]
            if options:
                yield OptionList(*options, classes="side", id=f"findings-{plugin}")
            else:  # nothing to list: say so, and show what the plugin found instead
                parts: list[RenderableType] = [Text("No findings.", "dim")]
                if r.data:
                    parts += [Text(""), Text("data", "bold"), Pretty(r.data)]
                with VerticalScroll(classes="side side-info"):
                    yield Static(Group(*parts), id=f"findings-{plugin}")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        oid = event.option.id or ""
        if event.option_list.id and event.option_list.id.startswith("findings-"):
            plugin, _, i = oid.rpartition(":")
            f = self.view.results[plugin].findings[int(i)]
            self.jump_to(plugin, f)
        elif event.option_list.id == "entity-list":
            self._show_entity(oid)
        elif event.option_list.id in ("entity-docs", "versions"):
            self.app.open_document(oid)  # type: ignore[attr-defined]

    def jump_to(self, plugin: str, f: Finding) -> None:
        if f.span is None:
            return
        scroll = self.query_one(f"#text-{plugin}", VerticalScroll)
        scroll.scroll_to(y=max(0, line_of(self.view.doc.text, f.span.start) - 2), animate=False)
        self.notify(one_line(f.message, 200), title=f.code)

    # --- duplicates -----------------------------------------------------------------------------

    def _duplicates(self, plugin: str) -> ComposeResult:
        v = self.view
        r = v.results[plugin]
        head = Text()
        for kind, cid in (r.data.get("clusters") or {}).items():
            head.append(f"{kind}: {cid}   ", "bold")
        if r.data.get("duplicate_of"):
            head.append(
                f"duplicate of {safe_text(r.data['duplicate_of'])} ({r.data.get('similarity')})",
                "yellow",
            )
        if not head:
            head.append("This document is in no cluster.", "dim")
        yield Static(head, classes="tab-head")
        others: list[Option] = []
        seen = set()
        for c in v.clusters:
            for m in c.members:
                if m.doc_id != v.doc.id and m.doc_id not in seen:
                    seen.add(m.doc_id)
                    others.append(
                        Option(
                            Text(f"{m.similarity:.2f} {c.kind:<5} {one_line(m.doc_id, 22)}"),
                            id=m.doc_id,
                        )
                    )
        with Horizontal():
            with VerticalScroll(id="aligned-scroll"):
                yield Static(self._aligned(), id="aligned")
            with Vertical(classes="side"):
                yield Static(
                    Text("Other versions (similarity, cluster kind); Enter opens one", "bold"),
                    classes="side-title",
                )
                yield OptionList(*others, id="versions")

    ALIGNED_ROWS = 500

    def _aligned(self) -> RenderableType:
        """Aligned sentences side by side; two columns that share the width and wrap."""
        v = self.view
        table = Table(expand=True, show_lines=True, box=box.SIMPLE_HEAD, header_style="bold")
        table.add_column("this version", ratio=1)
        table.add_column("other version", ratio=1)
        table.add_column("", width=12)
        cross = [f for f in v.findings if f.code.startswith("mt.cross.") and f.span]
        alignments = self.qs.alignments(doc_id=v.doc.id)
        texts: dict[str, str] = {}
        for a in alignments[: self.ALIGNED_ROWS]:
            mine, other_id, other_span = (
                (a.span_a, a.doc_b, a.span_b)
                if a.doc_a == v.doc.id
                else (a.span_b, a.doc_a, a.span_a)
            )
            if other_id not in texts:
                other = self.qs.corpus.document(other_id)
                texts[other_id] = other.text if other else ""
            marks = [
                f.code.split(".")[-1]
                for f in cross
                if f.span is not None and f.span.start < mine.end and mine.start < f.span.end
            ]
            other_text = Text(f"{one_line(other_id, 16)}  ", "dim")
            other_text.append(safe_text(texts[other_id][other_span.start : other_span.end]))
            table.add_row(
                Text(safe_text(v.doc.text[mine.start : mine.end])),
                other_text,
                Text(" ".join(marks) or f"{a.score:.2f}", "yellow" if marks else "dim"),
            )
        for f in v.findings:
            if f.code == "mt.cross.omission":
                table.add_row(
                    Text("— missing here —", "red"), safe(f.message), Text("omission", "yellow")
                )
        if not table.row_count:
            return Text("No aligned sentences for this document.", "dim")
        if len(alignments) > self.ALIGNED_ROWS:
            return Group(table, Text(f"… {len(alignments) - self.ALIGNED_ROWS} more", "dim"))
        return table

    # --- entities -------------------------------------------------------------------------------

    def _entities(self, plugin: str) -> ComposeResult:
        mentions = self.view.results[plugin].data.get("mentions") or []
        spans = [
            (m["start"], m["end"], LABEL_STYLE.get(m.get("label", ""), "underline"))
            for m in mentions
        ]
        by_entity: dict[str, list[dict[str, Any]]] = {}
        for m in mentions:
            by_entity.setdefault(m["entity"], []).append(m)
        options = [
            Option(
                Text(
                    f"{len(ms):>3}× {ms[0].get('label', ''):<6} "
                    f"{one_line(ms[0].get('name') or ms[0]['text'], 22)}"
                ),
                id=eid,
            )
            for eid, ms in sorted(by_entity.items(), key=lambda kv: -len(kv[1]))
        ]
        head = Text(f"{len(mentions)} mentions of {len(by_entity)} entities", "dim")
        head.append("   Enter on an entity: its knowledge-base entry and other documents", "dim")
        yield Static(head, classes="tab-head")
        with Horizontal():
            with VerticalScroll(classes="doc-text", id=f"text-{plugin}"):
                yield Static(highlighted(self.view.doc.text, spans))
            with Vertical(classes="side"):
                yield OptionList(*options, id="entity-list")
                yield Static(id="entity-info")
                yield OptionList(id="entity-docs")

    def _show_entity(self, entity_id: str) -> None:
        ent = self.qs.entity(entity_id)
        info = Text()
        docs: list[str] = []
        if ent is None:
            info.append(safe_text(entity_id), "bold")
        else:
            info.append(safe_text(ent.name) + "\n", "bold")
            info.append(
                f"KB id: {safe_text(ent.kb_id or 'none (NIL)')}   type: {safe_text(ent.type)}\n"
            )
            if ent.description:
                info.append(safe_text(ent.description) + "\n", "italic")
            variants = ent.data.get("variants") or {}
            if variants:
                info.append("written: " + safe_text(", ".join(variants)) + "\n", "dim")
            docs = sorted({m.doc_id for m in ent.mentions} - {self.view.doc.id})
            info.append(f"{len(docs)} other documents mention it:", "bold")
        self.query_one("#entity-info", Static).update(info)
        lst = self.query_one("#entity-docs", OptionList)
        lst.clear_options()
        lst.add_options([Option(Text(one_line(d, 40)), id=d) for d in docs])
        self.entity_docs = docs

    # --- summary --------------------------------------------------------------------------------

    def _summary(self, plugin: str) -> ComposeResult:
        data = self.view.results[plugin].data
        spans = [(s["start"], s["end"], "bold black on green") for s in data.get("sentences", [])]
        yield Static(
            Group(Text("Summary", "bold"), safe(data.get("summary", "")), Text("")),
            classes="tab-head",
        )
        with VerticalScroll(classes="doc-text", id=f"text-{plugin}"):
            yield Static(highlighted(self.view.doc.text, spans))

    # --- anything else --------------------------------------------------------------------------

    def _plugin_renderer(self, plugin: str) -> RenderableType | None:
        if self.manager is None:
            return None
        try:
            return self.manager.pm.hook.textmill_render_result(
                plugin=plugin, result=self.view.results[plugin], document=self.view.doc
            )
        except Exception as exc:  # a broken renderer must not break the screen
            return safe(f"{plugin}'s renderer failed: {exc}", "red")

    def _generic(self, plugin: str) -> RenderableType:
        r = self.view.results[plugin]
        parts: list[RenderableType] = []
        head = Text(f"{plugin} ({r.stage}) · {r.status}", "bold")
        if r.score is not None:
            head.append(f" · score {r.score:.3f}")
        if r.label:
            head.append(" · " + safe_text(str(r.label)))
        parts.append(head)
        for f in r.findings:
            parts.append(_finding_line(f))
        if r.data:
            parts.append(Text("data", "bold"))
            parts.append(Pretty(r.data))
        return Group(*parts)


def _finding_line(f: Finding) -> Text:
    t = Text()
    t.append(f.severity, SEVERITY_STYLE.get(f.severity, ""))
    t.append(" " * max(1, 8 - len(f.severity)))
    t.append(f"{f.code} ", "bold")
    t.append(safe_text(f.message))
    return t
