"""Exporting documents and results: JSONL (full), CSV (one row per document), Parquet.

JSONL carries everything ``textmill show --json`` shows. CSV and Parquet have one row per
document with, per plugin, its status, score, label and finding count; Parquet adds the cleaned
text and the findings and results as JSON columns. Parquet needs the ``parquet`` extra (pyarrow).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import orjson
from textmill.errors import TextmillError
from textmill.query import Filter, Query
from textmill.report import document_json


@contextmanager
def _sink(output: str | None, binary: bool = False) -> Iterator[IO[Any]]:
    if output is None:
        yield sys.stdout.buffer if binary else sys.stdout
        return
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    with open(
        output,
        "wb" if binary else "w",
        encoding=None if binary else "utf-8",
        newline="" if not binary else None,
    ) as fh:
        yield fh


def flat_rows(q: Query, f: Filter, plugins: list[str]) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        page = q.page(f, offset=offset, limit=1000, with_total=False)
        for row in page.rows:
            rec: dict[str, Any] = {
                "id": row.id,
                "title": row.title,
                "length": row.length,
                "error": row.error,
                "findings": row.findings,
            }
            for p in plugins:
                r = row.results.get(p, {})
                rec[f"{p}.status"] = r.get("status")
                rec[f"{p}.score"] = r.get("score")
                rec[f"{p}.label"] = r.get("label")
                rec[f"{p}.findings"] = r.get("findings")
            yield rec
        if len(page.rows) < 1000:
            return
        offset += 1000


def export(q: Query, fmt: str, output: str | None, f: Filter | None = None) -> int:
    """Write the documents matching ``f``; returns how many were written."""
    f = f or Filter()
    n = 0
    if fmt == "jsonl":
        with _sink(output, binary=True) as fh:
            for view in q.iter_documents(f):
                fh.write(orjson.dumps(document_json(view)) + b"\n")
                n += 1
        return n
    plugins = q.plugins()
    if fmt == "csv":
        with _sink(output) as fh:
            writer: csv.DictWriter[str] | None = None
            for rec in flat_rows(q, f, plugins):
                if writer is None:
                    writer = csv.DictWriter(fh, fieldnames=list(rec))
                    writer.writeheader()
                writer.writerow(rec)
                n += 1
        return n
    if fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise TextmillError(
                "Parquet export needs pyarrow; install it with `pip install 'textmill[parquet]'`"
            ) from None
        if output is None:
            raise TextmillError("Parquet export needs a file; pass -o FILE.parquet")
        writer_pq = None
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            nonlocal writer_pq
            if not batch:
                return
            table = pa.Table.from_pylist(batch)
            if writer_pq is None:
                writer_pq = pq.ParquetWriter(output, table.schema)
            writer_pq.write_table(table.cast(writer_pq.schema))
            batch.clear()

        views = q.iter_documents(f)
        for rec in flat_rows(q, f, plugins):
            view = next(views)
            full = document_json(view)
            rec["text"] = full["text"]
            rec["results_json"] = orjson.dumps(full["results"]).decode()
            batch.append(rec)
            n += 1
            if len(batch) >= 1000:
                flush()
        flush()
        if writer_pq is not None:
            writer_pq.close()
        return n
    raise TextmillError(f"unknown export format {fmt!r}; use jsonl, csv or parquet")
