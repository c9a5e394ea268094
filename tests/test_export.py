"""Exports on a real run of the seeds (and two more documents): JSONL holds what `show --json`
holds for every document, read page by page in bulk; CSV and Parquet have the same typed columns
whatever the data."""

from __future__ import annotations

import csv
import json
import re

import pytest
import sample_plugins as sp
from conftest import SEEDS
from textmill import CorpusResult, PluginInfo, Result, hookimpl
from textmill.export import columns, export
from textmill.model import Document, Entity, Mention, Span
from textmill.query import Filter, parse_filter
from textmill.report import document_json
from textmill.testing import run_chain

NAMES = re.compile(r"\b(Zelensky|Kirby|Blinken|Ukraine)\b")


class Names:
    """An entity index of a few names, with a mention for each occurrence."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="names", version="1")

    @hookimpl
    def textmill_corpus_entities(self, corpus, settings):
        found: dict[str, list[Mention]] = {}
        for doc in corpus.documents():
            for m in NAMES.finditer(doc.text):
                found.setdefault(m.group(0), []).append(
                    Mention(doc.id, Span(m.start(), m.end()), m.group(0), "PERSON")
                )
        return CorpusResult(
            entities=[Entity(f"n:{n}", n, "PERSON", tuple(ms)) for n, ms in found.items()]
        )


class Silent:
    """A plugin that never gives a score or a label."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="silent", version="1")

    @hookimpl
    def textmill_quality(self, doc, settings, ctx):
        return Result(data={"chars": len(doc.text)})


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    extra = [
        Document(id="zz-extra-1", raw="Kirby spoke again on Tuesday.", title="Again"),
        Document(id="zz-extra-2", raw="Nothing to see in this one."),
    ]
    return run_chain(
        [SEEDS, *extra],
        {
            "clean": ["unicode", "upper"],
            "quality": ["counter", "silent"],
            "dedup": ["grouper"],
            "entities": ["names"],
        },
        tmp_path=tmp_path_factory.mktemp("export"),
        plugins=(sp.upper, sp.counter, sp.grouper, Names(), Silent()),
        settings={"counter": {"word": "Zelensky"}},
    )


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_holds_each_document_as_show_gives_it(run, tmp_path) -> None:
    q = run.query
    out = tmp_path / "all.jsonl"
    # Pages of two documents: the walk goes on from each page's last row.
    assert export(q, "jsonl", str(out), page=2) == 7
    got = _lines(out)
    ids = [r.id for r in q.page(limit=100).rows]  # seq order
    assert [d["id"] for d in got] == ids
    view = q.document
    assert got == [json.loads(json.dumps(document_json(view(i)))) for i in ids]
    assert any(d["mentions"] for d in got) and all(d["clusters"] for d in got)
    kirby = next(d for d in got if d["id"] == "zz-extra-1")
    assert [kirby["text"][m["start"] : m["end"]] for m in kirby["mentions"]] == ["Kirby"]


def test_a_filtered_export_has_the_documents_of_the_filter_in_order(run, tmp_path) -> None:
    q = run.query
    f = parse_filter("plugin:counter code:test.word")
    out = tmp_path / "f.jsonl"
    n = export(q, "jsonl", str(out), f, page=1)
    want = [r.id for r in q.page(f, limit=100).rows]
    assert n == len(want) == 4
    assert [d["id"] for d in _lines(out)] == want


def test_csv_and_parquet_have_fixed_typed_columns(run, tmp_path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    q = run.query
    names = [c.name for c in columns(q.plugins())]
    assert names[:5] == ["id", "title", "length", "error", "findings"]
    assert "silent.score" in names and "names.status" not in names  # names made no results

    out = tmp_path / "all.csv"
    assert export(q, "csv", str(out)) == 7
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == names and len(rows) == 7
    assert {r["silent.score"] for r in rows} == {""}
    none = tmp_path / "none.csv"
    assert export(q, "csv", str(none), Filter(search="zyzzyva")) == 0
    assert none.read_text(encoding="utf-8").strip().split(",") == names

    table = pq.read_table(export_parquet(q, tmp_path / "all.parquet"))
    assert table.column_names == [*names, "text", "results_json"]
    assert table.schema.field("silent.score").type == pa.float64()
    assert table.schema.field("silent.label").type == pa.string()
    assert table.schema.field("counter.findings").type == pa.int64()
    assert not [f.name for f in table.schema if pa.types.is_null(f.type)]
    assert table.column("id").to_pylist() == [r["id"] for r in rows]
    assert table.column("counter.score").to_pylist() == [float(r["counter.score"]) for r in rows]
    results = json.loads(table.column("results_json")[0].as_py())
    assert set(results) == {"unicode", "upper", "counter", "silent", "grouper"}

    empty = pq.read_table(export_parquet(q, tmp_path / "none.parquet", Filter(search="zyzzyva")))
    assert empty.num_rows == 0 and empty.schema == table.schema


def export_parquet(q, path, f=None):
    export(q, "parquet", str(path), f, page=3)
    return path


def test_results_in_their_json_form_are_what_the_result_objects_give(run) -> None:
    from textmill.model import to_dict
    from textmill.store import Store, dumps, loads
    from textmill.store.rows import result_from_row, result_json

    with Store(run.store_path, readonly=True) as st:
        ids = [r.id for r in run.query.page(limit=100).rows]
        rows = [row for per in st.result_rows(ids).values() for row in per.values()]
    bodies = [loads(r.payload) or {} for r in rows]
    assert any("edits" in b for b in bodies) and any("findings" in b for b in bodies)
    for r in rows:
        want = to_dict(result_from_row(r))
        got = result_json(r)
        assert got == want and list(got) == list(want)
    # A finding stored by a version whose Finding had fewer fields gets this one's defaults.
    older = rows[0]._replace(payload=dumps({"findings": [{"code": "x.y", "message": "M."}]}))
    assert result_json(older)["findings"] == [to_dict(f) for f in result_from_row(older).findings]
    assert result_json(older)["findings"][0]["severity"] == "warning"


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """The seeds through the real dedup and linker: story clusters with sentence alignments,
    and mentions both in the linker's results and in the corpus entity index."""
    return run_chain(
        [SEEDS],
        {"clean": ["unicode", "boilerplate"], "dedup": ["dedup"], "entities": ["linker"]},
        tmp_path=tmp_path_factory.mktemp("linked"),
    )


def test_each_record_has_the_schema_version_and_its_sentence_alignments(linked, tmp_path) -> None:
    from textmill.report import EXPORT_SCHEMA

    q = linked.query
    out = tmp_path / "all.jsonl"
    export(q, "jsonl", str(out), page=2)
    got = {d["id"]: d for d in _lines(out)}
    assert {d["schema"] for d in got.values()} == {EXPORT_SCHEMA}
    stored = q.alignments()
    assert stored, "dedup aligned no sentence of the seeds"
    for doc_id, d in got.items():
        want = [a for a in stored if doc_id in (a.doc_a, a.doc_b)]
        assert len(d["alignments"]) == len(want)
        for a in d["alignments"]:
            assert doc_id in (a["doc_a"], a["doc_b"])
            # Spans point into each side's text: an aligned pair are sentences, not blanks.
            for side in ("a", "b"):
                span = a[f"span_{side}"]
                text = got[a[f"doc_{side}"]]["text"][span["start"] : span["end"]]
                assert len(text.split()) >= 3
    story = [c for d in got.values() for c in d["clusters"] if c["kind"] == "story"]
    assert story and all(len(c["similarities"]) == len(c["members"]) for c in story)


def test_mentions_are_one_list_with_kb_and_wikidata_ids(linked, tmp_path) -> None:
    q = linked.query
    out = tmp_path / "all.jsonl"
    export(q, "jsonl", str(out))
    records = _lines(out)
    linked_total = 0
    for d in records:
        data = d["results"]["linker"]["data"]
        assert "mentions" not in data  # only the top-level list
        assert len(d["mentions"]) == data["linked"] + data["nil"]
        linked_total += data["linked"]
        for m in d["mentions"]:
            assert d["text"][m["start"] : m["end"]] == m["text"]
            assert {"entity_id", "name", "type", "kb_id", "wikidata", "score"} <= set(m)
            assert m["plugin"] == "linker"
    ids = {m["kb_id"]: m["wikidata"] for d in records for m in d["mentions"] if m["kb_id"]}
    assert linked_total and ids.get("Q212") == "Q212"  # Ukraine, with its Wikidata id
    # show --json gives the same record.
    view = q.document(records[0]["id"])
    assert json.loads(json.dumps(document_json(view))) == records[0]


def test_the_export_page_describes_every_field_of_the_record(linked) -> None:
    from pathlib import Path

    from textmill.report import EXPORT_SCHEMA

    page = (Path(__file__).resolve().parents[1] / "docs" / "export.md").read_text("utf-8")
    assert f"## The JSONL record (schema {EXPORT_SCHEMA})" in page
    record = document_json(linked.query.document("000_7da01264481b0f8d.txt"))
    keys = set(record) | set(record["clusters"][0]) | set(record["alignments"][0])
    keys |= set(record["mentions"][0]) | set(record["results"]["dedup"])
    missing = sorted(k for k in keys if f"`{k}`" not in page)
    assert not missing, f"docs/export.md does not describe {missing}"
