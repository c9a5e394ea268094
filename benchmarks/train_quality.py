"""Train the mt_artifacts quality score; writes plugins/mt_artifacts/qe_model.json and
plugins/mt_artifacts/lexicon.json.gz.

Data: the training split of the quality set (../shared/eval/quality/mlqe-pe/): Romanian,
Estonian, Nepali, Sinhala and Russian sentences machine-translated into English, each with the
mean human direct-assessment z-score (z_mean), and the post-editing training split (source and
human post-edited English).

1. Lexicon: an IBM Model 1 table per source language from the post-edited pairs whose source is
   not among the scored training sentences (so its coverage features are not fitted on pairs
   it has seen).
2. Features per scored sentence (:mod:`textmill.plugins.mt_artifacts.features`): fluency,
   spaCy parse and the checks' findings; plus bilingual features and bilingual checks.
3. Ridge regressions (alpha chosen by 5-fold cross-validation on the training split) for the
   monolingual model, a pooled bilingual model and one bilingual model per source language;
   each with an isotonic map from its output to the percentile of z_mean, saved as points.

    .venv/bin/python benchmarks/train_quality.py [--per-pair 7000] [--cache /tmp/qe_features.json.gz]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval" / "quality" / "mlqe-pe"
PAIRS = ("ro", "et", "ne", "si", "ru")
OUT = ROOT / "plugins" / "mt_artifacts" / "qe_model.json"
ALPHAS = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def da_rows(pair: str, split: str) -> list[dict[str, str]]:
    """Direct-assessment rows: original, translation, z_mean, model_scores, ..."""
    with tarfile.open(EVAL / f"direct-assessments-{pair}-en-{split}.tar.gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(".df.short.tsv"))
        data = tar.extractfile(member)
        assert data is not None
        text = io.TextIOWrapper(data, encoding="utf-8")
        return list(csv.DictReader(text, delimiter="\t", quoting=csv.QUOTE_NONE))


def pe_pairs(pair: str, split: str) -> list[tuple[str, str]]:
    """(source, human post-edited English) pairs of the post-editing split."""
    with tarfile.open(EVAL / f"post-editing-{pair}-en-{split}.tar.gz") as tar:
        files = {m.name.rsplit("/", 1)[-1]: m for m in tar.getmembers() if m.isfile()}

        def lines(name: str) -> list[str]:
            fh = tar.extractfile(files[name])
            assert fh is not None
            return fh.read().decode("utf-8").split("\n")

        src, pe = lines(f"{split}.src"), lines(f"{split}.pe")
    return [(s, e) for s, e in zip(src, pe, strict=False) if s.strip() and e.strip()]


def item_features(
    translation: str, original: str, pair: str
) -> tuple[dict[str, float], dict[str, float]]:
    """(monolingual, bilingual) feature dicts of one scored item, as the plugin computes them."""
    from textmill import Document
    from textmill.nlp import has_statistical_model, load_nlp, parse
    from textmill.plugins.mt_artifacts.bilingual import bilingual_checks
    from textmill.plugins.mt_artifacts.checks import run_checks
    from textmill.plugins.mt_artifacts.score import sentence_features

    tokens = list(parse(translation)) if has_statistical_model(load_nlp()) else None
    mono_findings = run_checks(translation)
    doc = Document(id="x", raw=translation, lang="en", source_text=original, source_lang=pair)
    bi_findings = mono_findings + bilingual_checks(doc)
    mono = sentence_features(translation, tokens, mono_findings)
    bi = sentence_features(translation, tokens, bi_findings, original, pair)
    return mono, bi


def build_lexicon(per_pair_rows: dict[str, list[dict[str, str]]]) -> None:
    from textmill.plugins.mt_artifacts import lexicon

    tables = {}
    for pair in PAIRS:
        scored = {r["original"] for r in per_pair_rows[pair]}
        pairs = [(s, e) for s, e in pe_pairs(pair, "train") if s not in scored]
        t0 = time.perf_counter()
        tables[pair] = lexicon.train_ibm1(pairs)
        print(
            f"lexicon {pair}: {len(pairs)} post-edited pairs, {len(tables[pair])} source words "
            f"({time.perf_counter() - t0:.0f}s)",
            flush=True,
        )
    with gzip.open(lexicon.PATH, "wt", encoding="utf-8") as fh:
        json.dump(tables, fh, ensure_ascii=False, separators=(",", ":"))
    lexicon.load.cache_clear()
    print(f"wrote {lexicon.PATH.relative_to(ROOT)} ({lexicon.PATH.stat().st_size} bytes)")


def matrix(rows: list[dict[str, float]], names: list[str]) -> np.ndarray:
    return np.array([[r.get(n, 0.0) for n in names] for r in rows], dtype=float)


def fit(rows: list[dict[str, float]], y: np.ndarray, y_all: np.ndarray) -> dict[str, Any]:
    """Ridge with CV-chosen alpha; isotonic calibration onto the percentile of ``y_all``."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold, cross_val_predict

    names = sorted({k for r in rows for k in r})
    x = matrix(rows, names)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    xs = (x - mean) / scale
    folds = KFold(5, shuffle=True, random_state=0)
    best = max(
        ALPHAS,
        key=lambda a: np.corrcoef(cross_val_predict(Ridge(alpha=a), xs, y, cv=folds), y)[0, 1],
    )
    cv = cross_val_predict(Ridge(alpha=best), xs, y, cv=folds)
    model = Ridge(alpha=best).fit(xs, y)
    # Calibrate the cross-validated outputs, as the model will be applied to unseen text.
    sorted_all = np.sort(y_all)
    pct = (np.searchsorted(sorted_all, y, side="right") - 0.5) / len(sorted_all)
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(cv, pct)
    grid = np.unique(np.quantile(cv, np.linspace(0, 1, 41)))
    return {
        "features": names,
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "coef": model.coef_.round(6).tolist(),
        "intercept": round(float(model.intercept_), 6),
        "calib_x": grid.round(5).tolist(),
        "calib_y": iso.predict(grid).round(4).tolist(),
        "alpha": best,
        "n": len(y),
        "cv_pearson": round(float(np.corrcoef(cv, y)[0, 1]), 4),
    }


def featurize_all(
    per_pair_rows: dict[str, list[dict[str, str]]], cache: Path | None
) -> list[dict[str, Any]]:
    if cache is not None and cache.exists():
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            return list(json.load(fh))
    out = []
    for pair in PAIRS:
        t0 = time.perf_counter()
        for r in per_pair_rows[pair]:
            mono, bi = item_features(r["translation"], r["original"], pair)
            out.append({"pair": pair, "y": float(r["z_mean"]), "mono": mono, "bi": bi})
        n = len(per_pair_rows[pair])
        print(f"features {pair}: {n} sentences ({time.perf_counter() - t0:.0f}s)", flush=True)
    if cache is not None:
        with gzip.open(cache, "wt", encoding="utf-8") as fh:
            json.dump(out, fh)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--per-pair", type=int, default=7000, help="scored training sentences per pair")
    ap.add_argument("--cache", type=Path, help="feature cache file (reused when it exists)")
    ap.add_argument("--skip-lexicon", action="store_true", help="keep the existing lexicon.json.gz")
    args = ap.parse_args()
    if not EVAL.exists():
        sys.exit(f"quality set not found at {EVAL}")
    rng = np.random.default_rng(0)
    per_pair_rows = {}
    for pair in PAIRS:
        rows = da_rows(pair, "train")
        idx = rng.permutation(len(rows))[: args.per_pair]
        per_pair_rows[pair] = [rows[i] for i in sorted(idx)]
    if not args.skip_lexicon:
        build_lexicon(per_pair_rows)
    items = featurize_all(per_pair_rows, args.cache)
    y_all = np.array([it["y"] for it in items])
    weights: dict[str, Any] = {
        "trained_on": f"quality set train split: {len(items)} sentences from {', '.join(PAIRS)} into en",
        "monolingual": fit([it["mono"] for it in items], y_all, y_all),
        "bilingual": {"pooled": fit([it["bi"] for it in items], y_all, y_all), "pairs": {}},
    }
    print(f"monolingual: CV r {weights['monolingual']['cv_pearson']:.3f} (pooled over pairs)")
    print(f"bilingual pooled: CV r {weights['bilingual']['pooled']['cv_pearson']:.3f}")
    for pair in PAIRS:
        sub = [it for it in items if it["pair"] == pair]
        m = fit([it["bi"] for it in sub], np.array([it["y"] for it in sub]), y_all)
        weights["bilingual"]["pairs"][pair] = m
        print(f"bilingual {pair}: CV r {m['cv_pearson']:.3f}, alpha {m['alpha']}")
    OUT.write_text(json.dumps(weights, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
