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

import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from orjson import OPT_SORT_KEYS, dumps
from textmill.chain import Step, StepKind
from textmill.context import DocContext
from textmill.edits import map_edits_back
from textmill.freshness import DocKeys, fields_hash, text_hash
from textmill.freshness import key as freshness_key
from textmill.hookcall import NO_LIMIT, BadResult, HookTimeout, Limit, check_result, time_limit
from textmill.manager import PluginManager
from textmill.model import Document, Edit, Finding, StageResult, from_dict, to_dict
from textmill.store.db import loads
from textmill.store.rows import (
    FindingRow,
    ResultId,
    ResultRow,
    finding_rows,
    merge_results,
    new_result_row,
    payload,
    result_from_row,
)


@dataclass
class StepRun:
    """One doc step with what can be worked out once per segment rather than per document."""

    step: Step
    fn: Callable[..., Any] | None
    earlier: tuple[str, ...]  # plugins before it in the plan, in plan order
    deps: tuple[str, ...]  # plugins whose result keys its key hashes
    keys: DocKeys  # how its per-document keys are made
    state: Any  # the plugin's prepared state
    clean: bool
    context: DocContext  # what it is given when no plugin comes before it (no results to see)
    merged: frozenset[str] = frozenset()  # plugins whose corpus-phase results it sees
    part: Callable[..., Any] | None = None  # its textmill_prepared_part, if it has one


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
    timeout: float = 0.0  # seconds one hook may spend on one document (0: no limit)
    # plugin -> plugins whose corpus hooks run before it, so whose corpus-phase results it sees
    merged: dict[str, list[str]] = field(default_factory=dict)
    force: bool = False  # recompute every step, whatever its stored key
    # cleaners before the segment's first (left out by --only/--skip): their stored outputs
    # are the text the segment's cleaners start from
    pre_clean: list[str] = field(default_factory=list)
    runs: list[StepRun] = field(init=False)
    cleans: bool = field(init=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (for a spawned worker or a Ray actor) as its fields; the plugin manager
        pickles as how to load it again, and the rest is worked out again on arrival."""
        return {k: v for k, v in self.__dict__.items() if k not in ("runs", "cleans")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    def __post_init__(self) -> None:
        self.cleans = any(s.stage == "clean" for s in self.steps)
        assert all(s.kind is StepKind.DOC for s in self.steps), "a segment holds doc steps only"
        self.runs = []
        for s in self.steps:
            phash, state = self.prepared.get(s.plugin, ("", None))
            part = self.manager.impl(s.plugin, "textmill_prepared_part") if phash else None
            self.runs.append(
                StepRun(
                    step=s,
                    fn=self.manager.impl(s.plugin, s.hook),
                    earlier=tuple(self.earlier[s.plugin]),
                    deps=tuple(self.deps[s.plugin]),
                    keys=DocKeys.of(s, phash, self.deps[s.plugin], part is not None),
                    state=state,
                    clean=s.stage == "clean",
                    context=DocContext(
                        results=MappingProxyType({}), prepared=state, run_id=self.run_id
                    ),
                    merged=frozenset(self.merged.get(s.plugin, ())),
                    part=part,
                )
            )


@dataclass
class DocTask:
    doc: Document
    raw_hash: str  # as stored: the hash of doc.raw
    text_hash: str  # as stored: the hash of doc.text
    prior: dict[tuple[str, str], ResultRow]  # (plugin, phase) -> stored result row


@dataclass
class DocOutcome:
    doc_id: str
    text: str | None  # the new cleaned text, when the segment changed it
    rows: list[ResultRow]  # the new results, as the store writes them
    findings: list[FindingRow]  # their findings
    clear: list[ResultId]  # the results they replace that may have stored findings
    cached: list[str]  # plugins whose stored result was still valid
    aborted: str | None = None
    text_hash: str = ""


class _Done:
    """A result computed in this pass: its row, and the objects a later plugin may be given."""

    __slots__ = ("cache_key", "data", "edits", "findings", "row", "traceback")

    def __init__(
        self,
        row: ResultRow,
        findings: tuple[Finding, ...],
        edits: tuple[Edit, ...],
        data: dict[str, Any],
        tb: str | None,
    ) -> None:
        self.row = row
        self.cache_key: str = row.cache_key
        self.findings = findings
        self.edits = edits
        self.data = data
        self.traceback = tb

    def result(self) -> StageResult:
        r = self.row
        return StageResult(
            doc_id=r.doc_id,
            plugin=r.plugin,
            stage=r.stage,
            status=r.status,
            score=r.score,
            label=r.label,
            findings=self.findings,
            data=self.data,
            edits=self.edits,
            duration=r.duration,
            error=r.error,
            traceback=self.traceback,
            cache_key=r.cache_key,
        )


Current = dict[str, "StageResult | _Done | ResultRow"]


def _key_of(r: StageResult | _Done | ResultRow | None) -> str:
    return "" if r is None else (r.cache_key or "")


class _Results(Mapping[str, StageResult]):
    """The results of earlier plugins a plugin is given, built when it reads them."""

    __slots__ = ("_current", "_doc_id", "_earlier", "_known", "_merged", "_prior", "_stored")

    def __init__(
        self,
        earlier: tuple[str, ...],
        doc_id: str,
        current: Current,
        prior: dict[tuple[str, str], ResultRow],
        stored: dict[str, StageResult | None],
        merged: frozenset[str] = frozenset(),
    ) -> None:
        self._earlier = earlier
        self._merged = merged
        self._known: tuple[str, ...] | None = None
        self._doc_id = doc_id
        self._current = current
        self._prior = prior
        self._stored = stored

    @property
    def _names(self) -> tuple[str, ...]:
        """The earlier plugins with a result on this document (in this pass or stored)."""
        if self._known is None:
            current, prior, merged = self._current, self._prior, self._merged
            self._known = tuple(
                p
                for p in self._earlier
                if p in current or (p, "doc") in prior or (p in merged and (p, "corpus") in prior)
            )
        return self._known

    def __getitem__(self, plugin: str) -> StageResult:
        if plugin not in self._names:
            raise KeyError(plugin)
        r = self._current.get(plugin)
        if r is None:
            merged = _stored(plugin, self._doc_id, self._prior, self._stored, self._merged)
            assert merged is not None
            return merged
        if isinstance(r, StageResult):
            return r
        built = r.result() if isinstance(r, _Done) else result_from_row(r)
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
    prior: dict[tuple[str, str], ResultRow],
    memo: dict[str, StageResult | None],
    merged: frozenset[str],
) -> StageResult | None:
    """A plugin's stored result on the document: its doc phase, merged with its corpus phase
    when its corpus hook runs before the plugin asking (``merged``). A corpus-phase result
    stored by an earlier run for a corpus hook that runs later is not shown: a fresh run would
    not have it yet."""
    if plugin not in memo:
        d = prior.get((plugin, "doc"))
        c = prior.get((plugin, "corpus")) if plugin in merged else None
        memo[plugin] = merge_results(
            result_from_row(d) if d is not None else None,
            result_from_row(c) if c is not None else None,
        )
    return memo[plugin]


Activity = Callable[[str, str, str], None]
"""``activity(stage, plugin, doc_id)``: called as a plugin starts on a document."""


def run_batch(
    job: SegmentJob, batch: list[DocTask], activity: Activity | None = None
) -> list[DocOutcome]:
    """Run the segment on each document of a batch, stopping after one that aborts the run."""
    out = []
    with time_limit(job.timeout) as limit:
        for task in batch:
            outcome = run_document(job, task, limit, activity)
            out.append(outcome)
            if outcome.aborted:
                break
    return out


def run_document(
    job: SegmentJob,
    task: DocTask,
    limit: Limit | None = None,
    activity: Activity | None = None,
) -> DocOutcome:
    """Run every step of the segment on one document (each hook within ``limit``)."""
    limit = limit or NO_LIMIT
    doc = task.doc
    doc_id = doc.id
    prior = task.prior
    local_steps: list[list[Edit]] = []  # clean edits so far, each in its own input's offsets
    if job.cleans:
        text, thash = doc.raw, task.raw_hash or text_hash(doc.raw)
        for p in job.pre_clean:
            # A cleaner this run leaves out: its stored output, as a full run would pass it on.
            row = prior.get((p, "doc"))
            body = (loads(row.payload) or {}) if row is not None and row.payload else {}
            if body.get("text") is not None:
                local_steps.append([from_dict(Edit, e) for e in body.get("local", ())])
                text = body["text"]
                thash = text_hash(text)
    else:
        text, thash = doc.text, task.text_hash or text_hash(doc.text)
    view = doc if text == doc.text else doc.with_text(text)
    # A change of title, metadata or source text re-runs the plugins, which may read them.
    fields = fields_hash(doc)
    current: Current = {}  # this pass's results (a cached one as its stored row)
    stored: dict[str, StageResult | None] = {}
    outcome = DocOutcome(doc_id, None, [], [], [], [])
    rows = outcome.rows
    run_id = job.run_id
    for run in job.runs:
        step = run.step
        plugin = step.plugin
        state = run.state
        if run.part is not None:
            # The part of the prepared state this document's result depends on.
            if view.text is not text:
                view = doc.with_text(text)
            state = run.part(doc=view, state=run.state, settings=step.settings)
            part_hash = freshness_key(dumps(state, option=OPT_SORT_KEYS, default=str).decode())
        else:
            part_hash = ""
        if run.deps:
            dep_keys = []
            for p in run.deps:
                r = current.get(p)
                if r is None:
                    r = prior.get((p, "doc"))
                dep_keys.append(_key_of(r))
                if p in run.merged:
                    dep_keys.append(_key_of(prior.get((p, "corpus"))))
            k = run.keys.key(thash, fields, dep_keys, part_hash)
        else:
            k = run.keys.key(thash, fields, (), part_hash)
        old = prior.get((plugin, "doc")) if prior else None
        if old is not None and old.cache_key == k and old.status != "error" and not job.force:
            current[plugin] = old
            outcome.cached.append(plugin)
            if run.clean and old.payload:
                body = loads(old.payload) or {}
                if body.get("text") is not None:
                    local_steps.append([from_dict(Edit, e) for e in body.get("local", ())])
                    text = body["text"]
                    thash = text_hash(text)
            continue
        if view.text is not text:
            view = doc.with_text(text)
        ctx = (
            DocContext(
                results=_Results(run.earlier, doc_id, current, prior, stored, run.merged),
                prepared=state,
                run_id=run_id,
            )
            if run.earlier or run.part is not None
            else run.context
        )
        fn = run.fn
        if activity is not None:
            activity(step.stage, plugin, doc_id)
        t0 = time.perf_counter()
        try:
            assert fn is not None
            res = check_result(
                limit.call(fn, doc=view, settings=step.settings, ctx=ctx), plugin, step.hook
            )
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
            row = new_result_row(
                (
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
            )
            done = _Done(row, findings, edits, data, None)
        except (Exception, HookTimeout) as exc:
            duration = time.perf_counter() - t0
            # A timeout or a malformed result is said in a sentence of its own.
            bare = isinstance(exc, HookTimeout | BadResult)
            error = str(exc) if bare else f"{type(exc).__name__}: {exc}"
            tb = traceback.format_exc()
            row = ResultRow(
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
                f"  {plugin}.{step.hook}(doc={doc_id!r}) --> {row.status} in {duration * 1000:.2f} ms",
                file=sys.stderr,
            )
        current[plugin] = done
        rows.append(row)
        if findings:
            outcome.findings += finding_rows(doc_id, plugin, "doc", findings)
        if old is not None and old.n_findings:
            outcome.clear.append(ResultId(doc_id, plugin, "doc"))
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
