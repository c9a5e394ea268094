"""HTML pages and WARC files: read through the same reader interface and bad-input rules as text.

Pages are built in the test from the seeds, with a site's furniture around the article (header,
menu, related stories, footer), and WARC files with warcio's writer.
"""

from __future__ import annotations

import gzip
import html
import io
from pathlib import Path

import pytest
from textmill.model import Document
from textmill.readers import ReadError, Skipped, read_paths
from textmill.testing import SEEDS, run_chain

pytest.importorskip("warcio")
pytest.importorskip("html_text")

MENU = ["Home", "World", "Politics", "Business", "Opinion", "Sign in", "Subscribe"]


def seed(prefix: str) -> tuple[str, list[str]]:
    """A seed's headline and its paragraphs (its non-blank lines after the first)."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
    return lines[0], lines[1:]


def site_page(prefix: str, *, charset: str = "utf-8", declare: str | None = None) -> str:
    """A news site's page around a seed article: menu, related stories, footer."""
    title, paras = seed(prefix)
    others = [seed(p)[0] for p in ("000", "001", "002", "003", "004") if p != prefix]
    esc = html.escape
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paras)
    menu = "".join(f'<li><a href="/{m.lower()}">{esc(m)}</a></li>' for m in MENU)
    related = "".join(f'<li><a href="/s/{i}">{esc(t)}</a></li>' for i, t in enumerate(others))
    meta_charset = f'<meta charset="{declare or charset}">' if declare != "" else ""
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head>{meta_charset}
<title>{esc(title)} | The Daily Seed</title>
<link rel="canonical" href="https://daily.example/{prefix}">
<meta property="article:published_time" content="2023-12-17T09:30:00Z">
<script>var tracking = "not text";</script><style>p {{ color: red }}</style>
</head><body>
<header class="site-header"><a href="/">The Daily Seed</a>
<nav class="main-menu"><ul>{menu}</ul></nav></header>
<main><article class="story"><h1>{esc(title)}</h1>
<div class="byline">By Staff Reporter</div>
{body}
</article>
<aside class="related"><h2>More stories</h2><ul>{related}</ul></aside></main>
<footer class="site-footer"><p>© 2023 The Daily Seed. All rights reserved.</p>
<a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
</body></html>"""


def by_id(items):
    return {it.id: it for it in items}


def test_an_html_page_is_its_text_with_title_and_metadata(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(site_page("002"), encoding="utf-8")
    (tmp_path / "old.htm").write_bytes(site_page("003", charset="cp1252").encode("cp1252"))
    items = by_id(read_paths([tmp_path]))
    doc = items["page.html"]
    assert isinstance(doc, Document)
    title, paras = seed("002")
    assert doc.title == f"{title} | The Daily Seed"
    lines = doc.raw.split("\n")
    for p in paras:
        assert p in lines
    assert "not text" not in doc.raw and "color: red" not in doc.raw
    assert doc.meta["canonical_url"] == "https://daily.example/002"
    assert doc.meta["published"] == "2023-12-17"
    assert doc.meta["language"] == "en-GB"
    assert doc.meta["charset"] == "utf-8" and "decode_note" not in doc.meta
    assert doc.meta["html"].startswith("<!DOCTYPE html>")  # the raw HTML stays available
    old = items["old.htm"]
    assert isinstance(old, Document) and old.meta["charset"] == "cp1252"
    assert all(p in old.raw.split("\n") for p in seed("003")[1])


def test_rendering_is_html_texts(tmp_path: Path) -> None:
    import html_text
    from textmill.html_page import page_text, parse

    page = site_page("001")
    text = page_text(parse(page), page)  # what the reader takes, from its one parse
    assert text == html_text.extract_text(page)
    lines = text.split("\n")
    assert "Politics" in lines and seed("001")[0] in lines
    assert all(p in lines for p in seed("001")[1])


def test_wrong_charsets_are_decoded_with_a_note(tmp_path: Path) -> None:
    french = (
        "Le ministère a publié hier soir un communiqué très détaillé. Selon les éléments "
        "recueillis, les négociations reprendront à Genève après les fêtes de fin d'année."
    )
    page = site_page("004").replace("<p>", f"<p>{french}</p><p>", 1)
    # Declared UTF-8, saved as Latin-1: not valid UTF-8, decoded by the best guess.
    (tmp_path / "latin.html").write_bytes(page.encode("latin-1", "replace"))
    # Declared Windows-1252, saved as UTF-8: read as UTF-8, not as mojibake.
    (tmp_path / "utf8.html").write_bytes(
        page.replace('charset="utf-8"', 'charset="windows-1252"').encode("utf-8")
    )
    items = by_id(read_paths([tmp_path]))
    latin = items["latin.html"]
    assert isinstance(latin, Document)
    assert (
        "not valid utf-8" in latin.meta["decode_note"] and "best guess" in latin.meta["decode_note"]
    )
    assert "ministère" in latin.raw and "négociations" in latin.raw
    utf8 = items["utf8.html"]
    assert isinstance(utf8, Document) and utf8.meta["charset"] == "utf-8"
    assert "ministère" in utf8.raw and "Ã" not in utf8.raw
    assert "bytes are UTF-8" in utf8.meta["decode_note"]


def test_bad_pages_are_errors_and_good_ones_survive(tmp_path: Path) -> None:
    (tmp_path / "good.html").write_text(site_page("000"), encoding="utf-8")
    (tmp_path / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 10)
    (tmp_path / "empty.html").write_text("<html><head><script>x=1</script></head></html>")
    # Broken markup: unclosed tags and a stray end tag still give the article.
    broken = site_page("003").replace("</p>", "", 4).replace("</article>", "</div></span>")
    (tmp_path / "broken.html").write_text(broken[: len(broken) - 200], encoding="utf-8")
    items = by_id(read_paths([tmp_path]))
    assert isinstance(items["good.html"], Document)
    assert "NUL bytes" in items["binary.html"].reason
    assert "no HTML markup" in items["binary.html"].reason
    assert "no text" in items["empty.html"].reason
    assert isinstance(items["broken.html"], Document)
    assert seed("003")[1][0] in items["broken.html"].raw
    big = read_paths([tmp_path / "good.html"], max_bytes=1000)
    reason = next(iter(big)).reason
    assert "over the 0.001 MB limit" in reason and "max_bytes = 1_000_000 in the config" in reason


def test_nul_bytes_in_an_html_page_are_dropped(tmp_path: Path) -> None:
    """A page with stray NUL bytes (in its first 8 KiB and further on) is read as the page it is,
    without them; NULs in bytes that hold no HTML, or more control bytes than text documents may
    hold, stay a binary file's sign."""
    page = site_page("001").encode("utf-8")
    title, paras = seed("001")
    cut = page.index(paras[0][:20].encode())
    nul = page[:40] + b"\x00" + page[40:cut] + b"\x00\x00" + page[cut:] + b"\x00"
    assert b"\x00" in nul[:8192]
    (tmp_path / "nul.html").write_bytes(nul)
    (tmp_path / "zip.html").write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00" * 50)
    # HTML, but NUL every 20 bytes: over the 1% of control bytes that text documents may hold.
    many = b"".join(page[i : i + 20] + b"\x00" for i in range(0, len(page), 20))
    (tmp_path / "many.html").write_bytes(many)
    items = by_id(read_paths([tmp_path]))
    doc = items["nul.html"]
    assert isinstance(doc, Document)
    assert doc.title == f"{title} | The Daily Seed"
    assert "\x00" not in doc.raw and "\x00" not in doc.meta["html"]
    lines = doc.raw.split("\n")
    assert all(p in lines for p in paras)
    for name in ("zip.html", "many.html"):
        assert isinstance(items[name], ReadError) and "NUL bytes" in items[name].reason
    (tmp_path / "plain.html").write_bytes(page)
    assert next(iter(read_paths([tmp_path / "plain.html"]))).raw == doc.raw


def build_warc(path: Path, pages: list[tuple[str, bytes, str]], *, junk: bool = True) -> None:
    """A gzipped WARC with a warcinfo record, each page as a request and its response, and
    (with ``junk``) an image, a redirect and a metadata record: what a crawl holds."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "test"}))

        def response(url: str, body: bytes, ctype: str, status: str = "200 OK") -> None:
            req = StatusAndHeaders(
                f"GET {url} HTTP/1.1", [("Host", "daily.example")], is_http_request=True
            )
            w.write_record(w.create_warc_record(url, "request", http_headers=req))
            head = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            w.write_record(
                w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=head)
            )

        for url, body, ctype in pages:
            response(url, body, ctype)
        if junk:
            response("https://daily.example/logo.png", b"\x89PNG\r\n\x1a\n" * 20, "image/png")
            response("https://daily.example/old", b"", "text/html", "301 Moved Permanently")
            w.write_record(
                w.create_warc_record(
                    "https://daily.example/a",
                    "metadata",
                    payload=io.BytesIO(b"outlinks: 3"),
                    warc_content_type="application/warc-fields",
                )
            )


def test_a_warc_file_gives_its_html_pages_and_counts_the_rest(tmp_path: Path) -> None:
    pages = [
        (f"https://daily.example/{p}", site_page(p).encode(), "text/html; charset=utf-8")
        for p in ("001", "002")
    ]
    western = site_page("003", charset="windows-1252").encode("cp1252")
    pages.append(("https://daily.example/003", western, "text/html; charset=Windows-1252"))
    build_warc(tmp_path / "crawl.warc.gz", pages)
    items = list(read_paths([tmp_path / "crawl.warc.gz"]))
    docs = [i for i in items if isinstance(i, Document)]
    assert not [i for i in items if isinstance(i, ReadError)]
    assert [d.meta["url"] for d in docs] == [u for u, _, _ in pages]
    assert [d.id for d in docs] == ["crawl.warc.gz:3", "crawl.warc.gz:5", "crawl.warc.gz:7"]
    for d, p in zip(docs, ("001", "002", "003"), strict=True):
        title, paras = seed(p)
        assert d.title == f"{title} | The Daily Seed"
        assert all(para in d.raw.split("\n") for para in paras)
        assert d.meta["warc_date"][:2] == "20" and d.meta["warc_record_id"].startswith("<urn:uuid:")
        assert d.meta["http_status"] == "200" and d.meta["published"] == "2023-12-17"
    assert docs[2].meta["charset"] == "cp1252"  # as the HTTP header says
    (skipped,) = [i for i in items if isinstance(i, Skipped)]
    # warcinfo, 5 requests, the image, the redirect, the metadata record.
    assert skipped.count == 9
    assert "5 request" in skipped.reason and "1 image/png" in skipped.reason
    assert "1 HTTP 301" in skipped.reason and "1 warcinfo" in skipped.reason


def test_a_truncated_warc_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    pages = [
        (f"https://daily.example/{p}", site_page(p).encode(), "text/html; charset=utf-8")
        for p in ("000", "001", "002")
    ]
    whole = tmp_path / "whole.warc.gz"
    build_warc(whole, pages, junk=False)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    items = list(read_paths([cut]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert [d.meta["url"] for d in docs] == [u for u, _, _ in pages[:2]]
    assert len(errors) == 1 and "truncated" in errors[0].reason
    assert errors[0].reason.startswith("cut.warc.gz record ")
    # Not a WARC file at all, and a gzip file that is not one either.
    (tmp_path / "text.warc").write_text("hello, this is not a WARC file\n" * 5)
    with gzip.open(tmp_path / "junk.warc.gz", "wb") as fh:
        fh.write(b"\x00\x01 binary junk" * 50)
    for name in ("text.warc", "junk.warc.gz"):
        (err,) = list(read_paths([tmp_path / name]))
        assert isinstance(err, ReadError) and "not a WARC file" in err.reason, name


def test_a_run_on_pages_reports_skipped_records_without_failing(tmp_path: Path) -> None:
    pages = [("https://daily.example/002", site_page("002").encode(), "text/html")]
    inputs = tmp_path / "in"
    inputs.mkdir()
    build_warc(inputs / "crawl.warc.gz", pages)
    (inputs / "page.html").write_text(site_page("004"), encoding="utf-8")
    out = run_chain([inputs], {"clean": ["unicode", "boilerplate"]}, tmp_path=tmp_path / "run")
    assert not out.summary.failed and out.summary.documents == 2
    ((where, reason),) = out.summary.input_skipped
    assert where == "crawl.warc.gz" and "skipped 7 record(s) that are not HTML pages" in reason
    (warc_doc,) = [i for i in out.ids() if i.startswith("crawl")]
    text = out.text(warc_doc)
    paras = seed("002")[1]
    # Cleaned from the text alone (the markup is not used yet): the article body stays.
    assert sum(p in text for p in paras) >= 0.7 * len(paras)
