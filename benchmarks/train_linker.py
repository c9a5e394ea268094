"""Train the linker's candidate model, with leave-one-benchmark-out cross-validation.

Every benchmark in ../shared/eval/entities/ is linked with a KB from which its own gold counts
were removed (:func:`entity_sets.leave_out`), with the plugin's own NER, span trimming and
candidate features. A candidate is a positive example when the mention's span is a gold span and
the candidate is its gold entity; mentions the gold does not label are left out of training
(several benchmarks label only some of the names in a text) but count in the scores.

Cross-validation: for each benchmark, a logistic regression is fitted on the other six (each
weighted equally), the NIL threshold is the one that maximizes their mean micro-F1, and the
held-out benchmark's micro-F1 is printed beside the prior-only baseline. ``--write`` then fits
on all seven and writes ``plugins/linker/weights.json``.

    .venv/bin/python benchmarks/train_linker.py [--write]
"""

from __future__ import annotations

import argparse
import json
import pickle
from collections import Counter
from pathlib import Path

import numpy as np
from entity_sets import (
    ROOT,
    SETS,
    GoldDoc,
    held_out_counts,
    kb_records,
    leave_out,
    load_set,
    require_data,
)

WEIGHTS = ROOT / "plugins" / "linker" / "weights.json"
# Weight of mentions the gold does not label, as negatives. Some benchmarks label every name,
# others only some; weights 0.3 and 1 gave a lower cross-validated micro-F1 than leaving them out.
UNLABELLED_WEIGHT = 0.0
THRESHOLDS = [round(0.025 * i, 3) for i in range(2, 38)]
# The training benchmarks' mean micro-F1 is flat over a wide range of thresholds, and where it
# peaks within that range is noise. Of the thresholds within this much of the peak, the lowest
# (the one that links most) is taken.
THRESHOLD_TOLERANCE = 0.005


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


class Prepared:
    """One benchmark's mentions and candidate features under its leave-one-out KB."""

    def __init__(self, name: str, docs: list[GoldDoc], kb: object, ents: list[list[tuple]]):
        from textmill.plugins.linker import mentions_from_ents
        from textmill.plugins.linker.link import FEATURES, document_candidates

        self.name = name
        self.docs = docs
        # Per doc: gold links, and per mention (span, [(entity, feature vector)], prior-best).
        self.items: list[tuple[set, list[tuple[tuple[int, int], list[str], np.ndarray, str]]]] = []
        for d, es in zip(docs, ents, strict=True):
            mentions = [m for m in mentions_from_ents(d.text, es, kb) if d.lo <= m.start < d.hi]
            feats = document_candidates(kb, mentions, d.text)  # type: ignore[arg-type]
            rows = []
            for m, fs in zip(mentions, feats, strict=True):
                ids = [c.entity for c, _ in fs]
                x = np.array([[f.get(k, 0.0) for k in FEATURES] for _, f in fs]).reshape(
                    len(fs), len(FEATURES)
                )
                hits = kb.candidates(m.norm)  # type: ignore[attr-defined]
                rows.append(((m.start, m.end), ids, x, hits[0][0] if hits else ""))
            self.items.append((d.links, rows))

    def training(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate rows, labels, and whether the mention's span is labelled in the gold."""
        xs, ys, labelled = [], [], []
        for d, (_, rows) in zip(self.docs, self.items, strict=True):
            gold = dict(d.gold)
            for span, ids, x, _ in rows:
                if ids:
                    xs.append(x)
                    ys.append(np.array([e == gold.get(span) for e in ids], dtype=float))
                    labelled.append(np.full(len(ids), span in gold))
        if not xs:
            return np.zeros((0, 0)), np.zeros(0), np.zeros(0, dtype=bool)
        return np.vstack(xs), np.concatenate(ys), np.concatenate(labelled)

    def score(self, w: np.ndarray, b: float, threshold: float) -> tuple[float, float]:
        """micro-F1 of the model and of the prior-only baseline."""
        c: Counter[str] = Counter()
        for gold, rows in self.items:
            pred, prior = set(), set()
            for span, ids, x, top in rows:
                if ids:
                    p = 1 / (1 + np.exp(-(x @ w + b)))
                    i = int(np.argmax(p))
                    if p[i] >= threshold:
                        pred.add((span, ids[i]))
                if top:
                    prior.add((span, top))
            for k, s in (("", pred), ("p", prior)):
                c[k + "tp"] += len(s & gold)
                c[k + "fp"] += len(s - gold)
                c[k + "fn"] += len(gold - s)
        return f1(c["tp"], c["fp"], c["fn"]), f1(c["ptp"], c["pfp"], c["pfn"])


def fit(sets: list[Prepared]) -> tuple[np.ndarray, float, float]:
    """Weights, intercept and threshold fitted on ``sets`` (each benchmark weighted equally)."""
    from sklearn.linear_model import LogisticRegression

    xs, ys, ws = [], [], []
    for p in sets:
        x, y, labelled = p.training()
        if len(y):
            w = np.where(labelled, 1.0, UNLABELLED_WEIGHT)
            xs.append(x)
            ys.append(y)
            ws.append(w * 1000.0 / w.sum())
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(np.vstack(xs)[:, 1:], np.concatenate(ys), sample_weight=np.concatenate(ws))
    w = np.concatenate([[0.0], model.coef_[0]])
    b = float(model.intercept_[0])
    means = {t: float(np.mean([p.score(w, b, t)[0] for p in sets])) for t in THRESHOLDS}
    peak = max(means.values())
    best = min(t for t, m in means.items() if m >= peak - THRESHOLD_TOLERANCE)
    return w, b, best


def ner_outputs(sets: dict[str, list[GoldDoc]], records: list, cache: Path | None) -> dict:
    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    from textmill.nlp import load_nlp
    from textmill.plugins.linker.kb import KB
    from textmill.plugins.linker.ner import DISABLED_PIPES, add_ruler

    nlp = load_nlp(disable=DISABLED_PIPES, owner="linker-train")
    out = {}
    for name, docs in sets.items():
        add_ruler(nlp, KB.from_entities(leave_out(records, held_out_counts(name, sets))))
        out[name] = [[(e.start_char, e.end_char, e.label_) for e in nlp(d.text).ents] for d in docs]
    if cache:
        cache.write_bytes(pickle.dumps(out))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="fit on all and write weights.json")
    ap.add_argument("--ner-cache", type=Path, help="keep NER output in this file between runs")
    args = ap.parse_args()
    require_data()
    from textmill.plugins.linker.kb import KB
    from textmill.plugins.linker.link import FEATURES

    records = kb_records()
    sets = {name: load_set(name) for name in SETS}
    ents = ner_outputs(sets, records, args.ner_cache)
    prepared = [
        Prepared(
            name,
            docs,
            KB.from_entities(leave_out(records, held_out_counts(name, sets))),
            ents[name],
        )
        for name, docs in sets.items()
    ]
    print(f"{'held out':<16}{'threshold':>10}{'micro-F1':>9}{'prior F1':>9}")
    scores = []
    for p in prepared:
        w, b, t = fit([q for q in prepared if q is not p])
        f, pf = p.score(w, b, t)
        scores.append((f, pf))
        print(f"{p.name:<16}{t:>10.2f}{f:9.3f}{pf:9.3f}")
    print(
        f"{'mean':<16}{'':>10}{np.mean([s[0] for s in scores]):9.3f}"
        f"{np.mean([s[1] for s in scores]):9.3f}"
    )
    if args.write:
        w, b, t = fit(prepared)
        weights = dict(zip(FEATURES, (round(float(v), 4) for v in w), strict=True))
        weights["bias"] = round(b, 4)
        WEIGHTS.write_text(
            json.dumps(
                {
                    "about": "trained by benchmarks/train_linker.py on the development "
                    "benchmarks with leave-one-benchmark-out KBs",
                    "weights": weights,
                    "threshold": t,
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {WEIGHTS.relative_to(ROOT)} (threshold {t})")


if __name__ == "__main__":
    main()
