"""What a re-run skips and what it redoes: unchanged input is not read again, a segment whose
inputs did not change is skipped whole, and anything that changed is redone and no more."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import sample_plugins as sp
from textmill import PluginInfo, Result, engine, hookimpl
from textmill.store import Store
from textmill.testing import run_chain

CHAIN = {"clean": ["unicode", "upper"], "quality": ["counter"], "dedup": ["grouper"]}
PLUGINS = (sp.upper, sp.counter, sp.grouper)
HOUR_AGO = time.time() - 3600


def _settled_copy(seeds: Path, folder: Path) -> Path:
    """The seeds in a folder of their own, dated an hour back like an input at rest."""
    folder.mkdir()
    for p in seeds.iterdir():
        (folder / p.name).write_text(p.read_text())
        os.utime(folder / p.name, (HOUR_AGO, HOUR_AGO))
    return folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the engine opened the input (one entry per ingest that read it)."""
    calls: list[int] = []
    real = engine.read_paths

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "read_paths", counting)
    return calls


def test_unchanged_input_is_not_read_again(tmp_path, seeds, reads):
    folder = _settled_copy(seeds, tmp_path / "corpus")
    (folder / "bad.txt").write_bytes(b"\xff\xfe broken")
    os.utime(folder / "bad.txt", (HOUR_AGO, HOUR_AGO))
    store = tmp_path / "s.sqlite"
    first = run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    sp.CALLS.clear()
    again = run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    assert len(reads) == 1, "the second run should not have read the input"
    assert sp.CALLS == []
    # The summary is the same: documents, the unreadable one (still a failure), mean scores.
    assert again.summary.documents == first.summary.documents == 5
    assert again.summary.input_errors == first.summary.input_errors
    assert [i for i, _ in again.summary.input_errors] == ["bad.txt"] and again.summary.failed
    assert again.summary.mean_scores == first.summary.mean_scores
    assert again.summary.plugins["counter"].cached == again.summary.plugins["counter"].processed
    assert again.query.counts()["unreadable"] == 1


def test_a_changed_file_is_read_and_only_its_document_redone(tmp_path, seeds, reads):
    folder = _settled_copy(seeds, tmp_path / "corpus")
    store = tmp_path / "s.sqlite"
    run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    target = folder / "003_001970584a3e2e1a.txt"
    # Same size, new content, and a timestamp that is still an hour old but not the same.
    text = target.read_text()
    target.write_text(text.replace("Kirby", "KIRBY", 1))
    os.utime(target, (HOUR_AGO + 1, HOUR_AGO + 1))
    sp.CALLS.clear()
    out = run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    assert len(reads) == 2
    per_doc = {c for c in sp.CALLS if not c.endswith(":corpus")}
    assert per_doc == {f"{p}:003_001970584a3e2e1a.txt" for p in ("upper", "counter", "grouper")}
    assert "KIRBY" in out.text("003_001970584a3e2e1a.txt")


def test_a_file_modified_just_before_a_run_is_read_again(tmp_path, seeds, reads):
    folder = _settled_copy(seeds, tmp_path / "corpus")
    (folder / "fresh.txt").write_text("Fresh news.\n\nKirby said it a moment ago.\n")
    store = tmp_path / "s.sqlite"
    run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    sp.CALLS.clear()
    run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    # Its timestamp could not vouch for it, so the input was read; nothing had changed.
    assert len(reads) == 2
    assert sp.CALLS == []


def test_errors_are_retried_on_the_next_run(tmp_path, seeds):
    store = tmp_path / "s.sqlite"
    settings = {"counter": {"fail_on": "002"}}
    kw = dict(tmp_path=tmp_path, plugins=PLUGINS, store=store, settings=settings)
    run_chain([seeds], CHAIN, **kw)
    sp.CALLS.clear()
    again = run_chain([seeds], CHAIN, **kw)
    assert [c for c in sp.CALLS if c.startswith("counter:")] == ["counter:002_5556c43739ad7f0a.txt"]
    assert again.summary.plugins["counter"].errors == 1
    assert again.summary.plugins["counter"].cached == 4


def test_a_plugin_rewritten_by_an_only_run_is_redone_by_the_full_chain(tmp_path, seeds):
    from textmill.config import parse
    from textmill.engine import Engine
    from textmill.manager import PluginManager

    store = tmp_path / "s.sqlite"
    kw = dict(tmp_path=tmp_path, plugins=PLUGINS, store=store)
    first = run_chain([seeds], CHAIN, **kw)
    kirby = first.result("000_7da01264481b0f8d.txt", "counter").findings
    # `--only counter` with another word: counter's stored results now count "Putin".
    data = first.config.to_dict()
    data["plugins"] = {"counter": {"word": "Putin"}}
    manager = PluginManager(entry_points=False)
    for obj in PLUGINS:
        manager.register(obj)
    sp.CALLS.clear()
    with Store(store) as st:
        Engine(parse(data, None, tmp_path), manager, st, only=("counter",)).run()
    assert len(sp.CALLS) == 5
    # The full chain with the first settings must not take counter's results as still valid.
    sp.CALLS.clear()
    back = run_chain([seeds], CHAIN, **kw)
    assert sorted(c for c in sp.CALLS if c.startswith("counter:")) == sorted(
        f"counter:{d}" for d in back.ids()
    )
    assert back.result("000_7da01264481b0f8d.txt", "counter").findings == kirby


def test_search_index_follows_changed_added_and_dropped_documents(tmp_path, seeds):
    folder = _settled_copy(seeds, tmp_path / "corpus")
    store = tmp_path / "s.sqlite"
    run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    changed = folder / "003_001970584a3e2e1a.txt"
    changed.write_text(changed.read_text() + "\nA zeppelin landed in Lviv.\n")
    (folder / "004_266a9cc2f08c840b.txt").unlink()
    (folder / "new.txt").write_text("Added later\n\nThe marmalade summit began.\n")
    out = run_chain([folder], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)
    ids = {r.id for r in out.query.page(limit=100).rows}
    assert "004_266a9cc2f08c840b.txt" not in ids and "new.txt" in ids

    def found(word: str) -> set[str]:
        from textmill.query import Filter

        return {r.id for r in out.query.page(Filter(search=word), limit=100).rows}

    assert found("zeppelin") == {"003_001970584a3e2e1a.txt"}
    assert found("marmalade") == {"new.txt"}
    # The dropped document's words are gone from the index (its text was in no other file).
    assert "004_266a9cc2f08c840b.txt" not in found("Kirby")
    assert len(found("Kirby")) == 4
    with Store(store) as st:
        # FTS5 compares the whole index with the documents it was built from.
        st.check_search_index()


def test_results_indexes_exist_after_a_first_run_and_after_a_kill(tmp_path, seeds):
    store = tmp_path / "s.sqlite"
    run_chain([seeds], CHAIN, tmp_path=tmp_path, plugins=PLUGINS, store=store)

    def indexes() -> set[str]:
        with Store(store) as st:
            return st.index_names()

    assert {"results_plugin", "results_score"} <= indexes()
    # A first run killed before it built them: opening the store again builds them.
    with Store(store) as st:
        st.conn.execute("DROP INDEX results_plugin")
        st.conn.execute("DROP INDEX results_score")
    assert {"results_plugin", "results_score"} <= indexes()


class _SeesFields:
    """Reports what it was given besides the text: the title and the source text."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="fields", version="1")

    @hookimpl
    def textmill_quality(self, doc, settings, ctx):
        sp.CALLS.append(f"fields:{doc.id}")
        return Result(data={"title": doc.title, "source": doc.source_text})


def test_a_changed_title_or_source_text_reruns_what_may_read_it(tmp_path) -> None:
    from textmill.model import Document

    def docs(title: str, source: str | None) -> list[Document]:
        return [
            Document(id="a", raw="The same text.", title=title, source_text=source),
            Document(id="b", raw="Another text.", title="B"),
        ]

    store = tmp_path / "s.sqlite"
    plugin = _SeesFields()

    def run(title: str, source: str | None):
        sp.CALLS.clear()
        (tmp_path / "in").mkdir(exist_ok=True)
        return run_chain(
            docs(title, source),
            {"quality": ["fields"]},
            tmp_path=tmp_path / "in",
            plugins=[plugin],
            store=store,
        )

    run("A", None)
    out = run("A, retitled", None)
    assert sp.CALLS == ["fields:a"]  # b is unchanged and cached
    assert out.result("a", "fields").data == {"title": "A, retitled", "source": None}
    assert out.document("a").doc.title == "A, retitled"
    out = run("A, retitled", "Le même texte.")
    assert sp.CALLS == ["fields:a"]
    assert out.result("a", "fields").data["source"] == "Le même texte."
    assert out.document("a").doc.source_text == "Le même texte."
    run("A, retitled", "Le même texte.")
    assert sp.CALLS == []
