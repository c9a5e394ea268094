"""Cluster ids derived from content, so that they are the same in every run.

A cluster's id is its kind and a digest of its kind and its anchor, its smallest member id (in
string order). The same input gives the same ids whatever the hash seed or document order, a
document that joins no cluster renumbers nothing, and a cluster keeps its id while it gains or
loses members other than its anchor. Members of one kind's clusters are disjoint, so two
clusters of a kind never share an anchor; anchors whose digests collide get ``-2``, ``-3``…
in anchor order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

DIGITS = 12  # 48 bits: even ten million clusters of one kind rarely hold a colliding pair


def cluster_ids(kind: str, anchors: Iterable[str]) -> dict[str, str]:
    """The id of each cluster of ``kind``, by its anchor (smallest member id)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for anchor in sorted(set(anchors)):
        digest = hashlib.blake2b(
            f"{kind}\0{anchor}".encode("utf-8", "surrogatepass"), digest_size=DIGITS // 2
        ).hexdigest()
        cid, k = f"{kind}-{digest}", 1
        while cid in used:
            k += 1
            cid = f"{kind}-{digest}-{k}"
        used.add(cid)
        out[anchor] = cid
    return out
