"""Reading documents: filters, sorted pages and positions for the corpus table, one document
with everything known about it, and documents in bulk for exports.

Everything is paged and filtered in SQL, so a million-document run costs no more to browse than
a five-document one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from textmill.errors import TextmillError
from textmill.model import Alignment, Cluster, Document, Edit, Finding, StageResult, to_dict
from textmill.store import outputs, search
from textmill.store.db import chunks, columns, marks, plain
from textmill.store.reads.base import Reader
from textmill.store.rows import (
    DocumentRow,
    ResultRow,
    document_from_row,
    merge_results,
    result_from_row,
    result_json,
)

SORTABLE = ("seq", "id", "title", "length", "findings")
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
    alignments: list[Alignment] = field(default_factory=list)  # sentence alignments it is a side of


FILTER_GRAMMAR = (
    "a filter is words to search for and any of plugin:NAME, "
    "status:ok|error|skipped|cached, severity:info|warning|error, code:CODE, cluster:ID, "
    'entity:ID, errors:yes|no, score<X, score>X, score<=X, score>=X (quote a word with a colon: "a:b")'
)
FILTER_KEYS = ("plugin", "status", "severity", "code", "cluster", "entity", "errors")
_CHOICES = {
    "status": ("ok", "error", "skipped", "cached"),
    "severity": ("info", "warning", "error"),
    "errors": ("yes", "no", "true", "false", "1", "0"),
}


class AmbiguousId(TextmillError):
    """A document reference that starts several ids."""


class FilterError(TextmillError):
    """A filter expression that does not follow the grammar; the message quotes it."""


def _filter_error(what: str) -> FilterError:
    return FilterError(f"{what}; {FILTER_GRAMMAR}")


def parse_filter(expr: str) -> Filter:
    """Parse a filter expression such as ``plugin:mt_artifacts severity:error score<0.5 kirby``.

    Keys: plugin, status, severity, code, cluster, entity, errors (yes/no); ``score>X``,
    ``score<X`` (or ``>=``, ``<=``); remaining words form the full-text search (a word in
    double quotes is searched for even with a colon). A token that looks like a key or a score
    bound but is not one (``bogus:thing``, ``score<<0.5``) raises :class:`FilterError`, whose
    message gives the grammar.
    """
    import difflib

    kw: dict[str, Any] = {}
    words: list[str] = []
    for tok in expr.split():
        if tok.startswith('"'):
            words.append(tok)
            continue
        if re.match(r"score[<>=!]", tok):
            m = re.fullmatch(r"score([<>])=?(\d+(?:\.\d*)?|\.\d+)", tok)
            if m is None:
                raise _filter_error(f'"{tok}" is not a score bound such as score<0.5')
            kw["score_min" if m.group(1) == ">" else "score_max"] = float(m.group(2))
            continue
        key, sep, value = tok.partition(":")
        if not sep:
            words.append(tok)
            continue
        if key not in FILTER_KEYS:
            near = difflib.get_close_matches(key, [*FILTER_KEYS, "score"], n=1)
            hint = f' (did you mean "{near[0]}"?)' if near else ""
            raise _filter_error(f'"{tok}": "{key}" is not a filter key{hint}')
        if not value:
            raise _filter_error(f'"{tok}" gives no value for {key}')
        choices = _CHOICES.get(key)
        if choices and value.lower() not in choices:
            raise _filter_error(f'"{tok}": {key} is one of {"|".join(choices[:4])}')
        if key == "errors":
            kw["errors"] = value.lower() in ("yes", "true", "1")
        else:
            kw[key] = value.lower() if choices else value
    if words:
        kw["search"] = " ".join(words)
    return Filter(**kw)


def _and(where: str, *conds: str) -> str:
    """``where`` (empty or `` WHERE ...``) with more conditions."""
    parts = [where[len(" WHERE ") :]] if where else []
    parts += [c for c in conds if c]
    return (" WHERE " + " AND ".join(parts)) if parts else ""


class DocumentRecord(NamedTuple):
    """A document for an export: the document with its results in their JSON form
    (``to_dict`` of the merged results, in run order), its clusters (all members) and
    mentions and sentence alignments, as :class:`DocumentView` has them; and (:attr:`row`) its line of the corpus
    table."""

    stored: DocumentRow
    stored_results: list[ResultRow]
    doc: Document
    results: dict[str, dict[str, Any]]
    clusters: list[Cluster]
    mentions: list[dict[str, Any]]
    alignments: list[Alignment]

    @property
    def error(self) -> str | None:
        return self.stored.error

    @property
    def row(self) -> DocRow:
        return _table_row(self.stored, self.stored_results)


_DOC_COLUMNS = columns(DocumentRow._fields, "d.")
_RESULT_COLUMNS = columns(ResultRow._fields)


class DocumentReads(Reader):
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
            cond, cargs = search.condition(f.search)
            clauses.append(cond)
            args.extend(cargs)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def count(self, f: Filter | None = None, *, limit: int | None = None) -> int:
        """Documents matching ``f``. With ``limit``, counting stops there (the answer is at
        most ``limit``), so a filter with many matches answers at once; without a filter the
        count is exact either way (it comes from the table's b-tree)."""
        where, args = self._where(f or Filter())
        if limit is not None and where:
            sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM documents d{where} LIMIT ?)"
            return int(self._conn.execute(sql, [*args, limit]).fetchone()[0])
        return int(
            self._conn.execute(f"SELECT COUNT(*) FROM documents d{where}", args).fetchone()[0]
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
        return self._conn.execute(
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
                return self._conn.execute(f"SELECT COUNT(*) {sql}", [plugin, *args]).fetchall()
            return self._conn.execute(
                f"SELECT {self._COLS}, r.score {sql} "
                f"ORDER BY r.score {direction}, r.doc_id {direction} LIMIT ? OFFSET ?",
                [plugin, *args, *cargs, lim, off],
            ).fetchall()

        def part_unscored(cond: str, cargs: list[Any], lim: int | None, off: int) -> list[Any]:
            if unscored is None:  # every document has a score
                return [(0,)] if lim is None else []
            sql = f"FROM documents d{_and(where, unscored, cond)}"
            if lim is None:
                return self._conn.execute(f"SELECT COUNT(*) {sql}", [*args, *uargs]).fetchall()
            return self._conn.execute(
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
        one = self._conn.execute
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
            if self._conn.execute(
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
        rows = self._conn.execute(
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
            for r in self._conn.execute(
                f"SELECT * FROM (SELECT r.score, r.doc_id, ROW_NUMBER() OVER (ORDER BY r.score "
                f"{direction}, r.doc_id {direction}) AS n {scored_from}) WHERE n % ? = 0",
                [plugin, *args, every],
            )
        ]
        unscored, uargs = self._unscored(plugin)
        if unscored is None:
            return out
        n_scored = int(
            self._conn.execute(f"SELECT COUNT(*) {scored_from}", [plugin, *args]).fetchone()[0]
        )
        out += [
            _key_row(seq=r[0])
            for r in self._conn.execute(
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
            for r in self._conn.execute(
                "SELECT doc_id, plugin, phase, status, score, label, n_findings FROM results "
                f"WHERE doc_id IN ({marks(ids)}) ORDER BY phase DESC",
                ids,
            ):
                _summarize(per[r[0]], r[1], r[2], r[3], r[4], r[5], r[6])
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
        rows = self._document_rows("d.id = ?", [doc_id])
        if not rows:
            return None
        return self._views(rows, self._load(rows, members), self.plugins())[0]

    def clusters_of(self, doc_id: str, *, members: int | None = None) -> list[Cluster]:
        """The clusters ``doc_id`` belongs to, from the members index (not every cluster);
        with ``members``, at most that many members of each, the most similar first."""
        return [c for c, _ in outputs.clusters_of(self._conn, [doc_id], members)[doc_id]]

    def _document_rows(self, where: str, args: Sequence[Any]) -> list[DocumentRow]:
        sql = f"SELECT {_DOC_COLUMNS} FROM documents d WHERE {where}"
        return [DocumentRow._make(r) for r in plain(self._conn).execute(sql, args)]

    def _load(self, rows: list[DocumentRow], members: int | None = None) -> _Loaded:
        """What is known about some documents besides their rows, read for all of them at
        once: their results, clusters, mentions and alignments, each in one statement per chunk of ids."""
        ids = [r.id for r in rows]
        results: dict[str, list[ResultRow]] = {i: [] for i in ids}
        mentions: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        cur = plain(self._conn)
        for chunk in chunks(ids):
            # In the primary key's order (no sort): by document, plugin and phase.
            for t in cur.execute(
                f"SELECT {_RESULT_COLUMNS} FROM results WHERE doc_id IN ({marks(chunk)}) "
                "ORDER BY doc_id, plugin, phase",
                chunk,
            ):
                stored = ResultRow._make(t)
                results[stored.doc_id].append(stored)
            for m in cur.execute(
                'SELECT m.doc_id, m.entity_id, m.start, m."end", m.text, m.label, e.name, '
                "e.kb_id, e.type FROM mentions m JOIN entities e ON e.id = m.entity_id "
                f"WHERE m.doc_id IN ({marks(chunk)}) ORDER BY m.doc_id, m.start, m.rowid",
                chunk,
            ):
                mentions[m[0]].append(
                    {
                        "entity_id": m[1],
                        "start": m[2],
                        "end": m[3],
                        "text": m[4],
                        "label": m[5],
                        "name": m[6],
                        "kb_id": m[7],
                        "type": m[8],
                    }
                )
        return _Loaded(
            results,
            mentions,
            outputs.clusters_of(self._conn, ids, members),
            outputs.alignments_of(self._conn, ids),
        )

    def _views(
        self, rows: list[DocumentRow], loaded: _Loaded, order: list[str]
    ) -> list[DocumentView]:
        rank = {p: i for i, p in enumerate(order)}
        out = []
        for r in rows:
            phases: dict[str, dict[str, StageResult]] = {}
            for res in loaded.results[r.id]:
                phases.setdefault(res.plugin, {})[res.phase] = result_from_row(res)
            merged: dict[str, StageResult] = {}
            for p in sorted(phases, key=lambda p: rank.get(p, len(rank))):
                m = merge_results(phases[p].get("doc"), phases[p].get("corpus"))
                if m is not None:
                    merged[p] = m
            doc = document_from_row(r)
            view = _view(doc, r.error, merged, loaded.clusters[r.id], loaded.mentions[r.id])
            view.alignments = loaded.alignments[r.id]
            out.append(view)
        return out

    def resolve_id(self, ref: str) -> str | None:
        """A document id from an exact id, a unique id prefix, or a sequence number; ``None``
        when nothing matches. A prefix of several ids that is not a sequence number raises
        :class:`AmbiguousId`, naming a few of them."""
        if self._conn.execute("SELECT 1 FROM documents WHERE id=?", (ref,)).fetchone():
            return ref
        shown = 3
        rows = self._conn.execute(
            "SELECT id FROM documents WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
            (ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", shown + 1),
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if ref.isdigit():
            row = self._conn.execute("SELECT id FROM documents WHERE seq=?", (int(ref),)).fetchone()
            if row:
                return str(row[0])
        if rows:
            ids = ", ".join(f'"{r[0]}"' for r in rows[:shown])
            more = ", …" if len(rows) > shown else ""
            raise AmbiguousId(
                f'document "{ref}" is ambiguous: ids starting with it include {ids}{more}; '
                "give more of the id"
            )
        return None

    def iter_records(self, f: Filter | None = None, batch: int = 500) -> Iterator[DocumentRecord]:
        """Every matching document for an export, in ``seq`` order: pages of the documents
        table walked by key (each costs the same wherever it starts), each page's results,
        clusters and mentions read in bulk, and results given in their JSON form straight
        from their stored rows."""
        rank = {p: i for i, p in enumerate(self.plugins())}
        orders: dict[tuple[str, ...], list[str]] = {}  # plugins as stored -> in run order
        for rows in self._pages(f, batch):
            loaded = self._load(rows)
            for r in rows:
                stored = loaded.results[r.id]
                by_plugin: dict[str, list[ResultRow]] = {}
                for res in stored:
                    by_plugin.setdefault(res.plugin, []).append(res)
                names = tuple(by_plugin)
                order = orders.get(names)
                if order is None:
                    order = orders[names] = sorted(names, key=lambda p: rank.get(p, len(rank)))
                results = {}
                for p in order:
                    phases = by_plugin[p]
                    if len(phases) == 1:
                        results[p] = result_json(phases[0])
                    else:  # doc and corpus phases, merged as objects
                        got = {res.phase: result_from_row(res) for res in phases}
                        results[p] = to_dict(merge_results(got.get("doc"), got.get("corpus")))
                yield DocumentRecord(
                    r,
                    stored,
                    document_from_row(r),
                    results,
                    [c for c, _ in loaded.clusters[r.id]],
                    loaded.mentions[r.id],
                    loaded.alignments[r.id],
                )

    def iter_documents(self, f: Filter | None = None, batch: int = 500) -> Iterator[DocumentView]:
        """Every matching document in full, in ``seq`` order (pages walked as :meth:`iter_records` walks them)."""
        order = self.plugins()
        for rows in self._pages(f, batch):
            yield from self._views(rows, self._load(rows), order)

    def _pages(self, f: Filter | None, batch: int) -> Iterator[list[DocumentRow]]:
        """The matching documents' rows in ``seq`` order, ``batch`` at a time, each page read
        from the last ``seq`` of the one before."""
        where, args = self._where(f or Filter(), ordered=True)
        cond = _and(where, "d.seq > ?")[len(" WHERE ") :]
        last = 0
        while True:
            rows = self._document_rows(f"{cond} ORDER BY d.seq LIMIT ?", [*args, last, batch])
            if rows:
                yield rows
            if len(rows) < batch:
                return
            last = rows[-1].seq

    def iter_rows(self, f: Filter | None = None, batch: int = 1000) -> Iterator[DocRow]:
        """Every matching document as the corpus table shows it, in ``seq`` order, a page at a
        time from the last row of the page before."""
        after: DocRow | None = None
        while True:
            page = self.page(f, after=after, limit=batch, with_total=False)
            yield from page.rows
            if len(page.rows) < batch:
                return
            after = page.rows[-1]

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
        rows = self._conn.execute(
            f"SELECT * FROM findings{where} ORDER BY doc_id, start LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return [dict(r) for r in rows]

    def titles(self, doc_ids: list[str]) -> dict[str, str]:
        """The titles of some documents (those without one are left out)."""
        out: dict[str, str] = {}
        for chunk in chunks(doc_ids):
            for doc_id, title in self._conn.execute(
                f"SELECT id, title FROM documents WHERE id IN ({marks(chunk)})", chunk
            ):
                if title:
                    out[doc_id] = title
        return out


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


class _Loaded(NamedTuple):
    """What :meth:`DocumentReads._load` read about a page of documents, by document id."""

    results: dict[str, list[ResultRow]]  # by plugin, then phase
    mentions: dict[str, list[dict[str, Any]]]
    clusters: dict[str, list[tuple[Cluster, int]]]  # with each cluster's full size
    alignments: dict[str, list[Alignment]]


def _table_row(r: DocumentRow, results: list[ResultRow]) -> DocRow:
    """A document's line of the corpus table from its row and its results."""
    summary: dict[str, dict[str, Any]] = {}
    # Each plugin's doc phase before its corpus phase: the order the summary merges in.
    for res in sorted(results, key=lambda res: (res.plugin, res.phase != "doc")):
        _summarize(summary, res.plugin, res.phase, res.status, res.score, res.label, res.n_findings)
    return DocRow(r.id, r.seq, r.title or "", r.length or 0, r.error, r.n_findings or 0, summary)


def _summarize(
    into: dict[str, dict[str, Any]],
    plugin: str,
    phase: str,
    status: str,
    score: float | None,
    label: str | None,
    n_findings: int | None,
) -> None:
    """Add one result row (doc phase first, then corpus) to a corpus-table summary: the doc
    phase's status unless the corpus phase failed, the last score and label set, and the
    findings of both."""
    cur = into.setdefault(plugin, {"status": status, "score": None, "label": None, "findings": 0})
    if phase == "corpus" and status == "error":
        cur["status"] = "error"
    if score is not None:
        cur["score"] = score
    if label is not None:
        cur["label"] = label
    cur["findings"] += n_findings or 0


def _view(
    doc: Document,
    error: str | None,
    results: dict[str, StageResult],
    sized: list[tuple[Cluster, int]],
    mentions: list[dict[str, Any]],
) -> DocumentView:
    findings = [f for r in results.values() for f in r.findings]
    findings.sort(key=lambda f: (f.span.start if f.span else -1, f.plugin))
    edits = [e for r in results.values() if r.stage == "clean" for e in r.edits]
    edits.sort(key=lambda e: e.span.start)
    return DocumentView(
        doc,
        error,
        results,
        findings,
        [c for c, _ in sized],
        mentions,
        edits,
        cluster_sizes={c.id: n for c, n in sized},
    )
