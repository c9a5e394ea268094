"""Train the boilerplate line classifier and write plugins/boilerplate/weights.json.

Labels come from the cleaning set (../shared/eval/cleaning/aeb.jsonl): a line is article text
when most of its word 4-shingles (or, for short lines, its words in order) occur in the page's
gold article. ``--cv 5`` also reports page-level cross-validated shingle F1, the figure to trust
for pages the model has not seen.

    .venv/bin/python benchmarks/train_boilerplate.py --cv 5
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval" / "cleaning" / "aeb.jsonl"
WORD = re.compile(r"\w+")


def shingles(words: list[str], n: int = 4) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def line_labels(text: str, gold: str) -> list[int]:
    from textmill.plugins.boilerplate.features import split_lines

    gwords = WORD.findall(gold.lower())
    gsh = shingles(gwords)
    gjoined = " " + " ".join(gwords) + " "
    out = []
    for ln in split_lines(text):
        if not ln.text:
            continue
        words = WORD.findall(ln.text.lower())
        if len(words) >= 4:
            sh = shingles(words)
            out.append(int(len(sh & gsh) / len(sh) >= 0.5))
        elif words:
            out.append(int((" " + " ".join(words) + " ") in gjoined))
        else:
            out.append(0)
    return out


def page_matrix(rows: list[dict]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    from textmill.plugins.boilerplate.features import page_features, split_lines

    xs, ys = [], []
    for r in rows:
        x, _ = page_features(split_lines(r["text"]))
        xs.append(x)
        ys.append(np.array(line_labels(r["text"], r["gold"])))
    return xs, ys


def fit_layer(x: np.ndarray, y: np.ndarray, c: float) -> dict:
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ == 0, 1.0, scaler.scale_)
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    clf.fit((x - scaler.mean_) / scale, y)
    return {
        "mean": scaler.mean_.tolist(),
        "scale": scale.tolist(),
        "coef": clf.coef_[0].tolist(),
        "intercept": float(clf.intercept_[0]),
    }


def train(xs: list[np.ndarray], ys: list[np.ndarray], c: float = 1.0) -> dict:
    from textmill.plugins.boilerplate.features import FEATURES
    from textmill.plugins.boilerplate.model import _apply, expand, neighbour_features

    xs = [expand(x) for x in xs]
    x = np.vstack(xs)
    y = np.concatenate(ys)
    pass1 = fit_layer(x, y, c)
    x2 = np.vstack([np.hstack([xi, neighbour_features(_apply(pass1, xi))]) for xi in xs])
    pass2 = fit_layer(x2, y, c)
    return {
        "features": list(FEATURES),
        "expand": True,
        "pass1": pass1,
        "pass2": pass2,
        "trained_on": "aeb.jsonl line labels from gold shingles",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cv", type=int, default=0, help="page-level folds for a held-out estimate")
    ap.add_argument("--C", type=float, default=1.0)
    args = ap.parse_args()
    if not EVAL.exists():
        sys.exit(f"cleaning set not found at {EVAL}; place ../shared/eval beside the project")
    rows = [json.loads(line) for line in EVAL.open(encoding="utf-8")]
    xs, ys = page_matrix(rows)
    if args.cv:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from eval_cleaning import clean_with_weights, shingle_prf

        folds = np.arange(len(rows)) % args.cv
        preds: list[tuple[str, str]] = [("", "")] * len(rows)
        for f in range(args.cv):
            tr = [i for i in range(len(rows)) if folds[i] != f]
            w = train([xs[i] for i in tr], [ys[i] for i in tr], args.C)
            for i in range(len(rows)):
                if folds[i] == f:
                    preds[i] = (clean_with_weights(rows[i]["text"], w), rows[i]["gold"])
        p, r, f1 = shingle_prf(preds)
        print(f"cross-validated ({args.cv} folds by page): P {p:.3f}  R {r:.3f}  F1 {f1:.3f}")
    weights = train(xs, ys, args.C)
    out = ROOT / "plugins" / "boilerplate" / "weights.json"
    out.write_text(json.dumps(weights, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
