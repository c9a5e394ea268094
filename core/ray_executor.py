"""The Ray executor (``[run] executor = "ray"``): the same interface as the process pool, on a
Ray cluster or a local Ray.

``workers`` actors are started once per driver process and kept for the whole run: each
segment's job is put in Ray's object store once and handed to every actor, and the models the
plugins load (spaCy's pipeline, py3langid's, the KB) stay loaded in the actors' processes from
one segment to the next, as they do in a pool's workers. Every batch is cut in pieces, as for
the process pool; each piece is one actor task, given to the actor with the fewest unfinished
pieces, with at most two batches in flight, so the driver's memory stays bounded whatever the
corpus size. The actors return the rows the store writes; the driver (the ``textmill run``
process) alone reads and writes the store. ``[run] ray_address`` joins a running cluster, whose
nodes must have textmill and the plugins installed; without it a local Ray starts with
``workers`` CPUs, and its workers get the driver's ``sys.path``. See docs/cluster.md.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from collections.abc import Iterator
from typing import Any

from textmill.errors import TextmillError
from textmill.executors import PIECES_PER_WORKER, split
from textmill.segment import DocOutcome, DocTask, SegmentJob, run_batch

INSTALL = "pip install 'textmill[ray]'"


def require_ray() -> Any:
    """The ``ray`` module, or one sentence saying how to install it."""
    try:
        import ray
    except ImportError:
        raise TextmillError(
            f'[run] executor = "ray" needs the ray package, which is not installed; '
            f"install it with {INSTALL}, or use the local executor"
        ) from None
    return ray


class _SegmentWorker:
    """A Ray actor holding the current segment's job (its plugins, their settings and prepared
    state); the models those plugins load stay in the actor's process for later segments."""

    def __init__(self) -> None:
        self.job: SegmentJob | None = None

    def start(self, job: SegmentJob) -> None:
        self.job = job

    def run(self, batch: list[DocTask]) -> list[DocOutcome]:
        assert self.job is not None, "start() comes first"
        return run_batch(self.job, batch)

    def pid(self) -> int:
        return os.getpid()


def connect(address: str, workers: int) -> Any:
    """Join the cluster at ``address``, or start a local Ray with ``workers`` CPUs (once per
    process: later segments reuse the connection)."""
    ray = require_ray()
    if not ray.is_initialized():
        options: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": True}
        if address:
            try:
                ray.init(address=address, **options)
            except ConnectionError as exc:
                raise TextmillError(
                    f"cannot join the Ray cluster at {address} ({exc}); start it with "
                    "`ray start --head` or fix [run] ray_address"
                ) from None
        else:
            # A local Ray's workers import what the driver can (plugins on its sys.path).
            path = os.pathsep.join(p for p in sys.path if p)
            ray.init(
                num_cpus=workers,
                include_dashboard=False,
                runtime_env={"env_vars": {"PYTHONPATH": path}},
                **options,
            )
    return ray


# The actors of this driver process, by Ray job (a new ``ray.init`` starts a new job) and count.
_ACTORS: dict[tuple[str, int], list[Any]] = {}


def actors(ray: Any, workers: int) -> list[Any]:
    """This process's ``workers`` actors on the connected Ray, started on first use."""
    key = (ray.get_runtime_context().get_job_id(), workers)
    if key not in _ACTORS:
        actor = ray.remote(num_cpus=1)(_SegmentWorker)
        _ACTORS[key] = [actor.remote() for _ in range(workers)]
    return _ACTORS[key]


class RayExecutor:
    """Batches as tasks on ``workers`` actors that hold the loaded plugins."""

    def __init__(self, job: SegmentJob, workers: int, *, address: str = "") -> None:
        self.ray = connect(address, workers)
        self.job = job
        self.workers = max(1, workers)
        self.actors: list[Any] = []

    def _start(self) -> None:
        self.actors = actors(self.ray, self.workers)
        job = self.ray.put(self.job)
        self.ray.get([a.start.remote(job) for a in self.actors])

    def map(self, batches: Any) -> Iterator[list[DocOutcome]]:
        """Each batch cut in :data:`~textmill.executors.PIECES_PER_WORKER` ``* workers`` pieces,
        each given to the actor with the fewest unfinished pieces; results come back in order,
        with at most two batches' pieces in flight."""
        pending: deque[tuple[Any, int]] = deque()  # (result, actor), in the order sent
        finished: set[Any] = set()
        for batch in batches:
            if not self.actors:
                self._start()
            pieces = PIECES_PER_WORKER * len(self.actors)
            for piece in split(batch, pieces):
                target = self._least_busy(pending, finished)
                pending.append((self.actors[target].run.remote(piece), target))
            while len(pending) > 2 * pieces:
                yield self._take(pending, finished)
        while pending:
            yield self._take(pending, finished)

    def _least_busy(self, pending: deque[tuple[Any, int]], finished: set[Any]) -> int:
        running = [ref for ref, _ in pending if ref not in finished]
        if running:
            ready, _ = self.ray.wait(running, num_returns=len(running), timeout=0)
            finished.update(ready)
        busy = [0] * len(self.actors)
        for ref, actor in pending:
            if ref not in finished:
                busy[actor] += 1
        return min(range(len(busy)), key=busy.__getitem__)

    def _take(self, pending: deque[tuple[Any, int]], finished: set[Any]) -> list[DocOutcome]:
        ref, _ = pending.popleft()
        finished.discard(ref)
        return list(self.ray.get(ref))

    def close(self) -> None:
        """The actors are kept for the next segment; Ray ends them with the driver."""
        self.actors = []
