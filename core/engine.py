"""The engine: read the corpus into the store, run the plan, and summarize the run.

A run goes: ingest (stream every input document into the store, keeping unchanged ones), then
each step of the plan in order. ``prepare`` and ``corpus`` steps see the whole corpus through the
store. Runs of consecutive ``doc`` steps go through the corpus in batches on an executor; each
batch's results are written in one transaction, so a killed run loses at most the batches in
flight and a restart redoes only those.

Every (document, plugin) result carries a cache key: the hash of the plugin's name, version and
settings, the text it saw, its prepared state and the keys of the results it declared it needs.
A result whose key is unchanged is not recomputed. Every such decision (the keys, and the checks
that let a step or the input be skipped without reading it) is made by :mod:`textmill.freshness`;
everything stored goes through :mod:`textmill.store`, which holds all SQL.
"""

from __future__ import annotations

import os
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from textmill import __version__, freshness
from textmill.chain import Step, StepKind, build_plan, providers, segments
from textmill.config import Config
from textmill.corpus import StoreCorpus
from textmill.errors import TextmillError
from textmill.executors import make_executor
from textmill.freshness import Check, Freshness, text_hash
from textmill.hookcall import TIMEOUT_PREFIX, HookTimeout, time_limit
from textmill.manager import ENV_TRACE, PluginManager
from textmill.memo import StoreMemo
from textmill.model import CorpusResult, Document, StageResult
from textmill.parse import PARSE_LINE
from textmill.readers import ReadError, Skipped, fingerprint, read_paths
from textmill.segment import Activity, DocOutcome, DocTask, SegmentJob, own, score
from textmill.store import (
    CleanedText,
    DocumentFields,
    FindingRow,
    HashedDocument,
    NewDocument,
    ResultId,
    ResultRow,
    Store,
)
from textmill.store.lock import one_writer

Progress = Callable[[str, int, int | None], None]
"""``progress(label, done, total)``: called as work advances (``total`` may be unknown)."""

DOC_ERRORS_KEPT = 20


class RunAborted(TextmillError):
    """``--fail-fast`` stopped the run at the first error."""


@dataclass
class PluginStats:
    processed: int = 0
    errors: int = 0
    cached: int = 0
    seconds: float = 0.0
    timeouts: int = 0  # errors that were a hook cut off by [run] timeout


@dataclass
class RunSummary:
    run_id: str
    documents: int = 0
    input_errors: list[tuple[str, str]] = field(default_factory=list)
    input_skipped: list[tuple[str, str]] = field(default_factory=list)  # not errors
    plugins: dict[str, PluginStats] = field(default_factory=dict)
    corpus_errors: list[tuple[str, str]] = field(default_factory=list)
    # The first DOC_ERRORS_KEPT per-document errors as (doc_id, plugin, error); the counts of
    # all of them are in ``plugins``.
    doc_errors: list[tuple[str, str, str]] = field(default_factory=list)
    mean_scores: dict[str, float | None] = field(default_factory=dict)
    seconds: float = 0.0
    aborted: str | None = None

    @property
    def failed(self) -> bool:
        return bool(
            self.input_errors
            or self.corpus_errors
            or self.aborted
            or any(s.errors for s in self.plugins.values())
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "documents": self.documents,
            "input_errors": [{"id": i, "reason": r} for i, r in self.input_errors],
            "corpus_errors": [{"plugin": p, "error": e} for p, e in self.corpus_errors],
            "doc_errors": [{"id": d, "plugin": p, "error": e} for d, p, e in self.doc_errors],
            "plugins": {
                name: {**s.__dict__, "mean_score": self.mean_scores.get(name)}
                for name, s in self.plugins.items()
            },
            "seconds": round(self.seconds, 3),
            "aborted": self.aborted,
            "failed": self.failed,
        }


# --- the engine ---------------------------------------------------------------------------------


class Engine:
    def __init__(
        self,
        config: Config,
        manager: PluginManager,
        store: Store,
        *,
        workers: int | None = None,
        only: tuple[str, ...] = (),
        skip: tuple[str, ...] = (),
        fail_fast: bool | None = None,
        progress: Progress | None = None,
        activity: Activity | None = None,
        wait: bool = False,
        on_wait: Callable[[str], None] | None = None,
        executor: str | None = None,
        force: bool = False,
    ) -> None:
        self.config = config
        self.manager = manager
        self.store = store
        self.freshness = Freshness(store)
        self.workers = workers or config.run.workers
        self.fail_fast = config.run.fail_fast if fail_fast is None else fail_fast
        self.progress = progress or (lambda label, done, total: None)
        self.force = force  # recompute the plan's steps whatever their keys say
        self._activity = activity  # (stage, plugin, doc_id) as a plugin starts on a document
        self.wait = wait  # another run writing the store: wait for it (else refuse)
        self.executor = executor or config.run.executor
        if self.executor == "ray":
            from textmill.ray_executor import require_ray

            require_ray()  # a missing package is said before anything runs
        self.on_wait = on_wait
        self.plan = build_plan(config, manager, only=only, skip=skip)
        # Results of plugins left out by --only/--skip still count as "earlier" for the others.
        full = build_plan(config, manager) if (only or skip) else self.plan
        self.order = [s.plugin for s in full]
        self.full_plan = full
        self._deferred = False  # results indexes dropped for this run's first fill

    def run(self, paths: list[Any] | None = None) -> RunSummary:
        """Ingest the input, then run the plan's steps in order; returns the run's summary.
        The store has one writer at a time (:mod:`textmill.store.lock`)."""
        with one_writer(self.store.path, wait=self.wait, on_wait=self.on_wait):
            return self._run(paths)

    def _run(self, paths: list[Any] | None) -> RunSummary:
        run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        summary = RunSummary(run_id)
        t0 = time.perf_counter()
        with self.store.transaction() as tx:
            tx.start_run(run_id, self.config.to_dict())
            self._deferred = tx.defer_indexes()
        self.manager.pm.hook.textmill_run_start(run_id=run_id, config=self.config.to_dict())
        status = "ok"
        try:
            plan = segments(self.plan)
            # A plan that starts with doc steps runs them on each page of input as it is read.
            first = plan[0] if plan and plan[0][0].kind is StepKind.DOC else None
            if self._ingest(paths or self.config.input_paths(), run_id, summary, first):
                plan = plan[1:]
            prepared: dict[str, tuple[str, Any]] = {}
            for seg in plan:
                step = seg[0]
                if step.kind is StepKind.PREPARE:
                    prepared[step.plugin] = self._prepare(step, summary)
                elif step.kind is StepKind.CORPUS:
                    self._corpus(step, run_id, summary)
                else:
                    self._segment(seg, prepared, run_id, summary)
        except RunAborted as exc:
            summary.aborted = str(exc)
            status = "aborted"
        except BaseException:
            status = "killed"
            raise
        finally:
            with self.store.transaction() as tx:
                if self._deferred:
                    tx.build_indexes()
                    self._deferred = False
                tx.refresh_search_index()
            summary.seconds = time.perf_counter() - t0
            summary.mean_scores = self._mean_scores()
            if status == "ok" and summary.failed:
                status = "errors"
            with self.store.transaction() as tx:
                tx.finish_run(run_id, status, summary.to_dict())
        self.manager.pm.hook.textmill_run_end(run_id=run_id, summary=summary.to_dict())
        return summary

    def _stats(self, summary: RunSummary, plugin: str) -> PluginStats:
        return summary.plugins.setdefault(plugin, PluginStats())

    def _mean_scores(self) -> dict[str, float | None]:
        """Each plugin's mean score, read again only when some results changed."""
        check = freshness.means_check(self.store.generations())
        return dict(self.freshness.memo(check, self.store.mean_scores))

    def _build_indexes(self) -> None:
        """Build the results indexes a first run deferred (before anything reads results)."""
        if self._deferred:
            with self.store.transaction() as tx:
                tx.build_indexes()
            self._deferred = False

    # --- ingest -------------------------------------------------------------------------------

    def _ingest(
        self, paths: list[Any], run_id: str, summary: RunSummary, first: list[Step] | None
    ) -> bool:
        """Stream the input into the store, keeping the rows of unchanged documents. With
        ``first`` (doc steps the plan starts with), run them on each page as it is stored,
        rather than reading the documents back afterwards; returns whether they ran.

        When every input file is as the last ingest left it (same paths, sizes, times and
        inodes, none modified in the seconds before that ingest looked at it) and nothing has
        changed the documents since, the input is not read at all: the last ingest's counts
        and unreadable documents are reported again.
        """
        inp = self.config.input
        roots = [self.config.resolve(p) for p in paths]
        for plugin in dict.fromkeys(s.plugin for s in self.plan if s.kind is not StepKind.PREPARE):
            self._stats(summary, plugin)
        files, trusted = fingerprint(roots)
        # The readers' version too: an upgraded reader may read the same files differently.
        options = [__version__, inp.format, inp.text_column, inp.id_column, inp.max_bytes]
        check = freshness.input_check(roots, options, files)
        last = None if self.force else self.freshness.fresh(check)
        if last is not None:
            summary.documents = last["documents"]
            summary.input_errors = [(i, r) for i, r in last["input_errors"]]
            self.progress("read", last["items"], None)
            self._abort_on_input_errors(summary)
            return False
        items = read_paths(
            roots,
            fmt=inp.format,
            text_column=inp.text_column,
            id_column=inp.id_column,
            max_bytes=inp.max_bytes,
        )
        with self.store.transaction() as tx:
            tx.start_ingest()
        counter = [0]
        pages = self._store_pages(items, run_id, summary, counter)
        errors = 0
        if first is None:
            for _ in pages:
                pass
        else:
            job = self._job(first, {}, run_id)
            batches = self._page_tasks(pages, self.config.run.batch_size)
            errors = self._run_job(job, batches, run_id, summary, None)
        with self.store.transaction() as tx:
            tx.drop_unseen()
            if trusted:
                record = {
                    "documents": summary.documents,
                    "input_errors": summary.input_errors,
                    "items": counter[0],
                }
                self.freshness.record(check, record, tx)
            else:
                self.freshness.forget(check, tx)
        if first is not None and not errors:
            self.freshness.record(self._segment_check(job))
        return first is not None

    def _store_pages(
        self, items: Iterator[Any], run_id: str, summary: RunSummary, counter: list[int]
    ) -> Iterator[list[tuple[Document, str, str]]]:
        """Store the input page by page (one transaction each), and yield each page's readable
        documents as ``(doc, raw_hash, how)``: ``how`` is ``new``, ``changed`` or ``same``."""
        seq = self.store.next_seq()
        for page in _pages(items, 500):
            known = self.store.known_documents([it.id for it in page])
            seen: list[int] = []
            rows: list[NewDocument] = []
            readable: list[tuple[Document, str, str]] = []
            for item in page:
                if isinstance(item, Skipped):
                    summary.input_skipped.append((item.id, item.reason))
                    continue
                old = known.get(item.id)
                if old is None:
                    doc_seq = seq
                    seq += 1
                else:
                    doc_seq = old.seq
                seen.append(doc_seq)
                if isinstance(item, ReadError):
                    summary.input_errors.append((item.id, item.reason))
                    if old is None or old.raw_hash or old.error != item.reason:
                        unreadable = Document(id=item.id, raw="", source=item.source)
                        rows.append(NewDocument(unreadable, doc_seq, "", item.reason))
                    continue
                summary.documents += 1
                h = text_hash(item.raw)
                if old is None:
                    rows.append(NewDocument(item, doc_seq, h, None))
                    readable.append((item, h, "new"))
                elif old.raw_hash != h or old.fields != DocumentFields.of(item):
                    rows.append(NewDocument(item, doc_seq, h, None))
                    readable.append((item, h, "changed"))
                else:
                    readable.append((item, h, "same"))
            with self.store.transaction() as tx:
                tx.put_documents(rows, run_id)
                tx.mark_seen(seen)
            counter[0] += len(page)
            self.progress("read", counter[0], None)
            self._abort_on_input_errors(summary)
            yield readable

    def _page_tasks(
        self, pages: Iterator[list[tuple[Document, str, str]]], size: int
    ) -> Iterator[list[DocTask]]:
        """Batches of tasks from pages as :meth:`_store_pages` stored them: a new or changed
        document is the one just read; an unchanged one is read back (with its cleaned text)."""
        for page in pages:
            known = [d.id for d, _, how in page if how != "new"]
            prior = self.store.result_rows(known) if known else {}
            stored = self.store.hashed_documents([d.id for d, _, how in page if how == "same"])
            tasks = []
            for doc, h, how in page:
                if how == "same":
                    if doc.id not in stored:
                        continue  # a second copy of an id whose first copy was unreadable
                    hashed = stored[doc.id]
                    tasks.append(
                        DocTask(hashed.doc, hashed.raw_hash, hashed.text_hash, prior[doc.id])
                    )
                else:
                    tasks.append(DocTask(doc, h, h, prior.get(doc.id, {})))
            for i in range(0, len(tasks), size):
                yield tasks[i : i + size]

    def _abort_on_input_errors(self, summary: RunSummary) -> None:
        if self.fail_fast and summary.input_errors:
            doc_id, reason = summary.input_errors[0]
            raise RunAborted(f"cannot read {doc_id}: {reason}")

    # --- prepare and corpus steps -------------------------------------------------------------

    def _digest(self, step: Step, raw: bool, seen: set[str], allowed: set[str]) -> str:
        """The digest of what a prepare (``raw``) or corpus step sees, remembered while the
        documents and results it hashes are unchanged."""
        check = freshness.view_check(step, raw, seen, allowed)
        return str(
            self.freshness.memo(
                check, lambda: freshness.corpus_digest(self.store, raw, seen, allowed)
            )
        )

    def _prepare(self, step: Step, summary: RunSummary) -> tuple[str, Any]:
        key = freshness.step_key(step, self._digest(step, True, set(), set()))
        stats = self._stats(summary, step.plugin)
        cached = self.store.cache_get(step.plugin, "prepare")
        if cached and cached.key == key and not self.force:
            return key, cached.value
        self.progress(f"{step.plugin}: prepare", 0, None)
        fn = self.manager.impl(step.plugin, step.hook)
        assert fn is not None
        t0 = time.perf_counter()
        try:
            corpus = StoreCorpus(self.store, raw=True, seen=(), merged=())
            with time_limit(self._corpus_limit(corpus)) as limit:
                state = limit.call(fn, corpus=corpus, settings=step.settings)
        except (Exception, HookTimeout) as exc:
            error = self._corpus_error(exc, stats)
            summary.corpus_errors.append((step.plugin, error))
            if self.fail_fast:
                raise RunAborted(f'plugin "{step.plugin}" failed in prepare: {error}') from None
            # Its per-document hooks run without a state, under keys of their own: a later run
            # whose prepare succeeds does not take their results for its own.
            return "error:" + key, None
        finally:
            stats.seconds += time.perf_counter() - t0
        with self.store.transaction() as tx:
            # The state as stored (through JSON), as a later run's cache hit gives it.
            state = tx.cache_put(step.plugin, "prepare", key, state)
        return key, state

    def _corpus(self, step: Step, run_id: str, summary: RunSummary) -> None:
        seen, before = freshness.corpus_views(self.full_plan, self.order, step)
        self._build_indexes()
        key = freshness.step_key(step, self._digest(step, False, seen, before))
        stats = self._stats(summary, step.plugin)
        # A plugin without a per-document hook reports its corpus hook's per-document results.
        corpus_only = not any(s.plugin == step.plugin and s.kind is StepKind.DOC for s in self.plan)
        cached = self.store.cache_get(step.plugin, "corpus")
        if cached and cached.key == key and not self.force:
            if corpus_only:
                n = self.store.count_results(step.plugin, "corpus")
                stats.processed += n
                stats.cached += n
            return
        self.progress(f"{step.plugin}: corpus", 0, None)
        fn = self.manager.impl(step.plugin, step.hook)
        assert fn is not None
        t0 = time.perf_counter()
        # What the hook keeps for its next run (values keyed by what they were made from).
        memo = StoreMemo(self.store, step.plugin, freshness.memo_prefix(step), read=not self.force)
        try:
            # The corpus as a fresh run would show it: not what this hook, or a later one, made
            # in an earlier run.
            corpus = StoreCorpus(self.store, seen=seen, merged=before, memo=memo)
            with time_limit(self._corpus_limit(corpus)) as limit:
                res = limit.call(fn, corpus=corpus, settings=step.settings) or CorpusResult()
            if not isinstance(res, CorpusResult):
                raise TypeError(
                    f"{step.hook} returned {type(res).__name__}, not textmill.CorpusResult"
                )
        except (Exception, HookTimeout) as exc:
            error = self._corpus_error(exc, stats)
            summary.corpus_errors.append((step.plugin, error))
            memo.finish(ok=False)
            with self.store.transaction() as tx:
                # What the hook made in an earlier run no longer holds: a fresh run would
                # have nothing from it either.
                tx.put_corpus_output(
                    step.plugin,
                    "error:" + key,
                    run_id=run_id,
                    data={"error": error, "traceback": traceback.format_exc()},
                )
            if self.fail_fast:
                raise RunAborted(f'plugin "{step.plugin}" failed: {error}') from None
            return
        memo.finish(ok=True)
        elapsed = time.perf_counter() - t0
        stats.seconds += elapsed
        if corpus_only:
            stats.processed += len(res.doc_results)
        lengths: dict[str, int] = {}
        results = []
        for doc_id, r in res.doc_results.items():
            if doc_id not in lengths:
                d = self.store.document(doc_id)
                lengths[doc_id] = len(d.text) if d else 0
            results.append(
                StageResult(
                    doc_id=doc_id,
                    plugin=step.plugin,
                    stage=step.stage,
                    status="ok",
                    score=score(r.score),
                    label=r.label,
                    findings=tuple(own(f, step.plugin, lengths[doc_id]) for f in r.findings),
                    data=r.data,
                    cache_key=freshness.corpus_result_key(step.plugin, step.version, r),
                )
            )
        with self.store.transaction() as tx:
            tx.put_corpus_output(
                step.plugin,
                key,
                clusters=[replace(c, plugin=step.plugin) for c in res.clusters],
                alignments=res.alignments,
                entities=[replace(e, plugin=step.plugin) for e in res.entities],
                results=results,
                run_id=run_id,
                data={
                    "data": res.data,
                    "seconds": elapsed,
                    "memo": {"kept": memo.hits, "computed": memo.misses},
                },
            )

    def _corpus_limit(self, corpus: StoreCorpus) -> float:
        """A prepare or corpus hook's time limit: ``[run] timeout`` for each document of the
        corpus it goes through (0, no limit, stays 0)."""
        return self.config.run.timeout * max(1, len(corpus))

    def _corpus_error(self, exc: BaseException, stats: PluginStats) -> str:
        """Count a prepare or corpus hook's failure; its one-line message."""
        stats.errors += 1
        if isinstance(exc, HookTimeout):
            stats.timeouts += 1
            return str(exc)
        return _one_line(exc)

    # --- doc segments -------------------------------------------------------------------------

    def _segment(
        self,
        steps: list[Step],
        prepared: dict[str, tuple[str, Any]],
        run_id: str,
        summary: RunSummary,
    ) -> None:
        job = self._job(steps, prepared, run_id)
        total = self.store.count_documents()
        label = ", ".join(s.plugin for s in steps)
        check = self._segment_check(job)
        if not self.force and self.freshness.fresh(check):
            # Nothing any key of this segment hashes has changed since a pass that left a valid
            # result for every document and step: every result is a cache hit.
            for s in steps:
                st = self._stats(summary, s.plugin)
                st.processed += total
                st.cached += total
            self.progress(label, total, total)
            return
        if not self._run_job(job, self._tasks(job), run_id, summary, total):
            self.freshness.record(check)

    def _segment_check(self, job: SegmentJob) -> Check:
        with_doc_step = {s.plugin for s in self.plan if s.kind is StepKind.DOC}
        return freshness.segment_check(job, with_doc_step)

    def _job(
        self, steps: list[Step], prepared: dict[str, tuple[str, Any]], run_id: str
    ) -> SegmentJob:
        # Needs and visibility come from the full plan, so that --only and --skip make the
        # same keys as a full run (and leave its results valid).
        full = self.full_plan
        prov = providers(full)
        pos = {
            s.plugin: next(
                i for i, t in enumerate(full) if t.plugin == s.plugin and t.kind is StepKind.DOC
            )
            for s in steps
        }
        earlier = {
            s.plugin: list(
                dict.fromkeys(t.plugin for t in full[: pos[s.plugin]] if t.plugin != s.plugin)
            )
            for s in steps
        }
        merged = {
            s.plugin: sorted({t.plugin for t in full[: pos[s.plugin]] if t.kind is StepKind.CORPUS})
            for s in steps
        }
        deps = {
            s.plugin: sorted(
                {
                    p
                    for art in (*s.requires, *s.uses)
                    for p in prov.get(art, ())
                    if p in earlier[s.plugin]
                }
            )
            for s in steps
        }
        return SegmentJob(
            steps,
            self.manager,
            prepared,
            deps,
            earlier,
            run_id,
            self.fail_fast,
            trace=bool(os.environ.get(ENV_TRACE)),
            timeout=self.config.run.timeout,
            merged=merged,
            force=self.force,
            pre_clean=[
                t.plugin
                for t in full[: min(pos.values())]
                if t.kind is StepKind.DOC and t.stage == "clean"
            ]
            if any(s.stage == "clean" for s in steps)
            else [],
        )

    def _run_job(
        self,
        job: SegmentJob,
        batches: Iterator[list[DocTask]],
        run_id: str,
        summary: RunSummary,
        total: int | None,
    ) -> int:
        """Run a segment's batches on the executor and write their results; returns how many
        results are errors."""
        label = ", ".join(s.plugin for s in job.steps)
        executor = make_executor(
            job,
            self.workers,
            kind=self.executor,
            method=self.config.run.start_method,
            ray_address=self.config.run.ray_address,
            activity=self._activity,
        )
        done = 0
        errors = 0
        try:
            for outcomes in executor.map(batches):
                errors += self._write(outcomes, summary)
                done += len(outcomes)
                self.progress(label, done, total)
                aborted = next((o.aborted for o in outcomes if o.aborted), None)
                if aborted:
                    raise RunAborted(aborted)
        finally:
            executor.close()
        return errors

    def _tasks(self, job: SegmentJob) -> Iterator[list[DocTask]]:
        for page in self.store.iter_hashed(self.config.run.batch_size):
            prior = self.store.result_rows([h.doc.id for h in page])
            yield [_task(h, prior[h.doc.id]) for h in page]

    def _write(self, outcomes: list[DocOutcome], summary: RunSummary) -> int:
        """Store a batch's results in one transaction; returns how many are errors."""
        rows: list[ResultRow] = []
        found: list[FindingRow] = []
        clear: list[ResultId] = []
        texts: list[CleanedText] = []
        counts: dict[str, list[float]] = {}  # plugin -> [processed, cached, errors, seconds]
        for o in outcomes:
            for plugin in o.cached:
                c = counts.get(plugin) or counts.setdefault(plugin, [0, 0, 0, 0.0])
                c[0] += 1
                c[1] += 1
            for row in o.rows:
                c = counts.get(row.plugin) or counts.setdefault(row.plugin, [0, 0, 0, 0.0])
                c[0] += 1
                c[3] += row.duration
                if row.status == "error":
                    c[2] += 1
                    if len(summary.doc_errors) < DOC_ERRORS_KEPT:
                        summary.doc_errors.append((row.doc_id, row.plugin, row.error or ""))
                    if (row.error or "").startswith(TIMEOUT_PREFIX):
                        self._stats(summary, row.plugin).timeouts += 1
            rows += o.rows
            found += o.findings
            clear += o.clear
            if o.text is not None:
                texts.append(CleanedText(o.doc_id, o.text, o.text_hash))
        parsed = [o.parse_seconds for o in outcomes if o.parse_seconds]
        if parsed:  # the shared parse, on a line of its own so plugins' times are their own
            st = self._stats(summary, PARSE_LINE)
            st.processed += len(parsed)
            st.seconds += sum(parsed)
        errors = 0
        for plugin, (processed, cached, failed, seconds) in counts.items():
            st = self._stats(summary, plugin)
            st.processed += int(processed)
            st.cached += int(cached)
            st.errors += int(failed)
            st.seconds += seconds
            errors += int(failed)
        if rows or texts:
            with self.store.transaction() as tx:
                tx.put_results(rows, found, clear)
                tx.set_texts(texts)
        return errors


def _task(h: HashedDocument, prior: dict[tuple[str, str], ResultRow]) -> DocTask:
    return DocTask(h.doc, h.raw_hash, h.text_hash, prior)


def _pages(items: Iterator[Any], n: int) -> Iterator[list[Any]]:
    page: list[Any] = []
    for it in items:
        page.append(it)
        if len(page) >= n:
            yield page
            page = []
    if page:
        yield page


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1))
