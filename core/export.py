"""Exporting documents and results: JSONL (full), CSV (one row per document), Parquet.

JSONL carries everything ``textmill show --json`` shows, in the export schema of
docs/export.md (:data:`textmill.report.EXPORT_SCHEMA`). A file gets the values byte for byte.
A terminal (standard output that is a tty) gets nothing it would act on: JSONL writes DEL, C1
controls and bidi overrides as ``\\uXXXX`` escapes (the same JSON values), CSV shows every
control character as a visible stand-in (ESC as ␛). CSV and Parquet have one row per
document with, per plugin, its status, score, label and finding count; Parquet adds the cleaned
text and the results as a JSON column. Parquet needs the ``parquet`` extra (pyarrow).

Every format walks the documents in ``seq`` order a page at a time from the last row of the
page before (the query layer's keyset pages), with each page's results, clusters and mentions
read in bulk, so a document costs the same at the end of a large export as at its start and
memory stays flat. The columns of CSV and Parquet (:func:`columns`) depend only on the plugins
in the store, never on the values: an export of no document still has them, and Parquet's are
typed (a plugin that never gave a score still has a float column).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import orjson
from textmill.display import safe_text, terminal_json
from textmill.errors import TextmillError
from textmill.query import DocRow, DocumentRecord, Filter, Query
from textmill.report import record_json

FORMATS = ("jsonl", "csv", "parquet")
PAGE = 500  # documents read (and held) at a time
GROUP = 5000  # Parquet rows per row group


@dataclass(frozen=True)
class Column:
    """One column of the CSV and Parquet exports: its value from the corpus table's row of a
    document, or (``full``) from the document with everything known about it."""

    name: str
    type: Literal["string", "int", "float"]
    value: Callable[[DocRow], Any] | None = None
    full: Callable[[DocumentRecord], Any] | None = None

    def of(self, row: DocRow, record: DocumentRecord | None = None) -> Any:
        if self.value is not None:
            return self.value(row)
        assert self.full is not None and record is not None
        return self.full(record)


def _plugin_columns(p: str) -> list[Column]:
    def field(key: str) -> Callable[[DocRow], Any]:
        return lambda row: row.results.get(p, {}).get(key)

    return [
        Column(f"{p}.status", "string", field("status")),
        Column(f"{p}.score", "float", field("score")),
        Column(f"{p}.label", "string", field("label")),
        Column(f"{p}.findings", "int", field("findings")),
    ]


def columns(plugins: list[str], *, full: bool = False) -> list[Column]:
    """The columns of a flat export of a store with these plugins: the document's id, title,
    length, read error and finding count, then each plugin's status, score, label and finding
    count; ``full`` (Parquet) adds the cleaned text and the results as JSON."""
    cols = [
        Column("id", "string", lambda row: row.id),
        Column("title", "string", lambda row: row.title),
        Column("length", "int", lambda row: row.length),
        Column("error", "string", lambda row: row.error),
        Column("findings", "int", lambda row: row.findings),
    ]
    for p in plugins:
        cols += _plugin_columns(p)
    if full:
        cols += [
            Column("text", "string", full=lambda record: record.doc.text),
            Column(
                "results_json", "string", full=lambda record: orjson.dumps(record.results).decode()
            ),
        ]
    return cols


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


def flat_rows(
    q: Query, f: Filter, plugins: list[str], *, page: int = 1000
) -> Iterator[dict[str, Any]]:
    """The CSV export's records: one per document, keyed by column name."""
    cols = columns(plugins)
    for row in q.iter_rows(f, page):
        yield {c.name: c.of(row) for c in cols}


def export(
    q: Query, fmt: str, output: str | None, f: Filter | None = None, *, page: int = PAGE
) -> int:
    """Write the documents matching ``f``; returns how many were written."""
    f = f or Filter()
    if fmt == "jsonl":
        return _jsonl(q, f, output, page)
    if fmt == "csv":
        return _csv(q, f, output, page)
    if fmt == "parquet":
        return _parquet(q, f, output, page)
    raise TextmillError(f"unknown export format {fmt!r}; use {', '.join(FORMATS)}")


def _to_terminal(output: str | None, fh: IO[Any]) -> bool:
    """Whether the export goes to a terminal, where what a document holds is escaped."""
    return output is None and fh.isatty()


def _jsonl(q: Query, f: Filter, output: str | None, page: int) -> int:
    n = 0
    with _sink(output, binary=True) as fh:
        escape = _to_terminal(output, fh)
        for r in q.iter_records(f, page):
            record = record_json(r.doc, r.error, r.results, r.clusters, r.mentions, r.alignments)
            line = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
            fh.write(terminal_json(line) if escape else line)
            n += 1
    return n


def _csv(q: Query, f: Filter, output: str | None, page: int) -> int:
    plugins = q.plugins()
    n = 0
    with _sink(output) as fh:
        writer = csv.DictWriter(fh, fieldnames=[c.name for c in columns(plugins)])
        writer.writeheader()
        escape = _to_terminal(output, fh)
        for rec in flat_rows(q, f, plugins, page=max(page, 1000)):
            if escape:
                rec = {k: safe_text(v) if isinstance(v, str) else v for k, v in rec.items()}
            writer.writerow(rec)
            n += 1
    return n


def _parquet(q: Query, f: Filter, output: str | None, page: int) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise TextmillError(
            "Parquet export needs pyarrow; install it with `pip install 'textmill[parquet]'`"
        ) from None
    if output is None:
        raise TextmillError("Parquet export needs a file; pass -o FILE.parquet")
    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64()}
    cols = columns(q.plugins(), full=True)
    schema = pa.schema([pa.field(c.name, types[c.type]) for c in cols])
    values: list[list[Any]] = [[] for _ in cols]
    n = 0
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(output, schema) as writer:

        def flush() -> None:
            writer.write_batch(pa.record_batch(values, schema=schema))
            for v in values:
                v.clear()

        for record in q.iter_records(f, page):
            for v, c in zip(values, cols, strict=True):
                v.append(c.of(record.row, record))
            n += 1
            if len(values[0]) >= GROUP:
                flush()
        if values[0] or n == 0:
            flush()
    return n
