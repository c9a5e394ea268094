"""The terminal UI driven with Pilot on a real run of the sample corpus.

Nothing waits a fixed time: each step waits for what it expects (:func:`until`), with a bound
generous enough for a loaded machine.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_tui_plugins as tp
from textmill import Document, PluginInfo, Result, hookimpl
from textmill.testing import SEEDS, register_plugin, run_chain
from textmill.tui.app import TextmillApp
from textmill.tui.screens.clusters import ClustersScreen
from textmill.tui.screens.corpus import CorpusScreen
from textmill.tui.screens.document import DocumentScreen
from textmill.tui.screens.entities import EntitiesScreen
from textmill.tui.screens.help import HelpScreen
from textmill.tui.screens.run import RunScreen
from textmill.tui.widgets.doctable import DocTable
from textmill.tui.widgets.rowlist import RowList
from textmill.tui.widgets.tabbar import TabBar
from textmill.tui.widgets.textview import TextView
from textual.widgets import Static

CHAIN = {
    "clean": ["unicode", "boilerplate"],
    "quality": ["langid", "mt_artifacts"],
    "dedup": ["dedup"],
    "entities": ["linker"],
    "summarize": ["extractive"],
}
SIZE = (140, 40)
BOUND = 60.0  # seconds a condition may take to hold on a loaded machine


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory):
    return run_chain([SEEDS], CHAIN, tmp_path=tmp_path_factory.mktemp("tui"))


def _app(run) -> TextmillApp:
    return TextmillApp(run.store_path, run.config)


def _doc(run, prefix: str) -> str:
    return next(i for i in run.ids() if i.startswith(prefix))


def _plain(widget) -> str:  # type: ignore[no-untyped-def]
    """What a Static shows, as plain text."""
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(widget.content)
    return console.export_text()


async def until(pilot, condition: Callable[[], object], what: str) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``condition()`` holds; fail naming ``what`` after BOUND seconds."""
    deadline = time.monotonic() + BOUND
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def settled(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the app's thread workers (and the callbacks they make) to finish, then for
    the screen updates they asked for."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _document(app) -> DocumentScreen:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, DocumentScreen)
    return app.screen


async def _open(pilot, app, doc_id: str, tab: str | None = None) -> DocumentScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
    app.open_document(doc_id)
    await until(
        pilot,
        lambda: isinstance(app.screen, DocumentScreen) and app.screen.doc_id == doc_id,
        f"document {doc_id}",
    )
    screen = _document(app)
    if tab is not None:
        screen.query_one(TabBar).active = tab
        await until(pilot, lambda: tab in screen.contents, f"tab {tab}")
    await settled(pilot)
    return screen


def test_corpus_table_opens_a_document(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            table = app.screen.query_one(DocTable)
            assert table.total == 5
            assert "mt_artifacts" in table.header().plain
            await pilot.press("down", "enter")
            await until(pilot, lambda: isinstance(app.screen, DocumentScreen), "a document")
            assert _document(app).doc_id.startswith("001")

    asyncio.run(go())


def test_filter_expression_and_sort(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            table = app.screen.query_one(DocTable)
            await pilot.press("slash")
            app.screen.query_one("#filter").value = "code:mt.pronoun-gender"
            await pilot.press("enter")
            await until(pilot, lambda: not table.fetching and table.total == 1, "the filter")
            assert table.row(0).id.startswith("000")
            await pilot.press("escape")
            await until(pilot, lambda: table.total == 5, "the cleared filter")
            await pilot.press("s", "s", "s")  # seq -> id -> length -> findings
            await until(pilot, lambda: table.sort == "findings", "the sort by findings")
            await pilot.press("S")
            await until(pilot, lambda: table.descending, "the reversed order")
            rows = [table.row(i) for i in range(5)]
            assert [r.findings for r in rows] == sorted((r.findings for r in rows), reverse=True)

    asyncio.run(go())


def test_navigate_to_a_finding(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            doc = _doc(seeds_run, "001")
            screen = await _open(pilot, app, doc, "tab-mt_artifacts")
            findings = screen.query_one("#side-list", RowList)
            res = seeds_run.result(doc, "mt_artifacts")
            assert findings.total == len(res.findings)
            target = next(i for i, f in enumerate(res.findings) if f.code == "mt.article")
            findings.focus()
            findings.cursor = target
            await pilot.press("enter")
            text = screen.query_one(TextView)
            # The article error sits near the end of the text: the view scrolls down to it.
            await until(pilot, lambda: text.scroll_y > 10, "the scroll to the finding")
            line = text.line_of(res.findings[target].span.start)
            assert text.scroll_y <= line < text.scroll_y + text.size.height

    asyncio.run(go())


def test_open_a_cluster_and_a_member(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, ClustersScreen), "the clusters")
            screen = app.screen
            await settled(pilot)
            clusters = screen.query_one("#cluster-list", RowList)
            assert [clusters.row(i).kind for i in range(clusters.total)] == ["story", "event"]
            info = _plain(screen.query_one("#cluster-info"))
            story = seeds_run.query.clusters("story")[0]
            assert f"story cluster {story.id}" in info and "Summary" in info
            members = screen.query_one("#cluster-members", RowList)
            assert members.total == 2  # two translations of one article (tests/test_dedup.py)
            sims = [members.row(i).similarity for i in range(2)]
            assert sims == sorted(sims, reverse=True)
            assert members.row(0).doc_id == clusters.row(0).representative
            await pilot.press("down")  # the event cluster: its five members
            await until(pilot, lambda: members.total == 5, "the event cluster's members")
            await pilot.press("enter")  # to the members
            await until(pilot, lambda: app.focused is members, "the members list")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, DocumentScreen), "a member")
            assert _document(app).doc_id == members.row(0).doc_id
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen, "back to the clusters")

    asyncio.run(go())


def test_follow_an_entity_to_another_document(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            first = _doc(seeds_run, "000")
            screen = await _open(pilot, app, first, "tab-linker")
            ents = screen.query_one("#side-list", RowList)
            kirby = next(i for i in range(ents.total) if ents.row(i).key == "tm:john-kirby")
            ents.focus()
            ents.cursor = kirby
            await pilot.press("enter")
            docs = screen.query_one("#side-docs", RowList)
            await until(pilot, lambda: docs.total == 4, "the documents mentioning Kirby")
            info = "\n".join(screen.query_one("#side-info", TextView).plain_lines())
            assert "4 other documents mention it" in info
            other = docs.row(0).key
            assert other != first
            docs.focus()
            await pilot.press("enter")
            await until(pilot, lambda: screen.doc_id == other, "the other document")
            # The same tab shows in the next document, and Escape comes back to the first.
            assert screen.query_one(TabBar).active == "tab-linker"
            await pilot.press("escape")
            await until(pilot, lambda: screen.doc_id == first, "back to the first document")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus")

    asyncio.run(go())


def test_entities_screen_lists_the_index_with_mentions_in_context(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, EntitiesScreen), "the entities")
            screen = app.screen
            table = screen.query_one("#entity-table", RowList)
            assert table.total > 20
            counts = [table.row(i)["mention_count"] for i in range(table.total)]
            assert counts == sorted(counts, reverse=True)
            kirby = next(i for i in range(table.total) if table.row(i)["id"] == "tm:john-kirby")
            table.cursor = kirby
            mentions = screen.query_one("#entity-mentions", RowList)
            await until(pilot, lambda: mentions.total == 26, "Kirby's mentions")
            detail = _plain(screen.query_one("#entity-detail"))
            assert "written as: Kirby (20), John Kirby (6)" in detail
            # Each mention shows the words around it, as the document has them.
            for i in range(mentions.total):
                m = mentions.row(i)
                text = seeds_run.query.document(m.doc_id).doc.text
                assert text[m.start : m.end] == m.text
                assert m.before.strip() and m.after.strip()
                before = " ".join(text[max(0, m.start - 60) : m.start].split())
                assert before.endswith(m.before.strip())
                assert " ".join(text[m.end : m.end + 60].split()).startswith(m.after.strip())
            await pilot.press("slash")
            screen.query_one("#entity-search").value = "Kyiv"
            await pilot.press("enter")
            await until(pilot, lambda: table.total == 1, "the search")
            assert table.row(0)["name"] == "Kyiv"

    asyncio.run(go())


def test_rerun_and_cancel(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, RunScreen), "the run screen")
            screen = app.screen
            await until(pilot, lambda: screen.stats is not None, "the timings")
            # dedup has only a corpus hook; it is listed all the same
            assert set(screen.stats) == {p for ps in CHAIN.values() for p in ps}
            assert screen.stats["dedup"]["documents"] == 5
            assert screen.stats["dedup"]["run_seconds"] is not None
            scores = _plain(screen.query_one("#scores"))
            assert "mt_artifacts" in scores and "5 scored" in scores
            screen.start(())
            screen.action_cancel()
            await until(pilot, lambda: not screen.running, "the cancel")
            assert "cancelled" in _plain(screen.query_one("#run-state"))
            # A full re-run after the cancel finishes and refreshes the timings.
            screen.start(())
            await until(pilot, lambda: not screen.running, "the re-run")
            state = _plain(screen.query_one("#run-state"))
            assert ": ok" in state and "Error" not in state
            assert screen.bars  # a progress bar per stage that reported progress
            await settled(pilot)
            assert screen.stats is not None and len(screen.stats) == 7

    asyncio.run(go())


def test_help_and_remapped_keys(seeds_run) -> None:
    async def go() -> None:
        bindings = {"app.clusters": "k", "list.select": "o", "app.clusterz": "j"}
        app = TextmillApp(seeds_run.store_path, seeds_run.config, bindings=bindings)
        said: list[str] = []
        notify = app.notify
        app.notify = lambda message, **kw: (said.append(message), notify(message, **kw))[1]  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            # An id no binding has is said, with the id it was likely meant to be.
            assert any('"app.clusterz"' in m and 'did you mean "app.clusters"' in m for m in said)
            await pilot.press("f1")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
            text = _plain(app.screen.query_one(Static))
            # Words, not class names.
            assert "Corpus table" in text and "Documents" in text
            assert "DocTable" not in text and "CorpusScreen" not in text
            lines = {" ".join(line.split()) for line in text.splitlines()}
            assert "k Clusters app.clusters" in lines  # here, with the key the config gave it
            # Every binding of the UI, the remapped ones with their new keys.
            assert "List o Select list.select" in lines
            assert "Document t Raw/clean document.toggle" in lines
            assert "Text home Top text.home" in lines
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus again")
            await pilot.press("k")
            await until(pilot, lambda: isinstance(app.screen, ClustersScreen), "the clusters")
            await settled(pilot)
            await pilot.press("o")  # the remapped Enter of the clusters list: its members
            await until(
                pilot, lambda: app.focused is app.screen.query_one("#cluster-members"), "members"
            )

    asyncio.run(go())


def test_the_key_bar_fits_and_a_focused_list_shows_its_keys_and_focus(seeds_run) -> None:
    from textmill.tui.widgets.footer import KeysFooter

    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open(pilot, app, _doc(seeds_run, "000"), "dedup")
            footer = screen.query_one(KeysFooter)

            def shown() -> list[str]:
                return [d for _, d in footer._shown()]

            drawn = footer.render().plain
            assert len(drawn) <= SIZE[0] and "palette" in drawn and "Entities" in drawn
            assert shown()[-2:] == ["Run", "palette"]  # nothing cut off at the end
            side = screen.query_one("#side")
            assert not side.has_pseudo_class("focus-within")
            screen.query_one("#side-list").focus()
            await settled(pilot)
            assert "Select" in shown()  # the list's own key
            assert side.has_pseudo_class("focus-within")
            assert side.styles.border_left[0] == "thick"  # the focused pane stands out
            # On a narrow terminal the app's keys give way whole; Help stays.
            await pilot.resize_terminal(70, 30)
            await settled(pilot)
            drawn = footer.render().plain
            assert len(drawn) <= 70 and "Help" in drawn and "Select" in drawn
            assert not drawn.rstrip().endswith("…")

    asyncio.run(go())


def test_markup_and_escape_sequences_show_as_text(tmp_path: Path) -> None:
    nasty = (
        "[bold]Breaking[/bold] [link=http://evil.example]click[/link] \x1b[31mred\x1b[0m news "
        "today.\n\nMore text\u202e follows in 2024."
    )
    run = run_chain(
        [Document(id="nasty", raw=nasty, title="[blink]title[/blink]")],
        {"clean": ["unicode"], "quality": ["checker"]},
        plugins=[tp.Checker()],
        tmp_path=tmp_path,
    )

    async def go() -> None:
        app = _app(run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            table = app.screen.query_one(DocTable)
            assert "[blink]title[/blink]" in table._row_text(table.row(0)).plain
            screen = await _open(pilot, app, "nasty")
            assert "[blink]title[/blink]" in _plain(screen.query_one("#doc-title"))
            cleaning = screen._cleaning()
            assert "[bold]Breaking[/bold]" in cleaning.plain
            assert "[link=http://evil.example]" in cleaning.plain
            assert "\x1b" not in cleaning.plain
            assert "␛[31m" in cleaning.plain
            shown = "\n".join(screen.query_one(TextView).plain_lines())
            assert "[bold]Breaking[/bold]" in shown and "␛[31m" in shown
            # The bidi override is shown as a stand-in of one character, so the highlight of
            # a finding after it still covers what the finding names.
            screen.query_one(TabBar).active = "tab-checker"
            await until(pilot, lambda: "tab-checker" in screen.contents, "the checker tab")
            content = screen.contents["tab-checker"]
            text = content.main
            assert text is not None and "\u202e" not in text.plain  # type: ignore[attr-defined]
            (year,) = content.findings
            assert year.span is not None
            assert text.plain[year.span.start : year.span.end] == "2024"  # type: ignore[attr-defined]
            assert any(
                s.start == year.span.start and s.end == year.span.end
                for s in text.spans  # type: ignore[attr-defined]
            )
            svg = app.export_screenshot()
            assert "\x1b" not in svg and "\u202e" not in svg

    asyncio.run(go())


def test_contract_plugins_fill_every_tab(snapshot_run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Third-party plugins that follow the data contracts get the same tabs as the built-ins,
    the cluster summary comes from whichever summarizer ran, and a plugin's own renderer wins."""
    from textmill import manager

    monkeypatch.setattr(manager, "_EXTRA", [("", tp.Stamp())])
    run = snapshot_run
    doc = _doc(run, "001")

    async def go() -> None:
        app = _app(run)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open(pilot, app, doc)
            tabs = dict(screen.query_one(TabBar).tabs)
            assert {"tab-clean", "tab-checker", "tab-stamp", "tab-twins"} <= set(tabs)
            assert {"tab-tagger", "tab-summer"} <= set(tabs)
            assert tabs["tab-twins"] == "Duplicates: twins"
            # Only the tab shown is built; the others are built when first shown.
            assert list(screen.contents) == ["tab-clean"]
            text = screen.query_one(TextView)
            screen.query_one(TabBar).active = "tab-stamp"
            await until(pilot, lambda: "tab-stamp" in screen.contents, "the stamp tab")
            assert text.plain_lines()[0].startswith("stamped ")
            screen.query_one(TabBar).active = "tab-checker"
            await until(pilot, lambda: "tab-checker" in screen.contents, "the checker tab")
            assert screen.query_one("#side-list", RowList).total == len(
                run.result(doc, "checker").findings
            )
            screen.query_one(TabBar).active = "tab-twins"
            await until(pilot, lambda: "tab-twins" in screen.contents, "the twins tab")
            await settled(pilot)  # a long aligned table is drawn in a thread
            aligned = "\n".join(text.plain_lines())
            assert "this version" in aligned and "other version" in aligned
            assert "002_5556c43739a" in aligned
            assert "scrub.short" in screen._cleaning().plain
            await pilot.press("escape", "c")
            await until(pilot, lambda: isinstance(app.screen, ClustersScreen), "the clusters")
            await settled(pilot)
            info = _plain(app.screen.query_one("#cluster-info"))
            assert "story cluster" in info and "Summary" in info

    asyncio.run(go())


def test_cleaning_tab_sums_up_the_removals(seeds_run) -> None:
    """The line over the Cleaning tab counts what each reason removed, in characters."""
    doc = _doc(seeds_run, "001")
    view = seeds_run.query.document(doc)
    removed: dict[str, list[int]] = {}
    for e in view.clean_edits:
        if e.applied and not e.replacement:
            removed.setdefault(e.reason, []).append(e.span.end - e.span.start)
    assert removed

    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open(pilot, app, doc)
            head = " ".join(_plain(screen.query_one("#tab-head")).split())
            total = sum(sum(v) for v in removed.values())
            places = sum(len(v) for v in removed.values())
            assert f"Removed {total:,} characters in {places} places" in head
            for reason, sizes in removed.items():
                plugin, _, name = reason.partition(".")
                assert f"{plugin}: " in head
                assert f"{name} {len(sizes)}× {sum(sizes):,} chars" in head
            assert "t: the clean text" in head
            await pilot.press("t")
            await until(pilot, lambda: screen.show_clean, "the clean text")
            shown = "\n".join(screen.query_one(TextView).plain_lines())
            assert "Zemlianitchenko" not in shown  # the photo credit line was removed
            head = " ".join(_plain(screen.query_one("#tab-head")).split())
            assert "t: raw text with the removals" in head

    asyncio.run(go())


def test_duplicates_of_a_document_only_in_an_event_cluster(seeds_run) -> None:
    """With nothing aligned, the tab says why and lists the other versions across the width."""
    doc = _doc(seeds_run, "001")
    assert [c.kind for c in seeds_run.query.clusters_of(doc)] == ["event"]

    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open(pilot, app, doc, "tab-dedup")
            head = _plain(screen.query_one("#tab-head"))
            event = seeds_run.query.clusters("event")[0]
            assert f"event cluster {event.id}" in head and "nothing to align" in head
            assert not screen.query_one(TextView).display
            versions = screen.query_one("#side-list", RowList)
            assert versions.total == 4
            line = versions.render_row(versions.row(0), 120).plain
            row = versions.row(0)
            assert row.kind == "event" and row.representative and "★" in line
            assert row.title[:40] in line and row.key in line  # title and id both fit
            versions.focus()
            await pilot.press("enter")
            await until(pilot, lambda: screen.doc_id == row.key, "the version")

    asyncio.run(go())


# --- snapshots -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snapshot_run(tmp_path_factory: pytest.TempPathFactory):
    # The contract plugins of test_tui_plugins, so the pictures change only when the UI does.
    return run_chain(
        [SEEDS], tp.CHAIN, plugins=tp.PLUGINS, tmp_path=tmp_path_factory.mktemp("snap")
    )


@pytest.fixture
def fixed_run(snapshot_run, monkeypatch: pytest.MonkeyPatch):
    from textmill.query import Query

    real = Query.latest_run

    def latest(self):  # type: ignore[no-untyped-def]
        run = real(self)
        return run and {**run, "id": "RUN"}

    monkeypatch.setattr(Query, "latest_run", latest)
    real_stats = Query.plugin_stats

    def stats(self):  # type: ignore[no-untyped-def]
        # Timings differ from run to run; the picture shows the columns, not the figures.
        return {
            p: {
                **s,
                "seconds": None if s["seconds"] is None else 0.0,
                "run_seconds": None if s["run_seconds"] is None else 0.0,
            }
            for p, s in real_stats(self).items()
        }

    monkeypatch.setattr(Query, "plugin_stats", stats)
    return snapshot_run


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("corpus", ()),
        ("document", ("down", "enter")),
        ("clusters", ("c",)),
        ("entities", ("e",)),
        ("help", ("f1",)),
        ("run", ("r",)),
        ("quality", ("down", "enter", "right")),
        ("duplicates", ("down", "enter", "right", "right", "right")),
        ("tagged", ("down", "enter", "right", "right", "right", "right")),
        ("cluster-members", ("c", "enter")),
        ("entity-mentions", ("e", "down")),
    ],
)
def test_screen_snapshots(fixed_run, snap_compare, name: str, keys: tuple[str, ...]) -> None:
    async def press_and_settle(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await until(pilot, lambda: isinstance(app.screen, (CorpusScreen, RunScreen)), "a screen")
        await settled(pilot)
        for key in keys:
            await pilot.press(key)
            await settled(pilot)
        await settled(pilot)  # what the last callbacks started

    assert snap_compare(_app(fixed_run), terminal_size=SIZE, run_before=press_and_settle)


def test_no_run_yet_offers_the_config_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain `textmill` opens the UI; with an empty store the Run screen offers to run the
    config, and `r` runs it into the store and lists the documents."""
    from click.testing import CliRunner
    from textmill import cli as cli_module
    from textmill.config import parse

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("The first document.\n\nIt has two paragraphs.\n")
    (tmp_path / "in" / "b.txt").write_text("The second document, a little longer than that.\n")
    store = tmp_path / "run.sqlite"
    config = parse(
        {
            "input": {"paths": [str(tmp_path / "in")]},
            "run": {"store": str(store), "workers": 1},
            "chain": {"clean": ["unicode"]},
        },
        None,
        tmp_path,
    )
    opened: list[Path] = []
    monkeypatch.setattr("textmill.tui.app.run_app", lambda cfg, path: opened.append(path))
    monkeypatch.setattr(cli_module, "_config", lambda _path: config)
    assert CliRunner().invoke(cli_module.cli, []).exit_code == 0
    assert opened == [store]

    async def go() -> None:
        app = TextmillApp(store, config)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, RunScreen), "the run screen")
            screen = app.screen
            assert "No run yet" in _plain(screen.query_one("#run-state"))
            await pilot.press("r")
            state = screen.query_one("#run-state")
            await until(
                pilot, lambda: not screen.running and ": ok" in _plain(state), "the run to finish"
            )
            assert "read" in screen.bars
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus")
            assert app.screen.query_one(DocTable).total == 2

    asyncio.run(go())


class Held:
    """A quality plugin that waits on each document until the test lets it go."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.go = threading.Event()

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="held", version="1")

    @hookimpl
    def textmill_quality(self, doc: Document, settings: Any, ctx: Any) -> Result:
        self.started.set()
        self.go.wait(BOUND)
        return Result(label="held")


def test_run_screen_names_the_stage_plugin_and_document_at_work(tmp_path: Path) -> None:
    """While a plugin works on a document, the Run screen says which, as the CLI does."""
    from textmill.config import parse

    held = Held()
    store = tmp_path / "run.sqlite"
    config = parse(
        {
            "input": {"paths": [str(SEEDS)]},
            "run": {"store": str(store), "workers": 1, "batch_size": 1},
            "chain": {"clean": ["unicode"], "quality": ["held"]},
        },
        None,
        tmp_path,
    )
    first = sorted(p.name for p in SEEDS.glob("*.txt"))[0]

    async def go() -> None:
        app = TextmillApp(store, config)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, RunScreen), "the run screen")
            screen = app.screen
            line = screen.query_one("#run-activity")
            assert not line.display
            await pilot.press("r")
            await until(pilot, held.started.is_set, "the held plugin to start")
            await until(pilot, lambda: "held" in _plain(line), "the line at work")
            assert _plain(line).strip() == f"quality: held on {first}"
            assert screen.working == ("quality", "held", first)
            held.go.set()
            await until(pilot, lambda: not screen.running, "the run to finish")
            assert screen.working is None and not line.display
            assert ": ok" in _plain(screen.query_one("#run-state"))

    with register_plugin(held):
        asyncio.run(go())


@pytest.mark.parametrize("theme", ["textual-light", "ansi-dark", "ansi-light"])
def test_light_and_16_colour_themes_render(seeds_run, theme: str) -> None:
    async def go() -> None:
        app = TextmillApp(seeds_run.store_path, seeds_run.config, theme=theme)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            await settled(pilot)
            assert app.theme == theme
            svg = app.export_screenshot()
            assert "mt_artifacts" in svg and "documents" in svg

    asyncio.run(go())


def test_text_of_a_tab_can_be_selected(seeds_run) -> None:
    """A mouse selection over a tab's text copies the document's words as shown."""
    from textual.geometry import Offset
    from textual.selection import Selection

    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open(pilot, app, _doc(seeds_run, "001"), "tab-mt_artifacts")
            text = screen.query_one(TextView)
            lines = text.plain_lines()
            screen.selections = {text: Selection.from_offsets(Offset(0, 2), Offset(10, 3))}
            assert screen.get_selected_text() == lines[2] + "\n" + lines[3][:10]
            assert lines[2].startswith("WASHINGTON")

    asyncio.run(go())


def test_clusters_and_entities_screens_keep_their_place(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, ClustersScreen), "the clusters")
            first = app.screen
            await pilot.press("down", "escape")
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus")
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, ClustersScreen), "the clusters")
            assert app.screen is first
            assert first.query_one("#cluster-list", RowList).cursor == 1
            assert first.current is not None and first.current.kind == "event"
            # From a document opened there, `e` then `c` come back to the same screens.
            await pilot.press("enter", "enter")
            await until(pilot, lambda: isinstance(app.screen, DocumentScreen), "a member")
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, EntitiesScreen), "the entities")
            await pilot.press("c")
            await until(pilot, lambda: app.screen is first, "the clusters again")

    asyncio.run(go())


def test_screens_are_built_while_the_app_waits_for_keys(seeds_run) -> None:
    """Once the plugins are loaded, the document, clusters and entities screens are built and
    filled (not shown); the first visit shows those very screens with their content."""

    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            await until(pilot, lambda: "entities" in app._kept, "the screens built")
            built = app._kept["clusters"]
            await until(
                pilot,
                lambda: built.is_running and built.current is not None,
                "the clusters screen filled",
            )
            assert isinstance(app.screen, CorpusScreen)  # still the one shown
            assert app._document_screen is not None and app._document_screen.is_running
            first = built.current
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, ClustersScreen), "the clusters")
            assert app.screen is built
            assert built.current is first
            assert built.query_one("#cluster-list", RowList).total == sum(n for _, n in built.kinds)
            await pilot.press("escape", "e")
            await until(pilot, lambda: isinstance(app.screen, EntitiesScreen), "the entities")
            assert app.screen is app._kept["entities"]
            top = app.screen.query_one("#entity-table", RowList).row(0)
            assert top is not None and top["mention_count"] >= 1

    asyncio.run(go())


def test_a_long_list_draws_its_scroll_bar_and_scrolls_by_it(seeds_run) -> None:
    """A list longer than its view draws the scroll bar in its last two cells (the thumb at the
    top, then the track), the mouse wheel scrolls it, and a click low on the bar jumps there."""
    from textual import events

    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, EntitiesScreen), "the entities")
            await settled(pilot)
            mentions = app.screen.query_one("#entity-mentions", RowList)
            assert 0 < mentions.size.height < mentions.total  # Ukraine's 37 do not fit
            width, height = mentions.size
            first, last = mentions.render_line(0), mentions.render_line(height - 1)
            assert first.cell_length == last.cell_length == width
            thumb, track = list(first)[-1].style, list(last)[-1].style
            assert thumb is not None and thumb.reverse  # the thumb, drawn in reverse
            assert track is not None and track.bgcolor is not None and not track.reverse
            # The rows take the width less the bar's two cells.
            line = mentions.render_row(mentions.row(0), width - 2)
            line.rstrip()
            line.truncate(width - 2, overflow="ellipsis", pad=True)
            assert first.crop(0, width - 2).text == line.plain
            assert "Ukraine" in line.plain

            def wheel(kind: type[events.MouseEvent]) -> events.MouseEvent:
                return kind(mentions, 1, 1, 0, 1, 0, False, False, False)

            mentions.post_message(wheel(events.MouseScrollDown))
            await until(pilot, lambda: mentions.scroll_offset.y > 0, "a turn of the wheel")
            mentions.post_message(wheel(events.MouseScrollUp))
            await until(pilot, lambda: mentions.scroll_offset.y == 0, "a turn back")
            room = mentions.virtual_size.height - height
            await pilot.click(mentions, offset=(mentions.region.width - 1, height - 1))
            await until(pilot, lambda: mentions.scroll_offset.y == room, "the end of the list")
            assert mentions.cursor == 0  # a click on the bar scrolls, it selects nothing

    asyncio.run(go())


def test_a_long_text_draws_its_scroll_bar_beside_the_lines(seeds_run) -> None:
    """A document's text longer than its view keeps two cells right of its lines for the
    scroll bar and draws it there (the thumb at the top); the wheel scrolls the text, and the
    lines are wrapped to the width left of the bar."""
    from textual import events

    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open(pilot, app, _doc(seeds_run, "001"), "tab-mt_artifacts")
            text = screen.query_one(TextView)
            width, height = text.size
            assert text.line_count > height
            assert text.width == width - 2
            assert all(len(line) <= width - 2 for line in text.plain_lines())
            first, last = text.render_line(0), text.render_line(height - 1)
            assert first.cell_length == last.cell_length == width
            thumb, track = list(first)[-1].style, list(last)[-1].style
            assert thumb is not None and thumb.reverse
            assert track is not None and track.bgcolor is not None and not track.reverse
            text.post_message(events.MouseScrollDown(text, 1, 1, 0, 1, 0, False, False, False))
            await until(pilot, lambda: text.scroll_offset.y > 0, "a turn of the wheel")

    asyncio.run(go())


def test_the_command_palette_offers_the_screen_it_was_opened_from(seeds_run) -> None:
    from textual.command import CommandList, CommandPalette

    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            table = app.screen.query_one(DocTable)
            await pilot.press("ctrl+p")
            await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
            await pilot.press(*"sort by findings")
            hits = app.screen.query_one(CommandList)

            def prompts() -> list[str]:
                options = [hits.get_option_at_index(i) for i in range(hits.option_count)]
                return [str(o.prompt).splitlines()[0] for o in options]

            await until(pilot, lambda: "corpus: sort by findings" in prompts(), "the sort hit")
            await pilot.press("enter")
            await until(pilot, lambda: table.sort == "findings", "the sort by findings")
            assert isinstance(app.screen, CorpusScreen)

    asyncio.run(go())


@pytest.fixture(scope="module")
def bbc_run(tmp_path_factory: pytest.TempPathFactory):
    """Sixty BBC articles through two cheap plugins: more rows than a screen holds."""
    import json

    from conftest import SHARED_EVAL

    docs = []
    with (SHARED_EVAL / "summarization" / "bbc.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            docs.append(Document(id=rec["id"], raw=rec["text"], title=rec["title"]))
            if len(docs) == 60:
                break
    return run_chain(
        docs,
        {"clean": ["unicode"], "quality": ["langid"]},
        tmp_path=tmp_path_factory.mktemp("bbc"),
    )


def test_the_document_column_shares_the_width_with_the_plugins(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            table = app.screen.query_one(DocTable)
            await until(pilot, lambda: table.total == 5 and table.row(0), "the rows")
            cols = {c.title: c.width for c in table.columns()}
            assert cols["document"] >= 0.25 * SIZE[0]  # was 24 at 140 columns
            assert all(cols[p] >= 8 for p in table.plugins)
            # It all fits: no sideways scrolling at 140 columns.
            assert table.content_width <= table.scrollable_content_region.width
            assert not table.show_horizontal_scrollbar
            title = table.row(0).title
            assert title[:34] in table._row_text(table.row(0)).plain

    asyncio.run(go())


def test_end_keeps_the_cursor_row_above_the_horizontal_scroll_bar(bbc_run) -> None:
    async def go() -> None:
        app = _app(bbc_run)
        async with app.run_test(size=(60, 24)) as pilot:  # narrow: the table scrolls sideways
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus screen")
            table = app.screen.query_one(DocTable)
            await until(pilot, lambda: table.total == 60, "the rows")
            await settled(pilot)
            table.focus()
            await pilot.press("end")
            await settled(pilot)
            assert table.cursor == 59 and table.show_horizontal_scrollbar
            # The cursor's line (after the header) is within the lines the scroll bar leaves.
            line = table.cursor - table.scroll_offset.y + 1
            assert 1 <= line < table.scrollable_content_region.height
            await pilot.press("home", "pagedown")
            await settled(pilot)
            line = table.cursor - table.scroll_offset.y + 1
            assert table.cursor > 0 and 1 <= line < table.scrollable_content_region.height

    asyncio.run(go())


def test_duplicates_and_clusters_show_the_same_similarity(seeds_run) -> None:
    """The Duplicates tab gives each version its similarity to its cluster's representative,
    as the Clusters screen does; the representative itself is the ★, never a 1.00 beside the
    figure the Clusters screen gives this document."""
    from textmill.tui.screens.clusters import member_line

    q = seeds_run.query
    first = _doc(seeds_run, "000")
    event = next(c for c in q.clusters_of(first) if c.kind == "event")
    # A version that is not the representative (which one is depends on the quality scores).
    doc = next(m.doc_id for m in event.members if m.doc_id != event.representative)
    own = next(m.similarity for m in event.members if m.doc_id == doc)

    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            screen = await _open(pilot, app, doc, "tab-dedup")
            head = " ".join(_plain(screen.query_one("#tab-head")).split())
            assert f"this version {own:.2f} to ★" in head
            versions = screen.query_one("#side-list", RowList)
            rows = [versions.row(i) for i in range(versions.total)]
            rep = next(r for r in rows if r.key == event.representative)
            assert rep.representative
            assert "1.00" not in versions.render_row(rep, 120).plain
            clusters_screen = {
                m.doc_id: member_line(m, 120, event.representative).plain
                for m in q.cluster_members(event.id, offset=0, limit=10)
            }
            assert f"{own:.2f}" in clusters_screen[doc]
            for r in rows:
                if r.kind == "event" and not r.representative:
                    # The same figure on both screens for every other version.
                    assert f"{r.similarity:.2f}" in clusters_screen[r.key]
                    assert f"{r.similarity:.2f}" in versions.render_row(r, 120).plain

    asyncio.run(go())
