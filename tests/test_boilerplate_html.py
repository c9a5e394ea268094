"""The boilerplate plugin on pages read from HTML: the page structure's vote (trafilatura's
main-content decision) as one more feature of the line model trained on pages read from HTML.

A page built from a seed with a site's furniture around it (see tests/test_read_html.py), and a
few development pages of the article-extraction benchmark, read in place.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import sys
from pathlib import Path

import pytest
from textmill.model import Document
from textmill.testing import run_chain

pytest.importorskip("html_text")
pytest.importorskip("trafilatura")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_read_html import MENU, seed, site_page

ROOT = Path(__file__).resolve().parents[1]
AEB_HTML = ROOT / ".." / "shared" / "eval" / "cleaning" / "aeb-html.jsonl.gz"
sys.path.insert(0, str(ROOT / "benchmarks"))


def clean(
    docs: list[Document], tmp_path: Path, markup: bool, extractor: str = "trafilatura"
) -> dict[str, str]:
    out = run_chain(
        docs,
        {"clean": ["unicode", "boilerplate"]},
        tmp_path=tmp_path,
        settings={"boilerplate": {"markup": markup, "extractor": extractor}},
    )
    return {d.id: out.text(d.id) for d in docs}


def page(data: str, doc_id: str, url: str = "") -> Document:
    from textmill.read_html import page_document

    return page_document(data.encode(), doc_id, doc_id, 1 << 30, meta={"url": url} if url else None)


@pytest.mark.parametrize("extractor", ["trafilatura", "resiliparse"])
def test_the_page_structure_keeps_the_article_and_drops_the_furniture(
    tmp_path: Path, extractor: str
) -> None:
    if extractor == "resiliparse":
        pytest.importorskip("resiliparse")
    doc = page(site_page("002"), "page.html")
    title, paras = seed("002")
    # The seed ends with its author's bio, which the bio patterns name whatever the markup says.
    bio = [p for p in paras if p.startswith("Author:") or " is the news editor of " in p]
    article = [p for p in paras if p not in bio]
    assert len(bio) == 2 and len(article) == 9
    furniture = [*MENU, "The Daily Seed", "More stories", "Privacy Terms"]
    furniture += ["© 2023 The Daily Seed. All rights reserved.", "By Staff Reporter"]
    furniture += [seed(p)[0] for p in ("000", "001", "003", "004")]  # the related stories
    with_markup = clean([doc], tmp_path / "a", True, extractor)["page.html"].split("\n")
    text_only = clean([doc], tmp_path / "b", markup=False)["page.html"].split("\n")
    assert title in with_markup
    # The page's <title> line above the headline ("Headline | Site") is not kept for a title.
    assert f"{title} | The Daily Seed" in text_only[:1]
    assert not any("The Daily Seed" in line for line in with_markup)
    assert [p for p in article if p not in with_markup] == []
    assert [f for f in furniture if f in with_markup] == []
    assert [p for p in bio if p in with_markup] == []
    # Without the markup, the line model alone cuts an article paragraph.
    assert [p for p in article if p not in text_only] != []


@pytest.mark.skipif(not AEB_HTML.exists(), reason="needs ../shared/eval/cleaning/aeb-html.jsonl.gz")
def test_benchmark_pages_score_above_a_floor_only_with_the_markup(tmp_path: Path) -> None:
    from eval_cleaning import shingle_prf

    with gzip.open(AEB_HTML, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for _, line in zip(range(20), fh, strict=False)][10:20]
    docs = [page(r["html"], f"p{i}", r["url"]) for i, r in enumerate(rows)]
    gold = [r["gold"] for r in rows]
    f1 = {}
    for markup in (True, False):
        out = clean(docs, tmp_path / str(markup), markup=markup)
        f1[markup] = shingle_prf([(out[d.id], g) for d, g in zip(docs, gold, strict=True)])[2]
    # Measured: 0.971 with the markup, 0.942 from the text alone (trafilatura alone 0.895).
    assert f1[True] >= 0.96, f1
    assert f1[False] < 0.955, f1


def test_a_guessed_charset_is_a_finding(tmp_path: Path) -> None:
    from textmill.read_html import page_document

    page_text = site_page("004").replace("<p>", "<p>Le ministère a publié un communiqué.</p><p>", 1)
    # Declared UTF-8, saved as Latin-1: the reader decodes it by the charset detector's guess.
    guessed = page_document(
        page_text.encode("latin-1", "replace"), "latin.html", "latin.html", 1 << 30
    )
    fine = page("<html><body>" + page_text.split("<body>", 1)[1], "fine.html")
    out = run_chain([guessed, fine], {"clean": ["unicode", "boilerplate"]}, tmp_path=tmp_path)
    found = [
        f
        for f in out.result("latin.html", "boilerplate").findings
        if f.code == "boilerplate.charset-guess"
    ]
    assert len(found) == 1 and found[0].severity == "warning"
    assert "not valid utf-8" in found[0].message and "best guess" in found[0].message
    assert not [
        f
        for f in out.result("fine.html", "boilerplate").findings
        if f.code == "boilerplate.charset-guess"
    ]
    assert "ministère" in out.text("latin.html")


def test_lines_are_matched_to_the_extraction_despite_other_spacing_and_punctuation() -> None:
    """The vote finds each line in trafilatura's text where the two renderings differ: a
    paragraph the extraction splits in two or sets with other spaces and quotes, long ones
    (matched by their word triples) and short ones (by rapidfuzz) alike; the other seeds'
    paragraphs, absent from the extraction, get no vote."""
    from textmill.plugins.boilerplate.features import split_lines
    from textmill.plugins.boilerplate.markup import LONG_LINE_CHARS, votes

    _, paras = seed("001")
    long = next(p for p in paras if len(p) > LONG_LINE_CHARS + 50)
    mid = next(p for p in paras if 120 < len(p) < LONG_LINE_CHARS and "," in p)
    words = long.split()
    half = len(words) // 2
    changed = [*words[:3], "indeed", *words[3:]]  # one word more, in the first half
    extraction = "\n".join(
        [
            "Intro line of the extraction.",
            " ".join(changed[: half + 1]),  # the long paragraph split in two lines
            " ".join(changed[half + 1 :]),
            mid.replace(",", " ,").replace(" ", "  "),
        ]
    )
    others = [p for p in seed("003")[1] if len(p) > 60][:3]
    lines = split_lines("\n".join([*others, long, mid]))
    got = votes(lines, extraction).tolist()
    assert got == [0.0, 0.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize("extractor", ["trafilatura", "resiliparse"])
def test_the_html_trees_read_the_line_features_and_the_vote(extractor: str) -> None:
    """The shipped trees for pages read from HTML were trained on today's line features plus
    the extractor's vote (a line's own and its neighbours'), and the vote moves a line's
    probability: the same line features score higher when the extractor kept the lines."""
    import numpy as np
    from textmill.plugins.boilerplate.features import FEATURES, page_features, split_lines
    from textmill.plugins.boilerplate.markup import VOTE_FEATURES, vote_columns
    from textmill.plugins.boilerplate.model import html_weights, load, predict

    path = html_weights(extractor)
    weights = json.loads(path.read_text(encoding="utf-8"))
    assert weights["features"] == [*FEATURES, *VOTE_FEATURES]
    assert weights["extractor"] == extractor
    _, paras = seed("002")
    x, _ = page_features(split_lines("\n\n".join(paras)))
    forest = load(str(path))
    kept = predict(np.hstack([x, vote_columns(np.ones(len(x)))]), forest)
    dropped = predict(np.hstack([x, vote_columns(np.zeros(len(x)))]), forest)
    assert (kept > dropped).all()
    assert (kept - dropped).mean() > 0.1, (kept - dropped).mean()


def test_resiliparse_missing_is_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from textmill.plugins.boilerplate import BoilerplateSettings

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "resiliparse" else find_spec(name, *a),
    )
    with pytest.raises(ValueError, match=r"resiliparse.*not installed.*pip install resiliparse"):
        BoilerplateSettings(extractor="resiliparse")
    assert BoilerplateSettings().extractor == "trafilatura"


def test_text_resiliparse_cannot_take_gives_no_vote() -> None:
    pytest.importorskip("resiliparse")
    from textmill.plugins.boilerplate.markup import extract

    assert extract("<p>\udcff</p>", "resiliparse") is None
    assert extract("<p>Some words here.</p>", "resiliparse") == "Some words here."


def test_a_page_without_a_headline_does_not_keep_its_title_tag(tmp_path: Path) -> None:
    """The first line of a page read from HTML is its ``<title>`` ("Headline | Site"): it is
    the document's title, removed from the text as ``boilerplate.page-title`` even where no
    headline in the page repeats it."""
    title, paras = seed("002")
    html_page = site_page("002").replace(f"<h1>{html.escape(title)}</h1>", "")
    doc = page(html_page, "page.html")
    assert doc.title == f"{title} | The Daily Seed"
    assert doc.raw.split("\n", 1)[0] == doc.title
    out = run_chain([doc], {"clean": ["unicode", "boilerplate"]}, tmp_path=tmp_path)
    result = out.result("page.html", "boilerplate")
    reasons = {doc.raw[e.span.start : e.span.end].strip(): e.reason for e in result.edits}
    assert reasons[doc.title] == "boilerplate.page-title"
    assert doc.title not in out.text("page.html")
    assert paras[0] in out.text("page.html")
    # Read as plain text, the same first line is a headline to keep.
    plain = run_chain(
        [Document(id="plain.txt", raw=doc.raw)],
        {"clean": ["unicode", "boilerplate"]},
        tmp_path=tmp_path / "plain",
    )
    assert plain.text("plain.txt").startswith(doc.title)


@pytest.mark.skipif(not AEB_HTML.exists(), reason="needs ../shared/eval/cleaning/aeb-html.jsonl.gz")
def test_table_rows_get_the_vote_of_trafilaturas_table() -> None:
    """trafilatura writes a table row as ``| 1 | Kyle Busch | 5040 |``, html-text as
    ``1 Kyle Busch 5040``: the benchmark's standings page keeps its table's rows by the vote."""
    from textmill.plugins.boilerplate.features import split_lines
    from textmill.plugins.boilerplate.markup import extract, votes
    from textmill.read_html import page_document

    with gzip.open(AEB_HTML, "rt", encoding="utf-8") as fh:
        row = next(r for r in map(json.loads, fh) if "classificacao-nascar" in r["url"])
    doc = page_document(row["html"].encode(), "p", row["url"], 1 << 30)
    extracted = extract(doc.meta["html"])
    assert extracted is not None and "| Kyle Busch |" in extracted
    lines = split_lines(doc.raw)
    rows = [
        k for k, ln in enumerate(lines) if re.fullmatch(r"\d+ [A-Z][\w. ]+ \d+( \d+){4}", ln.text)
    ]
    assert len(rows) >= 30
    got = votes(lines, extracted)
    assert got[rows].sum() == len(rows)
