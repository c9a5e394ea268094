"""What a hook can see besides its document: earlier results and the corpus."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from textmill.memo import Memo
from textmill.model import Alignment, Cluster, Document, Entity, StageResult


@dataclass(frozen=True)
class DocContext:
    """Passed to per-document hooks.

    - ``results``: this document's results from plugins that ran earlier in the chain, by
      plugin name (including corpus hooks' per-document results, e.g. dedup's clusters).
    - ``prepared``: what this plugin's own ``textmill_prepare`` hook returned for the corpus.
    - ``run_id``: the current run.
    - ``parsed``: the document's shared spaCy parse (a :class:`textmill.parse.Parsed`) when the
      plugin declared ``parses``, else ``None``. Plugins called outside a run parse the text
      themselves (:func:`textmill.parse.parse_text`).
    """

    results: Mapping[str, StageResult] = field(default_factory=dict)
    prepared: Any = None
    run_id: str = ""
    parsed: Any = None

    def result(self, plugin: str) -> StageResult | None:
        return self.results.get(plugin)


class Corpus(Protocol):
    """A read-only, streaming view of the corpus given to corpus and prepare hooks.

    Iteration reads from the run store page by page, so memory stays bounded. ``memo`` keeps
    what a corpus hook worked out for its next run (see :mod:`textmill.memo`).
    """

    memo: Memo

    def __len__(self) -> int: ...

    def documents(self) -> Iterator[Document]:
        """Every document, in id order (``text`` is the cleaned text once the clean stage ran)."""
        ...

    def document(self, doc_id: str) -> Document | None: ...

    def results(self, plugin: str) -> Iterator[StageResult]:
        """Every stored per-document result of ``plugin``."""
        ...

    def result(self, doc_id: str, plugin: str) -> StageResult | None: ...

    def clusters(self, kind: str | None = None) -> list[Cluster]: ...

    def alignments(self, cluster_id: str | None = None) -> list[Alignment]: ...

    def entities(self) -> list[Entity]: ...
