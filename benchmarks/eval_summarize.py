"""Summaries on the BBC news set, and per-cluster summaries on translated versions.

1. Single-document speed: docs/s of textmill and of sumy LexRank (3-sentence summaries of the
   same 300 articles, the two alternating every 10 articles; wall and CPU time; the median
   ratio and its range over 7 repeats). Then ROUGE-1/2/L
   F (rouge-score, stemming) against the extractive reference summaries, with every system cut
   to the reference's length **in sentences**: lead-N, sumy LexRank and TextRank (with
   textmill's sentence splitter, since sumy's default needs downloaded NLTK data), and textmill.
   Per category and overall.
2. Per-cluster summaries on the MQM translation set (10 MT versions of each of 38 documents,
   clustered and aligned by the dedup plugin): redundancy (share of summary sentence pairs
   aligned to each other) and coverage (share of segments carried by most versions that the
   summary covers), beside the ceiling for summaries of the configured length (each sentence
   starts in one segment), the same ranking without taking what most versions carry first,
   and the first sentences of one version (the cluster's first member).

    .venv/bin/python benchmarks/eval_summarize.py [--limit N] [--part speed|rouge|clusters]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
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


class Sumy:
    """A sumy summarizer (LexRank or TextRank), its stemmer and stop words built once."""

    def __init__(self, kind: str) -> None:
        from sumy.nlp.stemmers import Stemmer
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer
        from sumy.utils import get_stop_words

        cls = LexRankSummarizer if kind == "lexrank" else TextRankSummarizer
        self.summarizer = cls(Stemmer("english"))
        self.summarizer.stop_words = get_stop_words("english")
        self.tokenizer = SplitterTokenizer()

    def __call__(self, text: str, n: int) -> str:
        from sumy.parsers.plaintext import PlaintextParser

        parser = PlaintextParser.from_string(text, self.tokenizer)
        return " ".join(str(s) for s in self.summarizer(parser.document, n))


def speed(bodies: list[str], warm: list[str], repeats: int = 7, chunk: int = 10) -> None:
    """Single-document docs/s of textmill and of sumy LexRank on the same articles.

    Each repeat summarizes every article once with each system, the two alternating every
    ``chunk`` articles (which goes first alternates too), so both meet the same load on a
    shared machine; both are timed alike (wall and CPU time around the same loop). Before each
    repeat, textmill's table of word forms is emptied and warmed on the other articles of the
    set (``warm``), as it would be in the middle of a corpus: it has not seen the timed ones.
    Prints the median sumy/textmill ratio over the repeats and its range."""
    from textmill.plugins.extractive import ExtractiveSettings, rank, summarize_text

    lexrank = Sumy("lexrank")
    settings = ExtractiveSettings()
    for b in warm[:20]:
        lexrank(b, 3)
    systems = {
        "textmill": lambda b: summarize_text(b, settings),
        "sumy": lambda b: lexrank(b, 3),
    }
    walls: dict[str, list[float]] = {"textmill": [], "sumy": []}
    ratios: dict[str, list[float]] = {"wall": [], "CPU": []}
    for _ in range(repeats):
        rank._TERM_KEYS.clear()
        rank._term.cache_clear()
        for b in warm:
            summarize_text(b, settings)
        wall = {"textmill": 0.0, "sumy": 0.0}
        cpu = {"textmill": 0.0, "sumy": 0.0}
        for k, i in enumerate(range(0, len(bodies), chunk)):
            part = bodies[i : i + chunk]
            for name in ("textmill", "sumy") if k % 2 == 0 else ("sumy", "textmill"):
                run = systems[name]
                w0, c0 = time.perf_counter(), time.process_time()
                for b in part:
                    run(b)
                wall[name] += time.perf_counter() - w0
                cpu[name] += time.process_time() - c0
        for name in walls:
            walls[name].append(wall[name])
        ratios["wall"].append(wall["sumy"] / wall["textmill"])
        ratios["CPU"].append(cpu["sumy"] / cpu["textmill"])
    n = len(bodies)
    figures = [
        f"{name} {n / statistics.median(walls[name]):.0f} docs/s" for name in ("textmill", "sumy")
    ]
    spread = [
        f"{statistics.median(r):.1f}x {kind} (range {min(r):.1f}-{max(r):.1f}x)"
        for kind, r in ratios.items()
    ]
    print(
        f"speed ({n} articles, {repeats} repeats, alternating every {chunk}; median): "
        f"{figures[0]}, sumy LexRank {figures[1].split(' ', 1)[1]}; ratio {spread[0]}, {spread[1]}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument(
        "--part", choices=("all", "speed", "rouge", "clusters"), default="all", help="what to run"
    )
    args = ap.parse_args()
    if args.part == "clusters":
        cluster_eval()
        return
    from rouge_score import rouge_scorer
    from textmill.plugins.extractive import ExtractiveSettings, summarize_text
    from textmill.sentences import split

    rows = [json.loads(x) for x in (EVAL / "summarization" / "bbc.jsonl").open(encoding="utf-8")]
    if args.limit:
        rows = rows[: args.limit]
    # Speed first, on articles this process has not summarized yet.
    k = min(300, len(rows) * 5 // 6)
    speed([r["text"] for r in rows[:k]], [r["text"] for r in rows[k:]])
    if args.part == "speed":
        return
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    lexrank, textrank = Sumy("lexrank"), Sumy("textrank")
    systems = ("lead", "sumy LexRank", "sumy TextRank", "textmill")
    totals: dict[tuple[str, str], list[list[float]]] = defaultdict(list)
    for r in rows:
        text = r["text"]
        n = max(1, len(split(r["summary"])))
        body = text.split("\n", 1)[1] if "\n" in text else text  # the first line is the title
        outs = {
            "lead": " ".join(split(body)[:n]),
            "sumy LexRank": lexrank(body, n),
            "sumy TextRank": textrank(body, n),
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
    if args.part == "all":
        cluster_eval()


def cluster_eval() -> None:
    """Redundancy and coverage of the story-cluster summaries, beside the ceiling that summaries
    of the configured length can reach, the same ranking without putting what most versions
    carry first, and the first sentences of one version."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from eval_dedup import EVAL as MQM
    from eval_dedup import load_versions, seg_at
    from textmill import Document
    from textmill.plugins.extractive import ExtractiveSettings
    from textmill.plugins.extractive.multi import cluster_summary
    from textmill.sentences import split_spans
    from textmill.testing import run_chain

    if not MQM.exists():
        return
    settings = ExtractiveSettings()
    k = settings.cluster_sentences
    texts, _truth, spans = load_versions()
    docs = [Document(id=v, raw=t) for v, t in texts.items()]
    picks: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(dict)
    with tempfile.TemporaryDirectory() as tmp:
        out = run_chain(docs, {"dedup": ["dedup"], "summarize": ["extractive"]}, tmp_path=Path(tmp))
        cached = out.query.corpus.store.cache_get("extractive", "corpus")
        clusters = {c.id: c for c in out.query.clusters("story")}
        alignments = out.query.alignments()
        summaries = cached[1]["data"]["clusters"] if cached else {}
        for cid, c in clusters.items():
            if cid in summaries:
                picks["textmill"][cid] = [
                    (x["doc_id"], x["start"]) for x in summaries[cid]["sentences"]
                ]
            ablated = cluster_summary(
                out.query.corpus,
                c,
                sentences=k,
                redundancy=settings.cluster_redundancy,
                majority_first=False,
            )
            picks["without majority first"][cid] = [
                (x["doc_id"], x["start"]) for x in ablated["sentences"]
            ]
            first = c.members[0].doc_id
            picks[f"lead-{k} of one version"][cid] = [
                (first, a) for a, _ in split_spans(texts[first])[:k]
            ]
    aligned = defaultdict(set)
    for al in alignments:
        aligned[(al.doc_a, al.span_a.start)].add((al.doc_b, al.span_b.start))
        aligned[(al.doc_b, al.span_b.start)].add((al.doc_a, al.span_a.start))
    majors = {}
    for cid, c in clusters.items():
        count: dict[int, int] = defaultdict(int)
        for m in c.members:
            for seg in {seg for _, _, seg in spans[m.doc_id]}:
                count[seg] += 1
        majors[cid] = {seg for seg, n in count.items() if n > len(c.members) / 2}
    majority = sum(map(len, majors.values()))
    # Each summary sentence starts in one segment, so k sentences cover at most k of them.
    ceiling = sum(min(k, len(m)) for m in majors.values())
    print(
        f"cluster summaries ({len(clusters)} story clusters, {k} sentences each): coverage of the "
        f"{majority} segments most versions carry, ceiling {ceiling / majority:.3f} ({ceiling}); "
        "redundancy = share of summary sentence pairs aligned to each other"
    )
    for name, chosen in picks.items():
        pairs = red = covered = at_ceiling = 0
        for cid, sents in chosen.items():
            for i, a in enumerate(sents):
                for b in sents[i + 1 :]:
                    pairs += 1
                    red += b in aligned[a]
            got = majors[cid] & {seg_at(spans[d], st) for d, st in sents}
            covered += len(got)
            at_ceiling += len(got) == min(k, len(majors[cid]))
        print(
            f"  {name:<24} coverage {covered / max(1, majority):.3f} ({covered}), "
            f"{at_ceiling}/{len(chosen)} clusters at their ceiling; redundancy "
            f"{red / max(1, pairs):.3f} ({red}/{pairs})"
        )


if __name__ == "__main__":
    main()
