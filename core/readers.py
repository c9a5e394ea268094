"""Reading corpora: folders of text files, JSONL (optionally gzipped), CSV, HTML pages and WARC
files (the last two in :mod:`textmill.read_html` and :mod:`textmill.read_warc`).

Readers stream. Each item is a :class:`~textmill.model.Document` or a :class:`ReadError`; a bad
file or line never stops the others. Documents ids are paths relative to the folder read (or the
file's name), ``FILE:LINE`` ids for JSONL lines without an id, and ``FILE:ROW`` for CSV rows.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import os
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from textmill.errors import InputError
from textmill.model import Document

DEFAULT_MAX_BYTES = 5_000_000
"""The default ``[input] max_bytes``: the largest document the default chain was measured to
take within its time limits (``benchmarks/bigdoc.py``; see the README's Config)."""

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
CSV_SUFFIXES = (".csv",)
HTML_SUFFIXES = (".html", ".htm")
WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True)
class ReadError:
    """A document (or a line of one) that could not be read, and why, in one sentence."""

    id: str
    source: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """Records of an input file that were passed over on purpose (a WARC file's requests,
    images, redirects): reported with their count, not an error."""

    id: str
    source: str
    reason: str
    count: int


Item = Document | ReadError | Skipped


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
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    return None


def _files(root: Path) -> list[tuple[Path, str]]:
    """The files read from one input path, with their relative names, in a stable order: every
    entry but folders and hidden names, so that what is not a regular file (a device, a fifo, a
    broken link) is reported by :func:`read_paths` rather than skipped unseen."""
    if not root.exists() and not root.is_symlink():
        raise InputError(f"input path {root} does not exist; check [input] paths or the PATHS")
    if not root.is_dir():
        return [(root, root.name)]
    return [
        (p, p.relative_to(root).as_posix())
        for p in sorted(root.rglob("*"))
        if not p.is_dir() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]


def not_regular(path: Path) -> str | None:
    """Why ``path`` is not read, when it is not a regular file (reading a device such as
    /dev/zero, or a fifo, would never end); ``None`` for a regular file."""
    try:
        mode = os.stat(path).st_mode  # follows links: a link to a regular file is read
    except OSError:
        return "a broken symbolic link, so it is not read; fix or remove it"
    if stat.S_ISREG(mode):
        return None
    kind = next(
        (
            name
            for test, name in (
                (stat.S_ISFIFO, "a named pipe (fifo)"),
                (stat.S_ISCHR, "a device"),
                (stat.S_ISBLK, "a device"),
                (stat.S_ISSOCK, "a socket"),
            )
            if test(mode)
        ),
        "something else",
    )
    link = " (through a symbolic link)" if path.is_symlink() else ""
    return f"not a regular file but {kind}{link}, so it is not read; remove it from the input"


RACY_NS = 2_000_000_000
"""A file modified this close to the moment it was looked at may change again with the same
timestamp (filesystems keep times in ticks of up to 2 s), so its stat cannot vouch for it."""


def fingerprint(paths: list[Path]) -> tuple[list[list[Any]], bool]:
    """What identifies the input without reading it: each file's path, size, modification and
    change times and inode, and whether those can be trusted to change if the file does (no
    file was modified in the last :data:`RACY_NS`). Take it before reading the files."""
    now = time.time_ns()
    entries: list[list[Any]] = []
    trusted = True
    for root in paths:
        for path, _rel in _files(root):
            try:
                st = os.stat(path)
            except OSError:
                entries.append([str(path), None])
                trusted = False
                continue
            entries.append([str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino])
            trusted = trusted and st.st_mtime_ns < now - RACY_NS
    return entries, trusted


def read_paths(
    paths: list[Path],
    *,
    fmt: str = "auto",
    text_column: str = "text",
    id_column: str = "id",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Item]:
    """Stream every document under ``paths`` in a stable order.

    Ids are unique: an item whose id was already read (two JSONL records or CSV rows with one
    id, or a record whose id is another file's) is passed over as :class:`Skipped`, with a
    reason naming its file and line and where the id was first seen. The first one wins."""
    seen: dict[str, str] = {}
    for root in paths:
        files = _files(root)
        for path, rel in files:
            special = not_regular(path)
            if special:
                yield _first(ReadError(rel, str(path), special), rel, seen)
                continue
            kind = _kind(path, fmt)
            if kind is None:
                if not root.is_dir():
                    yield _first(ReadError(rel, str(path), _unknown_kind(path)), rel, seen)
                continue
            if kind == "text":
                yield _first(read_text_file(path, rel, max_bytes), rel, seen)
            elif kind == "jsonl":
                yield from read_jsonl(path, rel, text_column, id_column, max_bytes, seen)
            elif kind == "html":
                from textmill.read_html import read_html_file

                yield _first(read_html_file(path, rel, max_bytes), rel, seen)
            elif kind == "warc":
                from textmill.read_warc import read_warc

                for item in read_warc(path, rel, max_bytes):
                    yield _first(item, rel, seen)
            else:
                yield from read_csv(path, rel, text_column, id_column, max_bytes, seen)


def _first(item: Item, where: str, seen: dict[str, str] | None) -> Item:
    """``item``, or a :class:`Skipped` saying so when its id was read before (at ``seen[id]``);
    ``where`` says where ``item`` is (a file, or a file and line)."""
    if seen is None or isinstance(item, Skipped):
        return item
    first = seen.get(item.id)
    if first is None:
        seen[item.id] = where
        return item
    return Skipped(
        item.id,
        item.source,
        f'{where}: duplicate id "{item.id}", first read at {first}; this one is ignored '
        "(the first one is kept), give it another id",
        1,
    )


def _unknown_kind(path: Path) -> str:
    return (
        f"{path.name} has an unknown extension; use .txt, .md, .jsonl, .jsonl.gz, .csv, .html, "
        ".htm, .warc or .warc.gz, or set [input] format"
    )


def too_big(what: str, size: int, max_bytes: int) -> str:
    """The one sentence for a document (``what``) of ``size`` bytes over ``max_bytes``."""
    need = -(-size // 1_000_000) * 1_000_000  # the size, rounded up to a whole MB
    return (
        f"{what} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit; split it, or "
        f"raise the limit with max_bytes = {need:_} in the config's [input] table"
    )


def _too_big(size: int, max_bytes: int) -> str:
    return too_big("document", size, max_bytes)


# C0 control characters that text does not hold (tab, newline, carriage return and form feed
# excepted). A few of them in otherwise good text are kept for cleaning to remove (the unicode
# plugin's ``unicode.control`` edits); a document whose start holds NUL and is more than 1% of
# them (and at least two) is binary.
_CONTROLS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\f"}
_CONTROL_BYTES = bytes(ord(c) for c in sorted(_CONTROLS))
BINARY_SAMPLE = 8192


def binary_reason(sample: str | bytes) -> str | None:
    """Why the start of a document (``sample``) looks binary, or ``None`` when it is text."""
    if isinstance(sample, bytes):
        bad = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
        nul = b"\x00" in sample
    else:
        bad = sum(1 for ch in sample if ch in _CONTROLS)
        nul = "\x00" in sample
    if not nul or bad < 2 or 100 * bad <= len(sample):
        return None
    return "NUL bytes, so it is probably binary; remove it or convert it to text"


def check_text(text: str, max_bytes: int) -> str | None:
    """The reason a decoded text cannot be processed, or ``None`` when it is fine."""
    binary = binary_reason(text[:BINARY_SAMPLE])
    if binary:
        return f"document contains {binary}"
    if not text or text.isspace():
        return "document is empty; remove it or give it text"
    if 4 * len(text) > max_bytes:  # UTF-8 takes at most 4 bytes a character
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            return _too_big(size, max_bytes)
    return None


def decode(data: bytes) -> tuple[str | None, str | None]:
    """UTF-8 text (a leading BOM dropped), or ``(None, reason)``."""
    binary = binary_reason(data[:BINARY_SAMPLE])
    if binary:
        return None, f"file contains {binary}"
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


def _open_bytes(path: Path) -> io.BufferedIOBase:
    """JSONL lines are read as bytes and parsed by orjson directly: it checks UTF-8 itself."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


_FIELDS = ("meta", "title", "source_text", "source_lang", "lang")


@functools.lru_cache(maxsize=8)
def _known(id_column: str, text_column: str) -> frozenset[str]:
    """The record keys that are not meta."""
    return frozenset({id_column, text_column, *_FIELDS})


def _from_record(
    rec: dict[str, Any],
    rel: str,
    n: int,
    source: str,
    text_column: str,
    id_column: str,
    max_bytes: int,
    *,
    utf8: bool = False,
    line: int | None = None,
) -> Item:
    """A document from a JSONL record or CSV row number ``n`` of ``rel`` (``utf8``: its
    strings came from checked UTF-8, as orjson's are, so they hold no undecodable bytes).
    ``line`` is where the record ends in the file (a CSV row may span lines); a problem's
    reason starts with the file and that line, since the id alone may not say where it is."""
    get = rec.get
    doc_id = str(get(id_column) or f"{rel}:{n}")
    where = f"{rel} line {line or n}"
    text = get(text_column)
    if not isinstance(text, str):
        return ReadError(
            doc_id, source, f'{where}: record has no string "{text_column}" field; add it'
        )
    if not utf8 and _has_surrogates(text):
        return ReadError(
            doc_id, source, f"{where}: record text is not valid UTF-8; convert the file to UTF-8"
        )
    reason = check_text(text, max_bytes)
    if reason:
        return ReadError(doc_id, source, f"{where}: {reason}")
    known = _known(id_column, text_column)
    if rec.keys() <= known:
        meta = get("meta")
        meta = dict(meta) if isinstance(meta, dict) else {}
    else:
        meta = {k: v for k, v in rec.items() if k not in known}
        if isinstance(get("meta"), dict):
            meta.update(rec["meta"])
    title, lang = get("title"), get("lang")
    source_text, source_lang = get("source_text"), get("source_lang")
    return Document(
        id=doc_id,
        raw=text,
        source=source,
        title=str(title) if title else "",
        lang=lang if isinstance(lang, str) else None,
        meta=meta,
        source_text=source_text if isinstance(source_text, str) else None,
        source_lang=source_lang if isinstance(source_lang, str) else None,
    )


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_jsonl(
    path: Path,
    rel: str,
    text_column: str,
    id_column: str,
    max_bytes: int,
    seen: dict[str, str] | None = None,
) -> Iterator[Item]:
    try:
        fh = _open_bytes(path)
    except OSError as exc:
        yield ReadError(rel, str(path), f"cannot open file ({exc}); check the path")
        return
    source = str(path)
    with fh:
        lineno = 0
        try:
            for line in fh:
                lineno += 1
                if not line or line.isspace():  # (bytes.isspace stops at the first letter)
                    continue
                if len(line) > max_bytes:
                    yield ReadError(
                        f"{rel}:{lineno}",
                        source,
                        f"{rel} line {lineno}: {_too_big(len(line), max_bytes)}",
                    )
                    continue
                try:
                    rec = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    yield ReadError(
                        f"{rel}:{lineno}",
                        source,
                        f"{rel} line {lineno} is not valid JSON ({exc}); fix it",
                    )
                    continue
                if not isinstance(rec, dict):
                    yield ReadError(
                        f"{rel}:{lineno}",
                        source,
                        f"{rel} line {lineno} is not a JSON object; fix it",
                    )
                    continue
                # The text is no longer than its line, so within max_bytes.
                item = _from_record(
                    rec, rel, lineno, source, text_column, id_column, max_bytes, utf8=True
                )
                yield _first(item, f"{rel} line {lineno}", seen)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield ReadError(
                f"{rel}:{lineno + 1}",
                str(path),
                f"{rel} line {lineno + 1}: file is truncated or corrupt ({exc})",
            )


def read_csv(
    path: Path,
    rel: str,
    text_column: str,
    id_column: str,
    max_bytes: int,
    seen: dict[str, str] | None = None,
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
                item = _from_record(
                    dict(row),
                    rel,
                    rowno,
                    str(path),
                    text_column,
                    id_column,
                    max_bytes,
                    line=reader.line_num,
                )
                yield _first(item, f"{rel} line {reader.line_num}", seen)
        except csv.Error as exc:
            yield ReadError(
                rel, str(path), f"{rel} line {reader.line_num}: CSV is malformed ({exc}); fix it"
            )
