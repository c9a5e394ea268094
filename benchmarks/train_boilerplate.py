"""Train the boilerplate line classifier and write plugins/boilerplate/weights.json; with
``--html``, the classifier for pages read from HTML and write plugins/boilerplate/weights-html.json.

Labels come from the cleaning set (../shared/eval/cleaning/aeb.jsonl): a line is article text
when most of its words align, in order, with runs of the page's gold article. The classifier is
scikit-learn's gradient boosting over the line features, exported as JSON trees. ``--cv 5`` first
reports page-level cross-validated shingle F1 (each fold's pages cleaned by trees trained on the
other folds, with the plugin's default settings), the figure to trust for pages the model has
not seen; the shipped weights are then trained the same way on every page.

The HTML classifier is trained on the same pages as HTML (../shared/eval/cleaning/aeb-html.jsonl.gz),
each as the plugin sees it: read by the HTML reader and repaired by the unicode plugin. Its
features are the line features and the markup's vote (the extractor, trafilatura or resiliparse,
kept the line: 1, else 0) with the share of kept lines among the three before and the three after
(see plugins/boilerplate/markup.py). ``--cv`` reports the same page-level estimate for it, beside
the line model alone on those pages.

    .venv/bin/python benchmarks/train_boilerplate.py --cv 5
    .venv/bin/python benchmarks/train_boilerplate.py --html --cv 5
    .venv/bin/python benchmarks/train_boilerplate.py --html --extractor resiliparse --cv 5
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier

if TYPE_CHECKING:
    from textmill.plugins.boilerplate.markup import Extractor

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval" / "cleaning" / "aeb.jsonl"
HTML_EVAL = ROOT / ".." / "shared" / "eval" / "cleaning" / "aeb-html.jsonl.gz"
WORD = re.compile(r"\w+")


def line_labels(text: str, gold: str) -> list[int]:
    """1 for each non-blank line of ``text`` that belongs to the gold article, else 0.

    Page and gold words are aligned in order (difflib), and a line is article text when at least
    half its words fall in aligned runs of 4+ words. Runs may cross lines, so a short heading
    inside the article is article text, while the same word in a menu elsewhere is not.
    """
    from textmill.plugins.boilerplate.features import split_lines

    lines = [ln for ln in split_lines(text) if ln.text]
    page: list[str] = []
    owner: list[int] = []
    for k, ln in enumerate(lines):
        words = WORD.findall(ln.text.lower())
        page += words
        owner += [k] * len(words)
    matcher = difflib.SequenceMatcher(None, page, WORD.findall(gold.lower()), autojunk=False)
    matched = [0] * len(lines)
    for a, _, size in matcher.get_matching_blocks():
        if size >= 4:
            for j in range(a, a + size):
                matched[owner[j]] += 1
    total = [0] * len(lines)
    for k in owner:
        total[k] += 1
    return [int(t > 0 and m / t >= 0.5) for m, t in zip(matched, total, strict=True)]


def corpus_repeats(rows: list[dict]) -> frozenset[int]:
    """The lines the plugin's prepare hook, with its default settings, would find repeated
    across these pages (no labels involved): training sees the same evidence as a run."""
    from textmill.plugins.boilerplate import BoilerplateSettings
    from textmill.plugins.boilerplate.repeats import repeated_lines

    s = BoilerplateSettings()
    return frozenset(repeated_lines((r["text"] for r in rows), s.min_repeats, s.repeat_share))


def page_matrix(
    rows: list[dict], repeated: frozenset[int] = frozenset()
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    from textmill.plugins.boilerplate.features import page_features, split_lines

    xs, ys = [], []
    for r in rows:
        x, _ = page_features(split_lines(r["text"]), repeated)
        xs.append(x)
        ys.append(np.array(line_labels(r["text"], r["gold"])))
    return xs, ys


# The shipped configuration: shallow trees, each fitted on a random 80% of the lines.
PARAMS = {
    "n_estimators": 150,
    "learning_rate": 0.1,
    "max_depth": 3,
    "min_samples_leaf": 20,
    "subsample": 0.8,
    "random_state": 0,
}


def _threshold(t: float) -> float:
    """The largest float32 not above ``t``: prediction compares float32 features with it, which
    decides every feature value exactly as scikit-learn's float64 threshold does."""
    t32 = np.float32(t)
    if float(t32) > t:
        t32 = np.nextafter(t32, np.float32(-np.inf))
    return float(np.format_float_positional(t32, unique=True, trim="-"))


def html_pages(rows: list[dict], extractor: Extractor = "trafilatura") -> list[dict]:
    """The HTML pages as the boilerplate plugin gets them: the reader's text after the unicode
    plugin's repair, its ``<title>``, and the extractor's main content of the page (``None``
    when it finds nothing: the plugin then uses the line model alone)."""
    from textmill import DocContext
    from textmill.plugins import unicode
    from textmill.plugins.boilerplate.markup import extract
    from textmill.read_html import page_document

    us = unicode.UnicodeSettings()
    out = []
    for i, r in enumerate(rows):
        doc = page_document(r["html"].encode(), f"p{i:04d}", r["url"], 1 << 30, meta={})
        fixed = unicode.textmill_clean(doc, us, DocContext())
        text = fixed.text if fixed is not None and fixed.text is not None else doc.text
        out.append(
            {
                "text": text,
                "gold": r["gold"],
                "extracted": extract(r["html"], extractor),
                "title": doc.title,
            }
        )
    return out


def html_matrix(
    pages: list[dict], repeated: frozenset[int]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Line features with the markup's vote columns (``markup.VOTE_FEATURES``) last, for the
    pages with an extraction (the others are cleaned by the line model alone)."""
    from textmill.plugins.boilerplate.features import page_features, split_lines
    from textmill.plugins.boilerplate.markup import vote_columns, votes

    xs, ys = [], []
    for pg in pages:
        if pg["extracted"] is None:
            continue
        lines = split_lines(pg["text"])
        x, _ = page_features(lines, repeated)
        vote = votes(lines, pg["extracted"])[[k for k, ln in enumerate(lines) if ln.text]]
        xs.append(np.hstack([x, vote_columns(vote)]))
        ys.append(np.array(line_labels(pg["text"], pg["gold"])))
    return xs, ys


def export(clf: GradientBoostingClassifier, x: np.ndarray, html: bool = False) -> dict:
    """The fitted trees as JSON arrays (a leaf has feature -1), checked against scikit-learn."""
    from textmill.plugins.boilerplate.features import FEATURES
    from textmill.plugins.boilerplate.markup import VOTE_FEATURES
    from textmill.plugins.boilerplate.model import forest_from_json, raw_scores

    trees = []
    for est in clf.estimators_[:, 0]:
        t = est.tree_
        leaf = t.children_left < 0
        trees.append(
            {
                "feature": np.where(leaf, -1, t.feature).tolist(),
                "threshold": [
                    0.0 if lf else _threshold(v) for lf, v in zip(leaf, t.threshold, strict=True)
                ],
                "left": np.where(leaf, -1, t.children_left).tolist(),
                "right": np.where(leaf, -1, t.children_right).tolist(),
                "value": [
                    round(float(v), 6) if lf else 0.0
                    for lf, v in zip(leaf, t.value[:, 0, 0], strict=True)
                ],
            }
        )
    tree_sum = sum(est.predict(x) for est in clf.estimators_[:, 0])
    init = float(np.median(clf.decision_function(x) - clf.learning_rate * tree_sum))
    weights = {
        "model": "GradientBoostingClassifier",
        "features": [*FEATURES, *VOTE_FEATURES] if html else list(FEATURES),
        "learning_rate": clf.learning_rate,
        "max_depth": int(clf.max_depth),
        "init": init,
        "params": PARAMS,
        "trees": trees,
        "trained_on": (
            "aeb-html.jsonl.gz pages as read and repaired, with the markup's vote; "
            if html
            else "aeb.jsonl "
        )
        + "line labels aligned with the gold articles",
    }
    gap = np.abs(raw_scores(forest_from_json(weights), x) - clf.decision_function(x)).max()
    if gap > 1e-3:
        raise RuntimeError(f"exported trees differ from scikit-learn's by {gap:.2g} in log-odds")
    return weights


def train(xs: list[np.ndarray], ys: list[np.ndarray], html: bool = False) -> dict:
    x = np.vstack(xs)
    clf = GradientBoostingClassifier(**PARAMS).fit(x, np.concatenate(ys))
    return export(clf, x, html)


def folds_of(n: int, k: int) -> np.ndarray:
    return np.arange(n) % k


def main_html(cv: int, extractor: Extractor) -> None:
    """Train (and with ``cv`` first cross-validate) the classifier for pages read from HTML,
    with ``extractor``'s vote."""
    import gzip

    from textmill.plugins.boilerplate.clean import clean_page
    from textmill.plugins.boilerplate.model import forest_from_json, html_weights

    if not HTML_EVAL.exists():
        sys.exit(f"cleaning set not found at {HTML_EVAL}; place ../shared/eval beside the project")
    with gzip.open(HTML_EVAL, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    pages = html_pages(rows, extractor)
    repeated = corpus_repeats(pages)
    if cv:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from eval_cleaning import shingle_prf

        plain_x, plain_y = page_matrix(pages, repeated)
        folds = folds_of(len(pages), cv)
        alone: list[tuple[str, str]] = []
        marked: list[tuple[str, str]] = []
        for f in range(cv):
            tr = [i for i in range(len(pages)) if folds[i] != f]
            plain = forest_from_json(train([plain_x[i] for i in tr], [plain_y[i] for i in tr]))
            hx, hy = html_matrix([pages[i] for i in tr], repeated)
            html = forest_from_json(train(hx, hy, html=True))
            for i in range(len(pages)):
                if folds[i] != f:
                    continue
                pg = pages[i]
                _, a, _ = clean_page(pg["text"], repeated=repeated, weights=plain)
                _, b, _ = clean_page(
                    pg["text"],
                    repeated=repeated,
                    weights=plain,
                    extracted=pg["extracted"],
                    html_weights=html,
                    title=pg["title"],
                )
                alone.append((a, pg["gold"]))
                marked.append((b, pg["gold"]))
        for name, preds in (("line model alone", alone), ("with the markup's vote", marked)):
            p, r, f1 = shingle_prf(preds)
            print(
                f"HTML pages, cross-validated ({cv} folds by page), {name}: "
                f"P {p:.3f}  R {r:.3f}  F1 {f1:.3f}"
            )
    xs, ys = html_matrix(pages, repeated)
    weights = train(xs, ys, html=True)
    weights["extractor"] = extractor
    out = html_weights(extractor)
    out.write_text(json.dumps(weights, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")


def main() -> None:
    from textmill.plugins.boilerplate.markup import EXTRACTORS

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cv", type=int, default=0, help="page-level folds for a held-out estimate")
    ap.add_argument("--html", action="store_true", help="the classifier for pages read from HTML")
    ap.add_argument(
        "--extractor",
        choices=EXTRACTORS,
        default="trafilatura",
        help="with --html: whose main-content decision is the vote",
    )
    args = ap.parse_args()
    if args.html:
        main_html(args.cv, args.extractor)
        return
    if not EVAL.exists():
        sys.exit(f"cleaning set not found at {EVAL}; place ../shared/eval beside the project")
    from textmill.plugins.boilerplate.model import forest_from_json

    rows = [json.loads(line) for line in EVAL.open(encoding="utf-8")]
    repeated = corpus_repeats(rows)
    xs, ys = page_matrix(rows, repeated)
    if args.cv:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from eval_cleaning import clean_with_weights, shingle_prf

        folds = folds_of(len(rows), args.cv)
        preds: list[tuple[str, str]] = [("", "")] * len(rows)
        for f in range(args.cv):
            tr = [i for i in range(len(rows)) if folds[i] != f]
            forest = forest_from_json(train([xs[i] for i in tr], [ys[i] for i in tr]))
            for i in range(len(rows)):
                if folds[i] == f:
                    preds[i] = (
                        clean_with_weights(rows[i]["text"], forest, repeated),
                        rows[i]["gold"],
                    )
        p, r, f1 = shingle_prf(preds)
        print(f"cross-validated ({args.cv} folds by page): P {p:.3f}  R {r:.3f}  F1 {f1:.3f}")
    weights = train(xs, ys)
    out = ROOT / "plugins" / "boilerplate" / "weights.json"
    out.write_text(json.dumps(weights, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
