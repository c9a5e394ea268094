"""The terminal UI on a large run: launch, and every key a person presses on its screens.

Builds a run store of N synthetic documents (sentences from the seeds recombined) with results
of two plugins each (a score, a label and a finding on some), clusters (one story cluster per
thousandth of the documents, and near-duplicate triples) and an entity index (the names in the
seeds, one entity per name and group of documents, mentions in one document in ten), through
the store's own bulk APIs (once: ``--store PATH`` keeps it, and a store built before it had
clusters gains them; ``--build-only`` stops there). It then drives the app headless with Pilot
and prints, for each key (page down/up, end, home, each sort, reverse, typing and submitting a
filter, a jump to the middle of the table as a drag of the scroll bar asks for it, opening a
document and its tabs, the clusters, entities and run screens): the time from the key's event
to the end of the last screen update it caused, and the UI thread's CPU time meanwhile. For a
filter and a jump it also prints when the rows reached the screen; for the query layer alone,
the old way of reading the same thing next to the new one.

    .venv/bin/python benchmarks/tui_scale.py --docs 1000000 --store /tmp/run1m.sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def build(path: Path, n: int) -> None:
    from textmill.model import Document, Finding, Span, StageResult
    from textmill.store import NewDocument, Store

    sentences = [
        s.strip()
        for p in sorted((ROOT / "seeds").glob("*.txt"))
        for s in p.read_text(encoding="utf-8").split(". ")
        if len(s.split()) > 5
    ]
    rng = random.Random(5)
    with Store(path) as st:
        with st.transaction() as tx:
            tx.start_run("bench", {"chain": {"quality": ["scorer"], "dedup": ["grouper"]}})
        batch = 20_000
        for start in range(0, n, batch):
            docs, results = [], []
            for i in range(start, min(n, start + batch)):
                text = ". ".join(rng.sample(sentences, 4)) + "."
                doc = Document(id=f"doc{i:08d}", raw=text, title=text[:60])
                docs.append(NewDocument(doc, i + 1, f"h{i}", None))
                score = rng.random()
                findings = (
                    (Finding("bench.low", "Low score.", "warning", Span(0, 5), plugin="scorer"),)
                    if score < 0.1 or i == 0  # at least one, however small the run
                    else ()
                )
                results.append(
                    StageResult(doc.id, "scorer", "quality", "ok", score=score, findings=findings)
                )
                results.append(StageResult(doc.id, "grouper", "dedup", "ok", label=f"g{i % 1000}"))
            with st.transaction() as tx:
                tx.put_documents(docs, "bench")
                tx.put_stage_results(results, "bench", replace_findings=False)
        with st.transaction() as tx:
            tx.refresh_search_index()
            tx.finish_run("bench", "ok", {})
    add_corpus_outputs(path)


NAMES = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*")
GROUPS = 1000  # story clusters
NIL_GROUPS = 20_000  # entities per name (NIL clusters of one name in different documents)


def add_corpus_outputs(path: Path) -> None:
    """Clusters and an entity index for a store of ``build``'s documents: a story cluster per
    ``i % GROUPS``, a near-duplicate cluster per three consecutive documents (a third of them),
    and for one document in ten a mention of each name in its text, under an entity per name
    and ``seq % NIL_GROUPS`` (the commonest name under one entity, a long list of mentions)."""
    from textmill.model import Cluster, ClusterMember, Entity, Mention, Span
    from textmill.store import Store

    rng = random.Random(7)
    with Store(path) as st:
        n = st.count_documents()
        story: list[list[ClusterMember]] = [[] for _ in range(min(GROUPS, n))]
        for i in range(n):
            story[i % len(story)].append(ClusterMember(f"doc{i:08d}", round(rng.random(), 3)))
        clusters = [
            Cluster(f"story-{g}", "story", tuple(ms), ms[0].doc_id, "grouper")
            for g, ms in enumerate(story)
            if ms
        ]
        for k in range(n // 9):
            ids = [f"doc{3 * k + j:08d}" for j in range(3)]
            clusters.append(
                Cluster(
                    f"near-{k}",
                    "near",
                    tuple(ClusterMember(d, 1.0 if j == 0 else 0.9) for j, d in enumerate(ids)),
                    ids[0],
                    "grouper",
                )
            )
        mentions: dict[tuple[str, int], list[Mention]] = {}
        conn = sqlite3.connect(path)
        for doc_id, seq, text in conn.execute(
            "SELECT id, seq, COALESCE(text, raw) FROM documents WHERE seq % 10 = 1"
        ):
            for m in NAMES.finditer(text):
                name = m.group(0)
                mentions.setdefault((name, seq % NIL_GROUPS), []).append(
                    Mention(doc_id, Span(m.start(), m.end()), name, "PERSON")
                )
        conn.close()
        names: dict[str, int] = {}
        for (name, _), ms in mentions.items():
            names[name] = names.get(name, 0) + len(ms)
        common = max(names, key=lambda k: names[k]) if names else ""
        entities: dict[str, Entity] = {}
        for (name, g), ms in mentions.items():
            eid = f"bench:{name}" if name == common else f"bench:{name}:{g}"
            old = entities.get(eid)
            listed = (old.mentions if old else ()) + tuple(ms)
            entities[eid] = Entity(
                eid, name, "PERSON", listed, None, "", "grouper", {"variants": {name: len(listed)}}
            )
        with st.transaction() as tx:
            tx.put_corpus_output("grouper", "bench", clusters=clusters, entities=entities.values())


QUIET = 0.2  # seconds without a new frame: the app has finished answering a key


class Frames:
    """When the app finished each screen update: Textual renders every update through
    ``App._display`` (in headless mode too, where it then writes nothing)."""

    def __init__(self, app: Any) -> None:
        self.times: list[tuple[float, str]] = []
        self.probe: Any = None  # asked after each frame: did it show what a measure waits for?
        self.shown: float | None = None  # when a frame first did
        real = app._display

        def display(screen: Any, renderable: Any) -> None:
            real(screen, renderable)
            if renderable is not None:
                now = time.perf_counter()
                self.times.append((now, type(screen).__name__))
                if self.probe is not None and self.shown is None and self.probe():
                    self.shown = now

        app._display = display

    async def quiet(self) -> None:
        """Wait until no frame came for QUIET seconds."""
        while True:
            await asyncio.sleep(0.01)
            last = self.times[-1][0] if self.times else 0.0
            if time.perf_counter() - last >= QUIET:
                return


async def drive(path: Path) -> dict[str, tuple[float, float | None]]:
    """Keys pressed through Pilot; each figure runs from the key's event to the end of the
    last screen update it caused ("key to frame"), and the UI thread's CPU time meanwhile.
    Neither includes Pilot's own waits after the frame."""
    from textmill.tui.app import TextmillApp
    from textmill.tui.screens.corpus import CorpusScreen
    from textmill.tui.screens.document import DocumentScreen
    from textmill.tui.widgets.doctable import DocTable
    from textual.scrollbar import ScrollTo
    from textual.widgets import Input

    out: dict[str, tuple[float, float | None]] = {}
    t0 = time.perf_counter()
    app = TextmillApp(path, None)
    frames = Frames(app)
    async with app.run_test(size=(160, 45)) as pilot:
        while not isinstance(app.screen, CorpusScreen):
            await pilot.pause(0.001)
        await frames.quiet()
        first = next(t for t, name in frames.times if name == "CorpusScreen")
        out["first screen"] = (first - t0, None)
        table = app.screen.query_one(DocTable)
        # Plugins (for their renderers) and the header's totals load in background threads;
        # the keys below are pressed once they are done, as a user would.
        while app._manager_thread is None:
            await pilot.pause(0.05)
        app._manager_thread.join()
        await app.workers.wait_for_complete()
        await frames.quiet()
        out["background loading done"] = (time.perf_counter() - t0, None)

        async def key(*keys: str) -> tuple[float, float]:
            await frames.quiet()
            frames.times.clear()
            t, c = time.perf_counter(), time.thread_time()
            await pilot.press(*keys)
            await frames.quiet()
            last = frames.times[-1][0] if frames.times else t
            first_frames.append(frames.times[0][0] - t if frames.times else 0.0)
            # The CPU of the quiet wait itself (sleeps) is negligible.
            return last - t, time.thread_time() - c

        first_frames: list[float] = []

        async def timed(name: str, *keys: str, repeat: int = 5) -> None:
            runs = sorted([await key(*keys) for _ in range(repeat)])
            out[name] = runs[len(runs) // 2]

        t = time.perf_counter()
        await pilot.press("f24")
        await pilot.pause()
        out["Pilot round trip, key ignored"] = (time.perf_counter() - t, None)
        # What a key costs the UI thread when the app does nothing with it (Pilot, dispatch).
        await timed("key the app ignores", "f24", repeat=10)
        await timed("page down", "pagedown", repeat=20)
        await timed("page up", "pageup", repeat=5)
        out["end (last row)"] = await key("end")
        out["home (first row)"] = await key("home")
        for _ in table.sorts[1:]:
            before = table.sort
            out[
                f"sort {before} -> {table.sorts[(table.sorts.index(before) + 1) % len(table.sorts)]}"
            ] = await key("s")
        out["sort back to seq"] = await key("s")
        out["reverse (S)"] = await key("S")
        await key("S")
        box = app.screen.query_one("#filter", Input)
        box.cursor_blink = False

        async def filter_by(expr: str) -> None:
            await pilot.press("slash")
            await frames.quiet()
            assert app.focused is box
            box.value = expr[:-1]
            box.cursor_position = len(box.value)
            out[f"type a character ({expr})"] = await key(expr[-1])
            arrived: list[float] = []
            real = table._loaded

            def loaded(*a: Any) -> None:
                real(*a)
                arrived.append(time.perf_counter())

            table._loaded = loaded  # type: ignore[method-assign]
            t = time.perf_counter()
            out[f"filter {expr}: Enter"] = await key("enter")
            out[f"  {expr}: first frame (filtering…)"] = (first_frames[-1], None)
            await app.workers.wait_for_complete()  # the exact count, when it is counted apart
            await frames.quiet()
            table._loaded = real  # type: ignore[method-assign]
            assert app.focused is table
            if arrived:
                out[f"  {expr}: first page on screen"] = (arrived[0] - t, None)
                out[f"  {expr}: exact count on screen"] = (arrived[-1] - t, None)
            out[f"  {expr}: matches"] = (float(table.total), None)

        await filter_by("score<0.5")
        await filter_by("severity:warning")
        await timed("page down (filtered)", "pagedown", repeat=5)
        for name in ("first", "second", "third"):
            out[f"open document ({name})"] = await key("enter")
            assert isinstance(app.screen, DocumentScreen)
            out[f"  next tab ({name} document)"] = await key("right")
            out[f"  previous tab ({name} document)"] = await key("left")
            await key("escape")
            await key("down")

        # A drag of the scroll bar into the middle asks the table to scroll there: what the
        # scroll bar posts, posted here. The first jump in an order has its positions read in
        # a thread; until they arrive a column's order skips along its index and a score order
        # shows placeholders. Timed: the jump's first frame, the first frame that shows the
        # rows, and the UI thread's CPU until all is quiet (the positions' arrival included).
        from textmill.tui.widgets.doctable import PAGE

        await key("escape")  # the filter off
        for sort in ("seq", "score:scorer"):
            while table.sort != sort:
                await key("s")
            for name, fraction in (("first", 0.5), ("again", 0.3)):
                target = int(table.total * fraction)
                await frames.quiet()
                frames.times.clear()
                frames.shown = None
                frames.probe = lambda y=target: y // PAGE in table.pages
                t, c = time.perf_counter(), time.thread_time()
                table.post_message(ScrollTo(y=target))
                while frames.shown is None:
                    await asyncio.sleep(0.02)  # not pilot.pause: its own work would count
                await frames.quiet()
                cpu = time.thread_time() - c
                frames.probe = None
                out[f"jump to row {target:,} ({sort}, {name}): first frame"] = (
                    frames.times[0][0] - t,
                    cpu,
                )
                out[f"  rows on screen ({sort}, {name})"] = (frames.shown - t, None)
        while table.sort != "seq":
            await key("s")
        await key("home")

        out["clusters screen (c)"] = await key("c")
        out["  next cluster (members of 1,000)"] = await key("down")
        out["  end of the cluster list"] = await key("end")
        await key("escape")
        out["entities screen (e)"] = await key("e")
        out["  next entity (its mentions in context)"] = await key("down")
        out["  end of the entity list"] = await key("end")
        await key("escape")
        out["clusters screen again (kept)"] = await key("c")
        await key("escape")
        out["entities screen again (kept)"] = await key("e")
        await key("escape")
        t = time.perf_counter()
        out["run screen (r)"] = await key("r")
        await app.workers.wait_for_complete()
        await frames.quiet()
        out["  timings and score distributions on screen"] = (
            frames.times[-1][0] - t if frames.times else 0.0,
            None,
        )
        await key("escape")
    return out


def query_alone(path: Path) -> dict[str, tuple[float, float | None]]:
    """What the screens read, the old way and the new, on the same store (no UI)."""
    from textmill.query import Query

    q = Query(path)
    out: dict[str, tuple[float, float | None]] = {}

    def timed(name: str, fn: Any) -> Any:
        t = time.perf_counter()
        got = fn()
        out[name] = (time.perf_counter() - t, None)
        return got

    try:
        n = q.count()
        for sort in ("seq", "score:scorer"):
            middle = n // 2
            timed(
                f"row {middle:,} by {sort}: skip to it (old)",
                lambda s=sort, m=middle: q.page(offset=m, limit=200, sort=s, with_total=False),
            )
            pos = timed(
                f"  positions of the {sort} order (once, a thread)",
                lambda s=sort: q.positions(sort=s, every=500),
            )
            j = middle // 500 - 1
            timed(
                f"  row {middle:,} by {sort} from the nearest position (new)",
                lambda s=sort, p=pos, m=middle, j=j: q.page(
                    after=p[j], offset=m - (j + 1) * 500, limit=200, sort=s, with_total=False
                ),
            )
        timed("every cluster with its members (old)", lambda: len(q.clusters()))
        timed(
            "  a page of clusters of each kind (new)",
            lambda: [q.cluster_rows(k, limit=100) for k, _ in q.cluster_kinds()],
        )
        top = q.entities(limit=1)[0]["id"]
        timed("the top entity with every mention (old)", lambda: len(q.entity(top).mentions))
        timed("  a page of its mentions in context (new)", lambda: len(q.mentions(top, limit=100)))
    finally:
        q.close()
    return out


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
    ap.add_argument("--build-only", action="store_true", help="build the store at --store and stop")
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
    elif not sqlite3.connect(path).execute("SELECT 1 FROM clusters LIMIT 1").fetchone():
        t = time.perf_counter()
        add_corpus_outputs(path)
        print(f"added clusters and entities in {time.perf_counter() - t:.0f} s")
    if args.build_only:
        return
    bare = asyncio.run(bare_textual())
    res = asyncio.run(drive(path))
    res |= query_alone(path)
    print(f"{'':<44}{'key to frame':>14}{'UI-thread CPU':>15}")
    print(f"{'bare Textual app launch':<44}{bare * 1000:11.1f} ms")
    for k, (wall, used) in res.items():
        if k.endswith("matches"):
            print(f"{k:<44}{wall:11,.0f}")
            continue
        extra = f"{used * 1000:12.1f} ms" if used is not None else ""
        print(f"{k:<44}{wall * 1000:11.1f} ms{extra}")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
