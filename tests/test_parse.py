"""The shared parse: one spaCy parse per document, in batches, with what plugins declared."""

from __future__ import annotations

import gzip
import itertools
import json
import time
from pathlib import Path
from typing import Any

import pytest
from textmill import Document, PluginInfo, Result, hookimpl
from textmill.manager import PluginManager
from textmill.parse import PARSE_LINE, PIECE_CHARS, SharedParser, lemma, parse_text, pieces
from textmill.plugins.linker import LinkerSettings, link_text
from textmill.plugins.mt_artifacts.checks import PARSES, run_checks
from textmill.testing import SEEDS, run_chain, seed_documents

BBC = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "summarization" / "bbc.jsonl"
MQM = BBC.parents[1] / "translations" / "wmt23-zhen-mqm.jsonl.gz"
CHAIN = {"clean": ["unicode", "boilerplate"], "quality": ["mt_artifacts"], "entities": ["linker"]}


def _bbc(n: int) -> list[dict[str, Any]]:
    with BBC.open(encoding="utf-8") as fh:
        return [json.loads(line) for _, line in zip(range(n), fh, strict=False)]


def _long_text(chars: int) -> str:
    """BBC articles one after another, paragraphs apart, until ``chars`` characters."""
    parts, n = [], 0
    for r in _bbc(200):
        parts.append(r["text"].strip())
        n += len(parts[-1]) + 2
        if n >= chars:
            break
    return "\n\n".join(parts)


def _mt_long_text(chars: int) -> str:
    """Machine-translated English (WMT23 zh-en segments), a paragraph each, until ``chars``
    characters: text the checks find something in, all the way through."""
    parts, n = [], 0
    with gzip.open(MQM, "rt", encoding="utf-8") as fh:
        for line in fh:
            target = json.loads(line)["target"].strip()
            if target:
                parts.append(target)
                n += len(target) + 2
                if n >= chars:
                    break
    return "\n\n".join(parts)


class Counter:
    """Declares entities and adds a component to the shared pipeline that counts the texts it
    sees, so a test can tell how often spaCy ran."""

    seen: list[str] = []  # noqa: RUF012 (one list per test run, reset by the test)

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="counter", version="1", parses=("entities",))

    @hookimpl
    def textmill_nlp_pipes(self, nlp: Any, settings: Any) -> None:
        from spacy.language import Language

        if not Language.has_factory("textmill_test_counter"):

            @Language.component("textmill_test_counter")
            def count(doc: Any) -> Any:
                Counter.seen.append(doc.text)
                return doc

        nlp.add_pipe("textmill_test_counter", last=True)

    @hookimpl
    def textmill_quality(self, doc: Document, settings: Any, ctx: Any) -> Result:
        assert ctx.parsed is not None and ctx.parsed.text == doc.text
        return Result(label=f"{len(ctx.parsed.ents())} ents")


def test_pieces_cover_the_text_and_cut_between_paragraphs() -> None:
    text = _long_text(3 * PIECE_CHARS)
    cuts = pieces(text)
    assert len(cuts) >= 3
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(cuts))
    assert all(0 < b - a <= PIECE_CHARS for a, b in cuts)
    # Each cut falls just after a blank line, so no paragraph is split.
    assert all(text[b - 2 : b] == "\n\n" for _, b in cuts[:-1])
    # One paragraph longer than a piece is cut after a sentence.
    para = " ".join(r["text"].replace("\n", " ") for r in _bbc(30))
    assert len(para) > PIECE_CHARS
    cuts = pieces(para)
    assert all(para[b - 2] in ".!?\"'" for _, b in cuts[:-1])
    assert "".join(para[a:b] for a, b in cuts) == para
    # A news article is one piece.
    assert all(len(pieces(d.text)) == 1 for d in seed_documents())


def test_one_parse_per_document_for_every_plugin_that_reads_it(textmill_plugin, tmp_path) -> None:
    textmill_plugin(Counter())
    Counter.seen = []
    chain = {**CHAIN, "quality": ["mt_artifacts", "counter"]}
    out = run_chain([SEEDS], chain, tmp_path=tmp_path)
    docs = out.ids()
    assert not out.summary.failed
    # linker, mt_artifacts and counter all read the parse: spaCy ran once per document.
    # (The seen texts include the rulers' patterns, which spaCy tokenizes when they are added.)
    texts = sorted(out.text(d) for d in docs)
    assert len(texts) == 5
    assert sorted(t for t in Counter.seen if t in texts) == texts
    line = out.summary.plugins[PARSE_LINE]
    assert line.processed == 5 and line.seconds > 0
    assert out.summary.to_dict()["plugins"][PARSE_LINE]["processed"] == 5
    for d in docs:
        ents = out.result(d, "counter").label
        assert ents is not None and int(ents.split()[0]) > 0
    # Everything cached: nothing is parsed again.
    Counter.seen = []
    again = run_chain([SEEDS], chain, tmp_path=tmp_path, store=out.store_path)
    assert not [t for t in Counter.seen if t in texts] and PARSE_LINE not in again.summary.plugins


def test_the_linker_reads_the_shared_parse_as_it_parses_alone(tmp_path) -> None:
    # The shared pipeline holds the linker's rulers: its mentions are those of its own pipeline.
    out = run_chain([SEEDS], CHAIN, tmp_path=tmp_path)
    for d in out.ids():
        text = out.text(d)
        stored = [
            (m["start"], m["end"], m["entity"]) for m in out.result(d, "linker").data["mentions"]
        ]
        alone = [(m["start"], m["end"], m["entity"]) for m in link_text(text, LinkerSettings())]
        assert stored == alone and stored, d


def test_the_pipeline_runs_only_what_is_declared() -> None:
    ents = SharedParser(["entities"]).nlp.pipe_names
    assert "ner" in ents and not {"tok2vec", "tagger", "parser", "lemmatizer"} & set(ents)
    full = SharedParser(PARSES).nlp.pipe_names
    assert {"tok2vec", "tagger", "parser", "attribute_ruler", "ner"} <= set(full)
    assert "lemmatizer" not in full


def test_a_lemma_on_demand_is_the_lemmatizers() -> None:
    import spacy
    from textmill.nlp import MODEL_NAMES

    name = next(n for n in MODEL_NAMES if spacy.util.is_package(n))
    nlp = spacy.load(name)
    text = seed_documents()[0].text
    full = nlp(text)
    parsed = parse_text(text, PARSES)
    tokens = [t for _, t in parsed.tokens()]
    assert [t.text for t in tokens] == [t.text for t in full]
    assert [lemma(t) for t in tokens] == [t.lemma_ for t in full]


def test_a_long_document_is_checked_piece_by_piece() -> None:
    text = _mt_long_text(int(2.5 * PIECE_CHARS))
    parsed = parse_text(text, PARSES)
    assert len(parsed.pieces) >= 3
    # Entities and tokens come back in the whole text's offsets.
    ents = parsed.ents()
    assert ents and all(text[a:b].strip() for a, b, _ in ents)
    assert all(text[a : a + len(t.text)] == t.text for a, t in parsed.tokens())
    # Findings of every piece land on the text they describe, each piece's as on its own.
    found = run_checks(text, parsed=parsed)
    later = [f for f in found if f.span and f.span.start >= parsed.pieces[1].offset]
    assert later
    for piece in parsed.pieces[1:]:
        chunk = text[piece.offset : piece.offset + len(piece.doc.text)]
        alone = {
            (f.code, chunk[f.span.start : f.span.end])
            for f in run_checks(chunk)
            if f.span and f.code in ("mt.comma-splice", "mt.fragment", "mt.article")
        }
        mine = {
            (f.code, text[f.span.start : f.span.end])
            for f in found
            if f.span
            and f.code in ("mt.comma-splice", "mt.fragment", "mt.article")
            and piece.offset <= f.span.start < piece.offset + len(chunk)
        }
        assert mine == alone


def test_an_unknown_annotation_is_refused_in_one_sentence() -> None:
    class Bad:
        @hookimpl
        def textmill_plugin_info(self) -> PluginInfo:
            return PluginInfo(name="bad", parses=("lemmas",))

    from textmill import manager as _manager

    _manager._EXTRA.append(("", Bad()))
    try:
        pm = PluginManager()
    finally:
        _manager._EXTRA.pop()
    assert "bad" not in pm.plugins
    failure = next(f for f in pm.failures if "lemmas" in f.error)
    assert 'unknown annotation "lemmas"' in failure.error


@pytest.mark.parametrize("n", [3])
def test_batches_give_the_results_of_one_document_at_a_time(tmp_path, n) -> None:
    # A batch of BBC articles parsed together gives each the findings it gets alone.
    docs = [Document(id=r["id"], raw=r["text"]) for r in _bbc(n)]
    out = run_chain(docs, {"quality": ["mt_artifacts"]}, tmp_path=tmp_path)
    for d in docs:
        stored = out.result(d.id, "mt_artifacts")
        alone = run_checks(d.text)
        assert [(f.code, f.span) for f in stored.findings] == [(f.code, f.span) for f in alone]


class StuckParse:
    """Reads the shared parse and adds a component to it that hangs on texts holding
    ``STUCK``, so the parse of one document never ends."""

    STUCK = "Texts holding this sentence hang the parse."

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="stuckparse", version="1", parses=("entities",))

    @hookimpl
    def textmill_nlp_pipes(self, nlp: Any, settings: Any) -> None:
        from spacy.language import Language

        if not Language.has_factory("textmill_test_stuck"):

            @Language.component("textmill_test_stuck")
            def stuck(doc: Any) -> Any:
                while StuckParse.STUCK in doc.text:
                    time.sleep(0.05)
                return doc

        nlp.add_pipe("textmill_test_stuck", last=True)

    @hookimpl
    def textmill_quality(self, doc: Document, settings: Any, ctx: Any) -> Result:
        return Result(label=f"{len(ctx.parsed.ents())} ents")


def test_a_parse_that_hangs_is_cut_off_on_its_document_only(tmp_path) -> None:
    texts = [
        d.text + (f"\n\n{StuckParse.STUCK}" if i == 1 else "")
        for i, d in enumerate(seed_documents()[:3])
    ]
    docs = [Document(id=f"doc-{i}", raw=t, text=t) for i, t in enumerate(texts)]
    out = run_chain(
        docs,
        {"quality": ["stuckparse"]},
        tmp_path=tmp_path,
        plugins=(StuckParse(),),
        run={"timeout": 1},
    )
    # The batch's parse ran out of time; each document was then parsed within its own limit.
    for d in out.ids():
        r = out.result(d, "stuckparse")
        if d == "doc-1":
            assert r.status == "error" and r.error == "timeout after 1 s"
        else:
            assert r.status == "ok" and r.label.endswith(" ents") and r.label != "0 ents"
    assert out.summary.plugins["stuckparse"].timeouts == 1


class SlowParse:
    """Reads the shared parse, whose pipeline it slows by ``SECONDS`` a piece of text."""

    SECONDS = 1.5

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="slowparse", version="1", parses=("entities",))

    @hookimpl
    def textmill_nlp_pipes(self, nlp: Any, settings: Any) -> None:
        from spacy.language import Language

        if not Language.has_factory("textmill_test_slow"):

            @Language.component("textmill_test_slow")
            def slow(doc: Any) -> Any:
                time.sleep(SlowParse.SECONDS)
                return doc

        nlp.add_pipe("textmill_test_slow", last=True)

    @hookimpl
    def textmill_quality(self, doc: Document, settings: Any, ctx: Any) -> Result:
        return Result(label=f"{len(ctx.parsed.ents())} ents")


def test_a_long_document_has_the_time_its_parse_takes(tmp_path) -> None:
    # Eight pieces or more, two to an nlp.pipe batch: each batch takes about 3 s of an 8 s
    # limit, the whole parse over 12 s. The limit is a batch's, so the long document is parsed.
    text = _long_text(8 * PIECE_CHARS - 2000)
    n = len(pieces(text))
    assert n >= 8
    out = run_chain(
        [Document(id="long", raw=text, text=text)],
        {"quality": ["slowparse"]},
        tmp_path=tmp_path,
        plugins=(SlowParse(),),
        run={"timeout": 8},
    )
    r = out.result("long", "slowparse")
    assert r.status == "ok", r.error
    assert int(r.label.split()[0]) > 100
    assert out.summary.plugins[PARSE_LINE].seconds > n * SlowParse.SECONDS
