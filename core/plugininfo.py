"""How a plugin describes itself: name, version, settings, and what it needs and makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PluginInfo:
    """Returned by a plugin's ``textmill_plugin_info`` hook.

    - ``settings``: a dataclass *type* whose fields (with defaults, and an optional
      ``metadata={"doc": "..."}``) are the plugin's settings. ``config.toml``'s
      ``[plugins.NAME]`` table is validated against it and an instance is passed to every hook.
    - ``requires``/``provides``: names of artifacts the per-document hook needs/makes, such as
      ``"text"``, ``"quality.score"``, ``"entities"``.
    - ``corpus_requires``/``corpus_provides``: the same for the corpus hook, e.g. a cross-version
      check requires ``"clusters"`` and ``"alignments"``.
    - ``uses``: artifacts used when present but not required; the engine orders the plugin after
      their providers when they are in the chain.
    - ``corpus_uses``: the same for the corpus hook only (e.g. cross-version checks use dedup's
      ``clusters`` when dedup is in the chain, and do nothing otherwise).
    - ``parses``: the spaCy annotations the per-document hook reads from ``ctx.parsed``, the
      document's shared parse (some of ``"entities"``, ``"sentences"``, ``"tags"``,
      ``"dependencies"``; see :mod:`textmill.parse`). The engine parses each document once, with
      what the segment's plugins declared.
    """

    name: str
    version: str = "0"
    description: str = ""
    settings: type | None = None
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    corpus_requires: tuple[str, ...] = ()
    corpus_provides: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    corpus_uses: tuple[str, ...] = ()
    parses: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
