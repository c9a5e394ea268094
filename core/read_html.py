"""Reading web pages: ``.html``/``.htm`` files, and the HTML pages a WARC file's records hold.

A page becomes a :class:`~textmill.model.Document` whose ``raw`` is the page's text
(:func:`textmill.html_page.render`: a line per block, what a reader of the page sees), whose
title is the page's ``<title>``, and whose ``meta`` holds the page's URL, canonical URL,
published date and language where the page gives them, the charset it was read with, a note when
that charset was a guess, and the HTML itself under ``html`` (the boilerplate plugin reads the
page's structure from it, and it stays available to show).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textmill.model import Document
from textmill.readers import too_big


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
    from textmill.html_page import decode_html, metadata, parse, render

    if len(data) > max_bytes:
        raise PageError(too_big("page", len(data), max_bytes))
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PageError(
            "page contains NUL bytes, so it is probably not HTML; remove it or convert it"
        )
    decoded = decode_html(data, charset)
    html = decoded.text.replace("\x00", "")
    try:
        tree = parse(html)
        text, _ = render(tree)
    except (ValueError, TypeError) as exc:  # lxml's parser errors are ValueErrors
        raise PageError(f"page cannot be parsed as HTML ({exc}); check the file") from None
    if not text.strip():
        raise PageError("page has no text once its markup is removed; remove it or fix it")
    out: dict[str, Any] = dict(meta or {})
    found = metadata(tree, str(out.get("url", "")))
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
