"""Quality-estimation figures for the mt_artifacts score and checks.

1. Pearson r with human z_mean per language pair on the quality set's dev split
   (../shared/eval/quality/mlqe-pe/), in monolingual mode (translation alone) and bilingual mode
   (with the source), beside the r of the NMT system's own ``model_scores`` on the same items and
   the published OpenKiwi figures on the test split.
2. On the translation set with MQM annotations (wmt23 zh-en, 10 systems): Kendall tau (and
   Pearson r) of the segment score (monolingual: no bilingual model was trained for Chinese
   sources) against the MQM segment score (Major 5, Minor 1, Fluency/Punctuation minor
   0.1, summed per rater and averaged over raters; lower MQM is better, so the sign is flipped),
   and against MQM per word, since the score rates quality while MQM adds up errors and so
   grows with length (the "shorter segment" baseline shows how much); and span precision/recall of the checks' findings against Fluency/*
   and Accuracy/* error spans (any overlap counts).

    .venv/bin/python benchmarks/eval_quality.py [--limit N] [--skip-mqm]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from train_quality import EVAL, PAIRS, da_rows  # noqa: E402

MQM = ROOT / ".." / "shared" / "eval" / "translations" / "wmt23-zhen-mqm.jsonl.gz"
OPENKIWI = {"ro": 0.685, "et": 0.477, "ne": 0.386, "si": 0.374, "ru": 0.548}


def mqm_score(errors: list[dict[str, Any]], raters: list[str]) -> float:
    """MQM penalty of one segment: Major 5, Minor 1, Fluency/Punctuation minor 0.1, averaged
    over the segment's raters (a rater with no error contributes 0)."""
    per: dict[str, float] = defaultdict(float)
    for e in errors:
        sev = str(e.get("severity", "")).lower()
        cat = str(e.get("category", ""))
        if sev == "major":
            w = 5.0
        elif sev == "minor":
            w = 0.1 if cat.startswith("Fluency/Punctuation") else 1.0
        else:
            w = 0.0
        per[str(e.get("rater", ""))] += w
    n = len(raters) if raters else max(1, len(per))
    return sum(per.values()) / n


def score(text: str, source: str | None = None, pair: str | None = None) -> tuple[float, list[Any]]:
    from textmill import Document
    from textmill.plugins.mt_artifacts.bilingual import bilingual_checks
    from textmill.plugins.mt_artifacts.checks import run_checks
    from textmill.plugins.mt_artifacts.score import score_document

    findings = run_checks(text)
    if source is not None:
        findings = findings + bilingual_checks(
            Document(id="x", raw=text, lang="en", source_text=source, source_lang=pair)
        )
    s, _ = score_document(text, findings, source_text=source, source_lang=pair)
    return s, findings


def quality_set(limit: int) -> None:
    from scipy.stats import pearsonr

    print("Pearson r with z_mean, quality set dev split (OpenKiwi: published, test split)")
    print(
        f"{'pair':<6}{'mono r':>8}{'bi r':>8}{'model_scores r':>16}{'OpenKiwi':>10}{'n':>6}{'ms/sent':>9}"
    )
    for pair in PAIRS:
        items = da_rows(pair, "dev")
        if limit:
            items = items[:limit]
        z = np.array([float(r["z_mean"]) for r in items])
        ms = np.array([float(r["model_scores"]) for r in items])
        t0 = time.perf_counter()
        mono = [score(r["translation"])[0] for r in items]
        bi = [score(r["translation"], r["original"], pair)[0] for r in items]
        ms_per = 1000 * (time.perf_counter() - t0) / (2 * len(items))
        print(
            f"{pair:<6}{pearsonr(mono, z)[0]:8.3f}{pearsonr(bi, z)[0]:8.3f}"
            f"{pearsonr(ms, z)[0]:16.3f}{OPENKIWI[pair]:10.3f}{len(items):6d}{ms_per:9.1f}",
            flush=True,
        )


def mqm_set(limit: int) -> None:
    from scipy.stats import kendalltau, pearsonr

    with gzip.open(MQM, "rt", encoding="utf-8") as fh:
        segs = [json.loads(x) for x in fh]
    if limit:
        segs = segs[:limit]
    ours, gold = [], []
    tp_f = n_f = tp_g = n_g = 0
    by_code: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in segs:
        t = s["target"]
        value, findings = score(t)
        ours.append(value)
        gold.append(-mqm_score(s.get("errors", []), s.get("raters", [])))
        spans = [
            tuple(e["span"])
            for e in s.get("errors", [])
            if str(e.get("category", "")).startswith(("Fluency", "Accuracy")) and e.get("span")
        ]
        fs = [x for x in findings if x.span is not None]
        for x in fs:
            assert x.span is not None
            hit = any(a < x.span.end and x.span.start < b for a, b in spans)
            tp_f += hit
            n_f += 1
            by_code[x.code][0] += hit
            by_code[x.code][1] += 1
        for a, b in spans:
            n_g += 1
            tp_g += any(x.span is not None and a < x.span.end and x.span.start < b for x in fs)
    words = np.array([max(1, len(s["target"].split())) for s in segs], dtype=float)
    per_word = np.array(gold) / words
    print(f"\nMQM wmt23 zh-en ({len(segs)} segments): Kendall tau (Pearson r) against -MQM")
    print(f"  {'':<34}{'-MQM':>16}{'-MQM per word':>18}")
    for name, pred in [
        ("segment score, monolingual", ours),
        ("baseline: shorter segment", list(-words)),
    ]:
        cells = [
            f"{kendalltau(pred, g)[0]:7.3f} ({pearsonr(pred, g)[0]:6.3f})" for g in (gold, per_word)
        ]
        print(f"  {name:<34}{cells[0]:>16}{cells[1]:>18}")
    print(
        f"  findings vs Fluency/Accuracy spans: precision {tp_f / max(1, n_f):.3f} ({tp_f}/{n_f}), "
        f"recall {tp_g / max(1, n_g):.3f} ({tp_g}/{n_g})"
    )
    for code, (hit, n) in sorted(by_code.items(), key=lambda kv: -kv[1][1]):
        print(f"    {code:<24} precision {hit / n:.3f} ({hit}/{n})")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--limit", type=int, default=0, help="items per pair / MQM segments (0 = all)")
    ap.add_argument("--skip-mqm", action="store_true")
    args = ap.parse_args()
    if not EVAL.exists():
        sys.exit(f"quality set not found at {EVAL}")
    quality_set(args.limit)
    if not args.skip_mqm and MQM.exists():
        mqm_set(args.limit * 3 if args.limit else 0)


if __name__ == "__main__":
    main()
