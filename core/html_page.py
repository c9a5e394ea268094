"""A web page as textmill reads it: decoded bytes, its text one block a line, what its markup says
about each line, and its metadata.

The text is html-text's rendering (``html_text.extract_text``: scripts, styles and comments
dropped, a line per block element, a blank line around paragraphs, headings and lists), which is
also how the plain-text pages of the cleaning benchmark were made; :func:`page_text` gives it
from the tree :func:`parse` made, so the reader parses a page once for its metadata and its text.
What the markup says about each line (blocks, links, ``<nav>``, ``<footer>``, class names) is
read by the boilerplate plugin through trafilatura (or resiliparse), on its own parse of the raw
HTML.

Needs the ``html`` extra (html-text, trafilatura's date finder, charset detection); :func:`parse`
needs only lxml.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass
from typing import Any

from textmill.errors import InputError

INSTALL = 'reading HTML and WARC input needs the html extra; install it with `pip install "textmill[html]"`'

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def _libs() -> tuple[Any, Any]:
    try:
        import html_text
        import lxml.etree
    except ImportError:
        raise InputError(INSTALL) from None
    return html_text, lxml.etree


@dataclass(frozen=True)
class Decoded:
    text: str
    charset: str
    note: str | None  # set when the decode was a best guess


def declared_charset(data: bytes) -> str | None:
    """The charset a page's ``<meta>`` declares in its first 4 KB."""
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def decode_html(data: bytes, declared: str | None = None) -> Decoded:
    """The page's text: the byte-order mark, else the charset declared (by the HTTP header given
    as ``declared``, else the page's ``<meta>``), else UTF-8. Bytes that are not valid in that
    charset are decoded as the charset detector guesses, with a note saying so."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")):
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(enc, "replace"), enc, None)
    if data.startswith(codecs.BOM_UTF16_BE):
        return Decoded(data[2:].decode("utf-16-be", "replace"), "utf-16-be", None)
    name = (declared or declared_charset(data) or "utf-8").lower()
    try:
        enc = codecs.lookup(name).name
    except LookupError:
        enc = ""
    if enc:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            pass
        else:
            if enc in ("cp1252", "iso8859-1", "latin-1") and not data.isascii():
                # A page saved as UTF-8 that still declares a Western charset: decoding it
                # as declared would turn every accent into two characters.
                try:
                    utf8 = data.decode("utf-8")
                except UnicodeDecodeError:
                    return Decoded(text, enc, None)
                return Decoded(
                    utf8,
                    "utf-8",
                    f"the page declares {name} but its bytes are UTF-8; read as UTF-8",
                )
            return Decoded(text, enc, None)
    if enc != "utf-8":
        try:
            utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return Decoded(
                utf8, "utf-8", f"the page declares {name} but its bytes are UTF-8; read as UTF-8"
            )
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:200_000])
    best = matches.best()
    guess = codecs.lookup(best.encoding).name if best is not None else "utf-8"
    if best is not None and any(
        m.encoding == "cp1252" and m.chaos <= best.chaos and m.coherence >= best.coherence
        for m in matches
    ):
        guess = "cp1252"  # of equally likely charsets, the web's own fallback (WHATWG)
    what = f"declares {name}" if enc else f"declares an unknown charset {name!r}"
    if not declared and not declared_charset(data):
        what = "declares no charset"
    return Decoded(
        data.decode(guess, "replace"),
        guess,
        f"the page {what} but its bytes are not valid {enc or name}; decoded as {guess} "
        "(a best guess: check the text)",
    )


_PARSERS = threading.local()  # an lxml parser is not to be shared between threads


def _parser() -> Any:
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        try:
            import lxml.html
            from lxml import etree
        except ImportError:
            raise InputError(INSTALL) from None
        parser = lxml.html.HTMLParser(recover=True, encoding="utf-8")
        # Every element an HtmlElement, chosen in C: lxml.html's own lookup asks Python for the
        # class of each element it hands out, which costs trafilatura and html-text a tenth of
        # their time. Only <form>, <input> and the like lose their special classes.
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml.html.HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )
        _PARSERS.parser = parser
    return parser


def parse(html: str) -> Any:
    """The page as an lxml tree, parsed as html-text parses it (lenient, so broken markup still
    parses; NUL characters dropped), whose elements are all ``lxml.html.HtmlElement``: the tree
    html-text, htmldate and trafilatura read."""
    from lxml import etree

    parser = _parser()
    body = html.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    root = etree.fromstring(body, parser=parser)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser)
    return root


def page_text(tree: Any, html: str) -> str:
    """html-text's rendering of the page ``html`` that :func:`parse` made ``tree`` of (equal to
    ``html_text.extract_text(html)``). html-text's cleaning (scripts, styles, ``<meta>`` and
    ``<link>`` elements, comments removed) is done to ``tree`` itself rather than to a copy, so
    read the page's metadata first."""
    html_text, _ = _libs()
    try:
        html_text.cleaner(tree)
    except AssertionError:  # lxml's cleaner on some broken markup: html-text then keeps it all
        tree = parse(html)
    return str(html_text.etree_to_text(tree))


def metadata(tree: Any, url: str = "") -> dict[str, Any]:
    """The page's ``<title>``, canonical URL, published date and language, where it gives them."""
    out: dict[str, Any] = {}
    title = tree.findtext(".//title")
    if title and title.strip():
        out["title"] = " ".join(title.split())
    else:
        og = tree.xpath('//meta[@property="og:title"]/@content')
        if og and og[0].strip():
            out["title"] = " ".join(og[0].split())
    canonical = tree.xpath('//link[@rel="canonical"]/@href') or tree.xpath(
        '//meta[@property="og:url"]/@content'
    )
    if canonical and canonical[0].strip():
        out["canonical_url"] = canonical[0].strip()
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        content = tree.xpath('//meta[@http-equiv="content-language"]/@content')
        lang = content[0] if content else None
    if lang and lang.strip():
        out["language"] = lang.strip()
    date = _published(tree, url)
    if date:
        out["published"] = date
    return out


def _published(tree: Any, url: str) -> str | None:
    try:
        from htmldate import find_date
    except ImportError:
        raise InputError(INSTALL) from None
    try:
        found = find_date(tree, url=url or None, original_date=True, extensive_search=False)
    except (ValueError, TypeError):
        return None
    return str(found) if found else None
