"""The query layer over a run store, shared by the TUI, ``textmill show`` and exports.

Everything is paged and filtered in SQL, so a million-document run costs no more to browse than
a five-document one. Open it read-only while a run writes: SQLite's WAL mode allows that.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textmill.corpus import StoreCorpus
from textmill.errors import TextmillError
from textmill.model import Alignment, Cluster, Document, Edit, Entity, Finding, StageResult
from textmill.store import Store, loads, merge_results, result_from_row

SORTABLE = ("seq", "id", "title", "length", "findings")


@dataclass(frozen=True)
class Filter:
    """Which documents to list. Every field is optional; they combine with AND.

    - ``plugin``/``status``: documents with a result of that plugin (in that status)
    - ``severity``/``code``: documents with a finding of that severity/code (of ``plugin`` if set)
    - ``cluster``: members of a cluster id; ``entity``: documents mentioning an entity id
    - ``search``: an FTS5 query over title and text
    - ``score_min``/``score_max``: score range of ``plugin``'s result
    - ``errors``: only documents that could not be read (True) or only readable ones (False)
    """

    plugin: str | None = None
    status: str | None = None
    severity: str | None = None
    code: str | None = None
    cluster: str | None = None
    entity: str | None = None
    search: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    errors: bool | None = None


@dataclass(frozen=True)
class DocRow:
    """One line of the corpus table."""

    id: str
    seq: int
    title: str
    length: int
    error: str | None
    findings: int
    results: dict[str, dict[str, Any]]  # plugin -> {status, score, label, findings}


@dataclass(frozen=True)
class Page:
    rows: list[DocRow]
    total: int
    offset: int
    limit: int


@dataclass
class DocumentView:
    """One document with everything known about it."""

    doc: Document
    error: str | None
    results: dict[str, StageResult]  # merged doc + corpus phases, in run order
    findings: list[Finding]
    clusters: list[Cluster]
    mentions: list[dict[str, Any]]
    clean_edits: list[Edit] = field(default_factory=list)  # every cleaner's edits, in raw offsets


def parse_filter(expr: str) -> Filter:
    """Parse a filter expression such as ``plugin:mt_artifacts severity:error score<0.5 kirby``.

    Keys: plugin, status, severity, code, cluster, entity, errors (yes/no); ``score>X``,
    ``score<X``; remaining words form the full-text search.
    """
    kw: dict[str, Any] = {}
    words: list[str] = []
    for tok in expr.split():
        m = re.fullmatch(r"score([<>])=?([0-9.]+)", tok)
        if m:
            kw["score_min" if m.group(1) == ">" else "score_max"] = float(m.group(2))
            continue
        key, sep, value = tok.partition(":")
        if sep and key in ("plugin", "status", "severity", "code", "cluster", "entity"):
            kw[key] = value
        elif sep and key == "errors":
            kw["errors"] = value.lower() in ("yes", "true", "1")
        else:
            words.append(tok)
    if words:
        kw["search"] = " ".join(words)
    return Filter(**kw)


def _fts(query: str) -> str:
    """Quote each word so user text is never FTS5 syntax."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in query.split())


class Query:
    """Read access to one run store."""

    def __init__(self, path: Path | str | Store) -> None:
        self.store = path if isinstance(path, Store) else Store(path, readonly=True)
        self.conn: sqlite3.Connection = self.store.conn
        self.corpus = StoreCorpus(self.store)

    def close(self) -> None:
        self.store.close()

    # --- runs and plugins -----------------------------------------------------------------------

    def latest_run(self) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM runs ORDER BY started DESC LIMIT 1").fetchone()
        return _run(row) if row else None

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM runs ORDER BY started DESC LIMIT ?", (limit,))
        return [_run(r) for r in rows]

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
            row = self.conn.execute(
                "SELECT MIN(plugin) FROM results WHERE plugin > ?", (last,)
            ).fetchone()
            if row is None or row[0] is None:
                break
            last = row[0]
            present.add(last)
        return [p for p in chain if p in present] + sorted(present - set(chain))

    def corpus_data(self, plugin: str) -> dict[str, Any]:
        """What ``plugin``'s corpus hook returned in ``CorpusResult.data`` (or an error)."""
        row = self.conn.execute(
            "SELECT payload FROM cache WHERE plugin=? AND kind='corpus'", (plugin,)
        ).fetchone()
        return (loads(row[0]) or {}) if row else {}

    def counts(self) -> dict[str, int]:
        """Corpus totals, each from an index (no scan of the documents' text)."""

        def one(sql: str, *args: Any) -> int:
            return int(self.conn.execute(sql, args).fetchone()[0])

        total = one("SELECT COUNT(*) FROM documents")
        unreadable = one("SELECT COUNT(*) FROM documents WHERE error IS NOT NULL")
        return {
            "documents": total - unreadable,
            "unreadable": unreadable,
            "findings": one("SELECT COUNT(*) FROM findings"),
            "clusters": one("SELECT COUNT(*) FROM clusters"),
            "entities": one("SELECT COUNT(*) FROM entities"),
            "errors": sum(
                one("SELECT COUNT(*) FROM results WHERE plugin = ? AND status = 'error'", p)
                for p in self.plugins()
            ),
        }

    def plugin_stats(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for r in self.conn.execute(
            "SELECT plugin, COUNT(*), SUM(status='error'), AVG(score), SUM(n_findings), SUM(duration) "
            "FROM results WHERE phase='doc' GROUP BY plugin"
        ):
            out[r[0]] = {
                "documents": r[1],
                "errors": r[2] or 0,
                "mean_score": r[3],
                "findings": r[4] or 0,
                "seconds": r[5] or 0.0,
            }
        return out

    def score_histogram(self, plugin: str, bins: int = 10) -> list[int]:
        """Counts of ``plugin``'s scores in ``bins`` equal bins over 0..1."""
        hist = [0] * bins
        for b, n in self.conn.execute(
            "SELECT MIN(CAST(score * ? AS INTEGER), ? - 1), COUNT(*) FROM results "
            "WHERE plugin=? AND phase='doc' AND score IS NOT NULL GROUP BY 1",
            (bins, bins, plugin),
        ):
            if 0 <= b < bins:
                hist[b] += n
        return hist

    def severity_counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for p, sev, n in self.conn.execute(
            "SELECT plugin, severity, COUNT(*) FROM findings GROUP BY plugin, severity"
        ):
            out.setdefault(p, {})[sev] = n
        return out

    # --- documents ------------------------------------------------------------------------------

    def _where(self, f: Filter, ordered: bool = False) -> tuple[str, list[Any]]:
        """SQL conditions for ``f``. ``ordered``: the query walks documents in an order and
        stops at a page, so findings filters are checked per document (``+d.id`` keeps SQLite
        from starting at the findings and sorting all of them); a count starts at the findings."""
        clauses: list[str] = []
        args: list[Any] = []
        if f.errors is True:
            clauses.append("d.error IS NOT NULL")
        elif f.errors is False:
            clauses.append("d.error IS NULL")
        key = "+d.id" if ordered else "d.id"
        if f.status and f.score_min is None and f.score_max is None:
            # A status (error, cached) is found from the results index once, not per document.
            sub = ["r.plugin = ?"] if f.plugin else []
            args.extend([f.plugin] if f.plugin else [])
            sub.append("r.status = ?")
            args.append(f.status)
            clauses.append(f"{key} IN (SELECT r.doc_id FROM results r WHERE {' AND '.join(sub)})")
        elif f.plugin or f.status or f.score_min is not None or f.score_max is not None:
            sub = ["r.doc_id = d.id"]
            if f.plugin:
                sub.append("r.plugin = ?")
                args.append(f.plugin)
            if f.status:
                sub.append("r.status = ?")
                args.append(f.status)
            if f.score_min is not None:
                sub.append("r.score >= ?")
                args.append(f.score_min)
            if f.score_max is not None:
                sub.append("r.score <= ?")
                args.append(f.score_max)
            clauses.append(f"EXISTS (SELECT 1 FROM results r WHERE {' AND '.join(sub)})")
        if f.severity or f.code:
            # IN (subquery) is evaluated once from the findings indexes, where EXISTS would
            # probe the findings of every document.
            sub = []
            for col, val in (("severity", f.severity), ("code", f.code), ("plugin", f.plugin)):
                if val:
                    sub.append(f"x.{col} = ?")
                    args.append(val)
            clauses.append(f"{key} IN (SELECT x.doc_id FROM findings x WHERE {' AND '.join(sub)})")
        if f.cluster:
            clauses.append("d.id IN (SELECT doc_id FROM cluster_members WHERE cluster_id = ?)")
            args.append(f.cluster)
        if f.entity:
            clauses.append("d.id IN (SELECT doc_id FROM mentions WHERE entity_id = ?)")
            args.append(f.entity)
        if f.search:
            clauses.append("d.seq IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
            args.append(_fts(f.search))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def count(self, f: Filter | None = None, *, limit: int | None = None) -> int:
        """Documents matching ``f``. With ``limit``, counting stops there (the answer is at
        most ``limit``), so a filter with many matches answers at once; without a filter the
        count is exact either way (it comes from the table's b-tree)."""
        where, args = self._where(f or Filter())
        if limit is not None and where:
            sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM documents d{where} LIMIT ?)"
            return int(self.conn.execute(sql, [*args, limit]).fetchone()[0])
        return int(
            self.conn.execute(f"SELECT COUNT(*) FROM documents d{where}", args).fetchone()[0]
        )

    def page(
        self,
        f: Filter | None = None,
        *,
        offset: int = 0,
        limit: int = 50,
        sort: str = "seq",
        descending: bool = False,
        with_total: bool = True,
        few: bool = False,
    ) -> Page:
        """One page of documents with each plugin's status, score, label and finding count.

        ``sort`` is one of :data:`SORTABLE` or ``score:PLUGIN``. ``few``: the caller knows the
        filter matches few documents (say from :meth:`count`), so the query starts from the
        matches and sorts them, instead of walking every document in order until a page is full.
        """
        f = f or Filter()
        where, args = self._where(f, ordered=not few)
        direction = "DESC" if descending else "ASC"
        cols = "d.id, d.seq, d.title, length(COALESCE(d.text, d.raw)), d.error"
        if sort.startswith("score:"):
            rows = self._page_by_score(
                sort.split(":", 1)[1], where, args, direction, offset, limit, cols
            )
        else:
            if sort == "length":
                order = f"length(COALESCE(d.text, d.raw)) {direction}, d.seq"
            elif sort == "findings":
                order = f"(SELECT COUNT(*) FROM findings x WHERE x.doc_id=d.id) {direction}, d.seq"
            elif sort in SORTABLE:
                order = f"d.{sort} {direction}"
            else:
                raise TextmillError(
                    f"cannot sort by {sort!r}; use one of {', '.join(SORTABLE)} or score:PLUGIN"
                )
            rows = self.conn.execute(
                f"SELECT {cols} FROM documents d{where} ORDER BY {order} LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        ids = [r[0] for r in rows]
        per: dict[str, dict[str, dict[str, Any]]] = {i: {} for i in ids}
        if ids:
            marks = ",".join("?" * len(ids))
            for r in self.conn.execute(
                f"SELECT doc_id, plugin, phase, status, score, label, n_findings FROM results "
                f"WHERE doc_id IN ({marks}) ORDER BY phase DESC",
                ids,
            ):
                cur = per[r[0]].setdefault(
                    r[1], {"status": r[3], "score": None, "label": None, "findings": 0}
                )
                if r[2] == "corpus" and cur["status"] != "error":
                    cur["status"] = r[3] if r[3] == "error" else cur["status"]
                if r[4] is not None:
                    cur["score"] = r[4]
                if r[5] is not None:
                    cur["label"] = r[5]
                cur["findings"] += r[6] or 0
        out = [
            DocRow(
                id=r[0],
                seq=r[1],
                title=r[2] or "",
                length=r[3] or 0,
                error=r[4],
                findings=sum(v["findings"] for v in per[r[0]].values()),
                results=per[r[0]],
            )
            for r in rows
        ]
        total = self.count(f) if with_total else -1
        return Page(out, total, offset, limit)

    def _page_by_score(
        self,
        plugin: str,
        where: str,
        args: list[Any],
        direction: str,
        offset: int,
        limit: int,
        cols: str,
    ) -> list[sqlite3.Row]:
        """Documents ordered by ``plugin``'s score, walking the score index (so the first page of
        a million-document run costs what it costs for five); documents without a score follow."""
        extra = where.replace(" WHERE ", " AND ", 1) if where else ""
        scored = (
            f"FROM results r JOIN documents d ON d.id = r.doc_id WHERE r.plugin = ? "
            f"AND r.phase = 'doc' AND r.score IS NOT NULL{extra}"
        )
        rows = self.conn.execute(
            f"SELECT {cols} {scored} ORDER BY r.score {direction}, r.doc_id {direction} "
            "LIMIT ? OFFSET ?",
            [plugin, *args, limit, offset],
        ).fetchall()
        if len(rows) == limit:
            return rows
        n_scored = self.conn.execute(f"SELECT COUNT(*) {scored}", [plugin, *args]).fetchone()[0]
        missing = (
            (" AND " if where else " WHERE ")
            + "NOT EXISTS (SELECT 1 FROM results r WHERE r.doc_id = d.id AND r.plugin = ? AND r.phase = 'doc' AND r.score IS NOT NULL)"
        )
        rest = self.conn.execute(
            f"SELECT {cols} FROM documents d{where}{missing} ORDER BY d.seq LIMIT ? OFFSET ?",
            [*args, plugin, limit - len(rows), max(0, offset - n_scored)],
        ).fetchall()
        return rows + rest

    def document(self, doc_id: str) -> DocumentView | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            return None
        from textmill.store import document_from_row

        doc = document_from_row(row)
        by_plugin: dict[str, dict[str, StageResult]] = {}
        for r in self.conn.execute("SELECT * FROM results WHERE doc_id=?", (doc_id,)):
            by_plugin.setdefault(r["plugin"], {})[r["phase"]] = result_from_row(r)
        order = self.plugins()
        results: dict[str, StageResult] = {}
        for p in sorted(by_plugin, key=lambda p: order.index(p) if p in order else len(order)):
            merged = merge_results(by_plugin[p].get("doc"), by_plugin[p].get("corpus"))
            if merged is not None:
                results[p] = merged
        findings = [f for r in results.values() for f in r.findings]
        findings.sort(key=lambda f: (f.span.start if f.span else -1, f.plugin))
        clusters = (
            [c for c in self.corpus.clusters() if any(m.doc_id == doc_id for m in c.members)]
            if self._has_clusters(doc_id)
            else []
        )
        mentions = [
            dict(m) | {"name": m["name"], "kb_id": m["kb_id"]}
            for m in self.conn.execute(
                'SELECT m.entity_id, m.start, m."end", m.text, m.label, e.name, e.kb_id, e.type '
                "FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.doc_id=? ORDER BY m.start",
                (doc_id,),
            )
        ]
        edits = [e for r in results.values() if r.stage == "clean" for e in r.edits]
        edits.sort(key=lambda e: e.span.start)
        return DocumentView(doc, row["error"], results, findings, clusters, mentions, edits)

    def _has_clusters(self, doc_id: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM cluster_members WHERE doc_id=? LIMIT 1", (doc_id,)
            ).fetchone()
            is not None
        )

    def resolve_id(self, ref: str) -> str | None:
        """A document id from an exact id, a unique id prefix, or a sequence number."""
        if self.conn.execute("SELECT 1 FROM documents WHERE id=?", (ref,)).fetchone():
            return ref
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
            (ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",),
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if ref.isdigit():
            row = self.conn.execute("SELECT id FROM documents WHERE seq=?", (int(ref),)).fetchone()
            return str(row[0]) if row else None
        return None

    def iter_documents(self, f: Filter | None = None, batch: int = 500) -> Iterator[DocumentView]:
        """Every matching document in full, page by page (for exports)."""
        offset = 0
        while True:
            page = self.page(f, offset=offset, limit=batch, with_total=False)
            for row in page.rows:
                view = self.document(row.id)
                if view is not None:
                    yield view
            if len(page.rows) < batch:
                return
            offset += batch

    # --- corpus-level ---------------------------------------------------------------------------

    def findings(
        self, f: Filter | None = None, *, offset: int = 0, limit: int = 100
    ) -> list[dict[str, Any]]:
        f = f or Filter()
        clauses, args = [], []
        for col, val in (("plugin", f.plugin), ("severity", f.severity), ("code", f.code)):
            if val:
                clauses.append(f"{col} = ?")
                args.append(val)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.conn.execute(
            f"SELECT * FROM findings{where} ORDER BY doc_id, start LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return [dict(r) for r in rows]

    def clusters(self, kind: str | None = None) -> list[Cluster]:
        return self.corpus.clusters(kind)

    def cluster(self, cluster_id: str) -> Cluster | None:
        return next((c for c in self.corpus.clusters() if c.id == cluster_id), None)

    def alignments(
        self, cluster_id: str | None = None, doc_id: str | None = None
    ) -> list[Alignment]:
        al = self.corpus.alignments(cluster_id)
        if doc_id:
            al = [a for a in al if doc_id in (a.doc_a, a.doc_b)]
        return al

    def entities(
        self,
        *,
        search: str | None = None,
        type: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        clauses, args = [], []
        if search:
            clauses.append("(name LIKE ? OR kb_id = ? OR id = ?)")
            args += [f"%{search}%", search, search]
        if type:
            clauses.append("type = ?")
            args.append(type)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.conn.execute(
            f"SELECT * FROM entities{where} ORDER BY mention_count DESC, name LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return [dict(r) | {"data": loads(r["data"]) or {}} for r in rows]

    def entity(self, entity_id: str) -> Entity | None:
        return self.corpus.entity(entity_id)


def _run(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "started": row["started"],
        "finished": row["finished"],
        "status": row["status"],
        "config": loads(row["config"]) or {},
        "summary": loads(row["summary"]) or {},
    }
