"""Quality-estimation figures for the mt_artifacts score and checks.

1. Pearson r with human z_mean per language pair on the quality set's dev split
   (../shared/eval/quality/mlqe-pe/), in monolingual mode (translation alone) and bilingual mode
   (with the source), beside the r of the NMT system's own ``model_scores`` on the same items and
   the published OpenKiwi figures on the test split.
2. On the translation set with MQM annotations (wmt23 zh-en, 10 systems): Kendall tau (and
   Pearson r) of the segment score and of the expected errors (monolingual: no bilingual model
   was trained for Chinese sources) against the MQM segment score (Major 5, Minor 1,
   Fluency/Punctuation minor 0.1, summed per rater and averaged over raters; lower MQM is
   better, so the sign is flipped), and against MQM per word. MQM adds up errors, so it grows
   with length: the "shorter segment" and "fewer content words" baselines show how much length
   alone ranks, and a bootstrap over source documents gives the interval of the expected
   errors' gain over each. The checks run on each system's whole document (segments one per
   line), so checks across sentences see the document, and each finding goes to its segment; span
   precision and recall are against Fluency/* and Accuracy/* error spans (any overlap counts),
   per finding code and per MQM category.

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


def _segment_findings(members: list[dict[str, Any]]) -> list[list[Any]]:
    """The monolingual checks run on one system's whole document (its segments one per line,
    as the plugin sees a document), each finding given to its segment with offsets into it."""
    from dataclasses import replace

    from textmill import Span
    from textmill.plugins.mt_artifacts.checks import run_checks

    text = "\n".join(s["target"] for s in members)
    findings = run_checks(text)
    out, offset = [], 0
    for s in members:
        end = offset + len(s["target"])
        out.append(
            [
                replace(f, span=Span(f.span.start - offset, min(f.span.end, end) - offset))
                for f in findings
                if f.span is not None and offset <= f.span.start < end
            ]
        )
        offset = end + 1
    return out


def mqm_set(limit: int) -> None:
    from scipy.stats import kendalltau, pearsonr
    from textmill.plugins.mt_artifacts.errors import content_words
    from textmill.plugins.mt_artifacts.score import score_document

    with gzip.open(MQM, "rt", encoding="utf-8") as fh:
        segs = [json.loads(x) for x in fh]
    if limit:
        segs = segs[:limit]
    docs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in segs:
        docs[(s["system"], s["doc"])].append(s)
    ours, errors, gold, words, content, source_doc = [], [], [], [], [], []
    tp_f = n_f = tp_g = n_g = 0
    by_code: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    t0 = time.perf_counter()
    for members in docs.values():
        members.sort(key=lambda s: s["seg"])
        for s, fs in zip(members, _segment_findings(members), strict=True):
            t = s["target"]
            value, sentences = score_document(t, fs)
            ours.append(value)
            errors.append(sum(x["errors"] for x in sentences))
            gold.append(-mqm_score(s.get("errors", []), s.get("raters", [])))
            words.append(max(1, len(t.split())))
            content.append(content_words(t))
            source_doc.append(s["doc"])
            spans = [
                (tuple(e["span"]), str(e["category"]))
                for e in s.get("errors", [])
                if str(e.get("category", "")).startswith(("Fluency", "Accuracy")) and e.get("span")
            ]
            for x in fs:
                hit = any(a < x.span.end and x.span.start < b for (a, b), _ in spans)
                tp_f += hit
                n_f += 1
                by_code[x.code][0] += hit
                by_code[x.code][1] += 1
            for (a, b), cat in spans:
                found = [x.code for x in fs if a < x.span.end and x.span.start < b]
                n_g += 1
                tp_g += bool(found)
                by_cat[cat][0] += bool(found)
                by_cat[cat][1] += 1
                for code in set(found):
                    by_code[code][2] += 1
    elapsed = time.perf_counter() - t0
    w = np.array(words, dtype=float)
    per_word = np.array(gold) / w
    print(
        f"\nMQM wmt23 zh-en ({len(segs)} segments, {len(docs)} documents; checks run on each "
        f"system's whole document, {1000 * elapsed / len(segs):.1f} ms per segment): Kendall tau "
        "(Pearson r) against -MQM"
    )
    print(f"  {'':<40}{'-MQM':>16}{'-MQM per word':>18}")
    for name, pred in [
        ("segment score (0..1), monolingual", ours),
        ("expected errors (fewer first)", list(-np.array(errors))),
        ("baseline: shorter segment", list(-w)),
        ("baseline: fewer content words", list(-np.array(content, dtype=float))),
    ]:
        cells = [
            f"{kendalltau(pred, g)[0]:7.3f} ({pearsonr(pred, g)[0]:6.3f})" for g in (gold, per_word)
        ]
        print(f"  {name:<40}{cells[0]:>16}{cells[1]:>18}")
    for name, base in [("shorter segment", -w), ("fewer content words", -np.array(content))]:
        lo, hi = tau_gain_interval(-np.array(errors), base, np.array(gold), source_doc)
        print(
            f"  expected errors minus {name}: tau {lo:+.3f} to {hi:+.3f} (95% bootstrap over "
            f"the {len(set(source_doc))} source documents, all systems' versions together)"
        )
    print(
        f"  findings vs Fluency/Accuracy spans: precision {tp_f / max(1, n_f):.3f} ({tp_f}/{n_f}), "
        f"recall {tp_g / max(1, n_g):.3f} ({tp_g}/{n_g})"
    )
    for code, (hit, n, spans_hit) in sorted(by_code.items(), key=lambda kv: -kv[1][1]):
        print(f"    {code:<24} precision {hit / n:.3f} ({hit}/{n}), error spans found {spans_hit}")
    print("  error spans by category (found by a finding / marked)")
    for cat, (hit, n) in sorted(by_cat.items(), key=lambda kv: -kv[1][1])[:12]:
        print(f"    {cat:<36} {hit:>5} / {n}")
    marked_texts(segs)


def tau_gain_interval(
    pred: np.ndarray, base: np.ndarray, gold: np.ndarray, groups: list[str], n: int = 1000
) -> tuple[float, float]:
    """95% interval of Kendall tau(pred) - tau(base) against ``gold``, resampling whole groups
    (source documents, so that the versions of one document stay together) with replacement."""
    from scipy.stats import kendalltau

    keys = sorted(set(groups))
    members = {k: [] for k in keys}
    for i, g in enumerate(groups):
        members[g].append(i)
    rng = np.random.default_rng(0)
    gains = []
    for _ in range(n):
        idx = np.concatenate([members[keys[j]] for j in rng.integers(len(keys), size=len(keys))])
        gains.append(kendalltau(pred[idx], gold[idx])[0] - kendalltau(base[idx], gold[idx])[0])
    lo, hi = np.percentile(gains, [2.5, 97.5])
    return float(lo), float(hi)


def marked_texts(segs: list[dict[str, Any]], top: int = 8) -> None:
    """What the raters mark most: the most frequent texts of Fluency/Accuracy spans, the share
    of their occurrences in the targets that any rater marked, and how many of the 3 raters
    marked a marked occurrence; and the chance that a word overlaps a span at all."""
    import re

    def spans(s: dict[str, Any]) -> list[tuple[int, int, str]]:
        return [
            (e["span"][0], e["span"][1], str(e.get("rater", "")))
            for e in s.get("errors", [])
            if str(e.get("category", "")).startswith(("Fluency", "Accuracy")) and e.get("span")
        ]

    counts: dict[str, int] = defaultdict(int)
    for s in segs:
        for a, b, _ in spans(s):
            if s["target"][a:b].strip():
                counts[s["target"][a:b].strip()] += 1
    words = hit_words = 0
    for s in segs:
        for m in re.finditer(r"\S+", s["target"]):
            words += 1
            hit_words += any(a < m.end() and m.start() < b for a, b, _ in spans(s))
    print(
        f"  a word overlaps an error span with probability {hit_words / max(1, words):.3f}; "
        "most marked span texts (marked spans, occurrences marked, raters per marked one):"
    )
    for text, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]:
        pattern = re.escape(text) if not text[0].isalnum() else rf"(?<!\w){re.escape(text)}(?!\w)"
        occ = marked = raters = 0
        for s in segs:
            sp = spans(s)
            for m in re.finditer(pattern, s["target"]):
                occ += 1
                who = {r for a, b, r in sp if a < m.end() and m.start() < b}
                marked += bool(who)
                raters += len(who)
        print(
            f"    {text[:20]!r:<24}{n:>6}   {marked}/{occ} ({marked / max(1, occ):.2f})"
            f"   {raters / max(1, marked):.2f}"
        )


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
