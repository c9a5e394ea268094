"""Write counters (``generations``): how many writes each part of the store has had.

A reader that remembers the counters of what it read can later tell, in one query, that none
of it changed (see :mod:`textmill.freshness`). The counters are bumped only by
:class:`textmill.store.writer.Writer`, in the transaction of the write: each of its write
primitives names what it wrote, and the writer bumps those names once, before it commits.

Names:

- ``documents``: documents added, changed (raw text or fields) or dropped
- ``texts``: cleaned texts changed
- ``results:PLUGIN:PHASE``: a plugin's results of a phase (``doc`` or ``corpus``) written or
  cleared; every one of them when documents are dropped or become unreadable
- ``cache:OWNER:KIND``: a cache entry written (e.g. ``cache:dedup:corpus``, a corpus hook's
  output, which its clusters, alignments and entities are written with)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

DOCUMENTS = "documents"
TEXTS = "texts"
RESULTS = "results:"  # the prefix of every plugin's results


def results(plugin: str, phase: str) -> str:
    return f"{RESULTS}{plugin}:{phase}"


def cache(owner: str, kind: str) -> str:
    return f"cache:{owner}:{kind}"


_UPSERT = "INSERT INTO generations VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET n = n + 1"


def read(conn: sqlite3.Connection) -> dict[str, int]:
    """Every counter."""
    return {r[0]: int(r[1]) for r in conn.execute("SELECT name, n FROM generations")}


def bump(conn: sqlite3.Connection, names: Iterable[str], every_result: bool = False) -> None:
    """Count one write to each of ``names`` (and to every plugin's results)."""
    if every_result:
        conn.execute("UPDATE generations SET n = n + 1 WHERE name LIKE ?", (RESULTS + "%",))
    conn.executemany(_UPSERT, [(n,) for n in sorted(set(names))])
