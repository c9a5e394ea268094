"""Reading the entity index: entities a page at a time, an entity's mentions in context, and
the documents that mention it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textmill.model import Entity
from textmill.store.db import loads
from textmill.store.reads.base import Reader


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


class EntityReads(Reader):
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
        rows = self._conn.execute(
            f"SELECT * FROM entities{where} ORDER BY mention_count DESC, name LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return [dict(r) | {"data": loads(r["data"]) or {}} for r in rows]

    def entity(self, entity_id: str) -> Entity | None:
        return self.store.entity(entity_id)

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
        return int(self._conn.execute(f"SELECT COUNT(*) FROM entities{where}", args).fetchone()[0])

    def entity_row(self, entity_id: str) -> dict[str, Any] | None:
        """One entity of the index as :meth:`entities` lists it, without its mentions."""
        row = self._conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return dict(row) | {"data": loads(row["data"]) or {}} if row else None

    def mentions(
        self, entity_id: str, *, offset: int = 0, limit: int = 100, context: int = 60
    ) -> list[MentionRow]:
        """Mentions of an entity in store order, a page at a time from the mentions_entity
        index, each with up to ``context`` characters of the document on either side."""
        rows = self._conn.execute(
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
        rows = self._conn.execute(
            "SELECT u.doc_id, d.title FROM (SELECT DISTINCT doc_id FROM mentions "
            "WHERE entity_id = ? AND doc_id IS NOT ? LIMIT ?) u "
            "LEFT JOIN documents d ON d.id = u.doc_id",
            (entity_id, exclude, limit),
        ).fetchall()
        return [(r[0], r[1] or "") for r in rows]


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
