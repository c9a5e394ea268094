"""The engine on real input: attribution, error isolation, caching, ordering and barriers."""

from __future__ import annotations

import pytest
import sample_plugins as sp
from textmill.errors import ChainError
from textmill.testing import run_chain

CHAIN = {"clean": ["unicode", "upper"], "quality": ["counter"], "dedup": ["grouper"]}
PLUGINS = (sp.upper, sp.counter, sp.grouper)


def test_seeds_through_a_chain(tmp_path, seeds):
    out = run_chain([seeds], CHAIN, tmp_path=tmp_path, plugins=PLUGINS)
    assert out.summary.documents == 5
    assert not out.summary.failed
    assert out.summary.plugins["counter"].processed == 5
    # the cleaner removed the share line and recorded it against the raw text
    view = out.document("000_7da01264481b0f8d.txt")
    assert "Share post:" in view.doc.raw and "Share post:" not in view.doc.text
    share = [e for e in view.clean_edits if e.reason == "test.share"]
    assert len(share) == 1
    assert view.doc.raw[share[0].span.start : share[0].span.end].startswith("Share post:")
    # findings point into the cleaned text
    kirby = view.results["counter"].findings
    assert kirby and all(view.doc.text[f.span.start : f.span.end] == "Kirby" for f in kirby)
    # the corpus hook saw every document and its result is merged into the per-doc view
    clusters = out.query.clusters()
    assert sorted(len(c.members) for c in clusters) == [5]
    assert view.results["grouper"].label == "g1"
    assert view.results["grouper"].data["seen_count"] == len(kirby)


def test_plugin_error_is_isolated(tmp_path, seeds):
    out = run_chain(
        [seeds], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, settings={"counter": {"fail_on": "002"}}
    )
    assert out.summary.failed
    stats = out.summary.plugins["counter"]
    assert stats.errors == 1 and stats.processed == 5
    bad = out.result("002_5556c43739ad7f0a.txt", "counter")
    assert bad.status == "error" and "boom on purpose" in bad.error
    assert "RuntimeError" in bad.traceback and "sample_plugins.py" in bad.traceback
    assert out.result("003_001970584a3e2e1a.txt", "counter").status == "ok"


def test_fail_fast_stops(tmp_path, seeds):
    out = run_chain(
        [seeds],
        CHAIN,
        tmp_path=tmp_path,
        plugins=PLUGINS,
        settings={"counter": {"fail_on": "001"}},
        fail_fast=True,
    )
    assert out.summary.aborted and "boom on purpose" in out.summary.aborted
    assert out.summary.plugins["counter"].processed < 5


def test_unchanged_rerun_does_no_plugin_work(tmp_path, seeds):
    store = tmp_path / "s.sqlite"
    run_chain([seeds], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    sp.CALLS.clear()
    again = run_chain([seeds], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    assert sp.CALLS == []
    assert all(s.cached == s.processed for s in again.summary.plugins.values())
    # a changed setting re-runs only that plugin and those that declared they use its output
    sp.CALLS.clear()
    run_chain(
        [seeds],
        CHAIN,
        tmp_path=tmp_path,
        plugins=PLUGINS,
        store=store,
        settings={"counter": {"word": "Putin"}},
    )
    assert {c.split(":")[0] for c in sp.CALLS} == {"counter", "grouper"}
    assert "upper" not in {c.split(":")[0] for c in sp.CALLS}


def test_changed_document_reruns_only_that_document(tmp_path, seeds):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in seeds.iterdir():
        (folder / p.name).write_text(p.read_text())
    store = tmp_path / "s.sqlite"
    run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    target = folder / "003_001970584a3e2e1a.txt"
    target.write_text(target.read_text() + "\nKirby said more.\n")
    sp.CALLS.clear()
    out = run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    per_doc = {c for c in sp.CALLS if not c.endswith(":corpus")}
    assert per_doc == {f"{p}:003_001970584a3e2e1a.txt" for p in ("upper", "counter", "grouper")}
    assert "Kirby said more." in out.text("003_001970584a3e2e1a.txt")


def test_requires_moves_a_step_after_its_provider(tmp_path, seeds):
    chain = {"clean": ["upper"], "quality": ["late", "counter"], "dedup": ["grouper"]}
    out = run_chain([seeds], chain, tmp_path=tmp_path, plugins=(*PLUGINS, sp.late))
    from textmill.chain import build_plan
    from textmill.manager import PluginManager

    manager = PluginManager(entry_points=False)
    for obj in (*PLUGINS, sp.late):
        manager.register(obj)
    plan = [(s.plugin, s.kind) for s in build_plan(out.config, manager)]
    assert plan == [
        ("upper", "doc"),
        ("counter", "doc"),
        ("grouper", "doc"),
        ("grouper", "corpus"),
        ("late", "doc"),
    ]
    assert out.result("000_7da01264481b0f8d.txt", "late").label == "g1"


def test_unmet_requirement_is_one_sentence(tmp_path, seeds):
    with pytest.raises(ChainError) as exc:
        run_chain([seeds], {"quality": ["late"]}, tmp_path=tmp_path, plugins=(sp.late,))
    assert str(exc.value) == (
        'plugin "late" requires "clusters", which no plugin in the chain provides '
        "(add dedup to [chain])"
    )


def test_prepare_hook_sees_raw_corpus(tmp_path):
    docs = [f"Title {i}\n\nBody text number {i}.\nSubscribe to our newsletter" for i in range(4)]
    out = run_chain(docs, {"clean": ["lines"]}, tmp_path=tmp_path, plugins=(sp.lines,))
    for i in range(4):
        text = out.text(f"doc-{i}")
        assert "Subscribe" not in text and f"Body text number {i}." in text


def test_process_pool_gives_same_results(tmp_path, seeds):
    one = run_chain([seeds], CHAIN, tmp_path=tmp_path / "a", plugins=PLUGINS)
    two = run_chain([seeds], CHAIN, tmp_path=tmp_path / "b", plugins=PLUGINS, workers=2)
    for doc_id in one.ids():
        a, b = one.document(doc_id), two.document(doc_id)
        assert a.doc.text == b.doc.text
        assert [f.span for f in a.findings] == [f.span for f in b.findings]


def test_bad_input_loses_nothing_else(tmp_path, seeds):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "ok.txt").write_text((seeds / "004_266a9cc2f08c840b.txt").read_text())
    (folder / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "bad.txt").write_bytes(b"\xff\xfe broken")
    out = run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS)
    assert out.summary.failed
    assert {i for i, _ in out.summary.input_errors} == {"bin.txt", "bad.txt"}
    assert out.result("ok.txt", "counter").status == "ok"
    assert out.query.counts()["unreadable"] == 2


def test_only_reruns_one_plugin_using_stored_artifacts(tmp_path, seeds):
    chain = {"clean": ["upper"], "quality": ["late", "counter"], "dedup": ["grouper"]}
    plugins = (*PLUGINS, sp.late)
    store = tmp_path / "s.sqlite"
    run_chain([seeds], chain, tmp_path=tmp_path, plugins=plugins, store=store)
    sp.CALLS.clear()
    from textmill.chain import build_plan
    from textmill.engine import Engine
    from textmill.manager import PluginManager
    from textmill.store import Store

    out = run_chain([seeds], chain, tmp_path=tmp_path, plugins=plugins, store=store)
    manager = PluginManager(entry_points=False)
    for obj in plugins:
        manager.register(obj)
    plan = build_plan(out.config, manager, only=("late",))
    assert [(s.plugin, s.kind) for s in plan] == [("late", "doc")]
    with Store(store) as st:
        summary = Engine(out.config, manager, st, only=("late",)).run()
    assert set(summary.plugins) == {"late"}
    assert out.query.document("000_7da01264481b0f8d.txt").results["late"].label == "g1"
    assert not [c for c in sp.CALLS if not c.startswith("late")]
