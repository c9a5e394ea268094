"""The Ray executor against a real local Ray (two CPUs): the same results as in-process."""

from __future__ import annotations

import sys

import pytest
import sample_plugins as sp
from exported import bbc_subset, exported
from textmill.config import DEFAULT_CHAIN, parse
from textmill.engine import Engine
from textmill.errors import TextmillError
from textmill.manager import PluginManager
from textmill.ray_executor import connect
from textmill.store import Store
from textmill.testing import run_chain

ray = pytest.importorskip("ray")

RAY = {"executor": "ray", "batch_size": 4}


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """A local Ray with two CPUs, started as textmill starts one (ray.init(num_cpus=2))."""
    connect("", 2)
    yield
    ray.shutdown()


def test_default_chain_on_ray_equals_in_process(tmp_path, seeds):
    base = run_chain([seeds], DEFAULT_CHAIN, tmp_path=tmp_path / "local")
    out = run_chain([seeds], DEFAULT_CHAIN, tmp_path=tmp_path / "ray", workers=2, run=RAY)
    assert not out.summary.failed
    want = exported(base, tmp_path / "e1")
    assert all(r["results"]["mt_artifacts"]["status"] == "ok" for r in want[:5])
    assert exported(out, tmp_path / "e2") == want


def test_a_few_hundred_documents_on_ray(tmp_path):
    """300 BBC articles through cleaning, quality and dedup (the spaCy-heavy plugins are in the
    seeds test above): Ray gives the in-process results, clusters included."""
    corpus = bbc_subset(tmp_path / "in", 300)
    chain = {"clean": ["unicode", "boilerplate"], "quality": ["langid"], "dedup": ["dedup"]}
    base = run_chain([corpus], chain, tmp_path=tmp_path / "local")
    out = run_chain(
        [corpus], chain, tmp_path=tmp_path / "ray", workers=2, run={**RAY, "batch_size": 16}
    )
    assert out.summary.documents == 300 and not out.summary.failed
    assert out.summary.plugins["boilerplate"].processed == 300
    assert exported(out, tmp_path / "e2") == exported(base, tmp_path / "e1")


@pytest.mark.parametrize("how", ["sleep", "loop"])
def test_stuck_hook_is_cut_off_on_ray(tmp_path, seeds, how):
    out = run_chain(
        [seeds],
        {"quality": ["counter", "stuck"]},
        tmp_path=tmp_path,
        plugins=(sp.counter, sp.stuck),
        settings={"stuck": {"on": "001_", "how": how}},
        workers=2,
        run={**RAY, "timeout": 1, "batch_size": 1},
    )
    stats = out.summary.plugins["stuck"]
    assert stats.timeouts == 1 and stats.processed == 5
    assert out.result("001_5ec67cc4433767fa.txt", "stuck").error == "timeout after 1 s"
    assert out.result("002_5556c43739ad7f0a.txt", "stuck").label == "free"
    assert out.summary.plugins["counter"].errors == 0


def test_hostile_prepared_part_and_corpus_hook_on_ray(tmp_path, seeds):
    """A prepared part that raises in an actor is that document's error; a corpus hook (on the
    driver) that loops is cut off after [run] timeout per document; the rest of the run goes on."""
    out = run_chain(
        [seeds],
        {"quality": ["counter", "hostile"]},
        tmp_path=tmp_path,
        plugins=(sp.counter, sp.hostile),
        settings={"hostile": {"part": "raise", "on": "001_", "corpus": "loop"}},
        workers=2,
        run={**RAY, "timeout": 0.2, "batch_size": 1},
    )
    assert out.summary.corpus_errors == [("hostile", "timeout after 1 s")]
    failed = out.result("001_5ec67cc4433767fa.txt", "hostile")
    assert failed.status == "error"
    assert failed.error == "RuntimeError: hostile plugin failed on purpose"
    assert out.result("002_5556c43739ad7f0a.txt", "hostile").label == "prepared"
    assert out.summary.plugins["counter"].errors == 0


def test_missing_ray_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` does when not installed
    config = parse(
        {"run": {"executor": "ray", "store": str(tmp_path / "s.sqlite")}}, None, tmp_path
    )
    with Store(tmp_path / "s.sqlite") as st, pytest.raises(TextmillError) as exc:
        Engine(config, PluginManager(), st)
    assert str(exc.value) == (
        '[run] executor = "ray" needs the ray package, which is not installed; '
        "install it with pip install 'textmill[ray]', or use the local executor"
    )


def test_actors_are_kept_from_one_segment_to_the_next(tmp_path, seeds):
    """The default chain has several segments; every one runs on the same two actor processes,
    so the models the plugins load stay loaded, and the results are the in-process ones."""
    from textmill.ray_executor import actors

    before = ray.get([a.pid.remote() for a in actors(ray, 2)])
    out = run_chain([seeds], DEFAULT_CHAIN, tmp_path=tmp_path / "ray", workers=2, run=RAY)
    assert not out.summary.failed
    assert ray.get([a.pid.remote() for a in actors(ray, 2)]) == before
    assert len(set(before)) == 2
    base = run_chain([seeds], DEFAULT_CHAIN, tmp_path=tmp_path / "local")
    assert exported(out, tmp_path / "e2") == exported(base, tmp_path / "e1")
