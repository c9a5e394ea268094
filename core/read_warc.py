"""Reading WARC files (``.warc``, ``.warc.gz``) with warcio: each HTML response is a page.

A record's document id is ``FILE:N`` (its number in the file, counting every record), its
``meta`` holds the record's target URL, date and id and the HTTP status beside what the page
itself says (:mod:`textmill.read_html`). Requests, metadata, redirects and responses that are not
HTML (images, scripts, PDFs) are skipped and counted: the reader reports the count per file as a
:class:`~textmill.readers.Skipped` item. A file that stops mid-record (a truncated download) gives
its pages up to there and one error for the rest.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from textmill.errors import InputError
from textmill.html_page import INSTALL
from textmill.read_html import PageError, page_document
from textmill.readers import too_big

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _content_type(record: Any) -> tuple[str, str | None]:
    """The record's media type and the charset it declares."""
    if record.rec_type == "response" and record.http_headers is not None:
        value = record.http_headers.get_header("Content-Type") or ""
    else:
        value = record.rec_headers.get_header("Content-Type") or ""
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return mime.strip().lower(), charset


def _skip_reason(record: Any) -> str | None:
    """Why a record is not a page (its kind, for the count), or ``None`` for an HTML page."""
    if record.rec_type not in ("response", "resource"):
        return str(record.rec_type)
    if record.rec_type == "response" and record.http_headers is not None:
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return f"HTTP {status}"
    mime, _ = _content_type(record)
    if mime not in HTML_TYPES:
        return mime or "no content type"
    return None


def read_warc(path: Path, rel: str, max_bytes: int) -> Iterator[Any]:
    """Every HTML page of a WARC file as a document (or a per-record ReadError), then a
    :class:`~textmill.readers.Skipped` count of the records that are not pages."""
    from textmill.readers import ReadError, Skipped

    try:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError:
        raise InputError(INSTALL) from None

    class Records(ArchiveIterator):
        INC_RECORD = ""  # counted in err_count and reported below, not written to stderr

    source = str(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield ReadError(rel, source, f"cannot open file ({exc.strerror}); check permissions")
        return
    not_warc = _not_warc(path)
    if not_warc:
        fh.close()
        yield ReadError(rel, source, f"{rel} {not_warc}; check the file")
        return
    skipped: Counter[str] = Counter()
    n = 0
    with fh:
        try:
            records = Records(fh)
            for record in records:
                n += 1
                if records.err_count:
                    raise EOFError("a record's length does not match its content")
                if record.rec_type is None:  # headers cut off mid-way
                    raise EOFError("the record's headers are incomplete")
                why = _skip_reason(record)
                if why is not None:
                    _drain(record, n)
                    skipped[why] += 1
                    continue
                doc_id = f"{rel}:{n}"
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if (record.length or 0) > max_bytes:
                    yield ReadError(
                        doc_id,
                        source,
                        too_big(f"{rel} record {n} ({url})", record.length, max_bytes),
                    )
                    continue
                meta: dict[str, Any] = {"url": url}
                for key, header in (
                    ("warc_date", "WARC-Date"),
                    ("warc_record_id", "WARC-Record-ID"),
                ):
                    value = record.rec_headers.get_header(header)
                    if value:
                        meta[key] = value
                if record.http_headers is not None:
                    meta["http_status"] = record.http_headers.get_statuscode()
                _, charset = _content_type(record)
                data = record.content_stream().read()
                _drain(record, n)
                try:
                    yield page_document(data, doc_id, source, max_bytes, charset=charset, meta=meta)
                except PageError as exc:
                    yield ReadError(doc_id, source, f"{rel} record {n} ({url}): {exc}")
        # warcio meets garbage where a header should be with AttributeError or ValueError.
        except (
            ArchiveLoadFailed,
            OSError,
            EOFError,
            zlib.error,
            AttributeError,
            ValueError,
        ) as exc:
            at = n if isinstance(exc, EOFError) else n + 1
            yield ReadError(
                f"{rel}:{at}",
                source,
                f"{rel} record {at}: file is truncated or not a WARC file ({_brief(exc)}); "
                "the records before it were read",
            )
    if skipped:
        kinds = ", ".join(f"{c} {k}" for k, c in skipped.most_common())
        total = sum(skipped.values())
        yield Skipped(
            rel,
            source,
            f"{rel}: skipped {total} record(s) that are not HTML pages ({kinds})",
            total,
        )


def _not_warc(path: Path) -> str | None:
    """Why the file is not a WARC file, judged by its first bytes; ``None`` when it is one."""
    import gzip

    try:
        with path.open("rb") as raw:
            head = raw.read(2)
            raw.seek(0)
            if head == b"\x1f\x8b":
                with gzip.open(raw) as gz:
                    head = gz.read(5)
            else:
                head = raw.read(5)
    except (OSError, EOFError, zlib.error) as exc:
        return f"is not a readable gzip file ({_brief(exc)})"
    if not head:
        return "is empty"
    if head != b"WARC/":
        return "is not a WARC file (it does not start with a WARC/1.x record header)"
    return None


def _drain(record: Any, n: int) -> None:
    """Read the rest of the record; warcio stops quietly at the end of a truncated file, so a
    record short of the length its header gives is an error here."""
    while record.raw_stream.read(1 << 16):
        pass
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise EOFError("the record is shorter than its header says")


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
