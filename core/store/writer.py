"""Every write to the run store, and the write counters that go with them.

A :class:`Writer` exists for one transaction (``with store.transaction() as tx``). Each of its
methods writes one kind of thing and names, through :meth:`Writer._wrote`, the counters of what
it wrote (see :mod:`textmill.store.generations`); the writer bumps them once, in the same
transaction, just before it commits. Nothing else in textmill writes to the store, so no caller
has to remember which counter a write moves.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from textmill.model import Alignment, Cluster, Entity, StageResult
from textmill.store import generations, search
from textmill.store.db import chunks, columns, dumps, loads, marks
from textmill.store.rows import (
    CleanedText,
    FindingRow,
    NewDocument,
    ResultId,
    ResultRow,
    finding_rows,
    result_row,
)
from textmill.store.schema import RESULT_INDEXES

_PUT_RESULTS = (
    f"INSERT OR REPLACE INTO results ({columns(ResultRow._fields)}) "
    f"VALUES ({marks(ResultRow._fields)})"
)
_PUT_FINDINGS = (
    f"INSERT INTO findings ({columns(FindingRow._fields)}) VALUES ({marks(FindingRow._fields)})"
)
_DOCUMENT_COLUMNS = (
    "id, seq, source, title, raw, text, lang, meta, source_text, source_lang, raw_hash, "
    "text_hash, error, run_id, length"
)
_PUT_DOCUMENTS = (
    f"INSERT INTO documents ({_DOCUMENT_COLUMNS}) VALUES ({marks(_DOCUMENT_COLUMNS.split(','))}) "
    "ON CONFLICT(id) DO UPDATE SET "
    "source=excluded.source, title=excluded.title, raw=excluded.raw, "
    "text=excluded.text, lang=excluded.lang, meta=excluded.meta, "
    "source_text=excluded.source_text, source_lang=excluded.source_lang, "
    "raw_hash=excluded.raw_hash, text_hash=excluded.text_hash, error=excluded.error, "
    "run_id=excluded.run_id, length=excluded.length, "
    "n_findings=CASE WHEN excluded.error IS NULL THEN n_findings ELSE 0 END"
)


class Writer:
    """The writes of one transaction (made by :meth:`textmill.store.Store.transaction`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._names: set[str] = set()
        self._every_result = False

    # --- write counters ---------------------------------------------------------------------

    def _wrote(self, *names: str, every_result: bool = False) -> None:
        """Note what a write changed; counted once, when the transaction commits."""
        self._names.update(names)
        self._every_result = self._every_result or every_result

    def flush(self) -> None:
        """Count the writes noted so far (the transaction commits right after, or a read of
        the counters inside it comes next)."""
        if self._names or self._every_result:
            generations.bump(self._conn, self._names, self._every_result)
            self._names.clear()
            self._every_result = False

    def generations(self) -> dict[str, int]:
        """The counters as this transaction leaves them."""
        self.flush()
        return generations.read(self._conn)

    # --- runs ---------------------------------------------------------------------------------

    def start_run(self, run_id: str, config: dict[str, Any]) -> None:
        """Add a run to the history (not counted: nothing's freshness depends on the history)."""
        self._conn.execute(
            "INSERT INTO runs (id, started, status, config) VALUES (?, ?, 'running', ?)",
            (run_id, time.time(), dumps(config).decode()),
        )

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        self._conn.execute(
            "UPDATE runs SET finished=?, status=?, summary=? WHERE id=?",
            (time.time(), status, dumps(summary).decode(), run_id),
        )

    # --- documents ----------------------------------------------------------------------------

    def put_documents(self, docs: Sequence[NewDocument], run_id: str) -> None:
        """Insert or replace documents. An unreadable one loses its results. The full-text
        index is brought up to date in bulk by :meth:`refresh_search_index`."""
        if not docs:
            return
        conn = self._conn
        upto = search.mark(conn)
        if upto:
            for chunk in chunks([d.doc.id for d in docs]):
                search.unindex(conn, f"id IN ({marks(chunk)})", chunk, upto)
            search.pend(conn, [d.seq for d in docs if d.seq <= upto])
        conn.executemany(
            _PUT_DOCUMENTS,
            [
                (
                    doc.id,
                    seq,
                    doc.source,
                    doc.title,
                    doc.raw,
                    None if doc.text == doc.raw else doc.text,
                    doc.lang,
                    dumps(doc.meta).decode() if doc.meta else None,
                    doc.source_text,
                    doc.source_lang,
                    raw_hash,
                    raw_hash,
                    error,
                    run_id,
                    len(doc.text),
                )
                for doc, seq, raw_hash, error in docs
            ],
        )
        bad = [(d.doc.id,) for d in docs if d.error is not None]
        if bad:
            conn.executemany("DELETE FROM results WHERE doc_id=?", bad)
            conn.executemany("DELETE FROM findings WHERE doc_id=?", bad)
        self._wrote(generations.DOCUMENTS, every_result=bool(bad))

    def start_ingest(self) -> None:
        """Start recording which documents this run's input holds (a temporary table of this
        connection, so not counted)."""
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS seen (seq INTEGER PRIMARY KEY)")
        self._conn.execute("DELETE FROM temp.seen")

    def mark_seen(self, seqs: Iterable[int]) -> None:
        self._conn.executemany("INSERT OR IGNORE INTO temp.seen VALUES (?)", ((s,) for s in seqs))

    def drop_unseen(self) -> int:
        """Forget documents no longer in the corpus (not marked seen since
        :meth:`start_ingest`), with everything stored about them; returns how many."""
        conn = self._conn
        gone = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM documents WHERE seq NOT IN (SELECT seq FROM temp.seen)"
            )
        ]
        upto = search.mark(conn)
        for chunk in chunks(gone):
            where = f"id IN ({marks(chunk)})"
            if upto:
                search.unindex(conn, where, chunk, upto)
            search.forget(conn, where, chunk)
            for table, col in (
                ("results", "doc_id"),
                ("findings", "doc_id"),
                ("mentions", "doc_id"),
                ("cluster_members", "doc_id"),
                ("documents", "id"),
            ):
                conn.execute(f"DELETE FROM {table} WHERE {col} IN ({marks(chunk)})", chunk)
        if gone:
            self._wrote(generations.DOCUMENTS, every_result=True)
        return len(gone)

    def set_texts(self, rows: Sequence[CleanedText]) -> None:
        """Store cleaned texts; unchanged ones are skipped."""
        if not rows:
            return
        conn = self._conn
        upto = search.mark(conn)
        if upto:
            for doc_id, _, h in rows:
                search.unindex(conn, "id = ? AND text_hash IS NOT ?", (doc_id, h), upto)
        cur = conn.executemany(
            "UPDATE documents SET text=CASE WHEN raw=? THEN NULL ELSE ? END, text_hash=?, "
            "length=? WHERE id=? AND text_hash IS NOT ?",
            [(text, text, h, len(text), doc_id, h) for doc_id, text, h in rows],
        )
        if cur.rowcount:
            self._wrote(generations.TEXTS)

    def refresh_search_index(self) -> bool:
        """Index the documents added or changed since the last refresh (derived from the
        documents, so not counted); returns whether anything was indexed."""
        return search.refresh(self._conn)

    # --- results ------------------------------------------------------------------------------

    def put_results(
        self,
        rows: Sequence[ResultRow],
        findings: Sequence[FindingRow] = (),
        clear: Sequence[ResultId] = (),
    ) -> None:
        """Store result rows with their findings; ``clear`` names the results whose old
        findings go first (the engine knows from the stored result it replaces whether it
        had any)."""
        if not rows:
            return
        conn = self._conn
        # Bound as plain tuples: sqlite3 binds a tuple subclass item by item, about a third
        # slower than the copy.
        conn.executemany(_PUT_RESULTS, map(tuple, rows))
        if clear:
            conn.executemany(
                "DELETE FROM findings WHERE doc_id=? AND plugin=? AND phase=?", map(tuple, clear)
            )
        if findings:
            conn.executemany(_PUT_FINDINGS, map(tuple, findings))
        self._wrote(*{generations.results(r.plugin, r.phase) for r in rows})
        # A document's finding count changes only where a new result has findings or an old
        # one had them (its findings are cleared); the rest keep theirs.
        self._count_findings(
            dict.fromkeys([r.doc_id for r in rows if r.n_findings] + [c.doc_id for c in clear])
        )

    def put_result(
        self, r: StageResult, run_id: str, phase: str = "doc", extra: dict[str, Any] | None = None
    ) -> None:
        """Store one result (``extra`` adds keys to its payload, e.g. a cleaner's output text)."""
        self.put_stage_results([r], run_id, phase, extra)

    def put_stage_results(
        self,
        results: Iterable[StageResult],
        run_id: str,
        phase: str = "doc",
        extra: dict[str, Any] | None = None,
        *,
        replace_findings: bool = True,
    ) -> None:
        """Store results given as objects (``replace_findings=False``: they replace results
        known to have had no findings)."""
        rows: list[ResultRow] = []
        found: list[FindingRow] = []
        for r in results:
            rows.append(result_row(r, run_id, phase, extra))
            if r.findings:
                found += finding_rows(r.doc_id, r.plugin, phase, r.findings)
        clear = [ResultId(r.doc_id, r.plugin, r.phase) for r in rows] if replace_findings else []
        self.put_results(rows, found, clear)

    def _count_findings(self, doc_ids: Iterable[str]) -> None:
        """Keep ``documents.n_findings`` (what the corpus table sorts by) equal to the sum
        over the document's results."""
        self._conn.executemany(
            "UPDATE documents SET n_findings = (SELECT COALESCE(SUM(n_findings), 0) "
            "FROM results WHERE doc_id = ?) WHERE id = ?",
            [(d, d) for d in doc_ids],
        )

    def clear_phase(self, plugin: str, phase: str) -> None:
        """Remove a plugin's results of one phase."""
        conn = self._conn
        counted = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT doc_id FROM findings WHERE plugin=? AND phase=?", (plugin, phase)
            )
        ]
        conn.execute("DELETE FROM results WHERE plugin=? AND phase=?", (plugin, phase))
        conn.execute("DELETE FROM findings WHERE plugin=? AND phase=?", (plugin, phase))
        self._count_findings(counted)
        self._wrote(generations.results(plugin, phase))

    # --- corpus outputs -------------------------------------------------------------------------

    def put_corpus_output(
        self,
        plugin: str,
        key: str,
        *,
        clusters: Iterable[Cluster] = (),
        alignments: Iterable[Alignment] = (),
        entities: Iterable[Entity] = (),
        results: Iterable[StageResult] = (),
        run_id: str = "",
        data: Any = None,
    ) -> None:
        """Replace what ``plugin``'s corpus hook made: its clusters, alignments, entities,
        per-document results (phase ``corpus``) and the entry that records the key it ran
        under with its ``data``."""
        self._replace_clusters(plugin, clusters)
        self._replace_alignments(plugin, alignments)
        self._replace_entities(plugin, entities)
        self.clear_phase(plugin, "corpus")
        self.put_stage_results(results, run_id, "corpus")
        self.cache_put(plugin, "corpus", key, data)

    def _replace_clusters(self, plugin: str, clusters: Iterable[Cluster]) -> None:
        conn = self._conn
        old = [r[0] for r in conn.execute("SELECT id FROM clusters WHERE plugin=?", (plugin,))]
        for chunk in chunks(old):
            conn.execute(f"DELETE FROM cluster_members WHERE cluster_id IN ({marks(chunk)})", chunk)
        conn.execute("DELETE FROM clusters WHERE plugin=?", (plugin,))
        for c in clusters:
            conn.execute(
                "INSERT OR REPLACE INTO clusters VALUES (?,?,?,?,?,?)",
                (c.id, c.kind, plugin, c.representative, len(c.members), dumps(c.data).decode()),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO cluster_members VALUES (?,?,?)",
                [(c.id, m.doc_id, m.similarity) for m in c.members],
            )
        self._wrote(generations.cache(plugin, "corpus"))

    def _replace_alignments(self, plugin: str, alignments: Iterable[Alignment]) -> None:
        self._conn.execute("DELETE FROM alignments WHERE plugin=?", (plugin,))
        self._conn.executemany(
            "INSERT INTO alignments VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    a.cluster_id,
                    plugin,
                    a.doc_a,
                    a.span_a.start,
                    a.span_a.end,
                    a.doc_b,
                    a.span_b.start,
                    a.span_b.end,
                    a.score,
                    dumps(a.data).decode() if a.data else None,
                )
                for a in alignments
            ],
        )
        self._wrote(generations.cache(plugin, "corpus"))

    def _replace_entities(self, plugin: str, entities: Iterable[Entity]) -> None:
        conn = self._conn
        old = [r[0] for r in conn.execute("SELECT id FROM entities WHERE plugin=?", (plugin,))]
        for chunk in chunks(old):
            conn.execute(f"DELETE FROM mentions WHERE entity_id IN ({marks(chunk)})", chunk)
        conn.execute("DELETE FROM entities WHERE plugin=?", (plugin,))
        for e in entities:
            docs = {m.doc_id for m in e.mentions}
            conn.execute(
                "INSERT OR REPLACE INTO entities VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    e.id,
                    e.name,
                    e.type,
                    e.kb_id,
                    e.description,
                    plugin,
                    len(e.mentions),
                    len(docs),
                    dumps(e.data).decode(),
                ),
            )
            conn.executemany(
                "INSERT INTO mentions VALUES (?,?,?,?,?,?)",
                [(e.id, m.doc_id, m.span.start, m.span.end, m.text, m.label) for m in e.mentions],
            )
        self._wrote(generations.cache(plugin, "corpus"))

    # --- cache --------------------------------------------------------------------------------

    def cache_put(self, owner: str, kind: str, key: str, value: Any) -> Any:
        """Store ``value`` under ``key`` (one entry per owner and kind); returns the value as
        :meth:`textmill.store.Store.cache_get` will give it back (through JSON)."""
        blob = dumps(value)
        self._conn.execute(
            "INSERT OR REPLACE INTO cache VALUES (?,?,?,?)", (owner, kind, key, blob)
        )
        self._wrote(generations.cache(owner, kind))
        return loads(blob)

    def cache_drop(self, owner: str, kind: str) -> None:
        self._conn.execute("DELETE FROM cache WHERE plugin=? AND kind=?", (owner, kind))
        self._wrote(generations.cache(owner, kind))

    def memo_put(self, owner: str, items: Iterable[tuple[str, bytes]]) -> None:
        """Keep values in ``owner``'s memo (no counter: only that plugin's corpus hook reads
        it, under keys that name what each value was made from)."""
        self._conn.executemany(
            "INSERT OR REPLACE INTO memo VALUES (?,?,?)", ((owner, k, v) for k, v in items)
        )

    def memo_keep(self, owner: str, keys: Iterable[str]) -> None:
        """Drop the values of ``owner``'s memo whose keys are not in ``keys``."""
        conn = self._conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS memo_used (key TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM memo_used")
        conn.executemany("INSERT OR IGNORE INTO memo_used VALUES (?)", ((k,) for k in keys))
        conn.execute(
            "DELETE FROM memo WHERE owner=? AND key NOT IN (SELECT key FROM memo_used)", (owner,)
        )
        conn.execute("DELETE FROM memo_used")

    # --- indexes --------------------------------------------------------------------------------

    def defer_indexes(self) -> bool:
        """Drop the secondary indexes of an empty ``results`` table, so that a first run fills
        it without updating them row by row; :meth:`build_indexes` (or opening the store again,
        after a kill) builds them. Returns whether they were dropped."""
        if self._conn.execute("SELECT 1 FROM results LIMIT 1").fetchone() is not None:
            return False
        for name in RESULT_INDEXES:
            self._conn.execute(f"DROP INDEX IF EXISTS {name}")
        return True

    def build_indexes(self) -> None:
        for sql in RESULT_INDEXES.values():
            self._conn.execute(sql)
