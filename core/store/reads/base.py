"""What every part of the query layer shares: the store it reads and the plugins' order."""

from __future__ import annotations

import sqlite3
from typing import Any

from textmill.store.db import loads
from textmill.store.runstore import Store


class Reader:
    """The state the query layer's parts read through (see :class:`textmill.query.Query`)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._conn: sqlite3.Connection = store.conn
        self._unscored_cache: dict[str, tuple[int, int]] = {}  # see DocumentReads._unscored

    def latest_run(self) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT * FROM runs ORDER BY started DESC LIMIT 1").fetchone()
        return run_record(row) if row else None

    def plugins(self) -> list[str]:
        """Plugins with results in the store, in the order of the latest run's chain."""
        run = self.latest_run()
        chain = [
            p
            for names in ((run or {}).get("config", {}).get("chain", {}) or {}).values()
            for p in names
        ]
        # Distinct plugins by index seeks (one per plugin), not a scan of every result.
        present: set[str] = set()
        last = ""
        while True:
            row = self._conn.execute(
                "SELECT MIN(plugin) FROM results WHERE plugin > ?", (last,)
            ).fetchone()
            if row is None or row[0] is None:
                break
            last = row[0]
            present.add(last)
        return [p for p in chain if p in present] + sorted(present - set(chain))


def run_record(row: sqlite3.Row) -> dict[str, Any]:
    """A ``runs`` row as the query layer gives it."""
    return {
        "id": row["id"],
        "started": row["started"],
        "finished": row["finished"],
        "status": row["status"],
        "config": loads(row["config"]) or {},
        "summary": loads(row["summary"]) or {},
    }
