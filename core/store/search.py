"""Upkeep of the full-text index ``documents_fts`` (FTS5 over each document's title and text).

The index is kept up to date incrementally: documents with ``seq`` above the ``search_seq``
mark, or listed in ``search_pending``, are not indexed yet; everything else is indexed with its
current title and text. A document's entry is deleted (with the values it was indexed under)
before its text changes or it is dropped, and :func:`refresh` indexes what is pending at the end
of a run, in one rebuild when that is most of the corpus.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

TABLES = (
    "CREATE VIEW IF NOT EXISTS documents_search AS "
    "SELECT seq, title, COALESCE(text, raw) AS text FROM documents",
    "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5("
    "title, text, content='documents_search', content_rowid='seq')",
)
"""The index and the view it reads titles and texts from."""

ENSURED = (
    "CREATE TABLE IF NOT EXISTS search_pending (seq INTEGER PRIMARY KEY)",
    # Triggers of the first full-text index, which updated it row by row.
    "DROP TRIGGER IF EXISTS documents_ai",
    "DROP TRIGGER IF EXISTS documents_ad",
    "DROP TRIGGER IF EXISTS documents_au",
)

FTS_CONFIG = {"hashsize": 16 << 20, "automerge": 16}
"""FTS5 settings of the full-text index: gather 16 MB of terms in memory before writing a
segment (its default is 1 MB), and merge segments 16 at a time (default 4). Fewer, larger
segments and fewer merges: building the index of 10,000 news articles costs about 40 % less,
and of 100,000 about 30 % less than with FTS5's defaults."""


def ensure(conn: sqlite3.Connection) -> None:
    """Settings and the high-water mark of a store opened for writing."""
    if _meta(conn, "search_seq") is None:
        # A new store, or one from before incremental indexing: its index covers every
        # document unless it was marked for a rebuild.
        conn.execute("INSERT INTO meta VALUES ('search_seq', ?)", (str(_last_seq(conn)),))
    for name, value in FTS_CONFIG.items():
        has = conn.execute(
            "SELECT 1 FROM documents_fts_config WHERE k=? AND v=?", (name, value)
        ).fetchone()
        if has is None:
            # An SQLite without the option builds the index with its default.
            with contextlib.suppress(sqlite3.OperationalError):
                conn.execute(
                    "INSERT INTO documents_fts(documents_fts, rank) VALUES (?, ?)", (name, value)
                )


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _last_seq(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0])


def mark(conn: sqlite3.Connection) -> int:
    """Documents with ``seq`` up to this are in the index (unless pending); 0 when a full
    rebuild is due anyway."""
    if _meta(conn, "search_dirty") == "1":
        return 0
    return int(_meta(conn, "search_seq") or 0)


def unindex(conn: sqlite3.Connection, where: str, args: Sequence[Any], upto: int) -> None:
    """Delete the index entries of the documents matching ``where`` (with the values they were
    indexed under: call before changing them) and mark them pending."""
    conn.execute(
        "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
        "SELECT 'delete', seq, title, COALESCE(text, raw) FROM documents "
        f"WHERE ({where}) AND seq <= ? AND seq NOT IN (SELECT seq FROM search_pending)",
        (*args, upto),
    )
    conn.execute(
        f"INSERT OR IGNORE INTO search_pending SELECT seq FROM documents WHERE ({where}) AND seq <= ?",
        (*args, upto),
    )


def pend(conn: sqlite3.Connection, seqs: Iterable[int]) -> None:
    """Mark documents (by ``seq``) as waiting for their index entry."""
    conn.executemany("INSERT OR IGNORE INTO search_pending VALUES (?)", ((s,) for s in seqs))


def forget(conn: sqlite3.Connection, where: str, args: Sequence[Any]) -> None:
    """No longer wait to index the documents matching ``where`` (they are being dropped)."""
    conn.execute(
        f"DELETE FROM search_pending WHERE seq IN (SELECT seq FROM documents WHERE {where})", args
    )


def refresh(conn: sqlite3.Connection) -> bool:
    """Index the documents added or changed since the last refresh: in one rebuild when they
    are most of the corpus (or a store from before incremental indexing asked for one), else
    just those. Returns whether anything was indexed."""
    rebuild = _meta(conn, "search_dirty") == "1"
    upto = mark(conn)
    if not rebuild:
        fresh = conn.execute(
            "SELECT (SELECT COUNT(*) FROM documents WHERE seq > ?) + "
            "(SELECT COUNT(*) FROM search_pending)",
            (upto,),
        ).fetchone()[0]
        if not fresh:
            return False
        total = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        rebuild = 2 * fresh > total
    if rebuild:
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
    else:
        conn.execute(
            "INSERT INTO documents_fts(rowid, title, text) "
            "SELECT seq, title, COALESCE(text, raw) FROM documents "
            "WHERE seq > ? OR seq IN (SELECT seq FROM search_pending)",
            (upto,),
        )
    conn.execute("DELETE FROM search_pending")
    conn.execute(
        "INSERT OR REPLACE INTO meta VALUES ('search_seq', ?), ('search_dirty', '0')",
        (str(_last_seq(conn)),),
    )
    return True


def check_integrity(conn: sqlite3.Connection) -> None:
    """Raise ``sqlite3.DatabaseError`` unless the index matches the documents it was built from."""
    conn.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")


def quote(query: str) -> str:
    """Quote each word so user text is never FTS5 syntax."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in query.split())


def condition(query: str, seq: str = "d.seq") -> tuple[str, list[Any]]:
    """An SQL condition for the documents (``seq`` column) whose title or text match the words
    of ``query``."""
    return (
        f"{seq} IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)",
        [quote(query)],
    )
