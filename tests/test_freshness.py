"""Re-runs are correct first and redo only what changed: after any sequence of edits and
re-runs the store holds what a fresh run on the same corpus gives, and a changed document
re-runs that document (and what read it), not the corpus.

The corpus is BBC development articles (eval/summarization/bbc.jsonl, read in place) through the
default chain of config.toml, every built-in plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import tomllib
from conftest import REPO, SHARED_EVAL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textmill.query import Query
from textmill.report import record_json
from textmill.store import Store
from textmill.store.reads.documents import Filter
from textmill.testing import run_chain

BBC = SHARED_EVAL / "summarization" / "bbc.jsonl"
DEFAULT = tomllib.loads((REPO / "config.toml").read_text())
CHAIN: dict[str, list[str]] = DEFAULT["chain"]
SETTINGS: dict[str, dict[str, Any]] = DEFAULT["plugins"]

pytestmark = pytest.mark.skipif(not BBC.exists(), reason="needs /work/shared/eval")


def bbc(n: int, start: int = 0) -> list[dict[str, Any]]:
    """``n`` BBC articles as JSONL records (id, title, text, meta), from line ``start``."""
    out = []
    with open(BBC, "rb") as fh:
        for i, line in enumerate(fh):
            if i < start:
                continue
            if len(out) == n:
                break
            r = orjson.loads(line)
            out.append(
                {
                    "id": r["id"],
                    "title": r["title"],
                    "text": r["text"],
                    "meta": {"cat": r["category"]},
                }
            )
    return out


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))


def run(folder: Path, store: Path, tmp: Path, **kw: Any) -> Any:
    tmp.mkdir(parents=True, exist_ok=True)
    return run_chain([folder], CHAIN, tmp_path=tmp, settings=SETTINGS, store=store, **kw)


def _strip(obj: Any) -> Any:
    """A record without what differs between identical runs: timings and run ids."""
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in ("duration", "run_id")}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def snapshot(store: Path) -> dict[str, Any]:
    """Everything a user can read from the store: each document's export record (results,
    findings, clusters, mentions), and the entity index."""
    q = Query(store)
    docs = {
        r.doc.id: _strip(record_json(r.doc, r.error, r.results, r.clusters, r.mentions))
        for r in q.iter_records(Filter(), 500)
    }
    with Store(store) as s:
        entities = sorted(
            (e.id, e.name, e.kb_id, e.type, len(e.mentions), e.plugin) for e in s.entities()
        )
        alignments = sorted(
            (a.cluster_id, a.doc_a, a.span_a, a.doc_b, a.span_b, a.score) for a in s.alignments()
        )
        # What corpus hooks said about the corpus as a whole (extractive: the cluster summaries),
        # which their memos help make.
        said = {p: s.cache_get(p, "corpus") for p in ("dedup", "extractive")}
        corpus = {p: e.value.get("data") if e and e.value else None for p, e in said.items()}
    return {"documents": docs, "entities": entities, "alignments": alignments, "corpus": corpus}


def assert_same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert sorted(a["documents"]) == sorted(b["documents"])
    for doc_id, rec in b["documents"].items():
        assert a["documents"][doc_id] == rec, f"{doc_id} differs from a fresh run"
    assert a["entities"] == b["entities"]
    assert a["alignments"] == b["alignments"]
    assert a["corpus"] == b["corpus"]


def test_an_edited_document_gets_fresh_linker_mentions(tmp_path: Path) -> None:
    """The stale-result bug: " the " -> " a " once in one document left the linker's mentions
    at the old text's offsets, because the entity index read its own earlier output."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    records = bbc(12)
    write_jsonl(folder / "docs.jsonl", records)
    store = tmp_path / "inc.sqlite"
    run(folder, store, tmp_path / "r1")
    target = records[7]
    target["text"] = target["text"].replace(" the ", " a ", 1)
    write_jsonl(folder / "docs.jsonl", records)
    again = run(folder, store, tmp_path / "r2")
    fresh = run(folder, tmp_path / "fresh.sqlite", tmp_path / "r3")
    text = again.text(target["id"])
    mentions = again.result(target["id"], "linker").data["mentions"]
    assert mentions and all(text[m["start"] : m["end"]] == m["text"] for m in mentions)
    assert_same(snapshot(store), snapshot(fresh.store_path))
    # Only the edited document was redone by the per-document plugins.
    for plugin in ("unicode", "boilerplate", "langid", "linker", "mt_artifacts"):
        stats = again.summary.plugins[plugin]
        assert (stats.processed, stats.cached) == (12, 11), plugin


# --- property: any sequence of edits and re-runs equals a fresh run -------------------------------

POOL = bbc(14)  # the corpus's documents, and a few more to add as files
REPEATED = "Share this article on Facebook Twitter Email"


def _edit_text(text: str, kind: str, at: int) -> str:
    paragraphs = text.split("\n\n")
    i = at % len(paragraphs)
    if kind == "word":
        n = text.count(" the ")
        if not n:
            return text + " The end."
        pos = -1
        for _ in range(at % n + 1):
            pos = text.index(" the ", pos + 1)
        return text[:pos] + " a " + text[pos + 5 :]
    if kind == "drop":
        return "\n\n".join(paragraphs[:i] + paragraphs[i + 1 :]) or text
    if kind == "repeat":  # a line many documents share: boilerplate learns it across the corpus
        return "\n\n".join([*paragraphs[:i], REPEATED, *paragraphs[i:]])
    if kind == "copy":  # the same paragraph twice
        return "\n\n".join([*paragraphs[: i + 1], paragraphs[i], *paragraphs[i + 1 :]])
    return text


EDIT = st.tuples(
    st.sampled_from(["word", "drop", "repeat", "copy", "title", "meta", "add", "remove"]),
    st.integers(0, 1000),
    st.integers(0, 1000),
)


def _apply(state: dict[str, Any], edit: tuple[str, int, int]) -> None:
    kind, which, at = edit
    docs: list[dict[str, Any]] = state["docs"]
    files: dict[str, str] = state["files"]
    if kind == "add":
        spare = [r for r in POOL[10:] if r["id"].replace("/", "_") + ".txt" not in files]
        if spare:
            r = spare[which % len(spare)]
            # A near-copy of a document in the corpus half the time: dedup clusters change.
            text = r["text"] if at % 2 else _edit_text(docs[which % len(docs)]["text"], "word", at)
            files[r["id"].replace("/", "_") + ".txt"] = text
        return
    if kind == "remove":
        if files:
            del files[sorted(files)[which % len(files)]]
        elif len(docs) > 3:
            del docs[which % len(docs)]
        return
    doc = docs[which % len(docs)]
    if kind == "title":
        doc["title"] = doc["title"] + " (updated)"
    elif kind == "meta":
        doc["meta"] = {**doc["meta"], "rev": at}
    else:
        doc["text"] = _edit_text(doc["text"], kind, at)


def _write(folder: Path, state: dict[str, Any]) -> None:
    write_jsonl(folder / "docs.jsonl", state["docs"])
    for old in folder.glob("*.txt"):
        if old.name not in state["files"]:
            old.unlink()
    for name, text in state["files"].items():
        path = folder / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rounds=st.lists(st.lists(EDIT, min_size=1, max_size=3), min_size=1, max_size=2))
def test_any_edits_and_reruns_equal_a_fresh_run(
    tmp_path_factory: pytest.TempPathFactory, rounds: list[list[tuple[str, int, int]]]
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    folder = tmp / "corpus"
    folder.mkdir()
    state: dict[str, Any] = {
        "docs": [dict(r, meta=dict(r["meta"])) for r in POOL[:8]],
        "files": {"shared.txt": f"{REPEATED}\n\n" + POOL[8]["text"]},
    }
    for r in state["docs"][:3]:
        r["text"] = r["text"] + "\n\n" + REPEATED
    _write(folder, state)
    store = tmp / "inc.sqlite"
    run(folder, store, tmp / "r0")
    for i, edits in enumerate(rounds):
        for e in edits:
            _apply(state, e)
        _write(folder, state)
        run(folder, store, tmp / f"r{i + 1}")
    fresh = run(folder, tmp / "fresh.sqlite", tmp / "fresh")
    assert_same(snapshot(store), snapshot(fresh.store_path))


def test_boilerplate_keys_cover_only_the_repeated_lines_found_in_the_document() -> None:
    from textmill.model import Document
    from textmill.plugins.boilerplate import BoilerplateSettings, textmill_prepared_part
    from textmill.plugins.boilerplate.repeats import line_key, repeated_lines

    texts = [r["text"] + "\n\n" + REPEATED for r in POOL[:3]] + [r["text"] for r in POOL[3:6]]
    state = repeated_lines(texts, 2, 0.0)
    assert line_key(REPEATED) in state
    settings = BoilerplateSettings()
    with_line = textmill_prepared_part(Document("a", texts[0]), state, settings)
    without = textmill_prepared_part(Document("b", texts[4]), state, settings)
    assert with_line == [line_key(REPEATED)]
    assert without == []
    # A new repeated line elsewhere in the corpus leaves this document's part as it was.
    more = repeated_lines([*texts, "Related stories", "Related stories"], 2, 0.0)
    assert more != state
    assert textmill_prepared_part(Document("b", texts[4]), more, settings) == without
