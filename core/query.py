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
from typing import Any, ClassVar

from textmill.corpus import StoreCorpus, alignment_from_row
from textmill.errors import TextmillError
from textmill.model import (
    Alignment,
    Cluster,
    Document,
    Edit,
    Entity,
    Finding,
    StageResult,
)
from textmill.store import (
    OutdatedStore,
    Store,
    chunks,
    loads,
    merge_results,
    result_from_row,
)

SORTABLE = ("seq", "id", "title", "length", "findings")
CLUSTER_KINDS = ("exact", "near", "story", "event")  # the order the clusters list shows
LISTED_MAX = 20_000  # unscored documents listed from indexes up to this many; walked above


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
    sort_key: Any = None  # the score a score-sorted page was ordered by (None: unscored)


@dataclass(frozen=True)
class Page:
    rows: list[DocRow]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class ClusterRow:
    """One line of the clusters list."""

    id: str
    kind: str
    size: int
    representative: str
    plugin: str
    title: str  # the representative's title


@dataclass(frozen=True)
class MemberRow:
    """A member of a cluster, with its similarity to the representative."""

    doc_id: str
    similarity: float
    title: str


@dataclass(frozen=True)
class MentionRow:
    """A mention of an entity with the words around it (``before``, ``after``: one line each,
    cut at word boundaries)."""

    doc_id: str
    title: str
    start: int
    end: int
    text: str
    label: str
    before: str
    after: str


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
    cluster_sizes: dict[str, int] = field(default_factory=dict)  # members of each cluster in all


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


def _and(where: str, *conds: str) -> str:
    """``where`` (empty or `` WHERE ...``) with more conditions."""
    parts = [where[len(" WHERE ") :]] if where else []
    parts += [c for c in conds if c]
    return (" WHERE " + " AND ".join(parts)) if parts else ""


def _fts(query: str) -> str:
    """Quote each word so user text is never FTS5 syntax."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in query.split())


class Query:
    """Read access to one run store."""

    def __init__(self, path: Path | str | Store) -> None:
        if isinstance(path, Store):
            self.store = path
        else:
            try:
                self.store = Store(path, readonly=True)
            except OutdatedStore:
                Store(path).close()  # opening it for writing upgrades it in place
                self.store = Store(path, readonly=True)
        self.conn: sqlite3.Connection = self.store.conn
        self.corpus = StoreCorpus(self.store)
        self._unscored_cache: dict[str, tuple[int, int]] = {}

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
        """Per plugin: its stage, the documents it has a result for, errors, mean score,
        findings, the seconds its per-document hook took over the stored results
        (``seconds``, None for a plugin with only a corpus hook), and from the latest run's
        summary its time there (``run_seconds``, corpus hook included) and cache hits.
        One pass over the results, so callers with big runs read it in a thread."""
        out: dict[str, dict[str, Any]] = {}
        for plugin, phase, stage, n, errors, mean, findings, seconds in self.conn.execute(
            "SELECT plugin, phase, MIN(stage), COUNT(*), SUM(status='error'), AVG(score), "
            "SUM(n_findings), SUM(duration) FROM results GROUP BY plugin, phase"
        ):
            cur = out.setdefault(
                plugin,
                {
                    "stage": stage or "",
                    "documents": 0,
                    "errors": 0,
                    "mean_score": None,
                    "findings": 0,
                    "seconds": None,
                    "run_seconds": None,
                    "cached": None,
                },
            )
            cur["errors"] += errors or 0
            cur["findings"] += findings or 0
            if phase == "doc":
                cur.update(documents=n, mean_score=mean, seconds=seconds or 0.0)
            elif cur["seconds"] is None:  # only a corpus hook so far: what it said about
                cur["documents"] = max(cur["documents"], n)  # how many documents
        run = self.latest_run() or {}
        for plugin, s in ((run.get("summary") or {}).get("plugins") or {}).items():
            if plugin in out and isinstance(s, dict):
                out[plugin]["run_seconds"] = s.get("seconds")
                out[plugin]["cached"] = s.get("cached")
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
        stops at a page, so findings filters probe each document's own findings and a status
        filter uses ``+d.id`` (which keeps SQLite from starting at the matches and sorting all
        of them); a count starts at the matches."""
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
            # Walking in order, a probe of the document's own findings (findings_doc) per
            # document finds a page of matches without reading every match first.
            sub = ["x.doc_id = d.id"] if ordered else []
            for col, val in (("severity", f.severity), ("code", f.code), ("plugin", f.plugin)):
                if val:
                    sub.append(f"x.{col} = ?")
                    args.append(val)
            if ordered:
                clauses.append(f"EXISTS (SELECT 1 FROM findings x WHERE {' AND '.join(sub)})")
            else:
                clauses.append(
                    f"d.id IN (SELECT x.doc_id FROM findings x WHERE {' AND '.join(sub)})"
                )
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
        after: DocRow | None = None,
        before: DocRow | None = None,
        from_end: bool = False,
    ) -> Page:
        """One page of documents with each plugin's status, score, label and finding count.

        ``sort`` is one of :data:`SORTABLE` or ``score:PLUGIN``; ties follow ``seq`` in the same
        direction. ``few``: the caller knows the filter matches few documents (say from
        :meth:`count`), so the query starts from the matches and sorts them, instead of walking
        every document in order until a page is full.

        Every order walks an index, so a page costs the same wherever it starts from a known
        row: ``after`` gives the rows that follow that row (skipping ``offset`` of them first),
        ``before`` the ``limit`` rows that precede it, and ``from_end`` counts ``offset`` from
        the end of the order (the last page of a million rows is read backwards, not skipped
        to). :meth:`positions` gives rows to start from anywhere in the order.
        """
        f = f or Filter()
        where, args = self._where(f, ordered=not few)
        backwards = before is not None or from_end
        anchor = before if before is not None else after
        skip = 0 if before is not None else offset
        if sort.startswith("score:"):
            rows = self._page_by_score(
                sort.split(":", 1)[1], where, args, descending, backwards, skip, limit, anchor
            )
        else:
            rows = self._page_by_column(
                sort, where, args, descending != backwards, skip, limit, anchor
            )
        if backwards:
            rows.reverse()
        out = self._rows(rows)
        total = self.count(f) if with_total else -1
        return Page(out, total, offset, limit)

    _COLS = "d.id, d.seq, d.title, d.length, d.error, d.n_findings"
    _KEYS: ClassVar[dict[str, str]] = {
        "seq": "d.seq",
        "id": "d.id",
        "title": "COALESCE(d.title, '')",
        "length": "d.length",
        "findings": "d.n_findings",
    }

    def _page_by_column(
        self,
        sort: str,
        where: str,
        args: list[Any],
        descending: bool,
        offset: int,
        limit: int,
        anchor: DocRow | None,
    ) -> list[Any]:
        if sort not in self._KEYS:
            raise TextmillError(
                f"cannot sort by {sort!r}; use one of {', '.join(SORTABLE)} or score:PLUGIN"
            )
        key = self._KEYS[sort]
        unique = sort in ("seq", "id")
        direction, cmp = ("DESC", "<") if descending else ("ASC", ">")
        order = f"{key} {direction}" + ("" if unique else f", d.seq {direction}")
        cond, cargs = "", []
        if anchor is not None:
            value = {
                "seq": anchor.seq,
                "id": anchor.id,
                "title": anchor.title,
                "length": anchor.length,
                "findings": anchor.findings,
            }[sort]
            if unique:
                cond, cargs = f"{key} {cmp} ?", [value]
            else:
                cond, cargs = f"({key}, d.seq) {cmp} (?, ?)", [value, anchor.seq]
        full = _and(where, cond)
        return self.conn.execute(
            f"SELECT {self._COLS} FROM documents d{full} ORDER BY {order} LIMIT ? OFFSET ?",
            [*args, *cargs, limit, offset],
        ).fetchall()

    def _page_by_score(
        self,
        plugin: str,
        where: str,
        args: list[Any],
        descending: bool,
        backwards: bool,
        offset: int,
        limit: int,
        anchor: DocRow | None,
    ) -> list[Any]:
        """Documents ordered by ``plugin``'s score (ties by id), walking the score index, then
        the documents without a score (by seq). Read ``backwards``, the unscored come first."""
        direction, cmp = ("DESC", "<") if descending != backwards else ("ASC", ">")
        scored_from = (
            "FROM results r JOIN documents d ON d.id = r.doc_id WHERE r.plugin = ? "
            "AND r.phase = 'doc' AND r.score IS NOT NULL" + where.replace(" WHERE ", " AND ", 1)
        )
        unscored, uargs = self._unscored(plugin)

        def part_scored(cond: str, cargs: list[Any], lim: int | None, off: int) -> list[Any]:
            sql = f"{scored_from}{' AND ' + cond if cond else ''}"
            if lim is None:  # how many rows the part holds
                return self.conn.execute(f"SELECT COUNT(*) {sql}", [plugin, *args]).fetchall()
            return self.conn.execute(
                f"SELECT {self._COLS}, r.score {sql} "
                f"ORDER BY r.score {direction}, r.doc_id {direction} LIMIT ? OFFSET ?",
                [plugin, *args, *cargs, lim, off],
            ).fetchall()

        def part_unscored(cond: str, cargs: list[Any], lim: int | None, off: int) -> list[Any]:
            if unscored is None:  # every document has a score
                return [(0,)] if lim is None else []
            sql = f"FROM documents d{_and(where, unscored, cond)}"
            if lim is None:
                return self.conn.execute(f"SELECT COUNT(*) {sql}", [*args, *uargs]).fetchall()
            return self.conn.execute(
                f"SELECT {self._COLS}, NULL {sql} ORDER BY d.seq {direction} LIMIT ? OFFSET ?",
                [*args, *uargs, *cargs, lim, off],
            ).fetchall()

        parts = [part_unscored, part_scored] if backwards else [part_scored, part_unscored]
        if anchor is not None:
            if anchor.sort_key is not None:
                first = parts.index(part_scored)
                cond, cargs = f"(r.score, r.doc_id) {cmp} (?, ?)", [anchor.sort_key, anchor.id]
            else:
                first = parts.index(part_unscored)
                cond, cargs = f"d.seq {cmp} ?", [anchor.seq]
            # The rows to skip are read and dropped: a caller skips fewer than positions()'
            # spacing, and SQL's OFFSET would need the count of the first part's rows past the
            # anchor, which is not known.
            want = limit + offset
            rows = parts[first](cond, cargs, want, 0)
            for part in parts[first + 1 :]:
                if len(rows) < want:
                    rows += part("", [], want - len(rows), 0)
            return rows[offset:]
        rows = parts[0]("", [], limit, offset)
        if len(rows) < limit:
            # Where the first part ends: known from its rows unless the offset is past it.
            n_first = offset + len(rows) if rows or offset == 0 else self._count_part(parts[0])
            rows += parts[1]("", [], limit - len(rows), max(0, offset - n_first))
        return rows

    def score_coverage(self, plugin: str) -> tuple[int, int]:
        """``(documents without a score of plugin, of which unreadable or with a result
        without a score)``, counted from indexes (the score sort's plan depends on them)."""
        one = self.conn.execute
        docs = int(one("SELECT COUNT(*) FROM documents").fetchone()[0])
        scored = int(
            one(
                "SELECT COUNT(*) FROM results WHERE plugin = ? AND phase = 'doc' "
                "AND score IS NOT NULL",
                (plugin,),
            ).fetchone()[0]
        )
        listed = int(
            one("SELECT COUNT(*) FROM documents WHERE error IS NOT NULL").fetchone()[0]
        ) + int(
            one(
                "SELECT COUNT(*) FROM results WHERE plugin = ? AND phase = 'doc' AND score IS NULL",
                (plugin,),
            ).fetchone()[0]
        )
        return docs - scored, listed

    def remember_coverage(self, coverage: dict[str, tuple[int, int]]) -> None:
        """Take :meth:`score_coverage` figures counted elsewhere (in a background thread)."""
        self._unscored_cache.update(coverage)

    def scored_plugins(self, plugins: list[str]) -> list[str]:
        """The plugins of ``plugins`` that gave any document a score (one index seek each)."""
        return [
            p
            for p in plugins
            if self.conn.execute(
                "SELECT 1 FROM results WHERE plugin = ? AND phase = 'doc' AND score IS NOT NULL "
                "LIMIT 1",
                (p,),
            ).fetchone()
        ]

    def _unscored(self, plugin: str) -> tuple[str | None, list[Any]]:
        """A condition for the documents without a score of ``plugin`` (None: there are none).

        A walk that tests every document for a missing score reads the whole table when
        (as usual) few or none miss one, so the figures are counted from indexes once per
        query object: when the unreadable documents and the results without a score account
        for every missing score, the condition lists them from those indexes."""
        if plugin not in self._unscored_cache:
            self._unscored_cache[plugin] = self.score_coverage(plugin)
        missing, listed = self._unscored_cache[plugin]
        if missing == 0:
            return None, []
        if missing == listed and missing <= LISTED_MAX:
            return (
                "d.seq IN (SELECT seq FROM documents WHERE error IS NOT NULL UNION ALL "
                "SELECT d2.seq FROM results r JOIN documents d2 ON d2.id = r.doc_id "
                "WHERE r.plugin = ? AND r.phase = 'doc' AND r.score IS NULL)"
            ), [plugin]
        return (
            "NOT EXISTS (SELECT 1 FROM results r WHERE r.doc_id = d.id AND r.plugin = ? "
            "AND r.phase = 'doc' AND r.score IS NOT NULL)"
        ), [plugin]

    def positions(
        self,
        f: Filter | None = None,
        *,
        sort: str = "seq",
        descending: bool = False,
        every: int = 500,
    ) -> list[DocRow]:
        """The rows at positions ``every - 1``, ``2 * every - 1``, … of an order, holding the
        fields :meth:`page` continues from: row ``n`` of the order is then ``page(after=
        positions[n // every - 1], offset=n % every)``, a read of fewer than ``every`` rows
        instead of a skip over ``n``. One walk of the order's index, numbered by SQLite (a
        window function, so the rows never reach Python), made to run in a thread.

        The rows carry only their sort key (and ``seq`` or ``id`` for ties)."""
        f = f or Filter()
        where, args = self._where(f)
        if sort.startswith("score:"):
            return self._score_positions(sort.split(":", 1)[1], where, args, descending, every)
        if sort not in self._KEYS:
            raise TextmillError(
                f"cannot sort by {sort!r}; use one of {', '.join(SORTABLE)} or score:PLUGIN"
            )
        key = self._KEYS[sort]
        direction = "DESC" if descending else "ASC"
        cols = [key] if sort in ("seq", "id") else [key, "d.seq"]
        order = ", ".join(f"{c} {direction}" for c in cols)
        rows = self.conn.execute(
            f"SELECT * FROM (SELECT {', '.join(cols)}, ROW_NUMBER() OVER (ORDER BY {order}) AS n "
            f"FROM documents d{where}) WHERE n % ? = 0",
            [*args, every],
        ).fetchall()
        if sort == "seq":
            return [_key_row(seq=r[0]) for r in rows]
        if sort == "id":
            return [_key_row(id=r[0]) for r in rows]
        field_name = {"title": "title", "length": "length", "findings": "findings"}[sort]
        return [_key_row(seq=r[1], **{field_name: r[0]}) for r in rows]

    def _score_positions(
        self, plugin: str, where: str, args: list[Any], descending: bool, every: int
    ) -> list[DocRow]:
        direction = "DESC" if descending else "ASC"
        # Without a filter the score index alone holds the scored part's order.
        join = " JOIN documents d ON d.id = r.doc_id" if where else ""
        scored_from = (
            f"FROM results r{join} WHERE r.plugin = ? AND r.phase = 'doc' "
            "AND r.score IS NOT NULL" + where.replace(" WHERE ", " AND ", 1)
        )
        out = [
            _key_row(id=r[1], sort_key=r[0])
            for r in self.conn.execute(
                f"SELECT * FROM (SELECT r.score, r.doc_id, ROW_NUMBER() OVER (ORDER BY r.score "
                f"{direction}, r.doc_id {direction}) AS n {scored_from}) WHERE n % ? = 0",
                [plugin, *args, every],
            )
        ]
        unscored, uargs = self._unscored(plugin)
        if unscored is None:
            return out
        n_scored = int(
            self.conn.execute(f"SELECT COUNT(*) {scored_from}", [plugin, *args]).fetchone()[0]
        )
        out += [
            _key_row(seq=r[0])
            for r in self.conn.execute(
                f"SELECT * FROM (SELECT d.seq, ROW_NUMBER() OVER (ORDER BY d.seq {direction}) "
                f"AS n FROM documents d{_and(where, unscored)}) WHERE (n + ?) % ? = 0",
                [*args, *uargs, n_scored, every],
            )
        ]
        return out

    def _count_part(self, part: Any) -> int:
        return int(part("", [], None, 0)[0][0])

    def _rows(self, rows: list[Any]) -> list[DocRow]:
        """Corpus-table rows, with each plugin's status, score, label and finding count."""
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
                if r[2] == "corpus" and r[3] == "error":
                    cur["status"] = "error"
                if r[4] is not None:
                    cur["score"] = r[4]
                if r[5] is not None:
                    cur["label"] = r[5]
                cur["findings"] += r[6] or 0
        return [
            DocRow(
                id=r[0],
                seq=r[1],
                title=r[2] or "",
                length=r[3] or 0,
                error=r[4],
                findings=r[5] or 0,
                results=per[r[0]],
                sort_key=r[6] if len(r) > 6 else None,
            )
            for r in rows
        ]

    def document(self, doc_id: str, *, members: int | None = None) -> DocumentView | None:
        """One document with everything known about it. ``members``: list at most that many
        members of each of its clusters (the most similar first); ``cluster_sizes`` has the
        full counts."""
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
        sized = self._clusters_of(doc_id, members)
        clusters = [c for c, _ in sized]
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
        sizes = {c.id: n for c, n in sized}
        return DocumentView(
            doc, row["error"], results, findings, clusters, mentions, edits, cluster_sizes=sizes
        )

    def clusters_of(self, doc_id: str, *, members: int | None = None) -> list[Cluster]:
        """The clusters ``doc_id`` belongs to, from the members index (not every cluster);
        with ``members``, at most that many members of each, the most similar first."""
        return [c for c, _ in self._clusters_of(doc_id, members)]

    def _clusters_of(self, doc_id: str, members: int | None) -> list[tuple[Cluster, int]]:
        from textmill.model import ClusterMember

        out = []
        for r in self.conn.execute(
            "SELECT c.* FROM cluster_members m JOIN clusters c ON c.id = m.cluster_id "
            "WHERE m.doc_id = ? ORDER BY c.id",
            (doc_id,),
        ).fetchall():
            listed = tuple(
                ClusterMember(m[0], m[1])
                for m in self.conn.execute(
                    "SELECT doc_id, similarity FROM cluster_members WHERE cluster_id=? "
                    "ORDER BY similarity DESC, doc_id LIMIT ?",
                    (r["id"], -1 if members is None else members),
                )
            )
            cluster = Cluster(
                r["id"], r["kind"], listed, r["representative"], r["plugin"], loads(r["data"]) or {}
            )
            out.append((cluster, int(r["size"] if r["size"] is not None else len(listed))))
        return out

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
        if not doc_id:
            return self.corpus.alignments(cluster_id)
        # One document's alignments from the align_a and align_b indexes.
        rows = self.conn.execute(
            "SELECT rowid AS n, * FROM alignments WHERE doc_a = ? UNION ALL "
            "SELECT rowid AS n, * FROM alignments WHERE doc_b = ? AND doc_a != ? ORDER BY n",
            (doc_id, doc_id, doc_id),
        ).fetchall()
        return [
            alignment_from_row(r)
            for r in rows
            if cluster_id is None or r["cluster_id"] == cluster_id
        ]

    def entities(
        self,
        *,
        search: str | None = None,
        type: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Entities of the index, the most mentioned first (ties by name), a page at a time
        (the entities_rank index); ``search`` matches part of the name, or a KB id or id."""
        where, args = self._entity_where(search, type)
        rows = self.conn.execute(
            f"SELECT * FROM entities{where} ORDER BY mention_count DESC, name LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return [dict(r) | {"data": loads(r["data"]) or {}} for r in rows]

    def entity(self, entity_id: str) -> Entity | None:
        return self.corpus.entity(entity_id)

    # --- paged lists: clusters, members, entities, mentions -----------------------------------

    def cluster_kinds(self) -> list[tuple[str, int]]:
        """``(kind, number of clusters)`` for each kind in the run, exact, near, story and event
        first (counted from the clusters_kind index)."""
        rows = self.conn.execute("SELECT kind, COUNT(*) FROM clusters GROUP BY kind").fetchall()
        rank = {k: i for i, k in enumerate(CLUSTER_KINDS)}
        return sorted(
            ((k or "", int(n)) for k, n in rows),
            key=lambda kn: (rank.get(kn[0], len(rank)), kn[0]),
        )

    _CLUSTER_COLS = (
        "SELECT c.id, c.kind, c.size, c.representative, c.plugin, d.title FROM clusters c "
        "LEFT JOIN documents d ON d.id = c.representative"
    )

    def cluster_rows(self, kind: str, *, offset: int = 0, limit: int = 100) -> list[ClusterRow]:
        """Clusters of ``kind``, the largest first (ties by id), a page at a time from the
        clusters_kind index, with the representative's title."""
        rows = self.conn.execute(
            f"{self._CLUSTER_COLS} WHERE c.kind = ? ORDER BY c.size DESC, c.id LIMIT ? OFFSET ?",
            (kind, limit, offset),
        ).fetchall()
        return [_cluster_row(r) for r in rows]

    def cluster_row(self, cluster_id: str) -> ClusterRow | None:
        row = self.conn.execute(f"{self._CLUSTER_COLS} WHERE c.id = ?", (cluster_id,)).fetchone()
        return _cluster_row(row) if row else None

    def cluster_members(
        self, cluster_id: str, *, offset: int = 0, limit: int = 100
    ) -> list[MemberRow]:
        """Members of a cluster, the most similar to the representative first (ties by id),
        a page at a time from the members_rank index, with their titles."""
        rows = self.conn.execute(
            "SELECT m.doc_id, m.similarity, d.title FROM cluster_members m "
            "LEFT JOIN documents d ON d.id = m.doc_id WHERE m.cluster_id = ? "
            "ORDER BY m.similarity DESC, m.doc_id LIMIT ? OFFSET ?",
            (cluster_id, limit, offset),
        ).fetchall()
        return [MemberRow(r[0], float(r[1] or 0.0), r[2] or "") for r in rows]

    def titles(self, doc_ids: list[str]) -> dict[str, str]:
        """The titles of some documents (those without one are left out)."""
        out: dict[str, str] = {}
        for chunk in chunks(doc_ids, 900):
            marks = ",".join("?" * len(chunk))
            for doc_id, title in self.conn.execute(
                f"SELECT id, title FROM documents WHERE id IN ({marks})", chunk
            ):
                if title:
                    out[doc_id] = title
        return out

    def _entity_where(self, search: str | None, type: str | None) -> tuple[str, list[Any]]:
        clauses, args = [], []
        if search:
            clauses.append("(name LIKE ? ESCAPE '\\' OR kb_id = ? OR id = ?)")
            like = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            args += [f"%{like}%", search, search]
        if type:
            clauses.append("type = ?")
            args.append(type)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def entity_count(self, *, search: str | None = None, type: str | None = None) -> int:
        where, args = self._entity_where(search, type)
        return int(self.conn.execute(f"SELECT COUNT(*) FROM entities{where}", args).fetchone()[0])

    def entity_row(self, entity_id: str) -> dict[str, Any] | None:
        """One entity of the index as :meth:`entities` lists it, without its mentions."""
        row = self.conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return dict(row) | {"data": loads(row["data"]) or {}} if row else None

    def mentions(
        self, entity_id: str, *, offset: int = 0, limit: int = 100, context: int = 60
    ) -> list[MentionRow]:
        """Mentions of an entity in store order, a page at a time from the mentions_entity
        index, each with up to ``context`` characters of the document on either side."""
        rows = self.conn.execute(
            'SELECT m.doc_id, d.title, m.start, m."end", m.text, m.label, '
            "substr(COALESCE(d.text, d.raw), max(1, m.start + 1 - ?), min(m.start, ?)), "
            'substr(COALESCE(d.text, d.raw), m."end" + 1, ?) '
            "FROM mentions m LEFT JOIN documents d ON d.id = m.doc_id "
            "WHERE m.entity_id = ? ORDER BY m.rowid LIMIT ? OFFSET ?",
            (context, context, context, entity_id, limit, offset),
        ).fetchall()
        return [
            MentionRow(
                r[0],
                r[1] or "",
                int(r[2]),
                int(r[3]),
                r[4] or "",
                r[5] or "",
                _words_before(r[6] or "", whole=int(r[2]) <= context),
                _words_after(r[7] or ""),
            )
            for r in rows
        ]

    def entity_documents(
        self, entity_id: str, *, exclude: str | None = None, limit: int = 200
    ) -> list[tuple[str, str]]:
        """``(doc id, title)`` of up to ``limit`` documents that mention an entity, in store
        order; the scan of its mentions stops once that many are found."""
        rows = self.conn.execute(
            "SELECT u.doc_id, d.title FROM (SELECT DISTINCT doc_id FROM mentions "
            "WHERE entity_id = ? AND doc_id IS NOT ? LIMIT ?) u "
            "LEFT JOIN documents d ON d.id = u.doc_id",
            (entity_id, exclude, limit),
        ).fetchall()
        return [(r[0], r[1] or "") for r in rows]


def _cluster_row(r: Any) -> ClusterRow:
    return ClusterRow(r[0], r[1] or "", int(r[2] or 0), r[3] or "", r[4] or "", r[5] or "")


def _words_before(text: str, whole: bool) -> str:
    """The end of ``text`` on one line, from a word boundary (``whole``: it starts the document)."""
    flat = " ".join(text.split())
    if not whole and " " in flat and not text[:1].isspace():
        flat = flat.split(" ", 1)[1]  # the first word was cut
    return flat + (" " if text[-1:].isspace() else "")


def _words_after(text: str) -> str:
    """The start of ``text`` on one line, up to a word boundary."""
    flat = " ".join(text.split())
    if " " in flat and not text[-1:].isspace():
        flat = flat.rsplit(" ", 1)[0]  # the last word was cut
    return (" " if text[:1].isspace() else "") + flat


def _key_row(
    *,
    id: str = "",
    seq: int = 0,
    title: str = "",
    length: int = 0,
    findings: int = 0,
    sort_key: Any = None,
) -> DocRow:
    """A row that holds only what :meth:`Query.page` continues an order from."""
    return DocRow(id, seq, title, length, None, findings, {}, sort_key)


def _run(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "started": row["started"],
        "finished": row["finished"],
        "status": row["status"],
        "config": loads(row["config"]) or {},
        "summary": loads(row["summary"]) or {},
    }
