"""Running a segment of doc steps on batches of documents: the work a worker process does.

A segment is a run of consecutive per-document steps. For each document, each step's cache key
is hashed from the step (plugin, version, settings, prepared state), the text it sees and the
keys of the results it depends on. A stored result with that key is kept; otherwise the plugin
runs. Stored results reach a worker as plain rows and become :class:`StageResult` objects only
when a plugin reads them from its context, and new results leave it as the rows the store
writes, so a step that has nothing to do costs a hash, and one that runs costs its plugin and
one row.
"""

from __future__ import annotations

import hashlib
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from orjson import OPT_SORT_KEYS, dumps
from textmill.chain import Step
from textmill.context import DocContext
from textmill.edits import map_edits_back
from textmill.manager import PluginManager
from textmill.model import Document, Edit, Finding, Result, StageResult, from_dict, to_dict
from textmill.store import finding_rows, loads, merge_results, payload, result_from_tuple


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def fields_hash(doc: Document) -> str:
    """The hash of what a plugin sees besides the text (title, language, metadata, source text
    and language), or ``""`` when the document has none of them, so plain texts keep the keys
    of their text alone."""
    if not (doc.title or doc.lang or doc.meta or doc.source_text or doc.source_lang):
        return ""
    fields = [doc.title, doc.lang, doc.meta, doc.source_text, doc.source_lang]
    return hashlib.blake2b(
        dumps(fields, option=OPT_SORT_KEYS, default=str), digest_size=8
    ).hexdigest()


def key(*parts: str) -> str:
    """A cache key: the hash of ``parts`` joined by NUL characters."""
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()


Row = tuple[Any, ...]
"""A stored result as a row of :data:`textmill.store.RESULT_COLUMNS` (its key at index 10)."""

RESULT_ROW = 13
"""A new result as the store's ``results`` row: doc_id, plugin, phase, stage, status, score,
label, n_findings, payload, duration, error, cache_key, run_id."""


@dataclass
class StepRun:
    """One doc step with what can be worked out once per segment rather than per document."""

    step: Step
    fn: Callable[..., Any] | None
    earlier: tuple[str, ...]  # plugins before it in the plan, in plan order
    deps: tuple[str, ...]  # plugins whose result keys its key hashes
    prefix: str  # the key's leading parts: plugin, version, settings hash
    suffix: str  # the key's part after the text hash: the prepared state's hash
    state: Any  # the plugin's prepared state
    clean: bool
    context: DocContext  # what it is given when no plugin comes before it (no results to see)


@dataclass
class SegmentJob:
    """Everything a worker needs to run one segment of doc steps on a batch."""

    steps: list[Step]
    manager: PluginManager
    prepared: dict[str, tuple[str, Any]]  # plugin -> (hash, state)
    deps: dict[str, list[str]]  # plugin -> plugins whose results its key depends on
    earlier: dict[str, list[str]]  # plugin -> plugins before it in the plan, in plan order
    run_id: str
    fail_fast: bool
    trace: bool = False
    runs: list[StepRun] = field(init=False)
    cleans: bool = field(init=False)

    def __post_init__(self) -> None:
        self.cleans = any(s.stage == "clean" for s in self.steps)
        self.runs = []
        for s in self.steps:
            phash, state = self.prepared.get(s.plugin, ("", None))
            self.runs.append(
                StepRun(
                    step=s,
                    fn=self.manager.impl(s.plugin, s.hook),
                    earlier=tuple(self.earlier[s.plugin]),
                    deps=tuple(self.deps[s.plugin]),
                    prefix=f"{s.plugin}\x00{s.version}\x00{s.settings_hash}\x00",
                    suffix=f"\x00{phash}",
                    state=state,
                    clean=s.stage == "clean",
                    context=DocContext(
                        results=MappingProxyType({}), prepared=state, run_id=self.run_id
                    ),
                )
            )


@dataclass
class DocTask:
    doc: Document
    raw_hash: str  # as stored: the hash of doc.raw
    text_hash: str  # as stored: the hash of doc.text
    prior: dict[tuple[str, str], Row]  # (plugin, phase) -> stored result row


@dataclass
class DocOutcome:
    doc_id: str
    text: str | None  # the new cleaned text, when the segment changed it
    # (results row, findings rows, whether the result it replaces may have stored findings)
    results: list[tuple[Row, list[Row], bool]]
    cached: list[str]  # plugins whose stored result was still valid
    aborted: str | None = None
    text_hash: str = ""


class _Done:
    """A result computed in this pass: its row, and the objects a later plugin may be given."""

    __slots__ = ("cache_key", "data", "edits", "findings", "row", "traceback")

    def __init__(
        self,
        row: Row,
        findings: tuple[Finding, ...],
        edits: tuple[Edit, ...],
        data: dict[str, Any],
        tb: str | None,
    ) -> None:
        self.row = row
        self.cache_key: str = row[11]
        self.findings = findings
        self.edits = edits
        self.data = data
        self.traceback = tb

    def result(self) -> StageResult:
        r = self.row
        return StageResult(
            doc_id=r[0],
            plugin=r[1],
            stage=r[3],
            status=r[4],
            score=r[5],
            label=r[6],
            findings=self.findings,
            data=self.data,
            edits=self.edits,
            duration=r[9],
            error=r[10],
            traceback=self.traceback,
            cache_key=r[11],
        )


Current = dict[str, "StageResult | _Done | Row"]


def _key_of(r: StageResult | _Done | Row | None) -> str:
    if r is None:
        return ""
    if isinstance(r, tuple):
        return r[10] or ""
    return r.cache_key


class _Results(Mapping[str, StageResult]):
    """The results of earlier plugins a plugin is given, built when it reads them."""

    __slots__ = ("_current", "_doc_id", "_earlier", "_known", "_prior", "_stored")

    def __init__(
        self,
        earlier: tuple[str, ...],
        doc_id: str,
        current: Current,
        prior: dict[tuple[str, str], Row],
        stored: dict[str, StageResult | None],
    ) -> None:
        self._earlier = earlier
        self._known: tuple[str, ...] | None = None
        self._doc_id = doc_id
        self._current = current
        self._prior = prior
        self._stored = stored

    @property
    def _names(self) -> tuple[str, ...]:
        """The earlier plugins with a result on this document (in this pass or stored)."""
        if self._known is None:
            current, prior = self._current, self._prior
            self._known = tuple(
                p
                for p in self._earlier
                if p in current or (p, "doc") in prior or (p, "corpus") in prior
            )
        return self._known

    def __getitem__(self, plugin: str) -> StageResult:
        if plugin not in self._names:
            raise KeyError(plugin)
        r = self._current.get(plugin)
        if r is None:
            merged = _stored(plugin, self._doc_id, self._prior, self._stored)
            assert merged is not None
            return merged
        if isinstance(r, StageResult):
            return r
        built = r.result() if isinstance(r, _Done) else result_from_tuple(self._doc_id, r)
        self._current[plugin] = built
        return built

    def __contains__(self, plugin: object) -> bool:
        return plugin in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _stored(
    plugin: str,
    doc_id: str,
    prior: dict[tuple[str, str], Row],
    memo: dict[str, StageResult | None],
) -> StageResult | None:
    """A plugin's stored result on the document: its doc and corpus phases merged."""
    if plugin not in memo:
        d, c = prior.get((plugin, "doc")), prior.get((plugin, "corpus"))
        memo[plugin] = merge_results(
            result_from_tuple(doc_id, d) if d is not None else None,
            result_from_tuple(doc_id, c) if c is not None else None,
        )
    return memo[plugin]


_EMPTY = Result()
_JOB: SegmentJob | None = None


def install(job: SegmentJob | None) -> None:
    """Set the job the batches of a segment run with (worker processes fork with it)."""
    global _JOB
    _JOB = job


def run_batch(batch: list[DocTask]) -> list[DocOutcome]:
    assert _JOB is not None
    out = []
    for task in batch:
        outcome = run_document(_JOB, task)
        out.append(outcome)
        if outcome.aborted:
            break
    return out


def run_document(job: SegmentJob, task: DocTask) -> DocOutcome:
    """Run every step of the segment on one document."""
    doc = task.doc
    doc_id = doc.id
    prior = task.prior
    if job.cleans:
        text, thash = doc.raw, task.raw_hash or text_hash(doc.raw)
    else:
        text, thash = doc.text, task.text_hash or text_hash(doc.text)
    view = doc if text == doc.text else doc.with_text(text)
    # A change of title, metadata or source text re-runs the plugins, which may read them.
    fields = fields_hash(doc)
    local_steps: list[list[Edit]] = []  # clean edits so far, each in its own input's offsets
    current: Current = {}  # this pass's results (a cached one as its stored row)
    stored: dict[str, StageResult | None] = {}
    outcome = DocOutcome(doc_id, None, [], [])
    results = outcome.results
    run_id = job.run_id
    for run in job.runs:
        step = run.step
        plugin = step.plugin
        if run.deps:
            parts = [run.prefix, thash, fields, run.suffix]
            for p in run.deps:
                r = current.get(p)
                if r is None:
                    r = prior.get((p, "doc")) or prior.get((p, "corpus"))
                parts.append("\x00")
                parts.append(_key_of(r))
            material = "".join(parts)
        else:
            material = run.prefix + thash + fields + run.suffix
        k = hashlib.blake2b(material.encode(), digest_size=16).hexdigest()
        old = prior.get((plugin, "doc")) if prior else None
        if old is not None and old[10] == k and old[3] != "error":
            current[plugin] = old
            outcome.cached.append(plugin)
            if run.clean and old[7]:
                body = loads(old[7]) or {}
                if body.get("text") is not None:
                    local_steps.append([from_dict(Edit, e) for e in body.get("local", ())])
                    text = body["text"]
                    thash = text_hash(text)
            continue
        if view.text is not text:
            view = doc.with_text(text)
        ctx = (
            DocContext(
                results=_Results(run.earlier, doc_id, current, prior, stored),
                prepared=run.state,
                run_id=run_id,
            )
            if run.earlier
            else run.context
        )
        fn = run.fn
        t0 = time.perf_counter()
        try:
            assert fn is not None
            res = fn(doc=view, settings=step.settings, ctx=ctx)
            if res is None:
                res = _EMPTY
            elif not isinstance(res, Result):
                raise TypeError(f"{step.hook} returned {type(res).__name__}, not textmill.Result")
            extras: dict[str, Any] | None = None
            edits: tuple[Edit, ...] = ()
            if run.clean and res.text is not None:
                local = [replace(e, plugin=plugin) for e in res.edits]
                edits = tuple(map_edits_back(local, local_steps))
                local_steps.append(local)
                extras = {"text": res.text, "local": [to_dict(e) for e in local]}
                if res.text != text:
                    text = res.text
                    thash = text_hash(text)
            elif res.edits:
                edits = tuple(replace(e, plugin=plugin) for e in res.edits)
            findings = (
                tuple(own(f, plugin, len(text)) for f in res.findings) if res.findings else ()
            )
            value = None if res.score is None else score(res.score)
            data = res.data
            body = (
                payload(findings, edits, data, None, extras)
                if findings or edits or data or extras
                else None
            )
            duration = time.perf_counter() - t0
            row: Row = (
                doc_id,
                plugin,
                "doc",
                step.stage,
                "ok",
                value,
                res.label,
                len(findings),
                body,
                duration,
                None,
                k,
                run_id,
            )
            done = _Done(row, findings, edits, data, None)
        except Exception as exc:
            duration = time.perf_counter() - t0
            error = f"{type(exc).__name__}: {exc}"
            tb = traceback.format_exc()
            row = (
                doc_id,
                plugin,
                "doc",
                step.stage,
                "error",
                None,
                None,
                0,
                payload((), (), {}, tb, None),
                duration,
                error,
                k,
                run_id,
            )
            done = _Done(row, (), (), {}, tb)
            findings = ()
            if job.fail_fast:
                outcome.aborted = f'plugin "{plugin}" failed on {doc_id}: {error}'
        if job.trace:
            print(
                f"  {plugin}.{step.hook}(doc={doc_id!r}) --> {row[4]} in {duration * 1000:.2f} ms",
                file=sys.stderr,
            )
        current[plugin] = done
        results.append(
            (
                row,
                finding_rows(doc_id, plugin, "doc", findings) if findings else [],
                old is not None and bool(old[6]),
            )
        )
        if outcome.aborted:
            break
    if job.cleans and thash != task.text_hash:
        outcome.text = text
        outcome.text_hash = thash
    return outcome


def score(value: Any) -> float | None:
    """A plugin's score as stored: a float, or ``None`` for none (or NaN)."""
    if value is None:
        return None
    v = float(value)
    return v if v == v else None  # NaN means "no score"


def own(f: Finding, plugin: str, n: int) -> Finding:
    """A finding attributed to ``plugin``, refused if its span is outside a text of ``n``."""
    if f.span is not None and f.span.end > n:
        raise ValueError(f"finding {f.code} has span {f.span} outside the text ({n} chars)")
    return replace(f, plugin=plugin)
