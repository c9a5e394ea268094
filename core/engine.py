"""The engine: read the corpus into the store, run the plan, and summarize the run.

A run goes: ingest (stream every input document into the store, keeping unchanged ones), then
each step of the plan in order. ``prepare`` and ``corpus`` steps see the whole corpus through the
store. Runs of consecutive ``doc`` steps go through the corpus in batches on an executor; each
batch's results are written in one transaction, so a killed run loses at most the batches in
flight and a restart redoes only those.

Every (document, plugin) result carries a cache key: the hash of the plugin's name, version and
settings, the text it saw, its prepared state and the keys of the results it declared it needs.
A result whose key is unchanged is not recomputed.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from textmill.chain import Step, build_plan, providers, segments
from textmill.config import Config
from textmill.context import DocContext
from textmill.corpus import StoreCorpus
from textmill.edits import map_edits_back
from textmill.errors import TextmillError
from textmill.executors import make_executor
from textmill.manager import ENV_TRACE, PluginManager
from textmill.model import (
    CorpusResult,
    Document,
    Edit,
    Finding,
    Result,
    StageResult,
    from_dict,
    to_dict,
)
from textmill.readers import ReadError, read_paths
from textmill.store import Store, loads, merge_results

Progress = Callable[[str, int, int | None], None]
"""``progress(label, done, total)``: called as work advances (``total`` may be unknown)."""


class RunAborted(TextmillError):
    """``--fail-fast`` stopped the run at the first error."""


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _key(*parts: str) -> str:
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()


@dataclass
class PluginStats:
    processed: int = 0
    errors: int = 0
    cached: int = 0
    seconds: float = 0.0


@dataclass
class RunSummary:
    run_id: str
    documents: int = 0
    input_errors: list[tuple[str, str]] = field(default_factory=list)
    plugins: dict[str, PluginStats] = field(default_factory=dict)
    corpus_errors: list[tuple[str, str]] = field(default_factory=list)
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
            "plugins": {
                name: {**s.__dict__, "mean_score": self.mean_scores.get(name)}
                for name, s in self.plugins.items()
            },
            "seconds": round(self.seconds, 3),
            "aborted": self.aborted,
            "failed": self.failed,
        }


# --- the per-document work, run in workers ------------------------------------------------------


@dataclass
class SegmentJob:
    """Everything a worker needs to run one segment of doc steps on a batch."""

    steps: list[Step]
    manager: PluginManager
    prepared: dict[str, tuple[str, Any]]  # plugin -> (hash, state)
    deps: dict[str, list[str]]  # plugin -> plugins whose results its key depends on
    earlier: dict[str, set[str]]  # plugin -> plugins before it in the plan
    run_id: str
    fail_fast: bool
    trace: bool = False

    @property
    def cleans(self) -> bool:
        return any(s.stage == "clean" for s in self.steps)


@dataclass
class DocTask:
    doc: Document
    prior: dict[tuple[str, str], StageResult]
    extras: dict[str, dict[str, Any]]  # clean plugin -> {"text": ..., "local": [...]}


@dataclass
class DocOutcome:
    doc_id: str
    text: str | None  # the new cleaned text, when the segment cleans
    # (result, extras, whether the result it replaces may have stored findings)
    results: list[tuple[StageResult, dict[str, Any] | None, bool]]
    cached: list[str]  # plugins whose stored result was still valid
    aborted: str | None = None
    text_hash: str = ""


_JOB: SegmentJob | None = None


def _run_batch(batch: list[DocTask]) -> list[DocOutcome]:
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
    text = doc.raw if job.cleans else doc.text
    thash = text_hash(text)
    view = doc if text == doc.text else doc.with_text(text)
    local_steps: list[list[Edit]] = []  # clean edits so far, each in its own input's offsets
    current: dict[str, StageResult] = {}
    outcome = DocOutcome(doc.id, None, [], [])
    stored: dict[str, StageResult] = {}
    for p, _phase in task.prior:
        if p not in stored:
            merged = merge_results(task.prior.get((p, "doc")), task.prior.get((p, "corpus")))
            if merged is not None:
                stored[p] = merged
    for step in job.steps:
        earlier = job.earlier[step.plugin]
        ctx_results = {p: r for p in earlier if (r := current.get(p) or stored.get(p))}
        dep_keys = [
            ctx_results[p].cache_key if p in ctx_results else "" for p in job.deps[step.plugin]
        ]
        phash, state = job.prepared.get(step.plugin, ("", None))
        key = _key(step.plugin, step.version, step.settings_hash, thash, phash, *dep_keys)
        old = task.prior.get((step.plugin, "doc"))
        if old is not None and old.cache_key == key and old.status != "error":
            current[step.plugin] = old
            outcome.cached.append(step.plugin)
            if step.stage == "clean":
                extra = task.extras.get(step.plugin) or {}
                if extra.get("text") is not None:
                    local_steps.append([from_dict(Edit, e) for e in extra.get("local", ())])
                    text = extra["text"]
                    thash = text_hash(text)
            continue
        if view.text is not text:
            view = doc.with_text(text)
        ctx = DocContext(results=ctx_results, prepared=state, run_id=job.run_id)
        fn = job.manager.impl(step.plugin, step.hook)
        t0 = time.perf_counter()
        extras: dict[str, Any] | None = None
        try:
            assert fn is not None
            res = fn(doc=view, settings=step.settings, ctx=ctx)
            if res is not None and not isinstance(res, Result):
                raise TypeError(f"{step.hook} returned {type(res).__name__}, not textmill.Result")
            res = res or Result()
            edits: tuple[Edit, ...] = ()
            if step.stage == "clean" and res.text is not None:
                local = [replace(e, plugin=step.plugin) for e in res.edits]
                edits = tuple(map_edits_back(local, local_steps))
                local_steps.append(local)
                extras = {"text": res.text, "local": [to_dict(e) for e in local]}
                if res.text != text:
                    text = res.text
                    thash = text_hash(text)
            elif res.edits:
                edits = tuple(replace(e, plugin=step.plugin) for e in res.edits)
            result = StageResult(
                doc_id=doc.id,
                plugin=step.plugin,
                stage=step.stage,
                status="ok",
                score=_score(res.score),
                label=res.label,
                findings=tuple(_own(f, step.plugin, len(text)) for f in res.findings),
                data=res.data,
                edits=edits,
                duration=time.perf_counter() - t0,
                cache_key=key,
            )
        except Exception as exc:
            result = StageResult(
                doc_id=doc.id,
                plugin=step.plugin,
                stage=step.stage,
                status="error",
                duration=time.perf_counter() - t0,
                error=f"{type(exc).__name__}: {exc}",
                traceback=traceback.format_exc(),
                cache_key=key,
            )
            if job.fail_fast:
                outcome.aborted = f'plugin "{step.plugin}" failed on {doc.id}: {result.error}'
        if job.trace:
            print(
                f"  {step.plugin}.{step.hook}(doc={doc.id!r}) --> {result.status} "
                f"in {result.duration * 1000:.2f} ms",
                file=sys.stderr,
            )
        current[step.plugin] = result
        outcome.results.append((result, extras, old is not None and bool(old.findings)))
        if outcome.aborted:
            break
    if job.cleans:
        outcome.text = text
        outcome.text_hash = thash
    return outcome


def _score(value: Any) -> float | None:
    if value is None:
        return None
    v = float(value)
    return v if v == v else None  # NaN means "no score"


def _own(f: Finding, plugin: str, n: int) -> Finding:
    if f.span is not None and f.span.end > n:
        raise ValueError(f"finding {f.code} has span {f.span} outside the text ({n} chars)")
    return replace(f, plugin=plugin)


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
    ) -> None:
        self.config = config
        self.manager = manager
        self.store = store
        self.workers = workers or config.run.workers
        self.fail_fast = config.run.fail_fast if fail_fast is None else fail_fast
        self.progress = progress or (lambda label, done, total: None)
        self.plan = build_plan(config, manager, only=only, skip=skip)
        # Results of plugins left out by --only/--skip still count as "earlier" for the others.
        full = build_plan(config, manager) if (only or skip) else self.plan
        self.order = [s.plugin for s in full]
        self.full_plan = full

    def run(self, paths: list[Any] | None = None) -> RunSummary:
        run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        summary = RunSummary(run_id)
        t0 = time.perf_counter()
        self.store.start_run(run_id, self.config.to_dict())
        self.manager.pm.hook.textmill_run_start(run_id=run_id, config=self.config.to_dict())
        status = "ok"
        try:
            self._ingest(paths or self.config.input_paths(), run_id, summary)
            prepared: dict[str, tuple[str, Any]] = {}
            for seg in segments(self.plan):
                if seg[0].kind == "prepare":
                    prepared[seg[0].plugin] = self._prepare(seg[0], summary)
                elif seg[0].kind == "corpus":
                    self._corpus(seg[0], run_id, summary)
                else:
                    self._segment(seg, prepared, run_id, summary)
        except RunAborted as exc:
            summary.aborted = str(exc)
            status = "aborted"
        except BaseException:
            status = "killed"
            raise
        finally:
            if self.store.conn.in_transaction:
                self.store.conn.execute("ROLLBACK")
            self.store.begin()
            self.store.refresh_search_index()
            self.store.commit()
            summary.seconds = time.perf_counter() - t0
            summary.mean_scores = self._mean_scores()
            if status == "ok" and summary.failed:
                status = "errors"
            self.store.finish_run(run_id, status, summary.to_dict())
        self.manager.pm.hook.textmill_run_end(run_id=run_id, summary=summary.to_dict())
        return summary

    def _stats(self, summary: RunSummary, plugin: str) -> PluginStats:
        return summary.plugins.setdefault(plugin, PluginStats())

    def _mean_scores(self) -> dict[str, float | None]:
        rows = self.store.conn.execute(
            "SELECT plugin, AVG(score) FROM results WHERE phase='doc' GROUP BY plugin"
        ).fetchall()
        return {r[0]: r[1] for r in rows}

    # --- ingest -------------------------------------------------------------------------------

    def _ingest(self, paths: list[Any], run_id: str, summary: RunSummary) -> None:
        inp = self.config.input
        items = read_paths(
            [self.config.resolve(p) for p in paths],
            fmt=inp.format,
            text_column=inp.text_column,
            id_column=inp.id_column,
            max_bytes=inp.max_bytes,
        )
        for plugin in dict.fromkeys(s.plugin for s in self.plan if s.kind != "prepare"):
            self._stats(summary, plugin)
        seq = self.store.next_seq()
        done = 0
        for page in _pages(items, 500):
            ids = [it.id for it in page]
            known = self.store.known_documents(ids)
            touched: list[str] = []
            rows: list[tuple[Document, int, str, str | None]] = []
            for item in page:
                if isinstance(item, ReadError):
                    summary.input_errors.append((item.id, item.reason))
                    doc = Document(id=item.id, raw="", source=item.source)
                    rows.append(
                        (doc, known[item.id][1] if item.id in known else seq, "", item.reason)
                    )
                    seq += 0 if item.id in known else 1
                    continue
                h = text_hash(item.raw)
                if item.id in known and known[item.id][0] == h:
                    touched.append(item.id)
                else:
                    rows.append((item, known[item.id][1] if item.id in known else seq, h, None))
                    seq += 0 if item.id in known else 1
                summary.documents += 1
            self.store.begin()
            self.store.insert_documents(rows, run_id)
            self.store.touch_documents(touched, run_id)
            self.store.commit()
            done += len(page)
            self.progress("read", done, None)
            if self.fail_fast and summary.input_errors:
                doc_id, reason = summary.input_errors[0]
                raise RunAborted(f"cannot read {doc_id}: {reason}")
        self.store.begin()
        self.store.drop_documents_not_in(run_id)
        self.store.commit()

    # --- prepare and corpus steps -------------------------------------------------------------

    def _corpus_digest(
        self,
        raw: bool,
        seen: set[str] | None = None,
        own: str = "",
        corpus_seen: set[str] | None = None,
    ) -> str:
        """A hash of what a prepare (``raw``) or corpus step can see: every document's text and
        the results of ``seen`` plugins (those before the step, and its own per-document hook)."""
        h = hashlib.blake2b(digest_size=16)
        col = "raw_hash" if raw else "text_hash"
        for row in self.store.conn.execute(
            f"SELECT id, {col} FROM documents WHERE error IS NULL ORDER BY seq"
        ):
            h.update(f"{row[0]}\x00{row[1]}\x01".encode())
        if not raw:
            seen = seen or set()
            for row in self.store.result_keys():
                if row[1] in seen:
                    h.update(f"{row[0]}\x00{row[1]}\x00{row[2]}\x01".encode())
            for row in self.store.conn.execute(
                "SELECT plugin, key FROM cache WHERE kind='corpus' ORDER BY plugin"
            ):
                allowed = corpus_seen if corpus_seen is not None else seen
                if row[0] in allowed and row[0] != own:
                    h.update(f"{row[0]}\x00{row[1]}\x01".encode())
        return h.hexdigest()

    def _prepare(self, step: Step, summary: RunSummary) -> tuple[str, Any]:
        key = _key(step.plugin, step.version, step.settings_hash, self._corpus_digest(raw=True))
        stats = self._stats(summary, step.plugin)
        cached = self.store.cache_get(step.plugin, "prepare")
        if cached and cached[0] == key:
            return key, cached[1]
        self.progress(f"{step.plugin}: prepare", 0, None)
        fn = self.manager.impl(step.plugin, step.hook)
        assert fn is not None
        t0 = time.perf_counter()
        try:
            state = fn(corpus=StoreCorpus(self.store, raw=True), settings=step.settings)
        except Exception as exc:
            stats.errors += 1
            summary.corpus_errors.append((step.plugin, _one_line(exc)))
            if self.fail_fast:
                raise RunAborted(
                    f'plugin "{step.plugin}" failed in prepare: {_one_line(exc)}'
                ) from None
            return key, None
        finally:
            stats.seconds += time.perf_counter() - t0
        self.store.begin()
        self.store.cache_put(step.plugin, "prepare", key, state)
        self.store.commit()
        return key, loads(
            self.store.conn.execute(
                "SELECT payload FROM cache WHERE plugin=? AND kind='prepare'", (step.plugin,)
            ).fetchone()[0]
        )

    def _corpus(self, step: Step, run_id: str, summary: RunSummary) -> None:
        idx = max(i for i, p in enumerate(self.order) if p == step.plugin)
        seen = {p for p in self.order[:idx] if p != step.plugin} | {step.plugin}
        # Only corpus steps that run before this one count: a later corpus step (e.g. checks
        # that read this step's clusters) must not invalidate it, or each run would redo both.
        corpus_before = {
            s.plugin for s in self.full_plan[:idx] if s.kind == "corpus" and s.plugin != step.plugin
        }
        digest = self._corpus_digest(
            raw=False, seen=seen, own=step.plugin, corpus_seen=corpus_before
        )
        key = _key(step.plugin, step.version, step.settings_hash, digest)
        stats = self._stats(summary, step.plugin)
        # A plugin without a per-document hook reports its corpus hook's per-document results.
        corpus_only = not any(s.plugin == step.plugin and s.kind == "doc" for s in self.plan)
        cached = self.store.cache_get(step.plugin, "corpus")
        if cached and cached[0] == key:
            if corpus_only:
                n = self.store.count_results(step.plugin, "corpus")
                stats.processed += n
                stats.cached += n
            return
        self.progress(f"{step.plugin}: corpus", 0, None)
        fn = self.manager.impl(step.plugin, step.hook)
        assert fn is not None
        t0 = time.perf_counter()
        try:
            res = fn(corpus=StoreCorpus(self.store), settings=step.settings) or CorpusResult()
            if not isinstance(res, CorpusResult):
                raise TypeError(
                    f"{step.hook} returned {type(res).__name__}, not textmill.CorpusResult"
                )
        except Exception as exc:
            stats.errors += 1
            summary.corpus_errors.append((step.plugin, _one_line(exc)))
            self.store.begin()
            self.store.cache_put(
                step.plugin,
                "corpus",
                "error:" + key,
                {"error": _one_line(exc), "traceback": traceback.format_exc()},
            )
            self.store.commit()
            if self.fail_fast:
                raise RunAborted(f'plugin "{step.plugin}" failed: {_one_line(exc)}') from None
            return
        elapsed = time.perf_counter() - t0
        stats.seconds += elapsed
        if corpus_only:
            stats.processed += len(res.doc_results)
        self.store.begin()
        self.store.clear_plugin_outputs(step.plugin)
        self.store.replace_clusters(
            step.plugin, [replace(c, plugin=step.plugin) for c in res.clusters]
        )
        self.store.replace_alignments(step.plugin, res.alignments)
        self.store.replace_entities(
            step.plugin, [replace(e, plugin=step.plugin) for e in res.entities]
        )
        texts = {}
        for doc_id, r in res.doc_results.items():
            if doc_id not in texts:
                d = self.store.document(doc_id)
                texts[doc_id] = len(d.text) if d else 0
            self.store.put_result(
                StageResult(
                    doc_id=doc_id,
                    plugin=step.plugin,
                    stage=step.stage,
                    status="ok",
                    score=_score(r.score),
                    label=r.label,
                    findings=tuple(_own(f, step.plugin, texts[doc_id]) for f in r.findings),
                    data=r.data,
                    cache_key=key,
                ),
                run_id,
                phase="corpus",
            )
        self.store.cache_put(step.plugin, "corpus", key, {"data": res.data, "seconds": elapsed})
        self.store.commit()

    # --- doc segments -------------------------------------------------------------------------

    def _segment(
        self,
        steps: list[Step],
        prepared: dict[str, tuple[str, Any]],
        run_id: str,
        summary: RunSummary,
    ) -> None:
        global _JOB
        prov = providers(self.plan)
        order = self.order
        earlier = {s.plugin: set(order[: order.index(s.plugin)]) for s in steps}
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
        job = SegmentJob(
            steps,
            self.manager,
            prepared,
            deps,
            earlier,
            run_id,
            self.fail_fast,
            trace=bool(os.environ.get(ENV_TRACE)),
        )
        _JOB = job
        total = self.store.count_documents()
        label = ", ".join(s.plugin for s in steps)
        executor = make_executor(self.workers)
        done = 0
        try:
            for outcomes in executor.map(_run_batch, self._tasks(job)):
                self._write(outcomes, run_id, summary)
                done += len(outcomes)
                self.progress(label, done, total)
                aborted = next((o.aborted for o in outcomes if o.aborted), None)
                if aborted:
                    raise RunAborted(aborted)
        finally:
            executor.close()
            _JOB = None

    def _tasks(self, job: SegmentJob) -> Iterator[list[DocTask]]:
        cleans = [s.plugin for s in job.steps if s.stage == "clean"]
        for page in self.store.iter_documents(self.config.run.batch_size):
            ids = [d.id for d in page]
            prior = self.store.results_for(ids)
            extras: dict[str, dict[str, dict[str, Any]]] = {d: {} for d in ids}
            if cleans:
                for row in self.store.conn.execute(
                    f"SELECT doc_id, plugin, payload FROM results WHERE phase='doc' AND plugin IN "
                    f"({','.join('?' * len(cleans))}) AND doc_id IN ({','.join('?' * len(ids))})",
                    (*cleans, *ids),
                ):
                    body = loads(row[2]) or {}
                    extras[row[0]][row[1]] = {
                        "text": body.get("text"),
                        "local": body.get("local", []),
                    }
            yield [DocTask(d, prior[d.id], extras[d.id]) for d in page]

    def _write(self, outcomes: list[DocOutcome], run_id: str, summary: RunSummary) -> None:
        items: list[tuple[StageResult, str, dict[str, Any] | None, bool]] = []
        texts: list[tuple[str, str, str]] = []
        for o in outcomes:
            for plugin in o.cached:
                st = self._stats(summary, plugin)
                st.processed += 1
                st.cached += 1
            for result, extras, had_findings in o.results:
                st = self._stats(summary, result.plugin)
                st.processed += 1
                st.seconds += result.duration
                if result.status == "error":
                    st.errors += 1
                items.append((result, "doc", extras, had_findings))
            if o.text is not None:
                texts.append((o.doc_id, o.text, o.text_hash))
        self.store.begin()
        self.store.put_results(items, run_id)
        self.store.set_texts(texts)
        self.store.commit()


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
