"""The terminal UI on a large run: launch, page-down, sort, filter and open latencies.

Builds a run store of N synthetic documents (sentences from the seeds recombined) with results
of two plugins each (a score, a label and a finding on some), through the store's own bulk APIs,
then drives the app headless with Pilot and prints:
- launch to first screen (the corpus table painted),
- page-down, sort (by a plugin's score) and filter (an expression) latencies,
- the time to open a document.

    .venv/bin/python benchmarks/tui_scale.py --docs 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(path: Path, n: int) -> None:
    from textmill.model import Document, Finding, Span, StageResult
    from textmill.store import Store

    sentences = [
        s.strip()
        for p in sorted((ROOT / "seeds").glob("*.txt"))
        for s in p.read_text(encoding="utf-8").split(". ")
        if len(s.split()) > 5
    ]
    rng = random.Random(5)
    with Store(path) as st:
        st.start_run("bench", {"chain": {"quality": ["scorer"], "dedup": ["grouper"]}})
        batch = 20_000
        for start in range(0, n, batch):
            st.begin()
            docs, results = [], []
            for i in range(start, min(n, start + batch)):
                text = ". ".join(rng.sample(sentences, 4)) + "."
                doc = Document(id=f"doc{i:08d}", raw=text, title=text[:60])
                docs.append((doc, i + 1, f"h{i}", None))
                score = rng.random()
                findings = (
                    (Finding("bench.low", "Low score.", "warning", Span(0, 5), plugin="scorer"),)
                    if score < 0.1 or i == 0  # at least one, however small the run
                    else ()
                )
                results.append(
                    (
                        StageResult(
                            doc.id, "scorer", "quality", "ok", score=score, findings=findings
                        ),
                        "doc",
                        None,
                        False,
                    )
                )
                results.append(
                    (
                        StageResult(doc.id, "grouper", "dedup", "ok", label=f"g{i % 1000}"),
                        "doc",
                        None,
                        False,
                    )
                )
            st.insert_documents(docs, "bench")
            st.put_results(results, "bench")
            st.commit()
        st.begin()
        st.refresh_search_index()
        st.finish_run("bench", "ok", {})
        st.commit()


async def drive(path: Path) -> dict[str, float]:
    from textmill.tui.app import TextmillApp
    from textmill.tui.screens.corpus import CorpusScreen
    from textmill.tui.screens.document import DocumentScreen
    from textmill.tui.widgets.doctable import DocTable

    out: dict[str, float] = {}
    cpu: dict[str, float] = {}  # CPU seconds of this process: the work, without idle waits
    t0, c0 = time.perf_counter(), time.process_time()
    app = TextmillApp(path, None)
    async with app.run_test(size=(160, 45)) as pilot:
        while not isinstance(app.screen, CorpusScreen):
            await pilot.pause(0.001)
        await pilot.pause()
        out["first screen"] = time.perf_counter() - t0
        cpu["first screen"] = time.process_time() - c0
        table = app.screen.query_one(DocTable)
        # Plugins (for their renderers) and the header's totals load in background threads;
        # the keypress figures below are taken once they are done, as a user would see them.
        while app._manager_thread is None:
            await pilot.pause(0.05)
        app._manager_thread.join()
        await app.workers.wait_for_complete()
        await pilot.pause()
        out["background loading done"] = time.perf_counter() - t0

        async def timed(name: str, *keys: str, repeat: int = 5) -> None:
            times = []
            for _ in range(repeat):
                t, c = time.perf_counter(), time.process_time()
                await pilot.press(*keys)
                await pilot.pause()
                times.append(time.perf_counter() - t)
                cpu[name] = cpu.get(name, 0.0) + (time.process_time() - c) / repeat
            out[name] = sorted(times)[len(times) // 2]

        await timed("idle key (Pilot overhead)", "f24", repeat=20)
        await timed("page down", "pagedown", repeat=20)
        await timed("end (jump to last row)", "end", repeat=3)
        t, c = time.perf_counter(), time.process_time()
        table.sort = "score:scorer"
        table.refresh_rows()
        table.row(0)
        out["sort by score (query)"] = time.perf_counter() - t
        await pilot.pause()
        out["sort by score"] = time.perf_counter() - t
        cpu["sort by score"] = time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        from textmill.query import parse_filter

        table.refresh_rows(parse_filter("severity:warning"))
        table.row(0)
        out["filter (query)"] = time.perf_counter() - t
        await pilot.pause()
        out["filter severity:warning"] = time.perf_counter() - t
        cpu["filter severity:warning"] = time.process_time() - c
        t = time.perf_counter()
        table.refresh_rows(parse_filter("score<0.5"))  # half the corpus matches
        table.row(0)
        out["filter score<0.5 (query)"] = time.perf_counter() - t
        await app.workers.wait_for_complete()
        out["  exact count arrived"] = time.perf_counter() - t
        table.refresh_rows(parse_filter("severity:warning"))
        await pilot.pause()
        for name in ("open document (first)", "open document (again)"):
            t, c = time.perf_counter(), time.process_time()
            await pilot.press("enter")
            while not isinstance(app.screen, DocumentScreen):
                await pilot.pause(0.001)
            await pilot.pause()
            out[name] = time.perf_counter() - t
            cpu[name] = time.process_time() - c
            await pilot.press("escape", "down")
            await pilot.pause()
    return {k: (v, cpu.get(k)) for k, v in out.items()}


async def bare_textual() -> float:
    """Launch to first screen of a Textual app with only a header, a line and a footer: the
    floor that any Textual UI pays on this machine."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("hello")
            yield Footer()

    t0 = time.perf_counter()
    async with Bare().run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--store", help="reuse or keep the store at this path")
    args = ap.parse_args()
    tmp = None
    if args.store:
        path = Path(args.store)
    else:
        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "run.sqlite"
    if not path.exists():
        t = time.perf_counter()
        build(path, args.docs)
        print(f"built a {args.docs:,}-document store in {time.perf_counter() - t:.0f} s")
    bare = asyncio.run(bare_textual())
    res = asyncio.run(drive(path))
    print(f"{'':<28}{'wall':>10}{'CPU':>10}")
    print(f"{'bare Textual app launch':<28}{bare * 1000:7.1f} ms")
    for k, (wall, used) in res.items():
        extra = f"{used * 1000:7.1f} ms" if used is not None else ""
        print(f"{k:<28}{wall * 1000:7.1f} ms{extra:>10}")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
