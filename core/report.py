"""Plain-terminal renderings used by the CLI: one document's results, the effective config."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import tomli_w
from rich.console import RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from textmill.chain import settings_for
from textmill.config import Config
from textmill.display import one_line, safe, safe_text
from textmill.manager import PluginManager
from textmill.model import Alignment, Cluster, Document, to_dict
from textmill.query import DocumentView, Query
from textmill.settings import as_table, describe

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


EXPORT_SCHEMA = 1
"""The version of a document's JSON form (``schema`` in each record); docs/export.md describes
it. A change that renames or removes a field, or changes a field's meaning, takes a new one."""


def document_json(view: DocumentView) -> dict[str, Any]:
    """A document and all its results as plain JSON values (used by ``show --json`` and export)."""
    results = {p: to_dict(r) for p, r in view.results.items()}
    return record_json(view.doc, view.error, results, view.clusters, view.mentions, view.alignments)


def record_json(
    doc: Document,
    error: str | None,
    results: Mapping[str, dict[str, Any]],
    clusters: Sequence[Cluster],
    mentions: list[dict[str, Any]],
    alignments: Sequence[Alignment] = (),
) -> dict[str, Any]:
    """The JSON form of a document, given its results in their JSON form (``to_dict``): what
    ``show --json`` prints and each line of a JSONL export holds (schema :data:`EXPORT_SCHEMA`).

    Mentions are one list: the corpus entity index's (entity id, name, KB id, type) joined by
    span with what the entities-stage plugin said of each (``wikidata``, ``score``, …), whose
    own ``data["mentions"]`` copy is left out of ``results``."""
    results, listed = _one_mention_list(results, mentions)
    return {
        "schema": EXPORT_SCHEMA,
        "id": doc.id,
        "title": doc.title,
        "source": doc.source,
        "lang": doc.lang,
        "meta": doc.meta,
        "source_text": doc.source_text,
        "source_lang": doc.source_lang,
        "error": error,
        "raw": doc.raw,
        "text": doc.text,
        "results": results,
        "clusters": [
            {
                "id": c.id,
                "kind": c.kind,
                "representative": c.representative,
                "members": [m.doc_id for m in c.members],
                "similarities": [m.similarity for m in c.members],
            }
            for c in clusters
        ],
        "alignments": [to_dict(a) for a in alignments],
        "mentions": listed,
    }


def _one_mention_list(
    results: Mapping[str, dict[str, Any]], indexed: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``results`` without the entities stage's ``data["mentions"]``, and the one list of
    mentions: each of the index's, with the plugin's fields for the same span, then the
    plugin's mentions the index does not hold (a run without the corpus hook)."""
    out = dict(results)
    said: dict[tuple[int, int], dict[str, Any]] = {}
    for name, r in results.items():
        data = r.get("data")
        if r.get("stage") != "entities" or not isinstance(data, dict):
            continue
        listed = data.get("mentions")
        if not isinstance(listed, list):
            continue
        for m in listed:
            if isinstance(m, dict) and isinstance(m.get("start"), int):
                extra = {k: v for k, v in m.items() if k != "entity"}
                extra.setdefault("entity_id", m.get("entity"))
                extra["plugin"] = name
                start = int(m["start"])
                said.setdefault((start, int(m.get("end", start))), extra)
        out[name] = {**r, "data": {k: v for k, v in data.items() if k != "mentions"}}
    merged = []
    for m in indexed:
        got = said.pop((m["start"], m["end"]), {})
        merged.append({**m, **{k: v for k, v in got.items() if k not in m}})
    merged += said.values()
    merged.sort(key=lambda m: (m["start"], m.get("end", 0)))
    return out, merged


def render_document(view: DocumentView, query: Query) -> Iterator[RenderableType]:
    doc = view.doc
    head = Text()
    head.append(safe(doc.title or doc.id, "bold"))
    head.append(f"\n{safe_text(doc.id)}  ·  {len(doc.raw)} chars raw, {len(doc.text)} clean")
    if doc.lang:
        head.append(f"  ·  lang {doc.lang}")
    yield Panel(head, expand=False)
    if view.error:
        yield Text(f"Unreadable: {safe_text(view.error)}", style="bold red")
        return
    table = Table(title="Results", title_justify="left")
    for col in ("plugin", "stage", "status", "score", "label", "findings", "time (ms)"):
        table.add_column(col)
    for name, r in view.results.items():
        table.add_row(
            name,
            r.stage,
            r.status,
            "" if r.score is None else f"{r.score:.3f}",
            safe_text(r.label or ""),
            str(len(r.findings)),
            f"{r.duration * 1000:.1f}",
        )
    yield table
    if view.clean_edits:
        yield Text("Cleaning", style="bold underline")
        for e in view.clean_edits:
            removed = doc.raw[e.span.start : e.span.end]
            line = Text(f"  [{e.span.start}:{e.span.end}] {e.reason} ({e.plugin}) ")
            line.append(safe(one_line(removed, 70) or repr(removed), "strike dim"))
            if e.replacement.strip():
                line.append(" → ")
                line.append(safe(one_line(e.replacement, 30)))
            if not e.applied:
                line.append("  (flagged only)", style="italic")
            yield line
    if view.findings:
        yield Text("Findings", style="bold underline")
        for f in view.findings:
            line = Text("  ")
            line.append(f"{f.severity:<7} ", style=SEVERITY_STYLE.get(f.severity, ""))
            line.append(f"{f.code} ", style="bold")
            if f.span is not None:
                line.append(f"[{f.span.start}:{f.span.end}] ")
                line.append(safe(one_line(doc.text[f.span.start : f.span.end], 50), "underline"))
                line.append(" ")
            line.append(safe(f.message))
            if f.suggestion:
                line.append(" → ")
                line.append(safe(f.suggestion, "green"))
            yield line
    for name, r in view.results.items():
        if r.status == "error":
            yield Text(f"{name} failed: {safe_text(r.error or '')}", style="bold red")
            if r.traceback:
                yield Text(safe_text(r.traceback), style="dim")
    if view.clusters:
        yield Text("Clusters", style="bold underline")
        for c in view.clusters:
            others = ", ".join(m.doc_id for m in c.members if m.doc_id != doc.id)
            yield Text(f"  {c.kind:<6} {safe_text(c.id)}: with {safe_text(others)}")
    if view.mentions:
        yield Text("Entities", style="bold underline")
        seen: dict[str, list[str]] = {}
        for m in view.mentions:
            seen.setdefault(f"{m['name']} ({m['kb_id'] or m['entity_id']})", []).append(m["text"])
        for ent, texts in seen.items():
            yield Text(f"  {safe_text(ent)}: {safe_text(', '.join(sorted(set(texts))))}")
    for name, r in view.results.items():
        summary = r.data.get("summary") if isinstance(r.data, dict) else None
        if isinstance(summary, str) and summary:
            yield Text(f"Summary ({name})", style="bold underline")
            yield safe(summary)


def effective_config_toml(config: Config, manager: PluginManager) -> str:
    """The config with every default filled in, and each setting's doc (and the choices or
    bounds it allows) as a comment."""
    from textmill.config import InputSettings, LoadSettings, RunSettings

    data = config.to_dict()
    where = f" of {config.path}" if config.path else " (defaults: no config file)"
    parts = [f"# effective config{where}\n"]
    for section, cls in (("input", InputSettings), ("run", RunSettings), ("load", LoadSettings)):
        parts.append(_table_toml(f"[{section}]", data[section], cls))
    parts.append("\n" + tomli_w.dumps({"chain": data["chain"]}))
    chained = {n for _, n in config.chain_plugins()}
    names = [p for _, p in config.chain_plugins()] + [
        p for p in manager.names() if p not in chained
    ]
    for name in names:
        plugin = manager.get(name)
        if plugin is None or plugin.info.settings is None:
            continue
        values = as_table(settings_for(manager, config, name))
        in_chain = "" if name in chained else "  # not in [chain]"
        parts.append(_table_toml(f"[plugins.{name}]{in_chain}", values, plugin.info.settings))
    return "".join(parts)


def _table_toml(header: str, values: dict[str, Any], cls: type) -> str:
    """One TOML table, each key followed by its doc and what it allows."""
    lines = [f"\n{header}"]
    for d in describe(cls):
        key = d["name"]
        note = " ".join(x for x in (d["doc"], f"({d['allowed']})" if d["allowed"] else "") if x)
        if key not in values:
            lines.append(f"# {key}: {d['type']} (unset) {d['doc']}".rstrip())
            continue
        rendered = tomli_w.dumps({key: values[key]}).strip()
        lines.append(f"{rendered}  # {note}" if note else rendered)
    return "\n".join(lines) + "\n"
