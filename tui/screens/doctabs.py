"""What each tab of the document screen shows, built from a ``DocumentView`` as plain data.

A tab is a head line, a main renderable (the document's text with spans styled, or a table) and
an optional side panel (a list, an info block, a list of documents). Building one costs no
widgets: the screen keeps the same widgets and gives them the new content.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.pretty import Pretty
from rich.table import Table
from rich.text import Text
from textmill.display import one_line, safe, safe_text
from textmill.model import Finding
from textmill.query import DocumentView
from textmill.tui.widgets.doctable import fit
from textmill.tui.widgets.highlight import (
    LABEL_STYLE,
    SEVERITY_STYLE,
    SUMMARY_STYLE,
    highlighted,
    shown,
)

STAGE_TITLES = {
    "clean": "Cleaning",
    "quality": "Quality",
    "dedup": "Duplicates",
    "entities": "Entities",
    "summarize": "Summary",
}
HEAVY_ROWS = 40  # an aligned table with more rows than this is rendered in a thread
ALIGNED_ROWS = 500
KIND_RANK = {"exact": 0, "near": 1, "story": 2, "event": 3}


@dataclass(frozen=True)
class Item:
    """A row of a side list: what selecting it points to (``key``) and what it shows."""

    key: str
    text: Text


def item_text(item: Any, width: int) -> Text:
    return item.text


@dataclass
class Side:
    """The panel right of the text. ``kind`` says what Enter on a row of ``rows`` does:
    ``finding`` (scroll to it), ``entity`` (show its entry and documents under ``info``),
    ``open`` (open the document). ``render`` draws a row at a width; ``wrap`` lets a long
    row take several lines."""

    kind: str = ""
    title: RenderableType | None = None
    rows: list[Any] | None = None
    fetch: Callable[[int, int], list[Any]] | None = None  # rows read a page at a time instead
    render: Callable[[Any, int], Text] = item_text
    wrap: bool = False
    info: RenderableType | None = None
    docs: bool = False  # a list of documents under the info (the entity panel)
    wide: bool = False  # the panel takes the width (there is no text to show)


@dataclass
class TabContent:
    head: RenderableType
    main: RenderableType | None = None  # None: no text view; the side panel takes the width
    heavy: bool = False  # main is rendered in a thread
    side: Side | None = None
    findings: list[Finding] = field(default_factory=list)  # what the side's options point to


def tab_list(view: DocumentView) -> list[tuple[str, str]]:
    """``(tab id, label)`` of each tab: an error tab for an unreadable document, Cleaning for
    the clean stage's plugins together, then one per other plugin in run order."""
    tabs: list[tuple[str, str]] = []
    if view.error:
        tabs.append(("tab-error", "Error"))
    if any(r.stage == "clean" for r in view.results.values()):
        tabs.append(("tab-clean", "Cleaning"))
    for name, r in view.results.items():
        if r.stage == "clean":
            continue
        label = name if r.stage not in STAGE_TITLES else f"{STAGE_TITLES[r.stage]}: {name}"
        tabs.append((f"tab-{name}", label))
    return tabs


# --- error and cleaning ---------------------------------------------------------------------


def error_tab(view: DocumentView) -> TabContent:
    return TabContent(
        head=safe(f"This document could not be read: {view.error}", "bold red"),
        main=Text("It is stored without text, so no plugin saw it.", "dim"),
    )


def cleaning_tab(view: DocumentView, show_clean: bool) -> TabContent:
    head = cleaning_summary(view)
    head.append("   t: ", "dim")
    head.append("raw text with the removals" if show_clean else "the clean text", "dim")
    return TabContent(head=head, main=cleaning_text(view, show_clean))


def cleaning_summary(view: DocumentView) -> Text:
    """One line: what the cleaners removed, per plugin and reason (count and characters), and
    what they replaced or only flagged."""
    removed: dict[str, Counter[str]] = {}
    removed_chars: Counter[str] = Counter()
    replaced: dict[str, Counter[str]] = {}
    flagged = 0
    for e in view.clean_edits:
        plugin, _, reason = e.reason.partition(".") if "." in e.reason else ("", "", e.reason)
        if not e.applied:
            flagged += 1
        elif e.replacement:
            replaced.setdefault(plugin, Counter())[reason] += 1
        else:
            removed.setdefault(plugin, Counter())[reason] += 1
            removed_chars[e.reason] += e.span.end - e.span.start
    t = Text()
    if not view.clean_edits:
        t.append("The cleaners changed nothing in this document.", "dim")
        return t
    if removed:
        total = sum(removed_chars.values())
        places = sum(sum(c.values()) for c in removed.values())
        t.append(f"Removed {total:,} characters in {places} place{'s' * (places != 1)}", "bold")
        for plugin, reasons in removed.items():
            t.append(" · ", "dim")
            t.append(f"{safe_text(plugin)}: " if plugin else "", "bold")
            chars = {r: removed_chars[f"{plugin}.{r}" if plugin else r] for r in reasons}
            for i, reason in enumerate(sorted(reasons, key=lambda r: (-chars[r], r))):
                t.append(", " if i else "")
                t.append(safe_text(reason), "italic magenta")
                t.append(f" {reasons[reason]}× {chars[reason]:,} chars")
    for plugin, reasons in replaced.items():
        t.append(" · " if t else "")
        t.append(f"{safe_text(plugin) or 'cleaners'} replaced: ", "bold")
        t.append(", ".join(f"{safe_text(r)} {n}×" for r, n in sorted(reasons.items())))
    if flagged:
        t.append(f" · {flagged} flagged, kept", "yellow")
    return t


def cleaning_text(view: DocumentView, show_clean: bool) -> Text:
    """The raw text with removed spans struck through and their reason, or the clean text."""
    if show_clean:
        return Text(shown(view.doc.text))
    raw = view.doc.raw
    out = Text()
    pos = 0
    for e in sorted(view.clean_edits, key=lambda e: (e.span.start, e.span.end)):
        if e.span.start < pos:
            continue
        out.append(shown(raw[pos : e.span.start]))
        removed = raw[e.span.start : e.span.end]
        if e.replacement == "" and removed.strip():
            style = "strike dim red" if e.applied else "underline yellow"
            out.append(shown(removed.rstrip("\n")), style)
            out.append(
                f"  ⟨{e.reason} {e.confidence:.2f}{'' if e.applied else ', flagged'}⟩",
                "italic magenta",
            )
            if removed.endswith("\n"):
                out.append("\n")
        elif e.replacement:
            out.append(shown(removed), "strike dim")
            out.append(shown(e.replacement), "green")
        else:
            out.append(shown(removed), "dim")
        pos = e.span.end
    out.append(shown(raw[pos:]))
    return out


# --- quality and generic findings -------------------------------------------------------------


def findings_tab(view: DocumentView, plugin: str) -> TabContent:
    r = view.results[plugin]
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
    n = len(r.findings)
    head.append(f"{n} finding{'' if n == 1 else 's'}", "dim")
    if r.findings:
        head.append("   Enter on a finding scrolls to it", "dim")
        side = Side(
            kind="finding",
            rows=[Item(str(i), finding_line(f)) for i, f in enumerate(r.findings)],
            wrap=True,
        )
    else:  # nothing to list: say so, and show what the plugin found instead
        parts: list[RenderableType] = [Text("No findings.", "dim")]
        if r.data:
            parts += [Text(""), Text("data", "bold"), Pretty(r.data)]
        side = Side(info=Group(*parts))
    return TabContent(
        head=head, main=highlighted(view.doc.text, spans), side=side, findings=list(r.findings)
    )


def finding_line(f: Finding) -> Text:
    t = Text()
    t.append(f.severity, SEVERITY_STYLE.get(f.severity, ""))
    t.append(" " * max(1, 8 - len(f.severity)))
    t.append(f"{f.code} ", "bold")
    t.append(safe_text(f.message))
    return t


def error_result_tab(view: DocumentView, plugin: str) -> TabContent:
    r = view.results[plugin]
    return TabContent(
        head=safe(f"{plugin} failed on this document: {r.error}", "bold red"),
        main=safe(r.traceback or "(no traceback)", "red"),
    )


def generic_tab(view: DocumentView, plugin: str) -> TabContent:
    r = view.results[plugin]
    head = Text()
    head.append(f"{plugin} ({r.stage}) · {r.status}", "bold")
    if r.score is not None:
        head.append(f" · score {r.score:.3f}")
    if r.label:
        head.append(" · " + safe_text(str(r.label)))
    parts: list[RenderableType] = [finding_line(f) for f in r.findings]
    if r.data:
        parts += [Text("data", "bold"), Pretty(r.data)]
    if not parts:
        parts.append(Text("No findings and no data.", "dim"))
    return TabContent(head=head, main=Group(*parts))


def rendered_tab(plugin: str, renderable: RenderableType) -> TabContent:
    return TabContent(head=Text(f"{plugin}: its own view", "dim"), main=renderable)


# --- duplicates -------------------------------------------------------------------------------


def duplicates_tab(view: DocumentView, plugin: str, qs: Any) -> TabContent:
    r = view.results[plugin]
    clusters = sorted(view.clusters, key=lambda c: (KIND_RANK.get(c.kind, 9), c.id))
    head = Text()
    for c in clusters:
        n = view.cluster_sizes.get(c.id, len(c.members))
        head.append(f"{c.kind} cluster {safe_text(c.id)}", "bold")
        head.append(f" ({n} documents", "dim")
        # This version's similarity to the representative: the figure the Clusters screen
        # gives it, and the one the versions list gives the others.
        if c.representative == view.doc.id:
            head.append(", ★ this version is the representative)   ", "dim")
        else:
            own = next((m.similarity for m in c.members if m.doc_id == view.doc.id), None)
            if own is not None:
                head.append(f", this version {own:.2f} to ★)   ", "dim")
            else:
                head.append(")   ", "dim")
    if r.data.get("duplicate_of"):
        head.append(
            f"duplicate of {safe_text(str(r.data['duplicate_of']))} "
            f"(similarity {r.data.get('similarity')})",
            "yellow",
        )
    if not clusters and not head:
        return TabContent(
            head=Text("This document is in no cluster: no other version of it was found.", "dim")
        )
    versions = _versions(view)
    alignments = qs.alignments(doc_id=view.doc.id)
    aligned, rows = _aligned(view, qs, alignments)
    if rows:
        title = "Other versions (similarity to ★) · Enter opens one"
    else:  # no aligned sentences: say why, and give the versions the whole width
        head.append("\n")
        if any(c.kind in ("story", "exact", "near") for c in clusters):
            head.append(
                "No sentence of this version was aligned with one of another version.", "dim"
            )
        else:
            head.append(
                "Sentences are aligned between versions of one story; this document's clusters "
                "are events (other stories about the same event), so there is nothing to align.",
                "dim",
            )
        if not versions:
            return TabContent(head=head)
        title = "Other versions (similarity to ★) · Enter opens one"
    side = Side(
        kind="open",
        title=Text(title, "bold"),
        rows=versions,
        fetch=_titled(qs, versions),
        render=version_line,
        wide=not rows,
    )
    return TabContent(head=head, main=aligned if rows else None, heavy=rows > HEAVY_ROWS, side=side)


@dataclass(frozen=True)
class Version:
    """Another member of one of the document's clusters (``key``: its id)."""

    key: str
    title: str
    kind: str
    similarity: float  # to its cluster's representative, as the Clusters screen shows it
    representative: bool = False


def _versions(view: DocumentView) -> list[Version]:
    """The other members of the document's clusters, each once (under its closest kind), the
    most similar first (without their titles: :func:`_titled` reads them a page at a time)."""
    seen: dict[str, tuple[str, float, bool]] = {}
    for c in sorted(view.clusters, key=lambda c: KIND_RANK.get(c.kind, 9)):
        for m in c.members:
            if m.doc_id != view.doc.id and m.doc_id not in seen:
                seen[m.doc_id] = (c.kind, m.similarity, m.doc_id == c.representative)
    out = [Version(d, "", k, sim, rep) for d, (k, sim, rep) in seen.items()]
    out.sort(key=lambda v: (KIND_RANK.get(v.kind, 9), not v.representative, -v.similarity, v.key))
    return out


def _titled(qs: Any, versions: list[Version]) -> Callable[[int, int], list[Version]]:
    def fetch(offset: int, limit: int) -> list[Version]:
        part = versions[offset : offset + limit]
        titles = qs.titles([v.key for v in part])
        return [replace(v, title=titles.get(v.key, "")) for v in part]

    return fetch


def version_line(v: Version, width: int) -> Text:
    """A version on one line: similarity, kind, title and, where there is room, its id."""
    t = Text()
    if v.representative:  # its similarity to itself says nothing: it is the ★
        t.append("  ★  ", "bold yellow")
    else:
        t.append(f"{v.similarity:.2f} ", "bold")
    t.append(f"{v.kind:<6}", "dim")
    room = width - 12
    id_w = min(36, max(0, room // 3)) if room > 60 else 0
    t.append(fit(v.title or v.key, room - id_w - (1 if id_w else 0)))
    if id_w:
        t.append(" " + fit(v.key, id_w, right=True), "dim")
    return t


def _aligned(view: DocumentView, qs: Any, alignments: list[Any]) -> tuple[RenderableType, int]:
    """Aligned sentences side by side, two columns that share the width and wrap; and the
    number of rows."""
    table = Table(expand=True, show_lines=True, box=box.SIMPLE_HEAD, header_style="bold")
    table.add_column("this version", ratio=1)
    table.add_column("other version", ratio=1)
    table.add_column("", width=12)
    cross = [f for f in view.findings if f.code.startswith("mt.cross.") and f.span]
    texts: dict[str, str] = {}
    for a in alignments[:ALIGNED_ROWS]:
        mine, other_id, other_span = (
            (a.span_a, a.doc_b, a.span_b)
            if a.doc_a == view.doc.id
            else (a.span_b, a.doc_a, a.span_a)
        )
        if other_id not in texts:
            other = qs.corpus.document(other_id)
            texts[other_id] = other.text if other else ""
        marks = [
            f.code.split(".")[-1]
            for f in cross
            if f.span is not None and f.span.start < mine.end and mine.start < f.span.end
        ]
        other_text = Text(f"{one_line(other_id, 16)}  ", "dim")
        other_text.append(safe_text(texts[other_id][other_span.start : other_span.end]))
        table.add_row(
            Text(safe_text(view.doc.text[mine.start : mine.end])),
            other_text,
            Text(" ".join(marks) or f"{a.score:.2f}", "yellow" if marks else "dim"),
        )
    for f in view.findings:
        if f.code == "mt.cross.omission":
            table.add_row(
                Text("— missing here —", "red"), safe(f.message), Text("omission", "yellow")
            )
    rows = table.row_count
    if len(alignments) > ALIGNED_ROWS:
        return Group(table, Text(f"… {len(alignments) - ALIGNED_ROWS} more", "dim")), rows
    return table, rows


# --- entities and summary -----------------------------------------------------------------------


def entities_tab(view: DocumentView, plugin: str) -> TabContent:
    mentions = view.results[plugin].data.get("mentions") or []
    spans = [
        (m["start"], m["end"], LABEL_STYLE.get(m.get("label", ""), "underline")) for m in mentions
    ]
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for m in mentions:
        by_entity.setdefault(m["entity"], []).append(m)
    rows = []
    for eid, ms in sorted(by_entity.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        t = Text()
        t.append(f"{len(ms):>3}× ")
        label = ms[0].get("label", "")
        t.append(f"{label:<7}", LABEL_STYLE.get(label, "dim"))
        t.append(one_line(ms[0].get("name") or ms[0]["text"], 200))
        rows.append(Item(eid, t))
    n, k = len(mentions), len(by_entity)
    head = Text(f"{n} mention{'' if n == 1 else 's'} of {k} entit{'y' if k == 1 else 'ies'}", "dim")
    info = Text("Enter on an entity: its knowledge-base entry and the other documents", "dim")
    return TabContent(
        head=head,
        main=highlighted(view.doc.text, spans),
        side=Side(kind="entity", rows=rows, info=info, docs=True),
    )


def summary_tab(view: DocumentView, plugin: str) -> TabContent:
    data = view.results[plugin].data
    spans = [(s["start"], s["end"], SUMMARY_STYLE) for s in data.get("sentences", [])]
    head = Text()
    head.append("Summary  ", "bold")
    head.append(safe_text(data.get("summary", "")))
    head.append("\n(the summary's sentences are highlighted in the text)", "dim")
    return TabContent(head=head, main=highlighted(view.doc.text, spans))
