"""A hook stuck on one document is cut off after [run] timeout; a malformed result is named."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
import threading
import time

import pytest
import sample_plugins as sp
from textmill.testing import run_chain

CHAIN = {"clean": ["unicode"], "quality": ["counter", "stuck"]}
PLUGINS = (sp.counter, sp.stuck)
STUCK_ON = "001_"


def _check(out, seconds=1):
    """Only the stuck pair has an error, `timeout after N s`; everything else ran."""
    summary = out.summary
    assert summary.plugins["stuck"].errors == 1 and summary.plugins["stuck"].timeouts == 1
    assert summary.plugins["stuck"].processed == 5
    assert summary.plugins["counter"].errors == 0 and summary.plugins["counter"].processed == 5
    for doc_id in out.ids():
        r = out.result(doc_id, "stuck")
        if STUCK_ON in doc_id:
            assert r.status == "error" and r.error == f"timeout after {seconds} s"
            assert "sample_plugins.py" in r.traceback  # where the hook was when cut off
        else:
            assert r.status == "ok" and r.label == "free"
        assert out.result(doc_id, "counter").status == "ok"
    assert [(d, p) for d, p, _ in summary.doc_errors] == [
        (i, "stuck") for i in out.ids() if STUCK_ON in i
    ]


@pytest.mark.parametrize("how", ["sleep", "loop"])
def test_stuck_hook_is_cut_off_in_process(tmp_path, seeds, how):
    t0 = time.monotonic()
    out = run_chain(
        [seeds],
        CHAIN,
        tmp_path=tmp_path,
        plugins=PLUGINS,
        settings={"stuck": {"on": STUCK_ON, "how": how}},
        run={"timeout": 1},
    )
    _check(out)
    assert time.monotonic() - t0 < 60
    # A re-run tries the timed-out pair again (an error is never a cache hit) and only it.
    again = run_chain(
        [seeds],
        CHAIN,
        tmp_path=tmp_path,
        plugins=PLUGINS,
        settings={"stuck": {"on": STUCK_ON, "how": how}},
        run={"timeout": 1},
        store=out.store_path,
    )
    assert again.summary.plugins["stuck"].cached == 4
    assert again.summary.plugins["stuck"].timeouts == 1


@pytest.mark.parametrize(
    "method", [m for m in ("fork", "spawn") if m in mp.get_all_start_methods()]
)
def test_stuck_hook_is_cut_off_in_workers(tmp_path, seeds, method):
    out = run_chain(
        [seeds],
        CHAIN,
        tmp_path=tmp_path,
        plugins=PLUGINS,
        settings={"stuck": {"on": STUCK_ON, "how": "sleep"}},
        workers=2,
        run={"timeout": 1, "start_method": method, "batch_size": 1},
    )
    _check(out)


def test_stuck_loop_is_cut_off_off_the_main_thread(tmp_path, seeds):
    """The TUI runs the engine on a thread, where no SIGALRM arrives: a watchdog thread cuts the
    loop off instead."""
    box = {}

    def work():
        box["out"] = run_chain(
            [seeds],
            CHAIN,
            tmp_path=tmp_path,
            plugins=PLUGINS,
            settings={"stuck": {"on": STUCK_ON, "how": "loop"}},
            run={"timeout": 1},
        )

    t = threading.Thread(target=work)
    t.start()
    t.join(120)
    assert not t.is_alive()
    _check(box["out"])


def test_no_timeout_with_zero(tmp_path, seeds):
    out = run_chain(
        [seeds], {"quality": ["slow"]}, tmp_path=tmp_path, plugins=(sp.slow,), run={"timeout": 0}
    )
    assert not out.summary.failed


def test_malformed_results_are_named(tmp_path, seeds):
    out = run_chain(
        [seeds],
        {"quality": ["counter", "badret"]},
        tmp_path=tmp_path,
        plugins=(sp.counter, sp.badret),
    )
    errors = {d: out.result(d, "badret").error for d in out.ids()}
    assert errors["001_5ec67cc4433767fa.txt"] == (
        "plugin \"badret\" returned a Result whose findings item is str ('x'); "
        "expected a textmill.Finding"
    )
    assert errors["002_5556c43739ad7f0a.txt"] == (
        "plugin \"badret\" returned a Result whose score is str ('high'); expected a number or None"
    )
    assert errors["003_001970584a3e2e1a.txt"] == (
        "plugin \"badret\" returned dict ({'score': 1.0}) from textmill_quality; "
        "expected a textmill.Result or None"
    )
    assert errors["000_7da01264481b0f8d.txt"] is None
    assert out.summary.plugins["counter"].errors == 0


STUCK_MODULE = """
import time
from textmill import PluginInfo, Result, hookimpl

@hookimpl
def textmill_plugin_info():
    return PluginInfo(name="stuckmod", version="1")

@hookimpl
def textmill_quality(doc, settings, ctx):
    if "001_" in doc.id:
        time.sleep(10**6)
    if "003_" in doc.id:
        while True:
            pass
    return Result(score=1.0)
"""


def test_cli_names_the_failing_documents_and_plugins(tmp_path, seeds):
    (tmp_path / "seeds").symlink_to(seeds)
    (tmp_path / "stuckmod.py").write_text(STUCK_MODULE)
    (tmp_path / "config.toml").write_text(
        '[input]\npaths = ["seeds"]\n[run]\ntimeout = 1\n[load]\nmodules = ["stuckmod.py"]\n'
        '[chain]\nclean = ["unicode"]\nquality = ["stuckmod"]\n'
    )
    r = subprocess.run(
        [sys.executable, "-c", "from textmill.cli import main; main()", "run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=300,
    )
    assert r.returncode == 1, r.stderr
    lines = r.stderr.splitlines()
    assert (
        'textmill: 001_5ec67cc4433767fa.txt: plugin "stuckmod" failed: timeout after 1 s' in lines
    )
    assert (
        'textmill: 003_001970584a3e2e1a.txt: plugin "stuckmod" failed: timeout after 1 s' in lines
    )
    assert "textmill: 2 plugin error(s); see them with `textmill show DOC` or the TUI" in lines
    assert "Traceback" not in r.stderr


# --- prepare hooks, prepared parts and corpus hooks ----------------------------------------------

HOSTILE_CHAIN = {"clean": ["unicode"], "quality": ["counter", "hostile"]}


def _hostile(tmp_path, seeds, timeout=0.2, **how):
    return run_chain(
        [seeds],
        HOSTILE_CHAIN,
        tmp_path=tmp_path,
        plugins=(sp.counter, sp.hostile),
        settings={"hostile": how},
        run={"timeout": timeout},
    )


def _others_ran(out):
    assert out.summary.plugins["counter"].errors == 0
    assert all(out.result(d, "counter").status == "ok" for d in out.ids())


@pytest.mark.parametrize("how", ["sleep", "loop"])
def test_a_stuck_corpus_hook_is_cut_off_and_the_run_goes_on(tmp_path, seeds, how):
    """A corpus hook's limit is [run] timeout for each document of the corpus: 0.2 s x 5."""
    t0 = time.monotonic()
    out = _hostile(tmp_path, seeds, corpus=how)
    assert time.monotonic() - t0 < 60
    assert out.summary.corpus_errors == [("hostile", "timeout after 1 s")]
    stats = out.summary.plugins["hostile"]
    assert stats.errors == 1 and stats.timeouts == 1
    _others_ran(out)
    # Its documents keep their per-document results, without what the corpus hook would add.
    for d in out.ids():
        assert out.result(d, "hostile").label == "prepared"
        assert out.query.corpus.store.result(d, "hostile", "corpus") is None
    # The next run tries the corpus hook again (its failure is never a cache hit).
    again = _hostile(tmp_path, seeds, corpus="")
    assert again.summary.corpus_errors == []
    assert {again.result(d, "hostile").label for d in again.ids()} == {"seen"}


def test_a_stuck_prepare_hook_is_cut_off_and_the_run_goes_on(tmp_path, seeds):
    out = _hostile(tmp_path, seeds, prepare="loop")
    assert out.summary.corpus_errors == [("hostile", "timeout after 1 s")]
    assert out.summary.plugins["hostile"].timeouts == 1
    _others_ran(out)
    # Its per-document hook ran without a prepared state.
    store = out.query.corpus.store
    assert {store.result(d, "hostile", "doc").label for d in out.ids()} == {"unprepared"}
    # Once its prepare hook works, they run again with its state (not taken from the cache).
    again = _hostile(tmp_path, seeds, prepare="")
    assert again.summary.corpus_errors == []
    store = again.query.corpus.store
    assert {store.result(d, "hostile", "doc").label for d in again.ids()} == {"prepared"}


def test_a_stuck_corpus_loop_is_cut_off_off_the_main_thread(tmp_path, seeds):
    box = {}
    t = threading.Thread(target=lambda: box.update(out=_hostile(tmp_path, seeds, corpus="loop")))
    t.start()
    t.join(120)
    assert not t.is_alive()
    assert box["out"].summary.corpus_errors == [("hostile", "timeout after 1 s")]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_prepared_part_that_raises_is_that_documents_error(tmp_path, seeds, workers):
    out = run_chain(
        [seeds],
        HOSTILE_CHAIN,
        tmp_path=tmp_path,
        plugins=(sp.counter, sp.hostile),
        settings={"hostile": {"part": "raise", "on": STUCK_ON}},
        workers=workers,
        run={"batch_size": 1},
    )
    _others_ran(out)
    assert out.summary.plugins["hostile"].errors == 1
    for d in out.ids():
        r = out.result(d, "hostile")
        if STUCK_ON in d:
            assert r.status == "error"
            assert r.error == "RuntimeError: hostile plugin failed on purpose"
            assert "textmill_prepared_part" in r.traceback
        else:
            assert r.status == "ok" and r.label == "seen"
    assert [(d, p) for d, p, _ in out.summary.doc_errors] == [
        (i, "hostile") for i in out.ids() if STUCK_ON in i
    ]


def test_a_stuck_prepared_part_is_cut_off(tmp_path, seeds):
    out = _hostile(tmp_path, seeds, timeout=1, part="sleep", on=STUCK_ON)
    stats = out.summary.plugins["hostile"]
    assert stats.errors == 1 and stats.timeouts == 1
    stuck = next(d for d in out.ids() if STUCK_ON in d)
    assert out.result(stuck, "hostile").error == "timeout after 1 s"
    _others_ran(out)
