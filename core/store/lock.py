"""One writer per store: a lock file beside the store, held for the length of a run.

``textmill run`` takes it before it writes anything. A second run on the same store refuses
at once with one sentence, or with ``--wait`` says so in one line and waits for the first to
finish. The lock is the operating system's (``flock`` on Unix, through :mod:`filelock`), so a
killed run leaves nothing to clean up. Readers (``show``, ``export``, the TUI's screens) never
take it: SQLite in WAL mode lets them read while a run writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from textmill.errors import TextmillError


class StoreBusy(TextmillError):
    """Another run is writing the store."""


def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


@contextmanager
def one_writer(
    store: Path, *, wait: bool = False, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the store's writer lock for the block; refuse (:class:`StoreBusy`) when another
    process holds it, or with ``wait`` call ``on_wait`` with a one-line message and wait."""
    lock = FileLock(str(lock_path(store)), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise StoreBusy(
                f"another textmill run is writing {store}; wait for it to finish, "
                "or pass --wait to start when it does"
            ) from None
        if on_wait is not None:
            on_wait(f"another textmill run is writing {store}; waiting for it to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()
