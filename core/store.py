"""The run store: one SQLite file (WAL mode) holding the corpus, every result and the cache.

The store holds the current state of one corpus. ``documents`` has one row per document (raw
and cleaned text; ``text`` is NULL while it equals ``raw``); ``results`` one row per (document,
plugin, phase) where phase is ``doc`` for a per-document hook and ``corpus`` for what a corpus
hook said about the document; ``findings`` is
the flattened findings of those results for filtering. Corpus hooks fill ``clusters``,
``cluster_members``, ``alignments``, ``entities`` and ``mentions``. ``runs`` keeps the history of
runs with their summaries, and ``cache`` keeps the keys and outputs of prepare and corpus hooks.

Per-document results are their own cache: each row carries the key it was computed under, and
the engine skips a plugin whose stored key matches. ``generations`` counts the writes to the
documents and to each plugin's results (``results:PLUGIN:PHASE``), bumped in the same transaction
as the write, so the engine can tell in one query that nothing a step depends on changed since it
last ran. Readers (the TUI, ``textmill show``) can open the store while a run writes to it.

The full-text index ``documents_fts`` is kept up to date incrementally: documents with ``seq``
above the ``search_seq`` mark, or listed in ``search_pending``, are not indexed yet; everything
else is indexed with its current title and text. A document's entry is deleted (with the values
it was indexed under) before its text changes or it is dropped.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
from textmill.errors import TextmillError
from textmill.model import (
    SCHEMA_VERSION,
    Alignment,
    Cluster,
    Document,
    Edit,
    Entity,
    Finding,
    StageResult,
    from_dict,
    to_dict,
)

STORE_VERSION = 2  # 2: documents.length and documents.n_findings, for sorting by index

# Secondary indexes of ``results``: a first run drops them and builds them once at the end,
# which costs less than updating them row by row (see Store.defer_indexes).
_RESULT_INDEXES = (
    "CREATE INDEX IF NOT EXISTS results_plugin ON results (plugin, status)",
    "CREATE INDEX IF NOT EXISTS results_score ON results (plugin, phase, score)",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, started REAL, finished REAL, status TEXT, config TEXT, summary TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, seq INTEGER UNIQUE, source TEXT, title TEXT, raw TEXT, text TEXT,
    lang TEXT, meta TEXT, source_text TEXT, source_lang TEXT, raw_hash TEXT, text_hash TEXT,
    error TEXT, run_id TEXT, length INTEGER NOT NULL DEFAULT 0,
    n_findings INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS results (
    doc_id TEXT NOT NULL, plugin TEXT NOT NULL, phase TEXT NOT NULL, stage TEXT, status TEXT,
    score REAL, label TEXT, n_findings INTEGER, payload BLOB, duration REAL, error TEXT,
    cache_key TEXT, run_id TEXT,
    PRIMARY KEY (doc_id, plugin, phase)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS documents_unreadable ON documents (seq) WHERE error IS NOT NULL;
CREATE INDEX IF NOT EXISTS documents_length ON documents (length, seq);
CREATE INDEX IF NOT EXISTS documents_findings ON documents (n_findings, seq);
CREATE TABLE IF NOT EXISTS findings (
    doc_id TEXT NOT NULL, plugin TEXT NOT NULL, phase TEXT NOT NULL, code TEXT, severity TEXT,
    message TEXT, start INTEGER, "end" INTEGER, evidence TEXT, suggestion TEXT, data TEXT
);
CREATE INDEX IF NOT EXISTS findings_doc ON findings (doc_id, plugin, phase);
CREATE INDEX IF NOT EXISTS findings_sev ON findings (plugin, severity);
CREATE INDEX IF NOT EXISTS findings_code ON findings (code);
CREATE TABLE IF NOT EXISTS clusters (
    id TEXT PRIMARY KEY, kind TEXT, plugin TEXT, representative TEXT, size INTEGER, data TEXT
);
CREATE TABLE IF NOT EXISTS cluster_members (
    cluster_id TEXT, doc_id TEXT, similarity REAL, PRIMARY KEY (cluster_id, doc_id)
);
CREATE INDEX IF NOT EXISTS members_doc ON cluster_members (doc_id);
CREATE INDEX IF NOT EXISTS members_rank ON cluster_members (cluster_id, similarity DESC, doc_id);
CREATE INDEX IF NOT EXISTS clusters_kind ON clusters (kind, size DESC, id);
CREATE TABLE IF NOT EXISTS alignments (
    cluster_id TEXT, plugin TEXT, doc_a TEXT, a_start INTEGER, a_end INTEGER, doc_b TEXT,
    b_start INTEGER, b_end INTEGER, score REAL, data TEXT
);
CREATE INDEX IF NOT EXISTS align_cluster ON alignments (cluster_id);
CREATE INDEX IF NOT EXISTS align_a ON alignments (doc_a);
CREATE INDEX IF NOT EXISTS align_b ON alignments (doc_b);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, name TEXT, type TEXT, kb_id TEXT, description TEXT, plugin TEXT,
    mention_count INTEGER, doc_count INTEGER, data TEXT
);
CREATE INDEX IF NOT EXISTS entities_count ON entities (mention_count);
CREATE INDEX IF NOT EXISTS entities_rank ON entities (mention_count DESC, name);
CREATE TABLE IF NOT EXISTS mentions (
    entity_id TEXT, doc_id TEXT, start INTEGER, "end" INTEGER, text TEXT, label TEXT
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions (doc_id);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions (entity_id);
CREATE TABLE IF NOT EXISTS cache (
    plugin TEXT, kind TEXT, key TEXT, payload BLOB, PRIMARY KEY (plugin, kind)
);
CREATE TABLE IF NOT EXISTS generations (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS search_pending (seq INTEGER PRIMARY KEY);
CREATE VIEW IF NOT EXISTS documents_search AS
    SELECT seq, title, COALESCE(text, raw) AS text FROM documents;
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, text, content='documents_search', content_rowid='seq'
);
DROP TRIGGER IF EXISTS documents_ai;
DROP TRIGGER IF EXISTS documents_ad;
DROP TRIGGER IF EXISTS documents_au;
""" + "".join(f"{sql};\n" for sql in _RESULT_INDEXES)


PAGE_SIZE = 16384
"""Page size of new stores: a news article's row fits in a page, which halves insert costs."""

FTS_CONFIG = {"hashsize": 16 << 20, "automerge": 16}
"""FTS5 settings of the full-text index: gather 16 MB of terms in memory before writing a
segment (its default is 1 MB), and merge segments 16 at a time (default 4). Fewer, larger
segments and fewer merges: building the index of 10,000 news articles costs about 40 % less,
and of 100,000 about 30 % less than with FTS5's defaults."""

GENERATIONS_UPSERT = (
    "INSERT INTO generations VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET n = n + 1"
)


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


def payload(
    findings: Sequence[Finding],
    edits: Sequence[Edit],
    data: dict[str, Any],
    traceback: str | None,
    extra: dict[str, Any] | None = None,
) -> bytes | None:
    """The JSON body of a result row: findings, edits, data, traceback and ``extra``; ``None``
    when there is none of these (most results of most plugins)."""
    if not (findings or edits or data or traceback or extra):
        return None
    body: dict[str, Any] = {}
    if findings:
        body["findings"] = [to_dict(f) for f in findings]
    if edits:
        body["edits"] = [to_dict(e) for e in edits]
    if data:
        body["data"] = data
    if traceback:
        body["traceback"] = traceback
    if extra:
        body.update(extra)
    return dumps(body)


def result_payload(r: StageResult, extra: dict[str, Any] | None = None) -> bytes | None:
    return payload(r.findings, r.edits, r.data, r.traceback, extra)


def finding_rows(
    doc_id: str, plugin: str, phase: str, findings: Sequence[Finding]
) -> list[tuple[Any, ...]]:
    """The ``findings`` rows of a result's findings."""
    return [
        (
            doc_id,
            plugin,
            phase,
            f.code,
            f.severity,
            f.message,
            f.span.start if f.span else None,
            f.span.end if f.span else None,
            f.evidence,
            f.suggestion,
            dumps(f.data).decode() if f.data else None,
        )
        for f in findings
    ]


def result_from_row(row: sqlite3.Row | dict[str, Any]) -> StageResult:
    body = loads(row["payload"]) or {}
    return StageResult(
        doc_id=row["doc_id"],
        plugin=row["plugin"],
        stage=row["stage"],
        status=row["status"],
        score=row["score"],
        label=row["label"],
        findings=tuple(from_dict(Finding, f) for f in body.get("findings", ())),
        data=body.get("data") or {},
        edits=tuple(from_dict(Edit, e) for e in body.get("edits", ())),
        duration=row["duration"] or 0.0,
        error=row["error"],
        traceback=body.get("traceback"),
        cache_key=row["cache_key"] or "",
    )


RESULT_COLUMNS = (
    "plugin, phase, stage, status, score, label, n_findings, payload, duration, error, cache_key"
)
"""The columns of :meth:`Store.result_rows`, in the order of :func:`result_from_tuple`."""


def result_from_tuple(doc_id: str, t: Sequence[Any]) -> StageResult:
    """A result from a row of :data:`RESULT_COLUMNS` (the engine parses payloads only when a
    plugin is given the result)."""
    body = loads(t[7]) or {}
    return StageResult(
        doc_id=doc_id,
        plugin=t[0],
        stage=t[2],
        status=t[3],
        score=t[4],
        label=t[5],
        findings=tuple(from_dict(Finding, f) for f in body.get("findings", ())),
        data=body.get("data") or {},
        edits=tuple(from_dict(Edit, e) for e in body.get("edits", ())),
        duration=t[8] or 0.0,
        error=t[9],
        traceback=body.get("traceback"),
        cache_key=t[10] or "",
    )


def document_from_row(row: sqlite3.Row) -> Document:
    """A stored document; ``text`` is NULL in the store while it equals ``raw``."""
    doc = Document(
        id=row["id"],
        raw=row["raw"] or "",
        source=row["source"] or "",
        title=row["title"] or "",
        lang=row["lang"],
        meta=loads(row["meta"]) or {},
        source_text=row["source_text"],
        source_lang=row["source_lang"],
    )
    return doc if row["text"] is None else doc.with_text(row["text"])


class OutdatedStore(TextmillError):
    """A store of an earlier version that opening it for writing upgrades in place."""


class Store:
    """Writes to (and reads from) one run store file."""

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if not readonly:
            try:
                self.conn = connect(self.path)
                self._migrate()
            except sqlite3.DatabaseError as exc:
                raise TextmillError(
                    f"{self.path} is not a textmill run store ({exc}); delete it or choose "
                    "another [run] store"
                ) from None
        else:
            self.conn = connect(self.path, readonly=True)
            self._check_version()

    def _migrate(self) -> None:
        if self._version() == 1:
            self._upgrade_from_1()
        self.conn.executescript(_SCHEMA)
        row = self.conn.execute("SELECT value FROM meta WHERE key='store_version'").fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO meta VALUES ('store_version', ?), ('schema_version', ?), "
                "('search_seq', '0')",
                (str(STORE_VERSION), str(SCHEMA_VERSION)),
            )
        else:
            self._check_version()
            if self._meta("search_seq") is None:
                # A store from before incremental indexing: its index covers every document
                # unless it was marked for a rebuild.
                self.conn.execute(
                    "INSERT INTO meta VALUES ('search_seq', ?)", (str(self.next_seq() - 1),)
                )
        for name, value in FTS_CONFIG.items():
            has = self.conn.execute(
                "SELECT 1 FROM documents_fts_config WHERE k=? AND v=?", (name, value)
            ).fetchone()
            if has is None:
                # An SQLite without the option builds the index with its default.
                with contextlib.suppress(sqlite3.OperationalError):
                    self.conn.execute(
                        "INSERT INTO documents_fts(documents_fts, rank) VALUES (?, ?)",
                        (name, value),
                    )

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _version(self) -> int | None:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key='store_version'").fetchone()
        except sqlite3.OperationalError:  # a new file: no meta table yet
            return None
        return int(row[0]) if row else None

    def _upgrade_from_1(self) -> None:
        """Version 1 lacked the per-document length and finding count the corpus table sorts
        by; add and fill them (one pass over the documents)."""
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("ALTER TABLE documents ADD COLUMN length INTEGER NOT NULL DEFAULT 0")
        self.conn.execute("ALTER TABLE documents ADD COLUMN n_findings INTEGER NOT NULL DEFAULT 0")
        self.conn.execute("UPDATE documents SET length = length(COALESCE(text, raw, ''))")
        self.conn.execute(
            "UPDATE documents SET n_findings = (SELECT SUM(r.n_findings) FROM results r "
            "WHERE r.doc_id = documents.id) "
            "WHERE id IN (SELECT doc_id FROM results WHERE n_findings > 0)"
        )
        self.conn.execute("UPDATE meta SET value = '2' WHERE key = 'store_version'")
        self.conn.execute("COMMIT")

    def _check_version(self) -> None:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key='store_version'").fetchone()
        except sqlite3.DatabaseError:
            raise TextmillError(f"{self.path} is not a textmill run store") from None
        if row is not None and int(row[0]) == 1 and self.readonly:
            raise OutdatedStore(
                f"{self.path} is a version 1 store; open it once for writing (textmill run) "
                "to upgrade it"
            )
        if row is None or int(row[0]) != STORE_VERSION:
            raise TextmillError(
                f"{self.path} was written by another textmill version (store version "
                f"{row[0] if row else '?'}); delete it and run again"
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ---------------------------------------------------------------------------

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    # --- runs -----------------------------------------------------------------------------------

    def start_run(self, run_id: str, config: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO runs (id, started, status, config) VALUES (?, ?, 'running', ?)",
            (run_id, time.time(), dumps(config).decode()),
        )

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE runs SET finished=?, status=?, summary=? WHERE id=?",
            (time.time(), status, dumps(summary).decode(), run_id),
        )

    # --- documents ------------------------------------------------------------------------------

    def known_documents(self, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """``id -> (raw_hash, seq, error, fields)`` for the ids already stored; ``fields`` is
        what :func:`document_fields` gives for the stored document."""
        out: dict[str, tuple[Any, ...]] = {}
        for chunk in chunks(list(ids), 900):
            q = (
                "SELECT id, raw_hash, seq, error, title, lang, meta, source_text, source_lang "
                f"FROM documents WHERE id IN ({_marks(chunk)})"
            )
            for row in self.conn.execute(q, chunk):
                out[row[0]] = (row[1], row[2], row[3], tuple(row[4:]))
        return out

    def next_seq(self) -> int:
        row = self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()
        return int(row[0]) + 1

    @staticmethod
    def document_fields(doc: Document) -> tuple[Any, ...]:
        """A document's fields besides its text, as the ``documents`` table holds them."""
        meta = dumps(doc.meta).decode() if doc.meta else None
        return (doc.title, doc.lang, meta, doc.source_text, doc.source_lang)

    _UPSERT = (
        "INSERT INTO documents (id, seq, source, title, raw, text, lang, meta, "
        "source_text, source_lang, raw_hash, text_hash, error, run_id, length) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
        "source=excluded.source, title=excluded.title, raw=excluded.raw, "
        "text=excluded.text, lang=excluded.lang, meta=excluded.meta, "
        "source_text=excluded.source_text, source_lang=excluded.source_lang, "
        "raw_hash=excluded.raw_hash, text_hash=excluded.text_hash, error=excluded.error, "
        "run_id=excluded.run_id, length=excluded.length, "
        "n_findings=CASE WHEN excluded.error IS NULL THEN n_findings ELSE 0 END"
    )

    def insert_documents(
        self, docs: Sequence[tuple[Document, int, str, str | None]], run_id: str
    ) -> None:
        """Insert or replace documents: ``(doc, seq, raw_hash, error)`` each.

        The full-text index is brought up to date in bulk by :meth:`refresh_search_index`.
        """
        if not docs:
            return
        mark = self._search_mark()
        if mark:
            ids = [doc.id for doc, _, _, _ in docs]
            for chunk in chunks(ids, 900):
                self._unindex(f"id IN ({_marks(chunk)})", chunk, mark)
            low = [(seq,) for _, seq, _, _ in docs if seq <= mark]
            self.conn.executemany("INSERT OR IGNORE INTO search_pending VALUES (?)", low)
        self.conn.executemany(
            self._UPSERT,
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
        bad = [(doc.id,) for doc, _, _, error in docs if error is not None]
        if bad:
            self.conn.executemany("DELETE FROM results WHERE doc_id=?", bad)
            self.conn.executemany("DELETE FROM findings WHERE doc_id=?", bad)
            self._bump_all_results()
        self.bump(["documents"])

    # --- the full-text index ---------------------------------------------------------------

    def _search_mark(self) -> int:
        """Documents with ``seq`` up to this are in the index (unless pending); 0 when a full
        rebuild is due anyway."""
        if self._meta("search_dirty") == "1":
            return 0
        return int(self._meta("search_seq") or 0)

    def _unindex(self, where: str, args: Sequence[Any], mark: int) -> None:
        """Delete the index entries of the documents matching ``where`` (with the values they
        were indexed under: call before changing them) and mark them pending."""
        self.conn.execute(
            "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
            "SELECT 'delete', seq, title, COALESCE(text, raw) FROM documents "
            f"WHERE ({where}) AND seq <= ? AND seq NOT IN (SELECT seq FROM search_pending)",
            (*args, mark),
        )
        self.conn.execute(
            "INSERT OR IGNORE INTO search_pending "
            f"SELECT seq FROM documents WHERE ({where}) AND seq <= ?",
            (*args, mark),
        )

    def refresh_search_index(self) -> bool:
        """Index the documents added or changed since the last refresh: in one rebuild when
        they are most of the corpus (or a store from before incremental indexing asked for
        one), else just those. Returns whether anything was indexed."""
        rebuild = self._meta("search_dirty") == "1"
        mark = self._search_mark()
        if not rebuild:
            fresh = self.conn.execute(
                "SELECT (SELECT COUNT(*) FROM documents WHERE seq > ?) + "
                "(SELECT COUNT(*) FROM search_pending)",
                (mark,),
            ).fetchone()[0]
            if not fresh:
                return False
            rebuild = 2 * fresh > self.count_documents(include_errors=True)
        if rebuild:
            self.conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
        else:
            self.conn.execute(
                "INSERT INTO documents_fts(rowid, title, text) "
                "SELECT seq, title, COALESCE(text, raw) FROM documents "
                "WHERE seq > ? OR seq IN (SELECT seq FROM search_pending)",
                (mark,),
            )
        self.conn.execute("DELETE FROM search_pending")
        self.conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('search_seq', ?), ('search_dirty', '0')",
            (str(self.next_seq() - 1),),
        )
        return True

    # --- which documents a run saw ---------------------------------------------------------

    def start_ingest(self) -> None:
        """Start recording which documents this run's input holds (a table of this connection)."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS seen (seq INTEGER PRIMARY KEY)")
        self.conn.execute("DELETE FROM temp.seen")

    def mark_seen(self, seqs: Iterable[int]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO temp.seen VALUES (?)", ((s,) for s in seqs))

    def drop_unseen(self) -> int:
        """Forget documents no longer in the corpus (not marked seen since :meth:`start_ingest`)."""
        gone = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM documents WHERE seq NOT IN (SELECT seq FROM temp.seen)"
            )
        ]
        mark = self._search_mark()
        for chunk in chunks(gone, 900):
            marks = _marks(chunk)
            if mark:
                self._unindex(f"id IN ({marks})", chunk, mark)
            self.conn.execute(
                "DELETE FROM search_pending WHERE seq IN "
                f"(SELECT seq FROM documents WHERE id IN ({marks}))",
                chunk,
            )
            for table, col in (
                ("results", "doc_id"),
                ("findings", "doc_id"),
                ("mentions", "doc_id"),
                ("cluster_members", "doc_id"),
                ("documents", "id"),
            ):
                self.conn.execute(f"DELETE FROM {table} WHERE {col} IN ({marks})", chunk)
        if gone:
            self.bump(["documents"])
            self._bump_all_results()
        return len(gone)

    def set_texts(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Store cleaned texts: ``(doc_id, text, text_hash)`` each; unchanged ones are skipped."""
        if not rows:
            return
        mark = self._search_mark()
        if mark:
            for doc_id, _, h in rows:
                self._unindex("id = ? AND text_hash IS NOT ?", (doc_id, h), mark)
        cur = self.conn.executemany(
            "UPDATE documents SET text=CASE WHEN raw=? THEN NULL ELSE ? END, text_hash=?, "
            "length=? WHERE id=? AND text_hash IS NOT ?",
            [(text, text, h, len(text), doc_id, h) for doc_id, text, h in rows],
        )
        if cur.rowcount:
            self.bump(["texts"])

    # --- indexes ---------------------------------------------------------------------------

    def defer_indexes(self) -> bool:
        """Drop the secondary indexes of an empty ``results`` table, so that a first run fills
        it without updating them row by row; :meth:`build_indexes` (or opening the store again,
        after a kill) builds them. Returns whether they were dropped."""
        if self.conn.execute("SELECT 1 FROM results LIMIT 1").fetchone() is not None:
            return False
        for sql in _RESULT_INDEXES:
            self.conn.execute(f"DROP INDEX IF EXISTS {sql.split()[5]}")
        return True

    def build_indexes(self) -> None:
        for sql in _RESULT_INDEXES:
            self.conn.execute(sql)

    # --- generations -----------------------------------------------------------------------

    def bump(self, names: Iterable[str]) -> None:
        """Count a write to each of ``names`` (``documents``, ``results:PLUGIN:PHASE``...)."""
        self.conn.executemany(GENERATIONS_UPSERT, [(n,) for n in names])

    def _bump_all_results(self) -> None:
        self.conn.execute("UPDATE generations SET n = n + 1 WHERE name LIKE 'results:%'")

    def generations(self) -> dict[str, int]:
        """How many writes each of the documents and each plugin's results have had."""
        return {r[0]: int(r[1]) for r in self.conn.execute("SELECT name, n FROM generations")}

    def iter_documents(
        self, batch: int = 500, *, include_errors: bool = False
    ) -> Iterator[list[Document]]:
        """Pages of documents in ``seq`` order (keyset pagination: constant cost per page)."""
        last = -1
        where = "" if include_errors else "AND error IS NULL"
        while True:
            rows = self.conn.execute(
                f"SELECT * FROM documents WHERE seq > ? {where} ORDER BY seq LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            last = rows[-1]["seq"]
            yield [document_from_row(r) for r in rows]

    def iter_hashed(self, batch: int = 500) -> Iterator[list[tuple[Document, str, str]]]:
        """Pages of readable documents with their stored hashes: ``(doc, raw_hash, text_hash)``
        each, in ``seq`` order (keyset pagination)."""
        last = -1
        while True:
            rows = self._hashed(
                f"seq > ? AND error IS NULL ORDER BY seq LIMIT {int(batch)}", (last,)
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [(doc, raw_hash, thash) for _, doc, raw_hash, thash in rows]

    def hashed_documents(self, ids: Sequence[str]) -> dict[str, tuple[Document, str, str]]:
        """Readable documents by id with their stored hashes: ``id -> (doc, raw_hash,
        text_hash)``."""
        out: dict[str, tuple[Document, str, str]] = {}
        for chunk in chunks(list(ids), 900):
            for _, doc, raw_hash, thash in self._hashed(
                f"id IN ({_marks(chunk)}) AND error IS NULL", chunk
            ):
                out[doc.id] = (doc, raw_hash, thash)
        return out

    def _hashed(self, where: str, args: Sequence[Any]) -> list[tuple[int, Document, str, str]]:
        """``(seq, doc, raw_hash, text_hash)`` of the documents matching ``where``."""
        cur = self.conn.cursor()
        cur.row_factory = None
        rows = cur.execute(
            "SELECT seq, id, raw, text, source, title, lang, meta, source_text, source_lang, "
            f"raw_hash, text_hash FROM documents WHERE {where}",
            args,
        ).fetchall()
        page = []
        for r in rows:
            doc = Document(
                id=r[1],
                raw=r[2] or "",
                source=r[4] or "",
                title=r[5] or "",
                lang=r[6],
                meta=loads(r[7]) or {},
                source_text=r[8],
                source_lang=r[9],
            )
            if r[3] is not None:
                doc = doc.with_text(r[3])
            page.append((r[0], doc, r[10] or "", r[11] or ""))
        return page

    def document(self, doc_id: str) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        return document_from_row(row) if row else None

    def count_documents(self, *, include_errors: bool = False) -> int:
        """How many documents (readable ones only, unless ``include_errors``), counted from
        indexes: a condition on ``error`` would read every document's row."""
        total = int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        if include_errors:
            return total
        row = self.conn.execute("SELECT COUNT(*) FROM documents WHERE error IS NOT NULL")
        return total - int(row.fetchone()[0])

    def text_digest_rows(self) -> Iterator[tuple[str, str]]:
        yield from self.conn.execute(
            "SELECT id, text_hash FROM documents WHERE error IS NULL ORDER BY seq"
        )

    # --- results --------------------------------------------------------------------------------

    def result_rows(
        self, doc_ids: Sequence[str]
    ) -> dict[str, dict[tuple[str, str], tuple[Any, ...]]]:
        """The stored results of these documents as plain rows of :data:`RESULT_COLUMNS`:
        ``doc -> {(plugin, phase): row}`` (see :func:`result_from_tuple`)."""
        out: dict[str, dict[tuple[str, str], tuple[Any, ...]]] = {d: {} for d in doc_ids}
        cur = self.conn.cursor()
        cur.row_factory = None
        for chunk in chunks(list(doc_ids), 900):
            q = f"SELECT doc_id, {RESULT_COLUMNS} FROM results WHERE doc_id IN ({_marks(chunk)})"
            for row in cur.execute(q, chunk):
                out[row[0]][(row[1], row[2])] = row[1:]
        return out

    def put_result(
        self, r: StageResult, run_id: str, phase: str = "doc", extra: dict[str, Any] | None = None
    ) -> None:
        """Store one result (``extra`` adds keys to its payload, e.g. a cleaner's output text)."""
        self.put_results([(r, phase, extra, True)], run_id)

    def put_results(
        self,
        items: Sequence[tuple[StageResult, str, dict[str, Any] | None, bool]],
        run_id: str,
    ) -> None:
        """Store results in bulk: ``(result, phase, extra, replace_findings)`` each.

        ``replace_findings=False`` skips deleting old findings, for results known to have had
        none (the engine knows from the stored result it replaces).
        """
        rows = [
            (
                r.doc_id,
                r.plugin,
                phase,
                r.stage,
                r.status,
                r.score,
                r.label,
                len(r.findings),
                result_payload(r, extra),
                r.duration,
                r.error,
                r.cache_key,
                run_id,
            )
            for r, phase, extra, _ in items
        ]
        found = [
            row
            for r, phase, _, _ in items
            if r.findings
            for row in finding_rows(r.doc_id, r.plugin, phase, r.findings)
        ]
        clear = [(r.doc_id, r.plugin, phase) for r, phase, _, c in items if c]
        self.put_rows(rows, found, clear)

    def put_rows(
        self,
        rows: Sequence[Sequence[Any]],
        findings: Sequence[Sequence[Any]] = (),
        clear: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        """Store results as ready rows: ``results`` rows (all 13 columns), ``findings`` rows
        (see :func:`finding_rows`), and the ``(doc_id, plugin, phase)`` whose old findings go."""
        if not rows:
            return
        self.conn.executemany(
            "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows
        )
        if clear:
            self.conn.executemany(
                "DELETE FROM findings WHERE doc_id=? AND plugin=? AND phase=?", clear
            )
        if findings:
            self.conn.executemany("INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?,?)", findings)
        self.bump({f"results:{r[1]}:{r[2]}" for r in rows})
        # A document's finding count changes only where a new result has findings or an old
        # one had them (its findings are cleared); the rest keep theirs.
        self._count_findings(dict.fromkeys([r[0] for r in rows if r[7]] + [c[0] for c in clear]))

    def _count_findings(self, doc_ids: Iterable[str]) -> None:
        """Keep ``documents.n_findings`` (what the corpus table sorts by) equal to the sum
        over the document's results."""
        self.conn.executemany(
            "UPDATE documents SET n_findings = (SELECT COALESCE(SUM(n_findings), 0) "
            "FROM results WHERE doc_id = ?) WHERE id = ?",
            [(d, d) for d in doc_ids],
        )

    def iter_results(self, plugin: str, phase: str = "doc") -> Iterator[StageResult]:
        cur = self.conn.execute(
            "SELECT r.* FROM results r JOIN documents d ON d.id = r.doc_id "
            "WHERE r.plugin=? AND r.phase=? ORDER BY d.seq",
            (plugin, phase),
        )
        for row in cur:
            yield result_from_row(row)

    def result(self, doc_id: str, plugin: str, phase: str = "doc") -> StageResult | None:
        row = self.conn.execute(
            "SELECT * FROM results WHERE doc_id=? AND plugin=? AND phase=?", (doc_id, plugin, phase)
        ).fetchone()
        return result_from_row(row) if row else None

    def count_results(self, plugin: str, phase: str = "doc") -> int:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM results WHERE plugin = ? AND phase = ?", (plugin, phase)
        ).fetchone()
        return int(row[0])

    def clear_phase(self, plugin: str, phase: str) -> None:
        counted = [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT doc_id FROM findings WHERE plugin=? AND phase=?", (plugin, phase)
            )
        ]
        self.conn.execute("DELETE FROM results WHERE plugin=? AND phase=?", (plugin, phase))
        self.conn.execute("DELETE FROM findings WHERE plugin=? AND phase=?", (plugin, phase))
        self._count_findings(counted)
        self.bump([f"results:{plugin}:{phase}"])

    def result_keys(self) -> Iterator[tuple[str, str, str]]:
        yield from self.conn.execute(
            "SELECT doc_id, plugin, cache_key FROM results WHERE phase='doc' ORDER BY doc_id, plugin"
        )

    # --- corpus artifacts -------------------------------------------------------------------------

    def replace_clusters(self, plugin: str, clusters: Iterable[Cluster]) -> None:
        old = [r[0] for r in self.conn.execute("SELECT id FROM clusters WHERE plugin=?", (plugin,))]
        for chunk in chunks(old, 900):
            self.conn.execute(
                f"DELETE FROM cluster_members WHERE cluster_id IN ({_marks(chunk)})", chunk
            )
        self.conn.execute("DELETE FROM clusters WHERE plugin=?", (plugin,))
        for c in clusters:
            self.conn.execute(
                "INSERT OR REPLACE INTO clusters VALUES (?,?,?,?,?,?)",
                (c.id, c.kind, plugin, c.representative, len(c.members), dumps(c.data).decode()),
            )
            self.conn.executemany(
                "INSERT OR REPLACE INTO cluster_members VALUES (?,?,?)",
                [(c.id, m.doc_id, m.similarity) for m in c.members],
            )

    def replace_alignments(self, plugin: str, alignments: Iterable[Alignment]) -> None:
        self.conn.execute("DELETE FROM alignments WHERE plugin=?", (plugin,))
        self.conn.executemany(
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

    def replace_entities(self, plugin: str, entities: Iterable[Entity]) -> None:
        old = [r[0] for r in self.conn.execute("SELECT id FROM entities WHERE plugin=?", (plugin,))]
        for chunk in chunks(old, 900):
            self.conn.execute(f"DELETE FROM mentions WHERE entity_id IN ({_marks(chunk)})", chunk)
        self.conn.execute("DELETE FROM entities WHERE plugin=?", (plugin,))
        for e in entities:
            docs = {m.doc_id for m in e.mentions}
            self.conn.execute(
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
            self.conn.executemany(
                "INSERT INTO mentions VALUES (?,?,?,?,?,?)",
                [(e.id, m.doc_id, m.span.start, m.span.end, m.text, m.label) for m in e.mentions],
            )

    def cache_get(self, plugin: str, kind: str) -> tuple[str, Any] | None:
        row = self.conn.execute(
            "SELECT key, payload FROM cache WHERE plugin=? AND kind=?", (plugin, kind)
        ).fetchone()
        return (row[0], loads(row[1])) if row else None

    def cache_put(self, plugin: str, kind: str, key: str, payload: Any) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO cache VALUES (?,?,?,?)", (plugin, kind, key, dumps(payload))
        )
        self.bump([f"cache:{plugin}:{kind}"])

    def cache_drop(self, plugin: str, kind: str) -> None:
        self.conn.execute("DELETE FROM cache WHERE plugin=? AND kind=?", (plugin, kind))

    def clear_plugin_outputs(self, plugin: str) -> None:
        """Remove what a corpus hook of ``plugin`` wrote, before writing its new output."""
        self.replace_clusters(plugin, ())
        self.replace_alignments(plugin, ())
        self.replace_entities(plugin, ())
        self.clear_phase(plugin, "corpus")


def _marks(seq: Sequence[Any]) -> str:
    return ",".join("?" * len(seq))


def chunks(seq: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    """``seq`` in slices of ``n`` (SQLite takes at most 999 parameters a statement)."""
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def merge_results(doc: StageResult | None, corpus: StageResult | None) -> StageResult | None:
    """One view of a plugin's result on a document: its per-document result with what its
    corpus hook added (findings appended, data merged, score and label when set)."""
    if doc is None or corpus is None:
        return doc or corpus
    status = "error" if "error" in (doc.status, corpus.status) else doc.status
    return StageResult(
        doc_id=doc.doc_id,
        plugin=doc.plugin,
        stage=doc.stage,
        status=status,
        score=corpus.score if corpus.score is not None else doc.score,
        label=corpus.label if corpus.label is not None else doc.label,
        findings=doc.findings + corpus.findings,
        data={**doc.data, **corpus.data},
        edits=doc.edits,
        duration=doc.duration + corpus.duration,
        error=doc.error or corpus.error,
        traceback=doc.traceback or corpus.traceback,
        cache_key=doc.cache_key,
    )
