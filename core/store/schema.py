"""The run store's schema: the numbered migrations that build and upgrade it.

A store records the number of the last migration applied to it (``meta.store_version``).
Opening a store for writing applies, in one transaction, every migration with a higher number,
in order: a new store gets them all, a store of an earlier version the ones it lacks. Then the
statements of :data:`ENSURED` run (each creates only what is missing). :data:`STORE_VERSION` is
the number of the last migration and is nowhere else, so a change of the tables is one new
migration here, plus the fields of the records in :mod:`textmill.store.rows` that read them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textmill.errors import TextmillError
from textmill.model import SCHEMA_VERSION
from textmill.store import search


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``apply`` runs inside the transaction that records ``version``."""

    version: int
    what: str
    apply: Callable[[sqlite3.Connection], None]


def _statements(*sql: str) -> Callable[[sqlite3.Connection], None]:
    def apply(conn: sqlite3.Connection) -> None:
        for statement in sql:
            conn.execute(statement)

    return apply


_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS runs ("
    "id TEXT PRIMARY KEY, started REAL, finished REAL, status TEXT, config TEXT, summary TEXT)",
    "CREATE TABLE IF NOT EXISTS documents ("
    "id TEXT PRIMARY KEY, seq INTEGER UNIQUE, source TEXT, title TEXT, raw TEXT, text TEXT, "
    "lang TEXT, meta TEXT, source_text TEXT, source_lang TEXT, raw_hash TEXT, text_hash TEXT, "
    "error TEXT, run_id TEXT)",
    "CREATE TABLE IF NOT EXISTS results ("
    "doc_id TEXT NOT NULL, plugin TEXT NOT NULL, phase TEXT NOT NULL, stage TEXT, status TEXT, "
    "score REAL, label TEXT, n_findings INTEGER, payload BLOB, duration REAL, error TEXT, "
    "cache_key TEXT, run_id TEXT, PRIMARY KEY (doc_id, plugin, phase)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS documents_unreadable ON documents (seq) WHERE error IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS findings ("
    "doc_id TEXT NOT NULL, plugin TEXT NOT NULL, phase TEXT NOT NULL, code TEXT, severity TEXT, "
    'message TEXT, start INTEGER, "end" INTEGER, evidence TEXT, suggestion TEXT, data TEXT)',
    "CREATE INDEX IF NOT EXISTS findings_doc ON findings (doc_id, plugin, phase)",
    "CREATE INDEX IF NOT EXISTS findings_sev ON findings (plugin, severity)",
    "CREATE INDEX IF NOT EXISTS findings_code ON findings (code)",
    "CREATE TABLE IF NOT EXISTS clusters ("
    "id TEXT PRIMARY KEY, kind TEXT, plugin TEXT, representative TEXT, size INTEGER, data TEXT)",
    "CREATE TABLE IF NOT EXISTS cluster_members ("
    "cluster_id TEXT, doc_id TEXT, similarity REAL, PRIMARY KEY (cluster_id, doc_id))",
    "CREATE INDEX IF NOT EXISTS members_doc ON cluster_members (doc_id)",
    "CREATE TABLE IF NOT EXISTS alignments ("
    "cluster_id TEXT, plugin TEXT, doc_a TEXT, a_start INTEGER, a_end INTEGER, doc_b TEXT, "
    "b_start INTEGER, b_end INTEGER, score REAL, data TEXT)",
    "CREATE INDEX IF NOT EXISTS align_cluster ON alignments (cluster_id)",
    "CREATE INDEX IF NOT EXISTS align_a ON alignments (doc_a)",
    "CREATE INDEX IF NOT EXISTS align_b ON alignments (doc_b)",
    "CREATE TABLE IF NOT EXISTS entities ("
    "id TEXT PRIMARY KEY, name TEXT, type TEXT, kb_id TEXT, description TEXT, plugin TEXT, "
    "mention_count INTEGER, doc_count INTEGER, data TEXT)",
    "CREATE INDEX IF NOT EXISTS entities_count ON entities (mention_count)",
    "CREATE TABLE IF NOT EXISTS mentions ("
    'entity_id TEXT, doc_id TEXT, start INTEGER, "end" INTEGER, text TEXT, label TEXT)',
    "CREATE INDEX IF NOT EXISTS mentions_doc ON mentions (doc_id)",
    "CREATE INDEX IF NOT EXISTS mentions_entity ON mentions (entity_id)",
    "CREATE TABLE IF NOT EXISTS cache ("
    "plugin TEXT, kind TEXT, key TEXT, payload BLOB, PRIMARY KEY (plugin, kind))",
    *search.TABLES,
)


def _sort_columns(conn: sqlite3.Connection) -> None:
    """Each document's length and finding count, which the corpus table sorts by through
    indexes; filled in one pass over the documents."""
    conn.execute("ALTER TABLE documents ADD COLUMN length INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE documents ADD COLUMN n_findings INTEGER NOT NULL DEFAULT 0")
    conn.execute("UPDATE documents SET length = length(COALESCE(text, raw, ''))")
    conn.execute(
        "UPDATE documents SET n_findings = (SELECT SUM(r.n_findings) FROM results r "
        "WHERE r.doc_id = documents.id) "
        "WHERE id IN (SELECT doc_id FROM results WHERE n_findings > 0)"
    )
    conn.execute("CREATE INDEX documents_length ON documents (length, seq)")
    conn.execute("CREATE INDEX documents_findings ON documents (n_findings, seq)")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the tables, their indexes and the full-text index", _statements(*_TABLES)),
    Migration(2, "documents.length and documents.n_findings, for sorting by index", _sort_columns),
)

STORE_VERSION = MIGRATIONS[-1].version

RESULT_INDEXES = {
    "results_plugin": "CREATE INDEX IF NOT EXISTS results_plugin ON results (plugin, status)",
    "results_score": "CREATE INDEX IF NOT EXISTS results_score ON results (plugin, phase, score)",
}
"""Secondary indexes of ``results``: a first run drops them and builds them once at the end,
which costs less than updating them row by row (see ``Writer.defer_indexes``)."""

ENSURED = (
    # Tables and indexes that stores of their version gained without a new version: created
    # when missing, so an older store of the same version has them too.
    "CREATE TABLE IF NOT EXISTS generations (name TEXT PRIMARY KEY, n INTEGER NOT NULL) "
    "WITHOUT ROWID",
    # What corpus hooks keep between runs (textmill.memo), by plugin and hashed key (a rowid
    # table: values often exceed the size SQLite advises for a WITHOUT ROWID row).
    "CREATE TABLE IF NOT EXISTS memo (owner TEXT NOT NULL, key TEXT NOT NULL, "
    "value BLOB NOT NULL, PRIMARY KEY (owner, key))",
    "CREATE INDEX IF NOT EXISTS members_rank ON cluster_members "
    "(cluster_id, similarity DESC, doc_id)",
    "CREATE INDEX IF NOT EXISTS clusters_kind ON clusters (kind, size DESC, id)",
    "CREATE INDEX IF NOT EXISTS entities_rank ON entities (mention_count DESC, name)",
    *search.ENSURED,
    # The results indexes, which a first run killed before building them lacks.
    *RESULT_INDEXES.values(),
)


class OutdatedStore(TextmillError):
    """A store of an earlier version that opening it for writing upgrades in place."""


def version(conn: sqlite3.Connection) -> int | None:
    """The store's version, or ``None`` for a file that is not a store yet."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key='store_version'").fetchone()
    except sqlite3.OperationalError:  # a new file: no meta table yet
        return None
    return int(row[0]) if row else None


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the store at ``path`` up to :data:`STORE_VERSION` (one transaction)."""
    have = version(conn)
    if have is not None and have > STORE_VERSION:
        raise _other_version(path, have)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for m in MIGRATIONS:
            if have is None or m.version > have:
                m.apply(conn)
        if have is None:
            conn.execute(
                "INSERT INTO meta VALUES ('store_version', ?), ('schema_version', ?)",
                (str(STORE_VERSION), str(SCHEMA_VERSION)),
            )
        elif have < STORE_VERSION:
            conn.execute(
                "UPDATE meta SET value = ? WHERE key = 'store_version'", (str(STORE_VERSION),)
            )
        for statement in ENSURED:
            conn.execute(statement)
        search.ensure(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def check(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a store that this textmill cannot read as it is (opened read-only)."""
    try:
        have = version(conn)
    except sqlite3.DatabaseError:
        raise TextmillError(f"{path} is not a textmill run store") from None
    if have is not None and 1 <= have < STORE_VERSION:
        raise OutdatedStore(
            f"{path} is a version {have} store; open it once for writing (textmill run) "
            "to upgrade it"
        )
    if have != STORE_VERSION:
        raise _other_version(path, have)


def _other_version(path: Path, have: int | None) -> TextmillError:
    return TextmillError(
        f"{path} was written by another textmill version (store version "
        f"{have if have is not None else '?'}); delete it and run again"
    )
