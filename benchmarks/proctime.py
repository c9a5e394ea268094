"""Where a process tree's time went, for the worker benchmarks (Linux ``/proc``; elsewhere only
the CPU totals of :mod:`resource`).

On a machine shared with other jobs a process is often runnable but waiting for a CPU that
someone else holds, so wall-clock ratios follow the other jobs' load. The kernel's per-thread
scheduler statistics (``/proc/PID/task/TID/schedstat``: time on a CPU, time waiting on a run
queue) separate the two: :class:`Sampler` follows a process and its descendants while they run
and reports, per process, its CPU time and how its main thread spent its life: on a CPU,
runnable but waiting for one, or asleep (waiting for work, a lock, I/O). A pool worker that is
asleep waits for the driver; one that is runnable waits for the machine.

:meth:`Sampler.unqueued_wall` is the wall time less the run-queue waits on the run's critical
path (the driver's, and in each pool the most-delayed worker's): what the run would take on
cores nobody else used, within the sampling's precision.
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_cpu(pid: int | None = None) -> float:
    """CPU seconds of process ``pid`` (this one by default) and every descendant so far: the
    live ones read from ``/proc``, the finished ones as their parents collected them."""
    if pid is None:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        total = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
        pid = os.getpid()
        descendants = _descendants(pid)
    else:
        descendants = [pid, *_descendants(pid)]
        total = 0.0
    for p in descendants:
        if p == os.getpid():
            continue
        fields = _stat(p)
        if fields:
            # utime, stime, and the children it has waited for (cutime, cstime)
            total += sum(int(x) for x in fields[11:15]) / TICK
    return total


def _stat(pid: int) -> list[str]:
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return []
    return raw[raw.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return out
    for t in tasks:
        with contextlib.suppress(OSError):
            out += [int(x) for x in (t / "children").read_text().split()]
    return out


def _descendants(pid: int) -> list[int]:
    out, todo = [], _children(pid)
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _sched(pid: int) -> tuple[float, float, float, int] | None:
    """(main thread on CPU, main thread waiting on a run queue, the process's CPU time with
    its ended threads', threads)."""
    try:
        run, wait, _ = (PROC / str(pid) / "task" / str(pid) / "schedstat").read_text().split()
        threads = len(list((PROC / str(pid) / "task").iterdir()))
    except (OSError, ValueError):
        return None
    fields = _stat(pid)
    if not fields:
        return None
    cpu = (int(fields[11]) + int(fields[12])) / TICK
    return int(run) / 1e9, int(wait) / 1e9, cpu, threads


@dataclass
class ProcTime:
    pid: int
    first: float  # seconds since the sampler started, when first seen
    last: float  # when last seen
    on_cpu: float = 0.0  # main thread
    queued: float = 0.0  # main thread, runnable but waiting for a CPU
    cpu: float = 0.0  # every thread
    threads: int = 0
    base: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the counters when sampling began

    @property
    def alive(self) -> float:
        return max(1e-3, self.last - self.first)

    @property
    def asleep(self) -> float:
        return max(0.0, self.alive - self.on_cpu - self.queued)


class Sampler:
    """Samples process ``root`` and its descendants every ``every`` seconds in a thread."""

    def __init__(self, root: int | None = None, every: float = 0.2) -> None:
        self.root = root or os.getpid()
        self.every = every
        self.procs: dict[int, ProcTime] = {}
        self.available = (PROC / str(self.root) / "task").is_dir()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.t0 = time.perf_counter()
        self.wall = 0.0

    def __enter__(self) -> Sampler:
        self.t0 = time.perf_counter()
        if self.available:
            self._sample()  # what runs now is counted from now on
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.available:
            self._sample()
            self._stop.set()
            self._thread.join()
        self.wall = time.perf_counter() - self.t0

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def _sample(self) -> None:
        now = time.perf_counter() - self.t0
        for pid in [self.root, *_descendants(self.root)]:
            got = _sched(pid)
            if got is None:
                continue
            p = self.procs.get(pid)
            if p is None:
                p = self.procs[pid] = ProcTime(pid, now, now)
                if not self._thread.is_alive():
                    # Already running when sampling began: count from here.
                    p.base = got[:3]
            p.last = now
            p.on_cpu, p.queued, p.cpu = (g - b for g, b in zip(got[:3], p.base, strict=True))
            p.threads = max(p.threads, got[3])

    def total_cpu(self) -> float:
        """The CPU time of every process seen, as last seen (one that ended between two
        samples loses what it used after the last)."""
        return sum(p.cpu for p in self.procs.values())

    def workers(self) -> list[ProcTime]:
        """The descendants that lived long enough to be seen twice (pool workers)."""
        return [p for pid, p in self.procs.items() if pid != self.root and p.last > p.first]

    def pools(self) -> list[list[ProcTime]]:
        """Descendants grouped by when they appeared (one group per pool started)."""
        groups: list[list[ProcTime]] = []
        for p in sorted(self.workers(), key=lambda p: p.first):
            if groups and p.first - groups[-1][0].first < 1.0:
                groups[-1].append(p)
            else:
                groups.append([p])
        return groups

    def unqueued_wall(self, driver: ProcTime | None = None) -> float:
        """The wall time less the run-queue waits on the critical path: the driver's main
        thread's, and in each pool the most delayed worker's."""
        driver = driver or self.procs.get(self.root)
        waits = driver.queued if driver is not None else 0.0
        waits += sum(max(p.queued for p in pool) for pool in self.pools())
        return max(0.0, self.wall - waits)

    def lines(self, driver: ProcTime | None = None, min_cpu: float = 0.0) -> list[str]:
        """One line per process (those of at least ``min_cpu`` CPU seconds): CPU, utilization,
        and its main thread's life."""
        out = []
        driver = driver or self.procs.get(self.root)
        for p in ([driver] if driver else []) + self.workers():
            if p.cpu < min_cpu:
                continue
            role = "driver" if p is driver else "worker"
            out.append(
                f"{role} {p.pid}: CPU {p.cpu:5.1f} s over {p.alive:5.1f} s alive "
                f"({100 * p.cpu / p.alive:3.0f}%); main thread on a CPU {p.on_cpu:5.1f} s, "
                f"waiting for one {p.queued:5.1f} s, asleep {p.asleep:5.1f} s"
            )
        return out


def machine_busy() -> tuple[float, ...]:
    """``/proc/stat``'s first line (jiffies of every CPU by state), for :func:`busy_share`."""
    try:
        with open(PROC / "stat") as fh:
            return tuple(float(x) for x in fh.readline().split()[1:9])
    except OSError:
        return ()


def busy_share(before: tuple[float, ...], after: tuple[float, ...]) -> float | None:
    """The share of the machine's CPU time that was busy between two :func:`machine_busy`."""
    if not before or not after:
        return None
    d = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(d)
    return (total - d[3] - d[4]) / total if total else None
