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

import functools
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
from textmill.parse import Parsed, SharedParser
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
    parses: tuple[str, ...] = ()  # the annotations it reads from the shared parse
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
    parser: SharedParser | None = field(init=False)  # the shared parse, when a step reads it
    parse_from: int = field(init=False)  # the first step that reads it

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (for a spawned worker or a Ray actor) as its fields; the plugin manager
        pickles as how to load it again, and the rest is worked out again on arrival."""
        return {
            k: v
            for k, v in self.__dict__.items()
            if k not in ("runs", "cleans", "parser", "parse_from")
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    def __post_init__(self) -> None:
        self.cleans = any(s.stage == "clean" for s in self.steps)
        assert all(s.kind is StepKind.DOC for s in self.steps), "a segment holds doc steps only"
        self.runs = []
        wanted: set[str] = set()
        pipes = []
        for s in self.steps:
            loaded = self.manager.plugins.get(s.plugin)
            parses = tuple(loaded.info.parses) if loaded is not None else ()
            if parses:
                wanted.update(parses)
                add = self.manager.impl(s.plugin, "textmill_nlp_pipes")
                if add is not None:
                    key = f"{s.plugin}:{s.version}:{s.settings_hash}"
                    pipes.append((key, functools.partial(_add_pipes, add, s.settings)))
            phash, state = self.prepared.get(s.plugin, ("", None))
            # No part of a state that its prepare hook failed to make.
            part = (
                self.manager.impl(s.plugin, "textmill_prepared_part")
                if phash and state is not None
                else None
            )
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
                    parses=parses,
                    merged=frozenset(self.merged.get(s.plugin, ())),
                    part=part,
                )
            )
        self.parser = SharedParser(wanted, pipes) if wanted else None
        self.parse_from = next((i for i, r in enumerate(self.runs) if r.parses), len(self.runs))


def _add_pipes(add: Callable[..., Any], settings: Any, nlp: Any) -> None:
    add(nlp=nlp, settings=settings)


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
    parse_seconds: float = 0.0  # the shared parse of its text, timed apart from the plugins


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
    """Run the segment on a batch, stopping after a document that aborts the run: the steps
    before the first that reads the shared parse on every document, then one ``nlp.pipe`` over
    the texts of the documents that need a parse, then the remaining steps."""
    runs: list[_DocRun] = []
    out = []
    with time_limit(job.timeout) as limit:
        for task in batch:
            r = _DocRun(job, task, limit, activity)
            r.steps(0, job.parse_from)
            runs.append(r)
            if r.outcome.aborted:
                break
        if job.parser is not None:
            todo = [r for r in runs if not r.outcome.aborted and r.needs_parse()]
            if todo:
                _parse_batch(job, job.parser, todo)
        for r in runs:
            if not r.outcome.aborted:
                r.steps(job.parse_from, len(job.runs))
            out.append(r.finish())
            if r.outcome.aborted:
                break
    return out


def _parse_batch(job: SegmentJob, parser: SharedParser, todo: list[_DocRun]) -> None:
    """One parse of the texts of ``todo``, each ``nlp.pipe`` batch of it (at most
    :data:`~textmill.parse.BATCH_CHARS` characters) within the time limit (the pipeline runs
    plugins' own components; building it is not timed), so a long document has the time its
    length takes. A batch parse that fails or runs out of time leaves each document to be parsed
    on its own by its first step that reads the parse, under that step's limit, so the failure
    is the result of the document and step it belongs to."""
    texts = [r.text for r in todo]
    try:
        # Built (the model loaded, plugins' components added) once, outside any document's limit.
        parser.nlp  # noqa: B018
        t0 = time.perf_counter()
        with time_limit(job.timeout) as limit:
            parsed = parser.parse(texts, limit)
    except (Exception, HookTimeout):
        return
    share = (time.perf_counter() - t0) / max(1, sum(len(t) for t in texts))
    for r, p in zip(todo, parsed, strict=True):
        r.parsed = p
        r.outcome.parse_seconds += share * len(r.text)


def run_document(
    job: SegmentJob,
    task: DocTask,
    limit: Limit | None = None,
    activity: Activity | None = None,
) -> DocOutcome:
    """Run every step of the segment on one document (each hook within ``limit``)."""
    r = _DocRun(job, task, limit or NO_LIMIT, activity)
    r.steps(0, len(job.runs))
    return r.finish()


class _DocRun:
    """One document going through the segment's steps (in one go or in parts)."""

    def __init__(
        self, job: SegmentJob, task: DocTask, limit: Limit, activity: Activity | None
    ) -> None:
        self.job = job
        self.task = task
        self.limit = limit
        self.activity = activity
        doc = task.doc
        prior = task.prior
        self.local_steps: list[list[Edit]] = []  # clean edits so far, each in its input's offsets
        if job.cleans:
            text, thash = doc.raw, task.raw_hash or text_hash(doc.raw)
            for p in job.pre_clean:
                # A cleaner this run leaves out: its stored output, as a full run would pass it on.
                row = prior.get((p, "doc"))
                body = (loads(row.payload) or {}) if row is not None and row.payload else {}
                if body.get("text") is not None:
                    self.local_steps.append([from_dict(Edit, e) for e in body.get("local", ())])
                    text = body["text"]
                    thash = text_hash(text)
        else:
            text, thash = doc.text, task.text_hash or text_hash(doc.text)
        self.text, self.thash = text, thash
        self.view = doc if text == doc.text else doc.with_text(text)
        # A change of title, metadata or source text re-runs the plugins, which may read them.
        self.fields = fields_hash(doc)
        self.current: Current = {}  # this pass's results (a cached one as its stored row)
        self.stored: dict[str, StageResult | None] = {}
        self.outcome = DocOutcome(doc.id, None, [], [], [], [])
        self.parsed: Parsed | None = None
        # plugin -> (the text it was worked out on, its part of the prepared state, its hash)
        self.parts: dict[str, tuple[str, Any, str]] = {}

    def part(self, run: StepRun, text: str) -> tuple[Any, str]:
        """The part of ``run``'s prepared state this document's result depends on, and its
        hash (the whole state and "" for a plugin without ``textmill_prepared_part``)."""
        if run.part is None:
            return run.state, ""
        plugin = run.step.plugin
        got = self.parts.get(plugin)
        if got is None or got[0] is not text:
            if self.view.text is not text:
                self.view = self.task.doc.with_text(text)
            try:
                state = self.limit.call(
                    run.part, doc=self.view, state=run.state, settings=run.step.settings
                )
                part_hash = freshness_key(dumps(state, option=OPT_SORT_KEYS, default=str).decode())
            except (Exception, HookTimeout) as exc:
                # The step's error on this document (see :meth:`steps`), never a cache hit.
                state, part_hash = _PartFailed(exc), "error"
            got = self.parts[plugin] = (text, state, part_hash)
        return got[1], got[2]

    def key(self, run: StepRun, text: str, known: Mapping[str, str] | None = None) -> str:
        """The cache key of ``run`` on this document when it sees ``text`` (``known``: keys of
        later steps' results worked out ahead, for :meth:`needs_parse`)."""
        _, part_hash = self.part(run, text)
        if not run.deps:
            return run.keys.key(self.thash, self.fields, (), part_hash)
        prior = self.task.prior
        dep_keys = []
        for p in run.deps:
            if known is not None and p in known:
                dep_keys.append(known[p])
            else:
                r = self.current.get(p)
                if r is None:
                    r = prior.get((p, "doc"))
                dep_keys.append(_key_of(r))
            if p in run.merged:
                dep_keys.append(_key_of(prior.get((p, "corpus"))))
        return run.keys.key(self.thash, self.fields, dep_keys, part_hash)

    def needs_parse(self) -> bool:
        """Whether a step that reads the shared parse will run (its stored result is stale):
        every result's key is known before it runs, so the rest of the segment is keyed ahead."""
        prior = self.task.prior
        known: dict[str, str] = {}
        for run in self.job.runs[self.job.parse_from :]:
            if run.clean:
                return True  # a cleaner after a parse: its keys depend on text it makes
            if run.parses and self.job.force:
                return True
            k = self.key(run, self.text, known)
            known[run.step.plugin] = k
            old = prior.get((run.step.plugin, "doc")) if prior else None
            if run.parses and (old is None or old.cache_key != k or old.status == "error"):
                return True
        return False

    def _parse(self, text: str, limit: Limit) -> Parsed:
        """The shared parse of ``text``: the batch's, or this document's own when a step
        changed the text after the batch was parsed (or the batch's parse failed), each
        ``nlp.pipe`` batch of it within ``limit``."""
        parsed = self.parsed
        if parsed is None or parsed.text != text:
            assert self.job.parser is not None
            t0 = time.perf_counter()
            parsed = self.parsed = self.job.parser.parse([text], limit)[0]
            self.outcome.parse_seconds += time.perf_counter() - t0
        return parsed

    def finish(self) -> DocOutcome:
        outcome = self.outcome
        if self.job.cleans and self.thash != self.task.text_hash:
            outcome.text = self.text
            outcome.text_hash = self.thash
        return outcome

    def steps(self, lo: int, hi: int) -> None:
        """Run steps ``lo`` to ``hi`` (exclusive) on the document."""
        job = self.job
        doc = self.task.doc
        doc_id = doc.id
        prior = self.task.prior
        local_steps = self.local_steps
        current = self.current
        stored = self.stored
        outcome = self.outcome
        rows = outcome.rows
        run_id = job.run_id
        limit = self.limit
        activity = self.activity
        text, thash = self.text, self.thash
        try:
            for run in job.runs[lo:hi]:
                step = run.step
                plugin = step.plugin
                self.thash = thash
                k = self.key(run, text)
                state, _ = self.part(run, text)
                old = prior.get((plugin, "doc")) if prior else None
                if (
                    old is not None
                    and not isinstance(state, _PartFailed)
                    and old.cache_key == k
                    and old.status != "error"
                    and not job.force
                ):
                    current[plugin] = old
                    outcome.cached.append(plugin)
                    if run.clean and old.payload:
                        body = loads(old.payload) or {}
                        if body.get("text") is not None:
                            local_steps.append([from_dict(Edit, e) for e in body.get("local", ())])
                            text = body["text"]
                            thash = text_hash(text)
                    continue
                if self.view.text is not text:
                    self.view = doc.with_text(text)
                view = self.view
                fn = run.fn
                if activity is not None:
                    activity(step.stage, plugin, doc_id)
                t0 = time.perf_counter()
                try:
                    if isinstance(state, _PartFailed):
                        # textmill_prepared_part raised (or ran out of time) on this document.
                        raise state.exc
                    parsed = None
                    if run.parses:
                        assert job.parser is not None
                        job.parser.nlp  # noqa: B018 (built outside the document's limit)
                        parsed = self._parse(text, limit)
                        t0 = time.perf_counter()  # the parse is timed apart
                    ctx = (
                        DocContext(
                            results=_Results(
                                run.earlier, doc_id, current, prior, stored, run.merged
                            ),
                            prepared=state,
                            run_id=run_id,
                            parsed=parsed,
                        )
                        if run.earlier or run.part is not None or parsed is not None
                        else run.context
                    )
                    assert fn is not None
                    res = check_result(
                        limit.call(fn, doc=view, settings=step.settings, ctx=ctx),
                        plugin,
                        step.hook,
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
                        tuple(own(f, plugin, len(text)) for f in res.findings)
                        if res.findings
                        else ()
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
        finally:
            self.text, self.thash = text, thash


@dataclass(frozen=True)
class _PartFailed:
    """What a plugin's ``textmill_prepared_part`` raised on a document: the step's error there."""

    exc: BaseException


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
