"""Where batches of documents run: in this process, or in a pool of worker processes.

An executor maps a function over batches and yields results in order, keeping only a few batches
in flight so memory stays bounded however large the corpus is. Workers are forked after the
engine has prepared the job, so plugins and models load once per worker, not once per batch.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

B = TypeVar("B")
R = TypeVar("R")


class Executor(Protocol):
    def map(self, fn: Callable[[Any], Any], batches: Iterable[Any]) -> Iterator[Any]: ...

    def close(self) -> None: ...


class InProcessExecutor:
    """Runs every batch in the calling process (``--workers 1``)."""

    def map(self, fn: Callable[[B], R], batches: Iterable[B]) -> Iterator[R]:
        for batch in batches:
            yield fn(batch)

    def close(self) -> None:
        pass


class ProcessPoolExecutor:
    """A ``multiprocessing`` pool with at most ``2 * workers`` batches in flight."""

    def __init__(self, workers: int, initializer: Callable[[], None] | None = None) -> None:
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self.workers = workers
        self.pool = ctx.Pool(workers, initializer=initializer)

    def map(self, fn: Callable[[B], R], batches: Iterable[B]) -> Iterator[R]:
        pending: deque[Any] = deque()
        for batch in batches:
            pending.append(self.pool.apply_async(fn, (batch,)))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


def make_executor(workers: int, initializer: Callable[[], None] | None = None) -> Executor:
    if workers <= 1:
        if initializer:
            initializer()
        return InProcessExecutor()
    return ProcessPoolExecutor(workers, initializer)
