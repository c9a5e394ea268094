"""Opening a store's SQLite connection, and the small helpers every module of the store shares:
JSON encoding of stored values, and statements in chunks of ids."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
from textmill.errors import TextmillError

PAGE_SIZE = 16384
"""Page size of new stores: a news article's row fits in a page, which halves insert costs."""

CHUNK = 900
"""Ids per ``IN (...)`` list: SQLite takes at most 999 parameters a statement."""


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def loads(data: bytes | str | None) -> Any:
    return orjson.loads(data) if data else None


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the store; a read-only connection works while a run writes (WAL)."""
    if readonly:
        if not path.exists():
            raise TextmillError(f"no run store at {path}; run `textmill run` first")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists() or path.stat().st_size == 0
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if new:
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA cache_size=-65536")
    conn.row_factory = sqlite3.Row
    return conn


def plain(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor whose rows are plain tuples (cheaper than ``sqlite3.Row`` on the hot paths)."""
    cur = conn.cursor()
    cur.row_factory = None
    return cur


def marks(seq: Sequence[Any]) -> str:
    """``?,?,…``: one placeholder per item."""
    return ",".join("?" * len(seq))


def chunks(seq: Sequence[Any], n: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``seq`` in slices of ``n`` (SQLite takes at most 999 parameters a statement)."""
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def columns(fields: Sequence[str], prefix: str = "") -> str:
    """A column list for ``fields`` (quoted: ``end`` is an SQL keyword)."""
    return ", ".join(f'{prefix}"{f}"' for f in fields)
