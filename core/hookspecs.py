"""The hook specifications every textmill plugin implements a subset of.

There is one marker name, ``textmill``. Plugins decorate functions with
``textmill.hookimpl`` and name them after the hooks below. The engine calls each plugin's
implementation itself, in config order, so that every result is attributed to its plugin,
timed, cached and isolated when it fails.

Per-document hooks receive ``doc`` (a :class:`~textmill.model.Document`), ``settings`` (an
instance of the plugin's settings dataclass, or ``None``) and ``ctx`` (a
:class:`~textmill.context.DocContext`), and return a :class:`~textmill.model.Result` or ``None``
(nothing to report). Corpus hooks receive ``corpus`` (a :class:`~textmill.context.Corpus`) and
``settings`` and return a :class:`~textmill.model.CorpusResult` or ``None``. A corpus hook is a
barrier: it runs after the per-document hooks of its stage have seen every document, and later
hooks see what it made.

A corpus hook runs again whenever anything it could see changed, so one changed document makes
it run over the whole corpus. To keep that cheap, it can keep what it works out per document,
pair or cluster in ``corpus.memo`` (see :mod:`textmill.memo`): ``corpus.memo(key, compute)``
gives back the value kept under ``key`` in an earlier run, or computes and keeps it. The key
must name everything the value depends on (e.g. the hash of a document's text); the engine adds
the plugin's version and settings, and drops what the hook did not ask for in its last run.

Every hook runs under ``[run] timeout``: a per-document hook (and ``textmill_prepared_part``)
on one document, a prepare or corpus hook ``[run] timeout`` seconds for each document of the
corpus. A hook that raises or runs out of time gives an error: for a per-document hook or a
prepared part, the result of that (document, plugin) pair; for a prepare or corpus hook, a
corpus error of the plugin, the rest of the run going on. A corpus hook that failed has made
nothing for any document: they keep the plugin's per-document results, but its clusters,
alignments, entities and corpus-phase results of an earlier run are dropped (as a fresh run
would have none), later steps that use them see none, and the next run tries it again.
"""

from __future__ import annotations

from typing import Any

import pluggy
from textmill.context import Corpus, DocContext
from textmill.model import CorpusResult, Document, Result, StageResult
from textmill.plugininfo import PluginInfo

PROJECT = "textmill"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- description and lifecycle ----------------------------------------------------------------


@hookspec
def textmill_plugin_info() -> PluginInfo:  # type: ignore[empty-body]
    """Describe the plugin.

    Called once when the plugin loads. Returns a :class:`~textmill.plugininfo.PluginInfo` with the
    plugin's name, version (part of every cache key, so a new version re-runs only this plugin),
    settings dataclass, and the artifacts it requires and provides. A plugin without this hook
    is named after its module and has no settings.
    """


@hookspec
def textmill_run_start(run_id: str, config: dict[str, Any]) -> None:
    """Called once per run, in the main process, before any document is read.

    Receives the run id and the effective configuration as a plain dict. Returns nothing.
    """


@hookspec
def textmill_run_end(run_id: str, summary: dict[str, Any]) -> None:
    """Called once per run, in the main process, after every result is stored.

    Receives the run id and the run summary (per-plugin counts, errors, times). Returns nothing.
    """


@hookspec
def textmill_prepare(corpus: Corpus, settings: Any) -> Any:
    """Take a first look at the whole raw corpus before any per-document work.

    Runs once per run, before the plugin's first per-document hook, over the documents as read
    (``raw``; ``text`` is not cleaned yet). Returns any picklable, JSON-serializable state, e.g.
    line frequencies for boilerplate learning; the engine hands it to this plugin's per-document
    hooks as ``ctx.prepared`` and folds its hash into their cache keys. If it raises or runs past
    its limit (``[run] timeout`` per document), the run reports a corpus error for the plugin
    and its per-document hooks get ``ctx.prepared = None`` (under keys of their own, so the next
    run, which tries the prepare hook again, does not keep those results).
    """


@hookspec
def textmill_prepared_part(doc: Document, state: Any, settings: Any) -> Any:
    """Say which part of the prepared state one document's result depends on.

    Optional, for a plugin with a ``textmill_prepare`` hook. Receives the document as the
    plugin's per-document hook will see it, the prepared state and the settings, and returns
    the part of the state that concerns this document (JSON-serializable), e.g. the repeated
    lines that occur in it. The per-document hook then gets that part as ``ctx.prepared``, and
    the document's cache key hashes the part rather than the whole state, so a change
    elsewhere in the corpus re-runs only the documents whose part changed. If it raises or
    runs past ``[run] timeout``, the plugin's result on that document is an error (tried again
    next run); it is not called when the prepare hook failed.
    """


@hookspec
def textmill_register_commands(cli: Any) -> None:
    """Add subcommands to the ``textmill`` command line.

    Receives the root ``click.Group``; called once when the CLI starts. A plugin adds commands
    with ``@cli.command()`` (the built-in entity linker adds ``textmill kb build`` this way).
    """


@hookspec
def textmill_nlp_pipes(nlp: Any, settings: Any) -> None:
    """Add components to the shared spaCy pipeline that parses documents for this plugin.

    Called once per process for each pipeline a segment builds, when the plugin declares
    ``parses`` (see :mod:`textmill.parse`). Receives the pipeline (a spaCy ``Language``, with
    only the components the segment's declared annotations need enabled) and the plugin's
    settings. The additions annotate the one ``Doc`` every plugin of the segment reads from
    ``ctx.parsed``; the built-in linker adds its entity rulers of knowledge-base aliases this way.
    Returns nothing.
    """


@hookspec(firstresult=True)
def textmill_render_result(plugin: str, result: StageResult, document: Document) -> Any | None:
    """Render one plugin's result on one document for the terminal UI and ``textmill show``.

    Receives the plugin's name, its (merged) result and the document. Return a Rich renderable
    (built from ``rich.text.Text``, never from markup containing document text) to replace the
    default rendering of findings and data, or ``None`` to leave it to the next plugin or the
    default. The first non-``None`` answer wins, so a plugin should answer only for its own
    ``plugin`` name.
    """


# --- per-document hooks, one per stage ----------------------------------------------------------


@hookspec
def textmill_clean(doc: Document, settings: Any, ctx: DocContext) -> Result | None:
    """Clean one document.

    Runs in the clean stage, in config order: ``doc.text`` is the output of the previous
    cleaner (the raw text for the first). Return a ``Result`` whose ``text`` is the new text and
    whose ``edits`` record every change as spans in ``doc.text`` (the engine maps them back to
    ``raw``), or ``None`` to leave the text unchanged.
    """


@hookspec
def textmill_quality(doc: Document, settings: Any, ctx: DocContext) -> Result | None:
    """Check one cleaned document's translation quality.

    Runs in the quality stage after cleaning. Return a ``Result`` with a 0..1 ``score`` (1 is
    best), a ``label`` and ``findings`` whose spans point into ``doc.text``; or ``None``.
    """


@hookspec
def textmill_dedup(doc: Document, settings: Any, ctx: DocContext) -> Result | None:
    """Compute one document's deduplication features (hashes, signatures).

    Runs in the dedup stage before the corpus hook ``textmill_corpus_dedup``. Return a ``Result``
    whose ``data`` holds what the corpus hook needs, or ``None``.
    """


@hookspec
def textmill_entities(doc: Document, settings: Any, ctx: DocContext) -> Result | None:
    """Find and link the entities of one document.

    Runs in the entities stage. Return a ``Result`` whose ``data["mentions"]`` lists the linked
    mentions (spans in ``doc.text``) and whose findings flag problems, or ``None``.
    """


@hookspec
def textmill_summarize(doc: Document, settings: Any, ctx: DocContext) -> Result | None:
    """Summarize one document.

    Runs in the summarize stage. Return a ``Result`` whose ``data["sentences"]`` lists the chosen
    sentences with their spans in ``doc.text``, or ``None``.
    """


# --- corpus hooks (barriers) --------------------------------------------------------------------


@hookspec
def textmill_corpus_quality(corpus: Corpus, settings: Any) -> CorpusResult | None:
    """Check quality across the corpus, e.g. across the versions of one story.

    Runs after every per-document quality hook and after the providers of whatever the plugin
    declares in ``corpus_requires`` (e.g. dedup's ``clusters``). Returns per-document results
    (stored beside the plugin's own per-document result and shown merged with it) or ``None``.
    """


@hookspec
def textmill_corpus_dedup(corpus: Corpus, settings: Any) -> CorpusResult | None:
    """Group the corpus into exact, near, story and event clusters.

    Runs once after every per-document dedup hook. Returns clusters, sentence alignments and
    per-document results, or ``None``.
    """


@hookspec
def textmill_corpus_entities(corpus: Corpus, settings: Any) -> CorpusResult | None:
    """Build the corpus entity index from the per-document entity results.

    Runs once after every per-document entities hook. Returns entities with their mentions, or
    ``None``.
    """


@hookspec
def textmill_corpus_summarize(corpus: Corpus, settings: Any) -> CorpusResult | None:
    """Summarize each cluster of the corpus.

    Runs once after every per-document summarize hook, and after dedup's clusters exist. Returns
    cluster summaries in ``data`` or per-document results, or ``None``.
    """


DOC_HOOKS: dict[str, str] = {
    "clean": "textmill_clean",
    "quality": "textmill_quality",
    "dedup": "textmill_dedup",
    "entities": "textmill_entities",
    "summarize": "textmill_summarize",
}
CORPUS_HOOKS: dict[str, str] = {
    "quality": "textmill_corpus_quality",
    "dedup": "textmill_corpus_dedup",
    "entities": "textmill_corpus_entities",
    "summarize": "textmill_corpus_summarize",
}
