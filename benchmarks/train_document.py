"""Train the monolingual document model of the mt_artifacts score; writes the "document" entry
of plugins/mt_artifacts/qe_model.json (the sentence models are left as they are).

Data (development splits only, read in place):
- native English: the BBC articles that ``benchmarks/eval_precision.py`` does not evaluate on
  (every entertainment article and the business articles after the first 300);
- machine translation: the WMT23 zh-en MT outputs (each system's segments of a document joined
  one a line) of the training half of the source documents, split by document: the documents
  at even positions of the sorted document ids train, those at odd positions are held out for
  the AUC in ``eval_precision.py``, so no source document is seen in both (all 10 systems'
  versions of a document fall on one side).

Features per document (:func:`textmill.plugins.mt_artifacts.score.document_features`): each
sentence feature's length-weighted mean (fluency, parse, finding density by code) and the mean,
lower decile and spread of the calibrated sentence scores. The number of sentences and the
sentence length are left out, so the model does not learn the length of either set.

Model: L2 logistic regression (C by 5-fold cross-validated AUC, classes weighted to balance),
native = 1. Its probability p is mapped onto the 0..1 score through knots: p's 1st percentile
over all training documents -> 0, the median p of the MT training documents -> 0.35 (the "fair"
cut-off of ``label_of``), the 10th percentile of p over the native training documents -> 0.6
(the "good" cut-off), p's 99th percentile -> 1. So a document is "good" when it is at least as
native-like as nine native training articles in ten, and "poor" when it is less so than the
median machine translation.

    nice .venv/bin/python benchmarks/train_document.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_precision import BBC, mqm_docs  # noqa: E402

OUT = ROOT / "plugins" / "mt_artifacts" / "qe_model.json"
HELD_OUT_BBC = 300  # the first business articles, evaluated by eval_precision.py
CS = (0.01, 0.03, 0.1, 0.3, 1.0)
LEFT_OUT = ("n_sentences", "mean:log_words")
RAMP = (7, 10)  # sentences: up to 7 the sentence mean, from 10 the document model


def training_bbc() -> dict[str, str]:
    out: dict[str, str] = {}
    business = 0
    with BBC.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["category"] == "business":
                business += 1
                if business <= HELD_OUT_BBC:
                    continue
            out[r["id"]] = r["text"]
    return out


def mqm_split() -> tuple[dict[str, str], dict[str, str]]:
    """(training, held-out) MT versions by ``doc::system``, split by source document."""
    texts, _ = mqm_docs()
    docs = sorted({k.split("::")[0] for k in texts})
    train_docs = set(docs[0::2])
    train = {k: t for k, t in texts.items() if k.split("::")[0] in train_docs}
    held = {k: t for k, t in texts.items() if k.split("::")[0] not in train_docs}
    return train, held


def featurize(texts: dict[str, str]) -> list[dict[str, float]]:
    from textmill.plugins.mt_artifacts.checks import run_checks
    from textmill.plugins.mt_artifacts.score import monolingual_document_features

    out = []
    for t in texts.values():
        f = monolingual_document_features(t, run_checks(t))
        if f is not None:
            out.append(f)
    return out


def fit(native: list[dict[str, float]], mt: list[dict[str, float]]) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    rows = native + mt
    y = np.array([1] * len(native) + [0] * len(mt))
    names = sorted({k for r in rows for k in r if k not in LEFT_OUT})
    x = np.array([[r.get(n, 0.0) for n in names] for r in rows], dtype=float)
    keep = x.std(axis=0) > 1e-9
    names = [n for n, k in zip(names, keep, strict=True) if k]
    x = x[:, keep]
    mean, scale = x.mean(axis=0), x.std(axis=0)
    xs = np.clip((x - mean) / scale, -6.0, 6.0)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)

    def model(c: float) -> Any:
        return LogisticRegression(C=c, class_weight="balanced", max_iter=2000)

    cv = {
        c: float(cross_val_score(model(c), xs, y, cv=folds, scoring="roc_auc").mean()) for c in CS
    }
    best = max(CS, key=lambda c: cv[c])
    print("cross-validated AUC by C: " + ", ".join(f"{c}: {a:.3f}" for c, a in cv.items()))
    lr = model(best).fit(xs, y)
    p = lr.predict_proba(xs)[:, 1]
    knots_p = [
        float(np.quantile(p, 0.01)),
        float(np.median(p[y == 0])),
        float(np.quantile(p[y == 1], 0.1)),
        float(np.quantile(p, 0.99)),
    ]
    knots_p = list(np.maximum.accumulate(np.array(knots_p)) + np.arange(4) * 1e-6)
    top = sorted(zip(lr.coef_[0], names, strict=True), key=lambda t: -abs(t[0]))[:12]
    print("largest weights (native +): " + ", ".join(f"{n} {c:+.2f}" for c, n in top))
    return {
        "features": names,
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "coef": lr.coef_[0].round(5).tolist(),
        "intercept": round(float(lr.intercept_[0]), 5),
        "C": best,
        "cv_auc": round(cv[best], 4),
        "knots_p": [round(float(v), 6) for v in knots_p],
        "knots_score": [0.0, 0.35, 0.6, 1.0],
        "ramp": list(RAMP),
        "trained_on": f"{len(native)} BBC articles (not the first {HELD_OUT_BBC} business), "
        f"{len(mt)} WMT23 zh-en MT versions of the even-position source documents",
    }


def main() -> None:
    t0 = time.perf_counter()
    bbc = training_bbc()
    mt_train, _ = mqm_split()
    native, mt = featurize(bbc), featurize(mt_train)
    print(f"features: {len(native)} native, {len(mt)} MT ({time.perf_counter() - t0:.0f}s)")
    doc_model = fit(native, mt)
    weights = json.loads(OUT.read_text(encoding="utf-8"))
    weights["document"] = doc_model
    OUT.write_text(json.dumps(weights, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
