"""Where batches of documents run: in this process, in a pool of worker processes, or on Ray.

An executor runs one segment's job (:class:`~textmill.segment.SegmentJob`) over batches and
yields each batch's outcomes in order, keeping only a few batches in flight so memory stays
bounded however large the corpus is. The engine alone writes what comes back.

The process pool gets the job through its initializer, so it works with every start method.
With ``fork`` (the default where there is one), the first documents run here before the pool
starts, until every step has run once: the plugins' models are then loaded in this process, and
the workers share them copy-on-write instead of each loading its own. With ``spawn`` (the only
method on Windows, the default on macOS) the job is pickled to each worker, which loads the
plugins again (:meth:`textmill.manager.PluginManager.__reduce__`).

The Ray executor is in :mod:`textmill.ray_executor`, imported only when it is chosen.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import queue
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from textmill.errors import ConfigError
from textmill.hookcall import time_limit
from textmill.segment import Activity, DocOutcome, DocTask, SegmentJob, run_batch, run_document

Batches = Iterable[list[DocTask]]


class Executor(Protocol):
    def map(self, batches: Batches) -> Iterator[list[DocOutcome]]:
        """Each batch's outcomes, in the order of the batches."""
        ...

    def close(self) -> None: ...


class InProcessExecutor:
    """Runs every batch in the calling process (``--workers 1``)."""

    def __init__(self, job: SegmentJob, activity: Activity | None = None) -> None:
        self.job = job
        self.activity = activity

    def map(self, batches: Batches) -> Iterator[list[DocOutcome]]:
        for batch in batches:
            yield run_batch(self.job, batch, self.activity)

    def close(self) -> None:
        pass


# --- the process pool ---------------------------------------------------------------------------

_worker_job: SegmentJob | None = None  # in a pool worker: the job its initializer was given
_worker_news: Any = None  # in a pool worker: where it says what it is working on


def _init_worker(job: SegmentJob, news: Any) -> None:
    global _worker_job, _worker_news
    _worker_job = job
    _worker_news = news


def _say_activity(stage: str, plugin: str, doc_id: str) -> None:
    # A full or closed queue only loses a progress message.
    with contextlib.suppress(Exception):
        _worker_news.put_nowait((stage, plugin, doc_id))


def _run_in_worker(batch: list[DocTask]) -> list[DocOutcome]:
    if _worker_job is None:
        raise RuntimeError("a textmill pool worker ran a batch before its initializer")
    return run_batch(_worker_job, batch, _say_activity if _worker_news is not None else None)


def start_method(name: str) -> str:
    """The start method ``auto`` means here (``fork`` where available), or ``name``."""
    methods = mp.get_all_start_methods()
    if name == "auto":
        return "fork" if "fork" in methods else "spawn"
    if name not in methods:
        raise ConfigError(
            f'[run] start_method "{name}" is not available on this system; '
            f"use one of: auto, {', '.join(methods)}"
        )
    return name


PIECES_PER_WORKER = 4
"""How many pieces the pool cuts each batch in, per worker: small pieces keep the workers busy
to the end of a segment (a worker that finishes first waits at most one small piece for the
other), and cost nothing measurable (the shared parse is as fast per document in pieces of 8
as of 32)."""


class ProcessPoolExecutor:
    """A ``multiprocessing`` pool: each batch is cut in :data:`PIECES_PER_WORKER` ``* workers``
    pieces, one task each, with at most two batches' worth in flight."""

    def __init__(
        self,
        job: SegmentJob,
        workers: int,
        method: str = "auto",
        activity: Activity | None = None,
    ) -> None:
        self.job = job
        self.workers = workers
        self.method = start_method(method)
        self.activity = activity
        self.ctx = mp.get_context(self.method)
        self.pool: Any = None
        self.news: Any = None

    def _warm(self, batch: list[DocTask]) -> tuple[list[DocOutcome], list[DocTask]]:
        """Run documents of the first batch here until every step has run once (so its
        plugin has loaded what it loads on first use); returns their outcomes and the rest."""
        want = {s.plugin for s in self.job.steps}
        out: list[DocOutcome] = []
        with time_limit(self.job.timeout) as limit:
            for i, task in enumerate(batch):
                outcome = run_document(self.job, task, limit, self.activity)
                out.append(outcome)
                want.difference_update(r.plugin for r in outcome.rows)
                if not want or outcome.aborted:
                    return out, [] if outcome.aborted else batch[i + 1 :]
        return out, []

    def _start(self) -> None:
        self.news = self.ctx.Queue(10_000) if self.activity else None
        # With fork, what is loaded now (plugins, models) is in the workers' memory from the
        # start; frozen, the workers' garbage collector never walks it, so it neither spends
        # their time on it nor writes its pages (which would make them copy them).
        gc.freeze()
        try:
            self.pool = self.ctx.Pool(
                self.workers, initializer=_init_worker, initargs=(self.job, self.news)
            )
        finally:
            gc.unfreeze()

    def _relay(self) -> None:
        """Pass the workers' latest activity on to the progress display."""
        last = None
        try:
            while True:
                last = self.news.get_nowait()
        except queue.Empty:
            pass
        if last is not None and self.activity is not None:
            self.activity(*last)

    def _get(self, pending: Any) -> list[DocOutcome]:
        if self.news is None:
            return list(pending.get())
        while not pending.ready():
            pending.wait(0.2)
            self._relay()
        return list(pending.get())

    def map(self, batches: Batches) -> Iterator[list[DocOutcome]]:
        it = iter(batches)
        if self.method == "fork" and self.pool is None:
            first = next(it, None)
            if first is None:
                return
            head, rest = self._warm(first)
            yield head
            if head and head[-1].aborted:
                return
            if rest:
                it = _prepend(rest, it)
        if self.pool is None:
            self._start()
        pending: deque[Any] = deque()
        pieces = PIECES_PER_WORKER * self.workers
        for batch in it:
            # Each batch is shared out over the workers, so none is left with a long tail.
            for piece in split(batch, pieces):
                pending.append(self.pool.apply_async(_run_in_worker, (piece,)))
            while len(pending) >= 2 * pieces:
                yield self._get(pending.popleft())
        while pending:
            yield self._get(pending.popleft())

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        if self.news is not None:
            self.news.close()
            self.news.cancel_join_thread()
            self.news = None


def split(batch: list[DocTask], parts: int) -> list[list[DocTask]]:
    """``batch`` in at most ``parts`` consecutive pieces of nearly equal size."""
    n = len(batch)
    parts = max(1, min(parts, n))
    size, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(batch[start:end])
        start = end
    return out


def _prepend(first: list[DocTask], rest: Iterator[list[DocTask]]) -> Iterator[list[DocTask]]:
    yield first
    yield from rest


def make_executor(
    job: SegmentJob,
    workers: int,
    *,
    kind: str = "local",
    method: str = "auto",
    ray_address: str = "",
    activity: Activity | None = None,
) -> Executor:
    """The executor of ``[run] executor``: ``local`` is this process for one worker and a
    process pool for more; ``ray`` is :class:`textmill.ray_executor.RayExecutor`."""
    if kind == "ray":
        from textmill.ray_executor import RayExecutor

        return RayExecutor(job, workers, address=ray_address)
    if workers <= 1:
        return InProcessExecutor(job, activity)
    return ProcessPoolExecutor(job, workers, method, activity)
