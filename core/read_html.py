"""Reading web pages: ``.html``/``.htm`` files, and the HTML pages a WARC file's records hold.

A page becomes a :class:`~textmill.model.Document` whose ``raw`` is the page's text
(:func:`textmill.html_page.page_text`: a line per block, what a reader of the page sees), whose
title is the page's ``<title>``, and whose ``meta`` holds the page's URL, canonical URL,
published date and language where the page gives them, the charset it was read with, a note when
that charset was a guess, and the HTML itself under ``html`` (the boilerplate plugin reads the
page's structure from it, and it stays available to show).

A page with NUL bytes is read when the rest of it is HTML and it passes the rule for text
documents (its first 8 KiB no more than 1% control bytes): a stray NUL, as some servers and
editors leave them, is dropped. NUL bytes without HTML markup around them, or among many other
control bytes, are a binary file given an HTML name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textmill.model import Document
from textmill.readers import BINARY_SAMPLE, binary_reason, too_big

# The start of an HTML document, or an element only HTML has, near the top of the page.
_MARKUP = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|link|script|style|div|p|a|table|span)[\s>/]",
    re.IGNORECASE,
)


def looks_like_html(data: bytes) -> bool:
    """Whether a page's first 8 KiB, their NUL bytes dropped, hold an HTML tag."""
    head = data[:BINARY_SAMPLE].replace(b"\x00", b"").decode("latin-1")
    return _MARKUP.search(head) is not None


class PageError(ValueError):
    """A page that cannot be read, with the reason in one sentence."""


def page_document(
    data: bytes,
    doc_id: str,
    source: str,
    max_bytes: int,
    *,
    charset: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Document:
    """A document from a page's bytes (``charset``: as an HTTP header declares it); raises
    :class:`PageError` for a page that holds no readable text."""
    from textmill.html_page import decode_html, metadata, page_text, parse

    if len(data) > max_bytes:
        raise PageError(too_big("page", len(data), max_bytes))
    sample = data[:BINARY_SAMPLE]
    if (
        b"\x00" in sample
        and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
        and (binary_reason(sample) is not None or not looks_like_html(data))
    ):
        # The rule for text documents (a few NULs in text are dropped, more than 1% of control
        # bytes is binary), and the rest of the page must be HTML.
        raise PageError(
            "page contains NUL bytes and no HTML markup, so it is probably not HTML; "
            "remove it or convert it"
        )
    decoded = decode_html(data, charset)
    html = decoded.text.replace("\x00", "")  # as the unicode plugin drops control characters
    out: dict[str, Any] = dict(meta or {})
    try:
        tree = parse(html)
        found = metadata(tree, str(out.get("url", "")))  # before page_text cleans the tree
        text = page_text(tree, html)
    except (ValueError, TypeError) as exc:  # lxml's parser errors are ValueErrors
        raise PageError(f"page cannot be parsed as HTML ({exc}); check the file") from None
    if not text.strip():
        raise PageError("page has no text once its markup is removed; remove it or fix it")
    title = found.pop("title", "")
    out.update(found)
    out["charset"] = decoded.charset
    if decoded.note:
        out["decode_note"] = decoded.note
    out["html"] = html
    return Document(id=doc_id, raw=text, source=source, title=title, meta=out)


def read_html_file(path: Path, rel: str, max_bytes: int) -> Any:
    """One ``.html`` file as a document, or a :class:`~textmill.readers.ReadError` (without the
    ``html`` extra, :class:`~textmill.errors.InputError` says how to install it)."""
    from textmill.readers import ReadError

    try:
        size = path.stat().st_size
        if size > max_bytes:
            return ReadError(rel, str(path), too_big("page", size, max_bytes))
        data = path.read_bytes()
    except OSError as exc:
        return ReadError(rel, str(path), f"cannot read file ({exc.strerror}); check permissions")
    try:
        return page_document(data, rel, str(path), max_bytes)
    except PageError as exc:
        return ReadError(rel, str(path), str(exc))
