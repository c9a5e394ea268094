"""The query layer on a real run of the seeds: paging, sorting, filters, FTS and one document."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import sample_plugins as sp
from conftest import SEEDS
from textmill.query import Filter, Query, parse_filter
from textmill.testing import run_chain

CHAIN = {"clean": ["unicode", "upper"], "quality": ["counter"], "dedup": ["grouper"]}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("q")
    return run_chain(
        [SEEDS],
        CHAIN,
        tmp_path=tmp,
        plugins=(sp.upper, sp.counter, sp.grouper),
        settings={"counter": {"word": "Zelensky"}},
    )


def test_page_sort_and_total(run):
    q = run.query
    first = q.page(limit=2)
    assert first.total == 5 and len(first.rows) == 2
    rest = q.page(offset=2, limit=10)
    assert [r.id for r in first.rows + rest.rows] == sorted(r.id for r in first.rows + rest.rows)
    by_score = q.page(sort="score:counter", descending=True, limit=5).rows
    scores = [r.results["counter"]["score"] for r in by_score]
    assert scores == sorted(scores, reverse=True)
    assert by_score[0].results["counter"]["findings"] >= by_score[-1].results["counter"]["findings"]


def test_filters(run):
    q = run.query
    mentions = {r.id for r in q.page(Filter(code="test.word"), limit=10).rows}
    # Zelensky is named in 001, 002, 003 and 004 but not in 000
    assert mentions == {
        "001_5ec67cc4433767fa.txt",
        "002_5556c43739ad7f0a.txt",
        "003_001970584a3e2e1a.txt",
        "004_266a9cc2f08c840b.txt",
    }
    assert q.count(Filter(plugin="counter", score_min=0.3)) == q.count(
        parse_filter("plugin:counter score>0.3")
    )
    cluster = next(c for c in q.clusters() if c.id == "g1")
    assert {r.id for r in q.page(Filter(cluster="g1"), limit=10).rows} == {
        m.doc_id for m in cluster.members
    }


def test_full_text_search(run):
    q = run.query
    hits = {r.id for r in q.page(Filter(search="Sunak"), limit=10).rows}
    assert hits == {"004_266a9cc2f08c840b.txt"}
    # user text is never FTS syntax
    assert q.count(Filter(search='"unbalanced OR (')) == 0


def test_one_document(run):
    view = run.query.document("001_5ec67cc4433767fa.txt")
    assert view is not None
    assert list(view.results) == ["unicode", "upper", "counter", "grouper"]
    assert all(view.doc.text[f.span.start : f.span.end] == "Zelensky" for f in view.findings)
    assert [c.id for c in view.clusters] == ["g1"]


def test_reader_opens_while_a_run_writes(tmp_path, seeds):
    (tmp_path / "slowmod.py").write_text(
        "import time\nfrom textmill import PluginInfo, Result, hookimpl\n"
        "@hookimpl\ndef textmill_plugin_info():\n    return PluginInfo(name='slowmod')\n"
        "@hookimpl\ndef textmill_quality(doc, settings, ctx):\n"
        "    time.sleep(0.02)\n    return Result(score=0.5)\n"
    )
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        "".join(f'{{"id": "d{i}", "text": "Document number {i}."}}\n' for i in range(300))
    )
    (tmp_path / "config.toml").write_text(
        '[input]\npaths = ["c.jsonl"]\n[run]\nbatch_size = 10\n[load]\nmodules = ["slowmod.py"]\n'
        '[chain]\nquality = ["slowmod"]\n'
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", "from textmill.cli import main; main()", "run", "-q"],
        cwd=tmp_path,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    store = tmp_path / ".textmill" / "textmill.sqlite"
    seen = []
    deadline = time.time() + 60
    while proc.poll() is None and time.time() < deadline:
        if store.exists():
            try:
                q = Query(store)
            except Exception:
                time.sleep(0.05)
                continue
            seen.append(q.count(Filter(plugin="slowmod")))
            q.close()
        time.sleep(0.1)
    assert proc.wait(timeout=120) == 0
    assert any(0 < n < 300 for n in seen), seen  # read partial progress mid-run


@pytest.mark.parametrize(
    ("expr", "said"),
    [
        ("bogus:thing", '"bogus" is not a filter key'),
        ("plugn:counter", 'did you mean "plugin"?'),
        ("score<<0.5", '"score<<0.5" is not a score bound'),
        ("score<0.5.1", "is not a score bound"),
        ("score=0.5", "is not a score bound"),
        ("status:eror", "status is one of ok|error|skipped|cached"),
        ("plugin:", "gives no value for plugin"),
    ],
)
def test_a_filter_off_the_grammar_is_an_error_that_shows_it(run, expr: str, said: str) -> None:
    from textmill.query import FILTER_GRAMMAR, FilterError

    with pytest.raises(FilterError) as info:
        parse_filter(f"kirby {expr}")
    assert said in str(info.value) and FILTER_GRAMMAR in str(info.value)


def test_filters_in_the_grammar_still_parse(run) -> None:
    f = parse_filter('plugin:counter status:OK score>=0.25 score<1 errors:no "a:b" kirby')
    assert f == Filter(
        plugin="counter",
        status="ok",
        score_min=0.25,
        score_max=1.0,
        errors=False,
        search='"a:b" kirby',
    )
    assert run.query.count(parse_filter('"Kirby:"')) == run.query.count(parse_filter("kirby"))


def test_an_ambiguous_id_prefix_names_a_few_matches(run) -> None:
    from textmill.query import AmbiguousId

    q = run.query
    with pytest.raises(AmbiguousId) as info:
        q.resolve_id("0")  # every seed's id starts with 0, and no document has seq 0
    msg = str(info.value)
    assert 'document "0" is ambiguous' in msg
    assert '"000_7da01264481b0f8d.txt", "001_5ec67cc4433767fa.txt"' in msg and "…" in msg
    assert q.resolve_id("003") == "003_001970584a3e2e1a.txt"
    assert q.resolve_id("1") is not None  # a sequence number
    assert q.resolve_id("nothing-like-it") is None
