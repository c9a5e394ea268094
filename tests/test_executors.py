"""The process pool with both start methods: the same results as in-process, on real text."""

from __future__ import annotations

import multiprocessing as mp

import pytest
import sample_plugins as sp
from exported import exported
from textmill.config import DEFAULT_CHAIN
from textmill.testing import run_chain

CHAIN = {"clean": ["unicode", "upper"], "quality": ["counter"], "dedup": ["grouper"]}
PLUGINS = (sp.upper, sp.counter, sp.grouper)
METHODS = [m for m in ("fork", "spawn") if m in mp.get_all_start_methods()]


@pytest.mark.parametrize("method", METHODS)
def test_pool_runs_registered_plugins(tmp_path, seeds, method):
    """Plugin objects registered by a test reach spawned workers too (the job is pickled with
    how to load its plugins again), and an error stays on its document."""
    settings = {"counter": {"fail_on": "002"}}
    one = run_chain([seeds], CHAIN, tmp_path=tmp_path / "a", plugins=PLUGINS, settings=settings)
    two = run_chain(
        [seeds],
        CHAIN,
        tmp_path=tmp_path / "b",
        plugins=PLUGINS,
        settings=settings,
        workers=2,
        run={"start_method": method, "batch_size": 1},
    )
    assert exported(two, tmp_path / "eb") == exported(one, tmp_path / "ea")
    assert two.summary.plugins["counter"].errors == 1
    assert two.result("002_5556c43739ad7f0a.txt", "counter").status == "error"


@pytest.mark.slow
def test_default_chain_same_with_fork_and_spawn(tmp_path, seeds):
    """The built-in chain on the seeds: a pool of two with each start method gives the export
    the in-process run gives, byte for byte but for timings."""
    base = run_chain([seeds], DEFAULT_CHAIN, tmp_path=tmp_path / "one")
    assert not base.summary.failed
    want = exported(base, tmp_path / "e1")
    assert len(want) == 6 and all(r["results"]["linker"]["status"] == "ok" for r in want[:5])
    for method in METHODS:
        out = run_chain(
            [seeds],
            DEFAULT_CHAIN,
            tmp_path=tmp_path / method,
            workers=2,
            run={"start_method": method, "batch_size": 2},
        )
        assert not out.summary.failed, method
        assert exported(out, tmp_path / f"e-{method}") == want, method


def test_batches_are_shared_out_in_order():
    from textmill.executors import split

    batch = list(range(10))
    pieces = split(batch, 4)
    assert [len(p) for p in pieces] == [3, 3, 2, 2]
    assert [x for p in pieces for x in p] == batch
    assert split(batch[:2], 4) == [[0], [1]]
