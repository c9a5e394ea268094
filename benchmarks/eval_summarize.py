"""Summaries on the BBC news set, and per-cluster summaries on translated versions.

1. ROUGE-1/2/L F (rouge-score, stemming) against the extractive reference summaries, with every
   system cut to the reference's length **in sentences**: lead-N, sumy LexRank and TextRank (with
   textmill's sentence splitter, since sumy's default needs downloaded NLTK data), and textmill.
   Per category and overall. Then single-document speed: docs/s of textmill and of sumy LexRank.
2. Per-cluster summaries on the MQM translation set (10 MT versions of each of 38 documents,
   clustered and aligned by the dedup plugin): redundancy (share of summary sentence pairs
   aligned to each other) and coverage (share of segments carried by most versions that the
   summary covers).

    .venv/bin/python benchmarks/eval_summarize.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval"


class SplitterTokenizer:
    """sumy's tokenizer interface over textmill's sentence splitter."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        from textmill.sentences import split

        return split(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return re.findall(r"\w+", sentence)


def sumy_summary(text: str, n: int, kind: str) -> str:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    parser = PlaintextParser.from_string(text, SplitterTokenizer())
    cls = LexRankSummarizer if kind == "lexrank" else TextRankSummarizer
    summ = cls(Stemmer("english"))
    summ.stop_words = get_stop_words("english")
    return " ".join(str(s) for s in summ(parser.document, n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    from rouge_score import rouge_scorer
    from textmill.plugins.extractive import ExtractiveSettings, summarize_text
    from textmill.sentences import split

    rows = [json.loads(x) for x in (EVAL / "summarization" / "bbc.jsonl").open(encoding="utf-8")]
    if args.limit:
        rows = rows[: args.limit]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    systems = ("lead", "sumy LexRank", "sumy TextRank", "textmill")
    totals: dict[tuple[str, str], list[list[float]]] = defaultdict(list)
    for r in rows:
        text = r["text"]
        n = max(1, len(split(r["summary"])))
        body = text.split("\n", 1)[1] if "\n" in text else text  # the first line is the title
        outs = {
            "lead": " ".join(split(body)[:n]),
            "sumy LexRank": sumy_summary(body, n, "lexrank"),
            "sumy TextRank": sumy_summary(body, n, "textrank"),
            "textmill": summarize_text(body, ExtractiveSettings(sentences=n))["summary"],
        }
        for name, summ in outs.items():
            sc = scorer.score(r["summary"], summ)
            vals = [sc["rouge1"].fmeasure, sc["rouge2"].fmeasure, sc["rougeL"].fmeasure]
            totals[(name, r["category"])].append(vals)
            totals[(name, "all")].append(vals)
    cats = sorted({c for _, c in totals})
    print(f"{len(rows)} articles; summaries cut to the reference length in sentences")
    print(f"{'system':<16}{'category':<15}{'R-1':>7}{'R-2':>7}{'R-L':>7}")
    for cat in cats:
        for name in systems:
            v = [sum(x) / len(x) for x in zip(*totals[(name, cat)], strict=True)]
            print(f"{name:<16}{cat:<15}{v[0]:7.3f}{v[1]:7.3f}{v[2]:7.3f}")

    bodies = [r["text"] for r in rows[:300]]
    t0 = time.perf_counter()
    for b in bodies:
        summarize_text(b, ExtractiveSettings())
    ours = len(bodies) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for b in bodies:
        sumy_summary(b, 3, "lexrank")
    theirs = len(bodies) / (time.perf_counter() - t0)
    print(
        f"speed: textmill {ours:.0f} docs/s, sumy LexRank {theirs:.0f} docs/s ({ours / theirs:.1f}x)"
    )
    cluster_eval()


def cluster_eval() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from eval_dedup import EVAL as MQM
    from eval_dedup import load_versions, seg_at
    from textmill import Document
    from textmill.testing import run_chain

    if not MQM.exists():
        return
    texts, _truth, spans = load_versions()
    docs = [Document(id=v, raw=t) for v, t in texts.items()]
    with tempfile.TemporaryDirectory() as tmp:
        out = run_chain(docs, {"dedup": ["dedup"], "summarize": ["extractive"]}, tmp_path=Path(tmp))
        cached = out.query.corpus.store.cache_get("extractive", "corpus")
        clusters = {c.id: c for c in out.query.clusters("story")}
        alignments = out.query.alignments()
    summaries = cached[1]["data"]["clusters"] if cached else {}
    aligned = defaultdict(set)
    for a in alignments:
        aligned[(a.doc_a, a.span_a.start)].add((a.doc_b, a.span_b.start))
        aligned[(a.doc_b, a.span_b.start)].add((a.doc_a, a.span_a.start))
    pairs = red = covered = majority = 0
    for cid, c in clusters.items():
        s = summaries.get(cid)
        if not s:
            continue
        sents = [(x["doc_id"], x["start"]) for x in s["sentences"]]
        for i, a in enumerate(sents):
            for b in sents[i + 1 :]:
                pairs += 1
                red += b in aligned[a]
        members = [m.doc_id for m in c.members]
        count: dict[int, int] = defaultdict(int)
        for m in members:
            for seg in {seg for _, _, seg in spans[m]}:
                count[seg] += 1
        major = {seg for seg, k in count.items() if k > len(members) / 2}
        got = {seg_at(spans[d], st) for d, st in sents}
        majority += len(major)
        covered += len(major & got)
    print(
        f"cluster summaries ({len(clusters)} story clusters): redundancy {red / max(1, pairs):.3f} "
        f"({red}/{pairs} sentence pairs aligned); coverage {covered / max(1, majority):.3f} "
        f"of segments most versions carry ({covered}/{majority})"
    )


if __name__ == "__main__":
    main()
