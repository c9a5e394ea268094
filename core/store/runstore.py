"""The run store: one SQLite file (WAL mode) holding the corpus, every result and the cache.

The store holds the current state of one corpus. ``documents`` has one row per document (raw
and cleaned text; ``text`` is NULL while it equals ``raw``); ``results`` one row per (document,
plugin, phase), where phase is ``doc`` for a per-document hook and ``corpus`` for what a corpus
hook said about the document; ``findings`` is the flattened findings of those results, for
filtering. Corpus hooks fill ``clusters``, ``cluster_members``, ``alignments``, ``entities`` and
``mentions``. ``runs`` keeps the history of runs with their summaries, and ``cache`` the keys
and outputs of prepare and corpus hooks and the records of :mod:`textmill.freshness`.

:class:`Store` opens the file (upgrading an older store when opened for writing), gives the
engine and the corpus views what they read, and makes the :class:`~textmill.store.writer.Writer`
of each transaction. Readers (the TUI, ``textmill show``) can open the store while a run
writes to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from textmill.errors import TextmillError
from textmill.model import Alignment, Cluster, Document, Entity, StageResult
from textmill.store import generations, outputs, schema, search
from textmill.store.db import chunks, columns, connect, loads, marks, plain
from textmill.store.rows import (
    CacheEntry,
    DocumentFields,
    DocumentRow,
    HashedDocument,
    KnownDocument,
    OutputKey,
    ResultKey,
    ResultRow,
    TextHash,
    document_from_row,
    merge_results,
    result_from_row,
)
from textmill.store.writer import Writer

RESULT_COLUMNS = columns(ResultRow._fields)
DOCUMENT_COLUMNS = columns(DocumentRow._fields)


class Store:
    """One run store file: its reads, and :meth:`transaction` for its writes."""

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            self.conn = connect(self.path, readonly=True)
            schema.check(self.conn, self.path)
            return
        try:
            self.conn = connect(self.path)
            schema.migrate(self.conn, self.path)
        except sqlite3.DatabaseError as exc:
            raise TextmillError(
                f"{self.path} is not a textmill run store ({exc}); delete it or choose "
                "another [run] store"
            ) from None

    @classmethod
    def upgrade(cls, path: Path | str) -> None:
        """Bring an outdated store up to this version (opening it for writing does)."""
        cls(path).close()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def version(self) -> int | None:
        return schema.version(self.conn)

    # --- writes ---------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """One write transaction: its writes are counted and committed together when the block
        ends, and rolled back if it raises."""
        self.conn.execute("BEGIN IMMEDIATE")
        tx = Writer(self.conn)
        try:
            yield tx
            tx.flush()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def generations(self) -> dict[str, int]:
        """How many writes each of the documents and each plugin's results have had."""
        return generations.read(self.conn)

    # --- documents ------------------------------------------------------------------------------

    def known_documents(self, ids: Sequence[str]) -> dict[str, KnownDocument]:
        """What is stored of the ids already stored, for ingest to compare with."""
        out: dict[str, KnownDocument] = {}
        cur = plain(self.conn)
        for chunk in chunks(list(ids)):
            for r in cur.execute(
                "SELECT id, raw_hash, seq, error, title, lang, meta, source_text, source_lang "
                f"FROM documents WHERE id IN ({marks(chunk)})",
                chunk,
            ):
                out[r[0]] = KnownDocument(r[1], r[2], r[3], DocumentFields(*r[4:]))
        return out

    def next_seq(self) -> int:
        row = self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()
        return int(row[0]) + 1

    def _documents(self, where: str, args: Sequence[Any]) -> list[DocumentRow]:
        cur = plain(self.conn)
        sql = f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE {where}"
        return [DocumentRow._make(r) for r in cur.execute(sql, args)]

    def iter_documents(
        self, batch: int = 500, *, include_errors: bool = False, by_id: bool = False
    ) -> Iterator[list[Document]]:
        """Pages of documents in ``seq`` order, or in id order with ``by_id`` (an order that
        does not depend on when each was first read), by keyset pagination: constant cost per
        page."""
        cond = "" if include_errors else " AND error IS NULL"
        if by_id:
            last_id = ""
            while True:
                rows = self._documents(f"id > ?{cond} ORDER BY id LIMIT ?", (last_id, batch))
                if not rows:
                    return
                last_id = rows[-1].id
                yield [document_from_row(r) for r in rows]
        last = -1
        while True:
            rows = self._documents(f"seq > ?{cond} ORDER BY seq LIMIT ?", (last, batch))
            if not rows:
                return
            last = rows[-1].seq
            yield [document_from_row(r) for r in rows]

    def iter_hashed(self, batch: int = 500) -> Iterator[list[HashedDocument]]:
        """Pages of readable documents with their stored hashes, in ``seq`` order."""
        last = -1
        while True:
            rows = self._documents("seq > ? AND error IS NULL ORDER BY seq LIMIT ?", (last, batch))
            if not rows:
                return
            last = rows[-1].seq
            yield [_hashed(r) for r in rows]

    def hashed_documents(self, ids: Sequence[str]) -> dict[str, HashedDocument]:
        """Readable documents by id with their stored hashes."""
        out: dict[str, HashedDocument] = {}
        for chunk in chunks(list(ids)):
            for r in self._documents(f"id IN ({marks(chunk)}) AND error IS NULL", chunk):
                out[r.id] = _hashed(r)
        return out

    def document(self, doc_id: str) -> Document | None:
        rows = self._documents("id = ?", (doc_id,))
        return document_from_row(rows[0]) if rows else None

    def count_documents(self, *, include_errors: bool = False) -> int:
        """How many documents (readable ones only, unless ``include_errors``), counted from
        indexes: a condition on ``error`` would read every document's row."""
        total = int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        if include_errors:
            return total
        row = self.conn.execute("SELECT COUNT(*) FROM documents WHERE error IS NOT NULL")
        return total - int(row.fetchone()[0])

    def text_hashes(self, *, raw: bool) -> Iterator[TextHash]:
        """Every readable document's id and the hash of its raw (or cleaned) text, in order."""
        col = "raw_hash" if raw else "text_hash"
        for r in plain(self.conn).execute(
            f"SELECT id, {col} FROM documents WHERE error IS NULL ORDER BY seq"
        ):
            yield TextHash._make(r)

    # --- results --------------------------------------------------------------------------------

    def result_rows(self, doc_ids: Sequence[str]) -> dict[str, dict[tuple[str, str], ResultRow]]:
        """The stored results of these documents as rows: ``doc -> {(plugin, phase): row}``."""
        out: dict[str, dict[tuple[str, str], ResultRow]] = {d: {} for d in doc_ids}
        cur = plain(self.conn)
        make = ResultRow._make
        for chunk in chunks(list(doc_ids)):
            sql = f"SELECT {RESULT_COLUMNS} FROM results WHERE doc_id IN ({marks(chunk)})"
            for t in cur.execute(sql, chunk):
                row = make(t)
                out[row.doc_id][(row.plugin, row.phase)] = row
        return out

    def iter_results(
        self, plugin: str, phase: str = "doc", *, by_id: bool = False
    ) -> Iterator[StageResult]:
        """A plugin's results in document order (``seq``, or id with ``by_id``)."""
        order = "d.id" if by_id else "d.seq"
        cur = plain(self.conn).execute(
            f"SELECT {columns(ResultRow._fields, 'r.')} FROM results r "
            f"JOIN documents d ON d.id = r.doc_id WHERE r.plugin=? AND r.phase=? ORDER BY {order}",
            (plugin, phase),
        )
        for t in cur:
            yield result_from_row(ResultRow._make(t))

    def result(self, doc_id: str, plugin: str, phase: str = "doc") -> StageResult | None:
        row = (
            plain(self.conn)
            .execute(
                f"SELECT {RESULT_COLUMNS} FROM results WHERE doc_id=? AND plugin=? AND phase=?",
                (doc_id, plugin, phase),
            )
            .fetchone()
        )
        return result_from_row(ResultRow._make(row)) if row else None

    def merged_result(self, doc_id: str, plugin: str) -> StageResult | None:
        """A plugin's result on a document, its doc and corpus phases merged."""
        return merge_results(
            self.result(doc_id, plugin, "doc"), self.result(doc_id, plugin, "corpus")
        )

    def count_results(self, plugin: str, phase: str = "doc") -> int:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM results WHERE plugin = ? AND phase = ?", (plugin, phase)
        ).fetchone()
        return int(row[0])

    def result_keys(self) -> Iterator[ResultKey]:
        """Every per-document result's cache key, by document and plugin."""
        for r in plain(self.conn).execute(
            "SELECT doc_id, plugin, cache_key FROM results WHERE phase='doc' ORDER BY doc_id, plugin"
        ):
            yield ResultKey._make(r)

    def mean_scores(self) -> dict[str, float | None]:
        """Each plugin's mean score over its per-document results."""
        rows = self.conn.execute(
            "SELECT plugin, AVG(score) FROM results WHERE phase='doc' GROUP BY plugin"
        )
        return {r[0]: r[1] for r in rows}

    # --- cache ----------------------------------------------------------------------------------

    def cache_get(self, owner: str, kind: str) -> CacheEntry | None:
        row = self.conn.execute(
            "SELECT key, payload FROM cache WHERE plugin=? AND kind=?", (owner, kind)
        ).fetchone()
        return CacheEntry(row[0], loads(row[1])) if row else None

    def memo_get(self, owner: str, keys: Sequence[str]) -> dict[str, bytes]:
        """The values ``owner``'s memo keeps under those of ``keys`` (hashed) it has."""
        out: dict[str, bytes] = {}
        cur = plain(self.conn)
        for chunk in chunks(list(keys)):
            for k, v in cur.execute(
                f"SELECT key, value FROM memo WHERE owner=? AND key IN ({marks(chunk)})",
                (owner, *chunk),
            ):
                out[k] = v
        return out

    def output_keys(self) -> Iterator[OutputKey]:
        """The key each plugin's corpus hook last ran under, by plugin."""
        for r in plain(self.conn).execute(
            "SELECT plugin, key FROM cache WHERE kind='corpus' ORDER BY plugin"
        ):
            yield OutputKey._make(r)

    # --- corpus outputs -------------------------------------------------------------------------

    def clusters(self, kind: str | None = None) -> list[Cluster]:
        return outputs.clusters(self.conn, kind)

    def cluster(self, cluster_id: str) -> Cluster | None:
        return outputs.cluster(self.conn, cluster_id)

    def alignments(
        self, cluster_id: str | None = None, doc_id: str | None = None
    ) -> list[Alignment]:
        return outputs.alignments(self.conn, cluster_id, doc_id)

    def entities(self) -> list[Entity]:
        return outputs.entities(self.conn)

    def entity(self, entity_id: str) -> Entity | None:
        return outputs.entity(self.conn, entity_id)

    # --- checks ---------------------------------------------------------------------------------

    def index_names(self) -> set[str]:
        """The names of the store's indexes."""
        return {
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }

    def check_search_index(self) -> None:
        """Raise unless the full-text index matches the documents it was built from."""
        search.check_integrity(self.conn)


def _hashed(r: DocumentRow) -> HashedDocument:
    return HashedDocument(document_from_row(r), r.raw_hash or "", r.text_hash or "")
