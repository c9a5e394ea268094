"""Union-find over document numbers."""

from __future__ import annotations


class UnionFind:
    """Disjoint sets of document numbers. Only numbers that were joined are stored, so a
    corpus of a million documents with a few thousand copies costs a few thousand entries."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while (up := parent.get(root, root)) != root:
            root = up
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)
            self.parent.setdefault(lo, lo)
            self.parent[hi] = lo

    def groups(self) -> list[list[int]]:
        """Sets of two or more members, each in ascending order, by their smallest member."""
        out: dict[int, list[int]] = {}
        for i in sorted(self.parent):
            out.setdefault(self.find(i), []).append(i)
        return [g for g in out.values() if len(g) > 1]
