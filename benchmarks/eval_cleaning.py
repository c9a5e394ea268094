"""Cleaning quality on the article-extraction pages, from plain text.

Prints shingle precision, recall and F1 (4-token shingles of ``\\w+`` tokens, per-page TP/FP/FN
normalised, precision and recall averaged over pages, F1 of the averages, as in the benchmark's
evaluate.py) for: no cleaning, jusText on the same plain text split at blank lines, and textmill's
clean stage (unicode + boilerplate, run through the real engine), plus throughput in MB/s.

Then the same pages from their HTML (``aeb-html.jsonl.gz``, read by textmill's HTML reader and
cleaned by the same stage, which then sees the page's markup), beside trafilatura and jusText run
on the same HTML, and speed per MB of HTML: textmill reading and cleaning a page (the reader, the
boilerplate plugin's corpus pass and the unicode and boilerplate plugins, from the page's bytes to
its cleaned text) beside trafilatura alone doing the same (``trafilatura.extract`` from the bytes),
then a whole engine run (which also writes the documents, their HTML and every result to the
store).

Then the layout check: the share of words the clean stage keeps on the WMT23 MQM machine
translations laid out one segment a line (no blank lines, as transcripts and MT output come),
and the F1 of the same pages with their blank lines removed.

    .venv/bin/python benchmarks/eval_cleaning.py
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textmill.plugins.boilerplate.markup import Extractor

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval" / "cleaning" / "aeb.jsonl"
HTML_EVAL = ROOT / ".." / "shared" / "eval" / "cleaning" / "aeb-html.jsonl.gz"
MQM = ROOT / ".." / "shared" / "eval" / "translations" / "wmt23-zhen-mqm.jsonl.gz"
WORD = re.compile(r"\w+")


def _shingles(text: str, n: int = 4) -> dict[tuple[str, ...], int]:
    words = WORD.findall(text)
    out: dict[tuple[str, ...], int] = {}
    for i in range(max(1, len(words) - n + 1)):
        sh = tuple(words[i : i + n])
        out[sh] = out.get(sh, 0) + 1
    return out


def page_prf(pred: str, gold: str) -> tuple[float, float, float]:
    """One page's normalised TP, FP, FN, as the benchmark computes them."""
    p, g = _shingles(pred), _shingles(gold)
    tp = sum(min(c, g.get(s, 0)) for s, c in p.items())
    fp = sum(p.values()) - tp
    fn = sum(g.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return 1.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def shingle_prf(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    precisions, recalls = [], []
    for pred, gold in pairs:
        tp, fp, fn = page_prf(pred, gold)
        precisions.append(tp / (tp + fp) if tp + fp > 0 else 0.0)
        recalls.append(tp / (tp + fn) if tp + fn > 0 else 0.0)
    p = sum(precisions) / len(precisions)
    r = sum(recalls) / len(recalls)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def clean_with_weights(text: str, weights: Any, repeated: frozenset[int] = frozenset()) -> str:
    """The boilerplate plugin's decision with given weights and corpus repeats (used for
    cross-validation)."""
    from textmill.plugins.boilerplate.clean import clean_page

    return clean_page(text, weights=weights, repeated=repeated)[1]


def justext_clean(text: str) -> str:
    import justext

    paras = "".join(f"<p>{p}</p>" for p in re.split(r"\n\s*\n", text))
    html = f"<html><body>{paras}</body></html>".encode()
    out = justext.justext(html, justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in out if not p.is_boilerplate)


def textmill_clean(rows: list[dict], workdir: Path) -> tuple[list[str], float]:
    from textmill import Document
    from textmill.testing import run_chain

    docs = [Document(id=f"p{i:04d}", raw=r["text"]) for i, r in enumerate(rows)]
    t0 = time.perf_counter()
    out = run_chain(docs, {"clean": ["unicode", "boilerplate"]}, tmp_path=workdir)
    seconds = time.perf_counter() - t0
    return [out.text(d.id) for d in docs], seconds


def textmill_html(rows: list[dict], workdir: Path) -> tuple[list[str], float]:
    """Read each page with textmill's HTML reader and clean it with the clean stage through the
    real engine; the time covers both."""
    from textmill.read_html import page_document
    from textmill.testing import run_chain

    data = [r["html"].encode() for r in rows]
    t0 = time.perf_counter()
    docs = [
        page_document(b, f"p{i:04d}", r["url"], 1 << 30, meta={"url": r["url"]})
        for i, (b, r) in enumerate(zip(data, rows, strict=True))
    ]
    out = run_chain(docs, {"clean": ["unicode", "boilerplate"]}, tmp_path=workdir)
    seconds = time.perf_counter() - t0
    return [out.text(d.id) for d in docs], seconds


class _Pages:
    """The documents read, as the corpus the boilerplate plugin's prepare hook walks."""

    def __init__(self, docs: list[Any]) -> None:
        self.docs = docs

    def __len__(self) -> int:
        return len(self.docs)

    def documents(self) -> Any:
        return iter(self.docs)


def read_and_clean(
    pages: list[tuple[bytes, str]], extractor: Extractor = "trafilatura"
) -> list[str]:
    """What the engine's clean stage does to pages' bytes, without the store: the HTML reader,
    the boilerplate plugin's corpus pass (lines repeated across pages), then the unicode and
    boilerplate plugins on each page, with default settings (but for ``extractor``)."""
    from textmill import DocContext
    from textmill.plugins import boilerplate, unicode
    from textmill.read_html import page_document

    docs = [
        page_document(b, f"p{i:04d}", url, 1 << 30, meta={"url": url})
        for i, (b, url) in enumerate(pages)
    ]
    bs = boilerplate.BoilerplateSettings(extractor=extractor)
    us = unicode.UnicodeSettings()
    ctx = DocContext(prepared=boilerplate.textmill_prepare(_Pages(docs), bs))
    out = []
    for doc in docs:
        fixed = unicode.textmill_clean(doc, us, DocContext())
        if fixed is not None and fixed.text is not None:
            doc = doc.with_text(fixed.text)
        cleaned = boilerplate.textmill_clean(doc, bs, ctx)
        out.append(cleaned.text if cleaned is not None and cleaned.text is not None else doc.text)
    return out


def trafilatura_html(html: str | bytes, url: str = "", fast: bool = False) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url or None, fast=fast) or ""


def justext_html(html: str) -> str:
    import justext

    out = justext.justext(html.encode(), justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in out if not p.is_boilerplate)


def html_section(limit: int, repeat: int) -> None:
    import gzip

    with gzip.open(HTML_EVAL, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    if limit:
        rows = rows[:limit]
    mb = sum(len(r["html"].encode()) for r in rows) / 1e6
    gold = [r["gold"] for r in rows]
    print(f"\nHTML input: {len(rows)} pages, {mb:.2f} MB of HTML")
    print(f"{'system':<34}{'P':>7}{'R':>7}{'F1':>7}")

    def show(name: str, preds: list[str]) -> None:
        p, r, f = shingle_prf(list(zip(preds, gold, strict=True)))
        print(f"{name:<34}{p:7.3f}{r:7.3f}{f:7.3f}")

    import html_text

    show("no cleaning (html-text)", [html_text.extract_text(r["html"]) for r in rows])
    show("jusText", [justext_html(r["html"]) for r in rows])
    pages = [(r["html"].encode(), r["url"]) for r in rows]
    show("trafilatura", [trafilatura_html(b, u) for b, u in pages])
    show("trafilatura fast (no fallback)", [trafilatura_html(b, u, True) for b, u in pages])
    with tempfile.TemporaryDirectory() as tmp:
        preds, engine = textmill_html(rows, Path(tmp))
    show("textmill read+unicode+boilerplate", preds)
    direct = read_and_clean(pages)  # also loads the models and word lists before the timing
    same = sum(a == b for a, b in zip(direct, preds, strict=True))
    fast = _resiliparse_installed()
    if not fast:
        print("(resiliparse is not installed: no row for textmill with its vote)")
    else:
        show("textmill, resiliparse's vote", read_and_clean(pages, "resiliparse"))
    print(
        "published on HTML (full set): trafilatura 0.958, readability 0.922, jusText 0.804, "
        "html-text 0.665"
    )
    tm, tt, tf = [float("inf")] * 2, [float("inf")] * 2, [float("inf")] * 2
    tr = [float("inf")] * 2
    for _ in range(repeat):  # interleaved, so all see the same machine load
        tm = _fastest(tm, lambda: read_and_clean(pages))
        if fast:
            tr = _fastest(tr, lambda: read_and_clean(pages, "resiliparse"))
        tt = _fastest(tt, lambda: [trafilatura_html(b, u) for b, u in pages])
        tf = _fastest(tf, lambda: [trafilatura_html(b, u, True) for b, u in pages])

    def rate(best: list[float]) -> str:
        return f"{mb / best[1]:.2f} MB/s [{mb / best[0]:.2f}]"

    print(
        f"speed from the pages' bytes, best of {repeat}, CPU time [wall clock]: textmill "
        f"reading+cleaning {rate(tm)} of HTML; trafilatura alone {rate(tt)} (fast, no "
        f"fallback: {rate(tf)}); a whole engine run {mb / engine:.2f} MB/s wall clock (once, "
        f"with the store); {same}/{len(rows)} pages cleaned alike both ways"
    )
    if fast:
        print(f"textmill reading+cleaning with resiliparse's vote: {rate(tr)} of HTML")


def _resiliparse_installed() -> bool:
    try:
        import resiliparse.extract.html2text  # noqa: F401
    except ImportError:
        return False
    return True


def _fastest(best: list[float], fn: Callable[[], object]) -> list[float]:
    """``best`` (wall clock, CPU seconds) lowered to one timed run of ``fn`` where it is
    faster: on a shared machine the CPU time is the steadier figure."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return [min(best[0], time.perf_counter() - w0), min(best[1], time.process_time() - c0)]


def one_segment_a_line() -> list[tuple[str, str]]:
    """The MQM set's translations as documents of one segment a line, per system and document."""
    import gzip
    from collections import defaultdict

    segs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with gzip.open(MQM, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            segs[f"{r['system']}/{r['doc']}"].append((r["seg"], r["target"]))
    return [(k, "\n".join(t for _, t in sorted(v))) for k, v in sorted(segs.items())]


def layout_check(rows: list[dict], workdir: Path) -> None:
    import statistics

    from textmill import Document
    from textmill.plugins.boilerplate.clean import clean_page
    from textmill.testing import run_chain

    if MQM.exists():
        docs = one_segment_a_line()
        out = run_chain(
            [Document(id=i, raw=t) for i, t in docs],
            {"clean": ["unicode", "boilerplate"]},
            tmp_path=workdir,
        )
        words = [len(WORD.findall(t)) for _, t in docs]
        kept = [len(WORD.findall(out.text(i))) for i, _ in docs]
        shares = [k / max(1, w) for k, w in zip(kept, words, strict=True)]
        print(
            f"MQM one segment a line ({len(docs)} documents): clean stage keeps "
            f"{sum(kept) / sum(words):.1%} of the words (median document "
            f"{statistics.median(shares):.1%}, lowest {min(shares):.1%}); target >= 98%"
        )
    flat = [re.sub(r"\n\s*\n", "\n", r["text"]) for r in rows]
    p, r, f = shingle_prf(
        [(clean_page(t)[1], row["gold"]) for t, row in zip(flat, rows, strict=True)]
    )
    print(f"{'boilerplate, blank lines removed':<34}{p:7.3f}{r:7.3f}{f:7.3f}")


def best_seconds(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` timed runs: other load on the machine only ever slows a run."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--html-only", action="store_true", help="only the HTML-input section")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per system; the best is kept")
    args = ap.parse_args()
    if not EVAL.exists():
        sys.exit(f"cleaning set not found at {EVAL}; place ../shared/eval beside the project")
    if args.html_only:
        html_section(args.limit, args.repeat)
        return
    rows = [json.loads(line) for line in EVAL.open(encoding="utf-8")]
    if args.limit:
        rows = rows[: args.limit]
    mb = sum(len(r["text"].encode()) for r in rows) / 1e6
    print(f"{len(rows)} pages, {mb:.2f} MB of plain text")
    print(f"{'system':<34}{'P':>7}{'R':>7}{'F1':>7}")

    def show(name: str, preds: list[str]) -> None:
        p, r, f = shingle_prf(list(zip(preds, [r["gold"] for r in rows], strict=True)))
        print(f"{name:<34}{p:7.3f}{r:7.3f}{f:7.3f}")

    show("no cleaning", [r["text"] for r in rows])
    show("jusText (plain text paragraphs)", [justext_clean(r["text"]) for r in rows])
    with tempfile.TemporaryDirectory() as tmp:
        preds, seconds = textmill_clean(rows, Path(tmp))
    show("textmill unicode+boilerplate", preds)
    with tempfile.TemporaryDirectory() as tmp:
        layout_check(rows, Path(tmp))
    print("published on HTML (full set): no cleaning 0.665, jusText 0.804")
    print("(the shipped weights were trained on these pages: for unseen pages see")
    print(" benchmarks/train_boilerplate.py --cv 5)")
    from textmill.plugins.boilerplate.clean import clean_page

    texts = [r["text"] for r in rows]
    bp = jt = float("inf")
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        bp = min(bp, best_seconds(lambda: [clean_page(t) for t in texts], 1))
        jt = min(jt, best_seconds(lambda: [justext_clean(t) for t in texts], 1))
    print(
        f"throughput (best of {args.repeat}): boilerplate plugin alone {mb / bp:.2f} MB/s; "
        f"jusText {mb / jt:.2f} MB/s; whole engine run {mb / seconds:.2f} MB/s"
    )
    if HTML_EVAL.exists():
        html_section(args.limit, args.repeat)


if __name__ == "__main__":
    main()
