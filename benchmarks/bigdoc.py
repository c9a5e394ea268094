"""One big document: time, CPU and peak RSS against its size.

Builds multi-paragraph plain-text documents of about 1 MB and 5 MB from BBC news articles
(../shared/eval/summarization/bbc.jsonl, each article's paragraphs in turn, articles repeated
when the set runs out; see :func:`document`) and, each in a fresh child process so peak RSS is
its own:

- ``--part run``: ``textmill run`` on the document with the default config (config.toml), printing
  wall time, CPU time, peak RSS (``RUSAGE_CHILDREN``) and the per-plugin seconds of its summary;
- ``--part extractive``: the extractive summarizer alone (``summarize_text`` with default
  settings) on the document's text.

The 1 MB figure is the baseline of the 5 MB one, measured in the same run: work bounded by the
document gives a time ratio of about 5 and a peak RSS that grows about linearly.

    nice .venv/bin/python benchmarks/bigdoc.py [--part run|extractive|both] [--sizes 1,5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BBC = REPO / ".." / "shared" / "eval" / "summarization" / "bbc.jsonl"

EXTRACTIVE = """
import sys, time
from textmill.plugins.extractive import ExtractiveSettings, summarize_text
text = open(sys.argv[1], encoding="utf-8").read()
t = time.perf_counter()
out = summarize_text(text, ExtractiveSettings())
print(f"{time.perf_counter() - t:.2f}", len(out["sentences"]))
"""


HEADING = "BBC News: business and entertainment stories\n\n"
LIST_RUN = 8  # lines of under LIST_WORDS words in a row: a list
LIST_WORDS = 20


def _holds_list(text: str) -> bool:
    """Whether ``text`` holds a list: ``LIST_RUN`` lines in a row of under ``LIST_WORDS`` words."""
    run = 0
    for line in text.split("\n"):
        if line.strip():
            run = run + 1 if len(line.split()) < LIST_WORDS else 0
            if run >= LIST_RUN:
                return True
    return False


def document(megabytes: float) -> str:
    """A heading, then the title and paragraphs of BBC articles, in order, up to ``megabytes``
    of UTF-8 and not over it (the articles again when the set runs out).

    The heading is the document's first line: were it an article's title, the boilerplate
    cleaner would take the next time that title comes round for the headline the body starts
    at. The two articles holding a list are left out: in one long document the cleaner takes
    such a list for page furniture between two blocks and keeps only the larger one. So the
    later stages see the whole text (the run says how much of it cleaning kept)."""
    with BBC.open(encoding="utf-8") as fh:
        articles = [a for a in map(json.loads, fh) if not _holds_list(a["text"])]
    target = int(megabytes * 1_000_000)
    parts: list[str] = [HEADING]
    size = len(HEADING.encode())
    full = False
    while not full:
        for a in articles:
            piece = a["title"] + "\n\n" + a["text"].strip() + "\n\n"
            n = len(piece.encode())
            if size + n > target:  # not over the size: 5 MB is also the reader's default limit
                full = True
                break
            parts.append(piece)
            size += n
    return "".join(parts)


def child(cmd: list[str], cwd: Path, limit_gb: float) -> tuple[float, float, float, str] | None:
    """Wall seconds, CPU seconds and peak RSS (MB) of ``cmd`` in a fresh process, and its
    stdout; None when it did not start or crashed (its stderr is shown). Run through a wrapper process so
    RUSAGE_CHILDREN is this child's alone; its address space is limited to ``limit_gb``, so a
    document too big for the code under test fails instead of exhausting the machine."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        f"lim = int({limit_gb} * 2**30)\n"
        "def cap():\n"
        "    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, preexec_fn=cap)\n"
        "w = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "sys.stderr.write(p.stderr)\n"
        "print(w, r.ru_utime + r.ru_stime, r.ru_maxrss / 1024)\n"
        "print(p.stdout, end='')\n"
        "sys.exit(p.returncode)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, cwd=cwd
    )
    first, _, rest = out.stdout.partition("\n")
    if out.returncode:
        # textmill exits 1 when a plugin failed (a timeout, say) but still ran the rest.
        print(f"  exit {out.returncode}: {out.stderr.strip()[-400:]}")
        if len(first.split()) != 3:
            return None
    wall, cpu, rss = map(float, first.split())
    return wall, cpu, rss, rest


def cleaned_chars(store: Path) -> int:
    """The length of the text the later stages saw, after cleaning (the run's one document)."""
    from textmill.query import Query

    q = Query(store)
    try:
        return sum(len(v.doc.text) for v in q.iter_documents())
    finally:
        q.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--part", choices=["run", "extractive", "both"], default="both")
    ap.add_argument("--sizes", default="1,5", help="document sizes in MB, comma-separated")
    ap.add_argument("--limit-gb", type=float, default=8.0, help="address-space cap per child")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    textmill = str(Path(sys.executable).with_name("textmill"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            path = Path(tmp) / f"big{mb:g}mb.txt"
            path.write_text(document(mb), encoding="utf-8")
            size = path.stat().st_size / 1e6
            if args.part in ("extractive", "both"):
                print(f"extractive alone, {size:.2f} MB:")
                got = child([sys.executable, "-c", EXTRACTIVE, str(path)], REPO, args.limit_gb)
                if got is None:
                    continue
                wall, cpu, rss, out = got
                secs, n = out.split()
                print(
                    f"  summarize {float(secs):.2f} s, "
                    f"process wall {wall:.2f} s, CPU {cpu:.2f} s, peak RSS {rss:.0f} MB "
                    f"({n} sentences chosen)"
                )
                rows.append(("extractive", mb, wall, cpu, rss))
            if args.part in ("run", "both"):
                store = Path(tmp) / f"store{mb:g}.sqlite"
                cmd = [textmill, "run", "-q", "-c", str(REPO / "config.toml")]
                cmd += ["--store", str(store), str(path)]
                print(f"textmill run, {size:.2f} MB:")
                got = child(cmd, REPO, args.limit_gb)
                if got is None:
                    continue
                wall, cpu, rss, out = got
                print(f"  wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {rss:.0f} MB")
                print("  " + out.strip().replace("\n", "\n  "))
                kept = cleaned_chars(store)
                print(
                    f"  cleaning kept {kept:,} of {len(path.read_text(encoding='utf-8')):,} characters"
                )
                rows.append(("run", mb, wall, cpu, rss))
    for part in ("extractive", "run"):
        mine = [r for r in rows if r[0] == part]
        if len(mine) >= 2:
            (_, a, wa, ca, ra), (_, b, wb, cb, rb) = mine[0], mine[-1]
            print(
                f"{part}: {b:g} MB against the {a:g} MB baseline: wall x{wb / wa:.1f}, "
                f"CPU x{cb / ca:.1f}, peak RSS x{rb / ra:.1f} (size x{b / a:.1f})"
            )


if __name__ == "__main__":
    main()
