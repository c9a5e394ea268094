"""Run figures for the run screen and reports: the run history, corpus totals, per-plugin
results, timings and score distributions, and the failed results."""

from __future__ import annotations

from typing import Any

from textmill.model import StageResult
from textmill.store.db import loads
from textmill.store.reads.base import Reader, run_record
from textmill.store.rows import ErrorRow


class RunFigures(Reader):
    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self._conn.execute("SELECT * FROM runs ORDER BY started DESC LIMIT ?", (limit,))
        return [run_record(r) for r in rows]

    def corpus_data(self, plugin: str) -> dict[str, Any]:
        """What ``plugin``'s corpus hook returned in ``CorpusResult.data`` (or an error)."""
        row = self._conn.execute(
            "SELECT payload FROM cache WHERE plugin=? AND kind='corpus'", (plugin,)
        ).fetchone()
        return (loads(row[0]) or {}) if row else {}

    def counts(self) -> dict[str, int]:
        """Corpus totals, each from an index (no scan of the documents' text)."""

        def one(sql: str, *args: Any) -> int:
            return int(self._conn.execute(sql, args).fetchone()[0])

        total = one("SELECT COUNT(*) FROM documents")
        unreadable = one("SELECT COUNT(*) FROM documents WHERE error IS NOT NULL")
        return {
            "documents": total - unreadable,
            "unreadable": unreadable,
            "findings": one("SELECT COUNT(*) FROM findings"),
            "clusters": one("SELECT COUNT(*) FROM clusters"),
            "entities": one("SELECT COUNT(*) FROM entities"),
            "errors": sum(
                one("SELECT COUNT(*) FROM results WHERE plugin = ? AND status = 'error'", p)
                for p in self.plugins()
            ),
        }

    def plugin_stats(self) -> dict[str, dict[str, Any]]:
        """Per plugin: its stage, the documents it has a result for, errors, mean score,
        findings, the seconds its per-document hook took over the stored results
        (``seconds``, None for a plugin with only a corpus hook), and from the latest run's
        summary its time there (``run_seconds``, corpus hook included) and cache hits.
        One pass over the results, so callers with big runs read it in a thread."""
        out: dict[str, dict[str, Any]] = {}
        for plugin, phase, stage, n, errors, mean, findings, seconds in self._conn.execute(
            "SELECT plugin, phase, MIN(stage), COUNT(*), SUM(status='error'), AVG(score), "
            "SUM(n_findings), SUM(duration) FROM results GROUP BY plugin, phase"
        ):
            cur = out.setdefault(
                plugin,
                {
                    "stage": stage or "",
                    "documents": 0,
                    "errors": 0,
                    "mean_score": None,
                    "findings": 0,
                    "seconds": None,
                    "run_seconds": None,
                    "cached": None,
                },
            )
            cur["errors"] += errors or 0
            cur["findings"] += findings or 0
            if phase == "doc":
                cur.update(documents=n, mean_score=mean, seconds=seconds or 0.0)
            elif cur["seconds"] is None:  # only a corpus hook so far: what it said about
                cur["documents"] = max(cur["documents"], n)  # how many documents
        run = self.latest_run() or {}
        for plugin, s in ((run.get("summary") or {}).get("plugins") or {}).items():
            if plugin in out and isinstance(s, dict):
                out[plugin]["run_seconds"] = s.get("seconds")
                out[plugin]["cached"] = s.get("cached")
        return out

    def score_histogram(self, plugin: str, bins: int = 10) -> list[int]:
        """Counts of ``plugin``'s scores in ``bins`` equal bins over 0..1."""
        hist = [0] * bins
        for b, n in self._conn.execute(
            "SELECT MIN(CAST(score * ? AS INTEGER), ? - 1), COUNT(*) FROM results "
            "WHERE plugin=? AND phase='doc' AND score IS NOT NULL GROUP BY 1",
            (bins, bins, plugin),
        ):
            if 0 <= b < bins:
                hist[b] += n
        return hist

    def severity_counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for p, sev, n in self._conn.execute(
            "SELECT plugin, severity, COUNT(*) FROM findings GROUP BY plugin, severity"
        ):
            out.setdefault(p, {})[sev] = n
        return out

    def errors(self, plugins: list[str], limit: int) -> list[ErrorRow]:
        """Up to ``limit`` failed results, plugin by plugin in the order given (each plugin's
        from the results index)."""
        out: list[ErrorRow] = []
        for p in plugins:
            if len(out) >= limit:
                break
            out += [
                ErrorRow(r[0], r[1], r[2])
                for r in self._conn.execute(
                    "SELECT doc_id, plugin, error FROM results WHERE plugin = ? "
                    "AND status = 'error' LIMIT ?",
                    (p, limit - len(out)),
                )
            ]
        return out

    def result(self, doc_id: str, plugin: str, phase: str = "doc") -> StageResult | None:
        """One stored result (with its traceback, for an error)."""
        return self.store.result(doc_id, plugin, phase)
