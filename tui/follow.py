"""Following the store while another process runs the pipeline on it.

The UI reads the store through :class:`textmill.query.Query`; a ``textmill run`` in another
terminal writes it. Every few seconds the app asks for the latest run record. While one is
``running`` and its writer still holds the store's lock, the screens say a run is in progress;
when that run ends (or a new one has finished since the UI last looked) the app reopens the
query layer and rebuilds what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textmill.store.lock import is_writing

EVERY = 2.0  # seconds between looks at the store


@dataclass(frozen=True)
class RunState:
    """What the latest run record says: its id, whether a live run is writing, when it ended."""

    run_id: str | None
    writing: bool
    finished: float | None


def look(query: Any, store_path: Path) -> RunState:
    """The store's run state as ``query`` reads it now (a cheap query and, only while the latest
    run says "running", a try of the writer lock)."""
    run = query.latest_run() if query is not None else None
    if run is None:
        return RunState(None, is_writing(store_path) if store_path.exists() else False, None)
    writing = run["status"] == "running" and is_writing(store_path)
    return RunState(run["id"], writing, run["finished"])


def changed(before: RunState | None, now: RunState) -> str | None:
    """``"started"`` when a run began writing, ``"ended"`` when the store holds results the
    screens have not shown (a run ended, or one came and went between two looks), else None."""
    if before is None:
        return "started" if now.writing else None
    if now.writing and not before.writing:
        return "started"
    if not now.writing and (
        before.writing or (now.run_id, now.finished) != (before.run_id, before.finished)
    ):
        return "ended"
    return None
