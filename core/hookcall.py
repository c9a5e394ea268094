"""Calling a plugin's per-document hook: a time limit, and a check of what it returned.

A hook that runs past ``[run] timeout`` seconds on one document is cut off with
:class:`HookTimeout` raised inside it, and that (document, plugin) pair gets an error result
``timeout after N s``; the rest of the corpus goes on. On a process's main thread (the CLI, a
pool worker, a Ray actor) the limit is a ``SIGALRM`` interval timer, which also interrupts a
blocking call such as ``time.sleep``. Elsewhere (the TUI runs the engine on a thread, and
Windows has no ``SIGALRM``) a watchdog thread raises the exception asynchronously in the hook's
thread, which stops Python code, though not a single call blocked in C until it returns.

:class:`HookTimeout` derives from ``BaseException`` so that a plugin's own ``except Exception``
does not swallow it.
"""

from __future__ import annotations

import ctypes
import numbers
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from textmill.model import Edit, Finding, Result


class HookTimeout(BaseException):
    """Raised inside a hook that ran past its time limit."""


TIMEOUT_PREFIX = "timeout after "


def timeout_message(seconds: float) -> str:
    return f"{TIMEOUT_PREFIX}{seconds:g} s"


class Limit(Protocol):
    def call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """``fn(**kwargs)``, cut off with :class:`HookTimeout` past the limit."""


class _NoLimit:
    def call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        return fn(**kwargs)


NO_LIMIT: Limit = _NoLimit()


class _AlarmLimit:
    """``SIGALRM`` armed for the length of each call (main thread only)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if self.armed:
            self.armed = False
            raise HookTimeout(timeout_message(self.seconds))

    def call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            return fn(**kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.armed = False


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None
    )


class _WatchdogLimit:
    """A thread that raises :class:`HookTimeout` in the calling thread when a call overruns."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.cond = threading.Condition()
        self.deadline: float | None = None
        self.target = threading.get_ident()
        self.fired = False
        self.stopped = False
        self.thread = threading.Thread(target=self._watch, name="textmill-timeout", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        with self.cond:
            while not self.stopped:
                if self.deadline is None:
                    self.cond.wait()
                    continue
                left = self.deadline - time.monotonic()
                if left > 0:
                    self.cond.wait(left)
                    continue
                self.deadline = None
                self.fired = True
                _raise_in(self.target, HookTimeout)

    def call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        with self.cond:
            self.fired = False
            self.deadline = time.monotonic() + self.seconds
            self.cond.notify()
        try:
            return fn(**kwargs)
        finally:
            with self.cond:
                self.deadline = None
                fired = self.fired
                self.fired = False
            if fired:
                _raise_in(self.target, None)  # drop it if it is still pending
                raise HookTimeout(timeout_message(self.seconds))

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify()
        self.thread.join()


@contextmanager
def time_limit(seconds: float) -> Iterator[Limit]:
    """A limiter whose ``call(fn, **kwargs)`` runs ``fn`` under a limit of ``seconds`` (none
    when 0), for the duration of the block (e.g. one batch)."""
    if seconds <= 0:
        yield NO_LIMIT
        return
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        alarm = _AlarmLimit(seconds)
        old = signal.signal(signal.SIGALRM, alarm._on_alarm)
        try:
            yield alarm
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        return
    watchdog = _WatchdogLimit(seconds)
    try:
        yield watchdog
    finally:
        watchdog.stop()


# --- what a hook returned -----------------------------------------------------------------------


class BadResult(TypeError):
    """A hook returned something that is not a well-formed :class:`~textmill.Result`."""


def _kind(value: object) -> str:
    shown = repr(value)
    return f"{type(value).__name__} ({shown[:40]}{'…' if len(shown) > 40 else ''})"


def check_result(res: object, plugin: str, hook: str) -> Result:
    """``res`` as a Result (``None`` is an empty one), or :class:`BadResult` with a sentence
    naming the plugin, the field and what was expected."""
    if res is None:
        return _EMPTY
    if not isinstance(res, Result):
        raise BadResult(
            f'plugin "{plugin}" returned {_kind(res)} from {hook}; '
            "expected a textmill.Result or None"
        )

    def bad(what: str, value: object, expected: str) -> BadResult:
        return BadResult(
            f'plugin "{plugin}" returned a Result whose {what} is {_kind(value)}; '
            f"expected {expected}"
        )

    for name, cls in (("findings", Finding), ("edits", Edit)):
        items = getattr(res, name)
        if not isinstance(items, tuple | list):
            raise bad(name, items, f"a tuple of textmill.{cls.__name__}")
        for item in items:
            if not isinstance(item, cls):
                raise bad(f"{name} item", item, f"a textmill.{cls.__name__}")
    if res.score is not None and (
        isinstance(res.score, bool) or not isinstance(res.score, numbers.Real)
    ):
        raise bad("score", res.score, "a number or None")
    if res.label is not None and not isinstance(res.label, str):
        raise bad("label", res.label, "a string or None")
    if res.text is not None and not isinstance(res.text, str):
        raise bad("text", res.text, "a string or None")
    if not isinstance(res.data, dict):
        raise bad("data", res.data, "a dict")
    return res


_EMPTY = Result()
