"""Reading clusters: the clusters list by kind, a cluster's members, and alignments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textmill.model import Alignment, Cluster
from textmill.store import outputs
from textmill.store.reads.base import Reader

CLUSTER_KINDS = ("exact", "near", "story", "event")  # the order the clusters list shows


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


class ClusterReads(Reader):
    def clusters(self, kind: str | None = None) -> list[Cluster]:
        """Every cluster (of ``kind``) by id, each with all its members."""
        return self.store.clusters(kind)

    def cluster(self, cluster_id: str) -> Cluster | None:
        return self.store.cluster(cluster_id)

    def alignments(
        self, cluster_id: str | None = None, doc_id: str | None = None
    ) -> list[Alignment]:
        """Alignments, of one cluster and/or one document."""
        return outputs.alignments(self._conn, cluster_id, doc_id)

    def cluster_kinds(self) -> list[tuple[str, int]]:
        """``(kind, number of clusters)`` for each kind in the run, exact, near, story and event
        first (counted from the clusters_kind index)."""
        rows = self._conn.execute("SELECT kind, COUNT(*) FROM clusters GROUP BY kind").fetchall()
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
        rows = self._conn.execute(
            f"{self._CLUSTER_COLS} WHERE c.kind = ? ORDER BY c.size DESC, c.id LIMIT ? OFFSET ?",
            (kind, limit, offset),
        ).fetchall()
        return [_cluster_row(r) for r in rows]

    def cluster_row(self, cluster_id: str) -> ClusterRow | None:
        row = self._conn.execute(f"{self._CLUSTER_COLS} WHERE c.id = ?", (cluster_id,)).fetchone()
        return _cluster_row(row) if row else None

    def cluster_members(
        self, cluster_id: str, *, offset: int = 0, limit: int = 100
    ) -> list[MemberRow]:
        """Members of a cluster, the most similar to the representative first (ties by id),
        a page at a time from the members_rank index, with their titles."""
        rows = self._conn.execute(
            "SELECT m.doc_id, m.similarity, d.title FROM cluster_members m "
            "LEFT JOIN documents d ON d.id = m.doc_id WHERE m.cluster_id = ? "
            "ORDER BY m.similarity DESC, m.doc_id LIMIT ? OFFSET ?",
            (cluster_id, limit, offset),
        ).fetchall()
        return [MemberRow(r[0], float(r[1] or 0.0), r[2] or "") for r in rows]


def _cluster_row(r: Any) -> ClusterRow:
    return ClusterRow(r[0], r[1] or "", int(r[2] or 0), r[3] or "", r[4] or "", r[5] or "")
