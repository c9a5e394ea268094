"""Reading corpora: folders of text files, JSONL (optionally gzipped) and CSV.

Readers stream. Each item is a :class:`~textmill.model.Document` or a :class:`ReadError`; a bad
file or line never stops the others. Documents ids are paths relative to the folder read (or the
file's name), ``FILE:LINE`` ids for JSONL lines without an id, and ``FILE:ROW`` for CSV rows.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from textmill.errors import InputError
from textmill.model import Document

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
CSV_SUFFIXES = (".csv",)


@dataclass(frozen=True)
class ReadError:
    """A document (or a line of one) that could not be read, and why, in one sentence."""

    id: str
    source: str
    reason: str


Item = Document | ReadError


def _kind(path: Path, fmt: str) -> str | None:
    if fmt != "auto":
        return fmt
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


def read_paths(
    paths: list[Path],
    *,
    fmt: str = "auto",
    text_column: str = "text",
    id_column: str = "id",
    max_bytes: int = 20_000_000,
) -> Iterator[Item]:
    """Stream every document under ``paths`` in a stable order."""
    for root in paths:
        if not root.exists():
            raise InputError(f"input path {root} does not exist; check [input] paths or the PATHS")
        if root.is_file():
            files = [(root, root.name)]
        else:
            files = [
                (p, p.relative_to(root).as_posix())
                for p in sorted(root.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            ]
        for path, rel in files:
            kind = _kind(path, fmt)
            if kind is None:
                if root.is_file():
                    yield ReadError(rel, str(path), _unknown_kind(path))
                continue
            if kind == "text":
                yield read_text_file(path, rel, max_bytes)
            elif kind == "jsonl":
                yield from read_jsonl(path, rel, text_column, id_column, max_bytes)
            else:
                yield from read_csv(path, rel, text_column, id_column, max_bytes)


def _unknown_kind(path: Path) -> str:
    return (
        f"{path.name} has an unknown extension; use .txt, .md, .jsonl, .jsonl.gz or .csv, "
        "or set [input] format"
    )


def _too_big(size: int, max_bytes: int) -> str:
    return (
        f"document is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit; "
        "split it or raise [input] max_bytes"
    )


def check_text(text: str, max_bytes: int) -> str | None:
    """The reason a decoded text cannot be processed, or ``None`` when it is fine."""
    if "\x00" in text:
        return (
            "document contains NUL bytes, so it is probably binary; remove it or convert it to text"
        )
    if not text.strip():
        return "document is empty; remove it or give it text"
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        return _too_big(size, max_bytes)
    return None


def decode(data: bytes) -> tuple[str | None, str | None]:
    """UTF-8 text (a leading BOM dropped), or ``(None, reason)``."""
    if b"\x00" in data[:8192]:
        return (
            None,
            "file contains NUL bytes, so it is probably binary; remove it or convert it to text",
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, (
            f"file is not valid UTF-8 (bad byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it, e.g. `iconv -f latin1 -t utf-8`"
        )


def read_text_file(path: Path, rel: str, max_bytes: int) -> Item:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return ReadError(rel, str(path), _too_big(size, max_bytes))
        data = path.read_bytes()
    except OSError as exc:
        return ReadError(rel, str(path), f"cannot read file ({exc.strerror}); check permissions")
    text, reason = decode(data)
    if text is None:
        return ReadError(rel, str(path), reason or "unreadable")
    reason = check_text(text, max_bytes)
    if reason:
        return ReadError(rel, str(path), reason)
    title = ""
    first, sep, rest = text.lstrip("\n").partition("\n")
    if sep and rest.startswith(("\n", "\r\n")) and len(first) < 300:
        title = first.strip()
    return Document(id=rel, raw=text, source=str(path), title=title)


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="surrogateescape")
    return open(path, encoding="utf-8", errors="surrogateescape", newline="")


def _from_record(
    rec: dict[str, Any], rid: str, source: str, text_column: str, id_column: str, max_bytes: int
) -> Item:
    doc_id = str(rec.get(id_column) or rid)
    text = rec.get(text_column)
    if not isinstance(text, str):
        return ReadError(doc_id, source, f'record has no string "{text_column}" field; add it')
    if _has_surrogates(text):
        return ReadError(
            doc_id, source, "record text is not valid UTF-8; convert the file to UTF-8"
        )
    reason = check_text(text, max_bytes)
    if reason:
        return ReadError(doc_id, source, reason)
    meta = rec.get("meta") if isinstance(rec.get("meta"), dict) else {}
    known = {id_column, text_column, "meta", "title", "source_text", "source_lang", "lang"}
    extra = {k: v for k, v in rec.items() if k not in known}
    return Document(
        id=doc_id,
        raw=text,
        source=source,
        title=str(rec.get("title") or ""),
        lang=rec.get("lang") if isinstance(rec.get("lang"), str) else None,
        meta={**extra, **(meta or {})},
        source_text=rec.get("source_text") if isinstance(rec.get("source_text"), str) else None,
        source_lang=rec.get("source_lang") if isinstance(rec.get("source_lang"), str) else None,
    )


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_jsonl(
    path: Path, rel: str, text_column: str, id_column: str, max_bytes: int
) -> Iterator[Item]:
    try:
        fh = _open_text(path)
    except OSError as exc:
        yield ReadError(rel, str(path), f"cannot open file ({exc}); check the path")
        return
    with fh:
        lineno = 0
        try:
            for line in fh:
                lineno += 1
                if not line.strip():
                    continue
                rid = f"{rel}:{lineno}"
                if len(line) > max_bytes:
                    yield ReadError(rid, str(path), _too_big(len(line), max_bytes))
                    continue
                try:
                    rec = orjson.loads(line.encode("utf-8", "surrogateescape"))
                except orjson.JSONDecodeError as exc:
                    yield ReadError(
                        rid, str(path), f"line {lineno} is not valid JSON ({exc}); fix it"
                    )
                    continue
                if not isinstance(rec, dict):
                    yield ReadError(rid, str(path), f"line {lineno} is not a JSON object; fix it")
                    continue
                yield _from_record(rec, rid, str(path), text_column, id_column, max_bytes)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield ReadError(
                f"{rel}:{lineno + 1}", str(path), f"file is truncated or corrupt ({exc})"
            )


def read_csv(
    path: Path, rel: str, text_column: str, id_column: str, max_bytes: int
) -> Iterator[Item]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        fh = _open_text(path)
    except OSError as exc:
        yield ReadError(rel, str(path), f"cannot open file ({exc}); check the path")
        return
    with fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or text_column not in reader.fieldnames:
            cols = ", ".join(reader.fieldnames or [])
            yield ReadError(
                rel,
                str(path),
                f'CSV has no "{text_column}" column (columns: {cols}); set [input] text_column',
            )
            return
        try:
            for rowno, row in enumerate(reader, start=2):
                yield _from_record(
                    dict(row), f"{rel}:{rowno}", str(path), text_column, id_column, max_bytes
                )
        except csv.Error as exc:
            yield ReadError(rel, str(path), f"CSV is malformed ({exc}); fix the file")
