"""Reading what corpus hooks made: clusters with their members, alignments, entities with their
mentions. Each list is read in one statement per table (members and mentions are grouped in
Python), not one statement per cluster or entity."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from textmill.model import Alignment, Cluster, ClusterMember, Entity, Mention, Span
from textmill.store.db import chunks, loads, marks, plain


def _cluster(r: Any, members: tuple[ClusterMember, ...]) -> Cluster:
    return Cluster(
        r["id"], r["kind"], members, r["representative"], r["plugin"], loads(r["data"]) or {}
    )


def clusters(conn: sqlite3.Connection, kind: str | None = None) -> list[Cluster]:
    """Every cluster (of ``kind``), by id, each with its members, the most similar first."""
    where = " WHERE kind = ?" if kind else ""
    args = (kind,) if kind else ()
    rows = conn.execute(f"SELECT * FROM clusters{where} ORDER BY id", args).fetchall()
    members: dict[str, list[ClusterMember]] = {r["id"]: [] for r in rows}
    # One walk of the members_rank index gives every cluster's members in their order.
    sql = (
        "SELECT m.cluster_id, m.doc_id, m.similarity FROM cluster_members m"
        + (" JOIN clusters c ON c.id = m.cluster_id WHERE c.kind = ?" if kind else "")
        + " ORDER BY m.cluster_id, m.similarity DESC, m.doc_id"
    )
    for cluster_id, doc_id, similarity in plain(conn).execute(sql, args):
        listed = members.get(cluster_id)
        if listed is not None:
            listed.append(ClusterMember(doc_id, similarity))
    return [_cluster(r, tuple(members[r["id"]])) for r in rows]


def cluster(conn: sqlite3.Connection, cluster_id: str) -> Cluster | None:
    """One cluster with all its members."""
    row = conn.execute("SELECT * FROM clusters WHERE id = ?", (cluster_id,)).fetchone()
    if row is None:
        return None
    return _cluster(row, tuple(members_of(conn, [cluster_id], None)[cluster_id]))


def members_of(
    conn: sqlite3.Connection, cluster_ids: Sequence[str], limit: int | None
) -> dict[str, list[ClusterMember]]:
    """The members of some clusters, the most similar first (at most ``limit`` each)."""
    out: dict[str, list[ClusterMember]] = {c: [] for c in cluster_ids}
    cur = plain(conn)
    if limit is None:
        for chunk in chunks(list(cluster_ids)):
            for cid, doc_id, sim in cur.execute(
                "SELECT cluster_id, doc_id, similarity FROM cluster_members "
                f"WHERE cluster_id IN ({marks(chunk)}) "
                "ORDER BY cluster_id, similarity DESC, doc_id",
                chunk,
            ):
                out[cid].append(ClusterMember(doc_id, sim))
        return out
    for cid in cluster_ids:  # a few members of each: one short index walk per cluster
        out[cid] = [
            ClusterMember(doc_id, sim)
            for doc_id, sim in cur.execute(
                "SELECT doc_id, similarity FROM cluster_members WHERE cluster_id=? "
                "ORDER BY similarity DESC, doc_id LIMIT ?",
                (cid, limit),
            )
        ]
    return out


def clusters_of(
    conn: sqlite3.Connection, doc_ids: Sequence[str], members: int | None
) -> dict[str, list[tuple[Cluster, int]]]:
    """The clusters each document belongs to (by id), with at most ``members`` members each
    (all when ``None``) and each cluster's full size."""
    out: dict[str, list[tuple[Cluster, int]]] = {d: [] for d in doc_ids}
    pairs: list[tuple[str, Any]] = []
    for chunk in chunks(list(doc_ids)):
        pairs += [
            (r["member"], r)
            for r in conn.execute(
                "SELECT m.doc_id AS member, c.* FROM cluster_members m "
                "JOIN clusters c ON c.id = m.cluster_id "
                f"WHERE m.doc_id IN ({marks(chunk)}) ORDER BY m.doc_id, c.id",
                chunk,
            )
        ]
    ids = list(dict.fromkeys(r["id"] for _, r in pairs))
    listed = members_of(conn, ids, members)
    built: dict[str, tuple[Cluster, int]] = {}
    for doc_id, r in pairs:
        got = built.get(r["id"])
        if got is None:
            ms = tuple(listed[r["id"]])
            size = int(r["size"] if r["size"] is not None else len(ms))
            got = built[r["id"]] = (_cluster(r, ms), size)
        out[doc_id].append(got)
    return out


def alignment_from_row(r: Any) -> Alignment:
    """An :class:`Alignment` from a row of the ``alignments`` table."""
    return Alignment(
        r["cluster_id"],
        r["doc_a"],
        Span(r["a_start"], r["a_end"]),
        r["doc_b"],
        Span(r["b_start"], r["b_end"]),
        r["score"],
        loads(r["data"]) or {},
    )


def alignments(
    conn: sqlite3.Connection, cluster_id: str | None = None, doc_id: str | None = None
) -> list[Alignment]:
    """Alignments, of one cluster and/or one document (from the align_a and align_b indexes)."""
    if doc_id is None:
        where = " WHERE cluster_id=?" if cluster_id else ""
        rows = conn.execute(
            f"SELECT * FROM alignments{where}", (cluster_id,) if cluster_id else ()
        ).fetchall()
        return [alignment_from_row(r) for r in rows]
    rows = conn.execute(
        "SELECT rowid AS n, * FROM alignments WHERE doc_a = ? UNION ALL "
        "SELECT rowid AS n, * FROM alignments WHERE doc_b = ? AND doc_a != ? ORDER BY n",
        (doc_id, doc_id, doc_id),
    ).fetchall()
    return [
        alignment_from_row(r) for r in rows if cluster_id is None or r["cluster_id"] == cluster_id
    ]


def alignments_of(conn: sqlite3.Connection, doc_ids: Sequence[str]) -> dict[str, list[Alignment]]:
    """The alignments each document is a side of (by id), in the order they were written; an
    alignment of two listed documents is in both lists."""
    out: dict[str, list[Alignment]] = {d: [] for d in doc_ids}
    for chunk in chunks(list(doc_ids)):
        m = marks(chunk)
        for r in conn.execute(
            f"SELECT rowid AS n, doc_a AS owner, * FROM alignments WHERE doc_a IN ({m}) "
            f"UNION ALL SELECT rowid AS n, doc_b AS owner, * FROM alignments "
            f"WHERE doc_b IN ({m}) AND doc_b != doc_a ORDER BY owner, n",
            [*chunk, *chunk],
        ):
            out[r["owner"]].append(alignment_from_row(r))
    return out


def _entity(r: Any, mentions: tuple[Mention, ...]) -> Entity:
    return Entity(
        r["id"],
        r["name"],
        r["type"],
        mentions,
        r["kb_id"],
        r["description"] or "",
        r["plugin"],
        loads(r["data"]) or {},
    )


def _mention(r: Sequence[Any]) -> Mention:
    return Mention(r[0], Span(r[1], r[2]), r[3], r[4])


def entities(conn: sqlite3.Connection) -> list[Entity]:
    """The entity index, the most mentioned first (ties by id), each with its mentions in the
    order they were stored."""
    rows = conn.execute("SELECT * FROM entities ORDER BY mention_count DESC, id").fetchall()
    mentions: dict[str, list[Mention]] = {r["id"]: [] for r in rows}
    for r in plain(conn).execute(
        'SELECT entity_id, doc_id, start, "end", text, label FROM mentions ORDER BY rowid'
    ):
        listed = mentions.get(r[0])
        if listed is not None:
            listed.append(_mention(r[1:]))
    return [_entity(r, tuple(mentions[r["id"]])) for r in rows]


def entity(conn: sqlite3.Connection, entity_id: str) -> Entity | None:
    """One entity with its mentions, by primary key (no scan of the index)."""
    row = conn.execute("SELECT * FROM entities WHERE id=?", (entity_id,)).fetchone()
    if row is None:
        return None
    found = plain(conn).execute(
        'SELECT doc_id, start, "end", text, label FROM mentions WHERE entity_id=? ORDER BY rowid',
        (entity_id,),
    )
    return _entity(row, tuple(_mention(m) for m in found))
