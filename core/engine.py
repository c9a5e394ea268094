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
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from textmill import __version__, segment
from textmill.chain import Step, build_plan, providers, segments
from textmill.config import Config
from textmill.corpus import StoreCorpus
from textmill.errors import TextmillError
from textmill.executors import make_executor
from textmill.manager import ENV_TRACE, PluginManager
from textmill.model import CorpusResult, Document, StageResult
from textmill.readers import ReadError, fingerprint, read_paths
from textmill.segment import DocOutcome, DocTask, SegmentJob, own, score, text_hash
from textmill.segment import key as _key
from textmill.store import Store, dumps, loads

Progress = Callable[[str, int, int | None], None]
"""``progress(label, done, total)``: called as work advances (``total`` may be unknown)."""


class RunAborted(TextmillError):
    """``--fail-fast`` stopped the run at the first error."""


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
        self._deferred = False  # results indexes dropped for this run's first fill

    def run(self, paths: list[Any] | None = None) -> RunSummary:
        run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        summary = RunSummary(run_id)
        t0 = time.perf_counter()
        self.store.start_run(run_id, self.config.to_dict())
        self.manager.pm.hook.textmill_run_start(run_id=run_id, config=self.config.to_dict())
        status = "ok"
        self._deferred = self.store.defer_indexes()
        try:
            plan = segments(self.plan)
            # A plan that starts with doc steps runs them on each page of input as it is read.
            first = plan[0] if plan and plan[0][0].kind == "doc" else None
            if self._ingest(paths or self.config.input_paths(), run_id, summary, first):
                plan = plan[1:]
            prepared: dict[str, tuple[str, Any]] = {}
            for seg in plan:
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
            self._build_indexes()
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
        """Each plugin's mean score, read again only when some results changed."""
        watched = sorted(n for n in self.store.generations() if n.startswith("results:"))
        memo = _key("means", dumps(self._state(watched)).decode())
        last = self.store.cache_get("", "means")
        if last is not None and last[0] == memo:
            return dict(last[1])
        rows = self.store.conn.execute(
            "SELECT plugin, AVG(score) FROM results WHERE phase='doc' GROUP BY plugin"
        ).fetchall()
        means = {r[0]: r[1] for r in rows}
        self.store.begin()
        self.store.cache_put("", "means", memo, means)
        self.store.commit()
        return means

    def _build_indexes(self) -> None:
        """Build the results indexes a first run deferred (before anything reads results)."""
        if self._deferred:
            self.store.begin()
            self.store.build_indexes()
            self.store.commit()
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
        for plugin in dict.fromkeys(s.plugin for s in self.plan if s.kind != "prepare"):
            self._stats(summary, plugin)
        files, trusted = fingerprint(roots)
        # The readers' version too: an upgraded reader may read the same files differently.
        options = [__version__, inp.format, inp.text_column, inp.id_column, inp.max_bytes]
        key = _key("input", dumps([[str(r) for r in roots], options, files]).decode())
        last = self.store.cache_get("", "input")
        if (
            last is not None
            and last[0] == key
            and last[1].get("documents_gen") == self.store.generations().get("documents", 0)
        ):
            summary.documents = last[1]["documents"]
            summary.input_errors = [(i, r) for i, r in last[1]["input_errors"]]
            self.progress("read", last[1]["items"], None)
            self._abort_on_input_errors(summary)
            return False
        items = read_paths(
            roots,
            fmt=inp.format,
            text_column=inp.text_column,
            id_column=inp.id_column,
            max_bytes=inp.max_bytes,
        )
        self.store.start_ingest()
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
        self.store.begin()
        self.store.drop_unseen()
        if trusted:
            record = {
                "documents": summary.documents,
                "input_errors": summary.input_errors,
                "items": counter[0],
                "documents_gen": self.store.generations().get("documents", 0),
            }
            self.store.cache_put("", "input", key, record)
        else:
            self.store.cache_drop("", "input")
        self.store.commit()
        if first is not None and not errors:
            self._record_segment(job)
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
            rows: list[tuple[Document, int, str, str | None]] = []
            readable: list[tuple[Document, str, str]] = []
            for item in page:
                old = known.get(item.id)
                if old is None:
                    doc_seq = seq
                    seq += 1
                else:
                    doc_seq = old[1]
                seen.append(doc_seq)
                if isinstance(item, ReadError):
                    summary.input_errors.append((item.id, item.reason))
                    if old is None or old[0] or old[2] != item.reason:
                        unreadable = Document(id=item.id, raw="", source=item.source)
                        rows.append((unreadable, doc_seq, "", item.reason))
                    continue
                summary.documents += 1
                h = text_hash(item.raw)
                if old is None:
                    rows.append((item, doc_seq, h, None))
                    readable.append((item, h, "new"))
                elif old[0] != h or old[3] != self.store.document_fields(item):
                    rows.append((item, doc_seq, h, None))
                    readable.append((item, h, "changed"))
                else:
                    readable.append((item, h, "same"))
            self.store.begin()
            self.store.insert_documents(rows, run_id)
            self.store.mark_seen(seen)
            self.store.commit()
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
                    doc, raw_hash, thash = stored[doc.id]
                    tasks.append(DocTask(doc, raw_hash, thash, prior[doc.id]))
                else:
                    tasks.append(DocTask(doc, h, h, prior.get(doc.id, {})))
            for i in range(0, len(tasks), size):
                yield tasks[i : i + size]

    def _abort_on_input_errors(self, summary: RunSummary) -> None:
        if self.fail_fast and summary.input_errors:
            doc_id, reason = summary.input_errors[0]
            raise RunAborted(f"cannot read {doc_id}: {reason}")

    # --- prepare and corpus steps -------------------------------------------------------------

    def _corpus_digest(
        self,
        raw: bool,
        seen: set[str] | None = None,
        own: str = "",
        corpus_seen: set[str] | None = None,
        *,
        step: str,
    ) -> str:
        """A hash of what a prepare (``raw``) or corpus step can see: every document's text and
        the results of ``seen`` plugins (those before the step, and its own per-document hook).

        It reads every document and result, so it is remembered (for ``step``) with the
        generations of what it read, and read again only when one of them changed."""
        seen = seen or set()
        allowed = (corpus_seen if corpus_seen is not None else seen) - {own}
        watched = ["documents"] if raw else ["documents", "texts"]
        if not raw:
            watched += [f"results:{p}:doc" for p in sorted(seen)]
            watched += [f"cache:{p}:corpus" for p in sorted(allowed)]
        memo = _key(
            "digest", dumps([raw, sorted(seen), sorted(allowed), self._state(watched)]).decode()
        )
        kind = "digest:raw" if raw else "digest"
        last = self.store.cache_get(step, kind)
        if last is not None and last[0] == memo:
            return str(last[1])
        digest = self._read_digest(raw, seen, allowed)
        self.store.begin()
        self.store.cache_put(step, kind, memo, digest)
        self.store.commit()
        return digest

    def _read_digest(self, raw: bool, seen: set[str], allowed: set[str]) -> str:
        h = hashlib.blake2b(digest_size=16)
        col = "raw_hash" if raw else "text_hash"
        for row in self.store.conn.execute(
            f"SELECT id, {col} FROM documents WHERE error IS NULL ORDER BY seq"
        ):
            h.update(f"{row[0]}\x00{row[1]}\x01".encode())
        if not raw:
            for row in self.store.result_keys():
                if row[1] in seen:
                    h.update(f"{row[0]}\x00{row[1]}\x00{row[2]}\x01".encode())
            for row in self.store.conn.execute(
                "SELECT plugin, key FROM cache WHERE kind='corpus' ORDER BY plugin"
            ):
                if row[0] in allowed:
                    h.update(f"{row[0]}\x00{row[1]}\x01".encode())
        return h.hexdigest()

    def _prepare(self, step: Step, summary: RunSummary) -> tuple[str, Any]:
        digest = self._corpus_digest(raw=True, step=step.plugin)
        key = _key(step.plugin, step.version, step.settings_hash, digest)
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
        self._build_indexes()
        digest = self._corpus_digest(
            raw=False, seen=seen, own=step.plugin, corpus_seen=corpus_before, step=step.plugin
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
                    score=score(r.score),
                    label=r.label,
                    findings=tuple(own(f, step.plugin, texts[doc_id]) for f in r.findings),
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
        job = self._job(steps, prepared, run_id)
        total = self.store.count_documents()
        label = ", ".join(s.plugin for s in steps)
        signature, watched = self._segment_signature(job)
        last = self.store.cache_get(label, "segment")
        if last is not None and last[0] == signature and last[1] == self._state(watched):
            # Nothing any key of this segment hashes has changed since a pass that left a valid
            # result for every document and step: every result is a cache hit.
            for s in steps:
                st = self._stats(summary, s.plugin)
                st.processed += total
                st.cached += total
            self.progress(label, total, total)
            return
        if not self._run_job(job, self._tasks(job), run_id, summary, total):
            self._record_segment(job)

    def _job(
        self, steps: list[Step], prepared: dict[str, tuple[str, Any]], run_id: str
    ) -> SegmentJob:
        prov = providers(self.plan)
        order = self.order
        earlier = {s.plugin: list(dict.fromkeys(order[: order.index(s.plugin)])) for s in steps}
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
        segment.install(job)
        executor = make_executor(self.workers)
        done = 0
        errors = 0
        try:
            for outcomes in executor.map(segment.run_batch, batches):
                errors += self._write(outcomes, run_id, summary)
                done += len(outcomes)
                self.progress(label, done, total)
                aborted = next((o.aborted for o in outcomes if o.aborted), None)
                if aborted:
                    raise RunAborted(aborted)
        finally:
            executor.close()
            segment.install(None)
        return errors

    def _record_segment(self, job: SegmentJob) -> None:
        """Remember that every document has a valid result of every step of ``job`` as of
        the store's current generations (see :meth:`_segment_signature`)."""
        signature, watched = self._segment_signature(job)
        label = ", ".join(s.plugin for s in job.steps)
        self.store.begin()
        self.store.cache_put(label, "segment", signature, self._state(watched))
        self.store.commit()

    def _segment_signature(self, job: SegmentJob) -> tuple[str, list[str]]:
        """What every result key of a segment hashes, besides the documents and the stored
        results: the steps' plugins, versions, settings, prepared states and needs. And the
        generations of what the keys read from the store: the documents, the segment's own
        stored results, and those of the plugins its keys depend on (their corpus-phase results
        too when they have no per-document hook, since then those carry the key)."""
        parts = []
        watched = {"documents", "texts"}
        with_doc_step = {s.plugin for s in self.plan if s.kind == "doc"}
        for s in job.steps:
            deps = job.deps[s.plugin]
            parts.append(
                dumps(
                    [
                        s.plugin,
                        s.version,
                        s.settings_hash,
                        s.stage,
                        job.prepared.get(s.plugin, ("", None))[0],
                        deps,
                        job.earlier[s.plugin],
                    ]
                ).decode()
            )
            watched.add(f"results:{s.plugin}:doc")
            for p in deps:
                watched.add(f"results:{p}:doc")
                if p not in with_doc_step:
                    watched.add(f"results:{p}:corpus")
        return _key("segment", *parts), sorted(watched)

    def _state(self, names: list[str]) -> dict[str, int]:
        gens = self.store.generations()
        return {n: gens.get(n, 0) for n in names}

    def _tasks(self, job: SegmentJob) -> Iterator[list[DocTask]]:
        for page in self.store.iter_hashed(self.config.run.batch_size):
            prior = self.store.result_rows([d.id for d, _, _ in page])
            yield [DocTask(d, raw_hash, thash, prior[d.id]) for d, raw_hash, thash in page]

    def _write(self, outcomes: list[DocOutcome], run_id: str, summary: RunSummary) -> int:
        """Store a batch's results in one transaction; returns how many are errors."""
        rows: list[segment.Row] = []
        found: list[segment.Row] = []
        clear: list[tuple[str, str, str]] = []
        texts: list[tuple[str, str, str]] = []
        counts: dict[str, list[float]] = {}  # plugin -> [processed, cached, errors, seconds]
        for o in outcomes:
            for plugin in o.cached:
                c = counts.get(plugin) or counts.setdefault(plugin, [0, 0, 0, 0.0])
                c[0] += 1
                c[1] += 1
            for row, finding_rows, had_findings in o.results:
                c = counts.get(row[1]) or counts.setdefault(row[1], [0, 0, 0, 0.0])
                c[0] += 1
                c[3] += row[9]
                if row[4] == "error":
                    c[2] += 1
                rows.append(row)
                if finding_rows:
                    found.extend(finding_rows)
                if had_findings:
                    clear.append((row[0], row[1], row[2]))
            if o.text is not None:
                texts.append((o.doc_id, o.text, o.text_hash))
        errors = 0
        for plugin, (processed, cached, failed, seconds) in counts.items():
            st = self._stats(summary, plugin)
            st.processed += int(processed)
            st.cached += int(cached)
            st.errors += int(failed)
            st.seconds += seconds
            errors += int(failed)
        if rows or texts:
            self.store.begin()
            self.store.put_rows(rows, found, clear)
            self.store.set_texts(texts)
            self.store.commit()
        return errors


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
