"""The terminal UI driven with Pilot on a real run of the sample corpus."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import test_tui_plugins as tp
from textmill import Document
from textmill.testing import SEEDS, run_chain
from textmill.tui.app import TextmillApp
from textmill.tui.screens.clusters import ClustersScreen
from textmill.tui.screens.corpus import CorpusScreen
from textmill.tui.screens.document import DocumentScreen
from textmill.tui.screens.entities import EntitiesScreen
from textmill.tui.screens.help import HelpScreen
from textmill.tui.screens.run import RunScreen
from textmill.tui.widgets.doctable import DocTable
from textual.widgets import OptionList, Static, TabbedContent

CHAIN = {
    "clean": ["unicode", "boilerplate"],
    "quality": ["langid", "mt_artifacts"],
    "dedup": ["dedup"],
    "entities": ["linker"],
    "summarize": ["extractive"],
}
SIZE = (140, 40)


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


async def _settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


def test_corpus_table_opens_a_document(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            assert isinstance(app.screen, CorpusScreen)
            table = app.screen.query_one(DocTable)
            assert table.total == 5
            assert "mt_artifacts" in table.header().plain
            await pilot.press("down", "enter")
            await _settle(pilot)
            assert isinstance(app.screen, DocumentScreen)
            assert app.screen.doc_id.startswith("001")

    asyncio.run(go())


def test_filter_expression_and_sort(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            await pilot.press("slash")
            app.screen.query_one("#filter").value = "code:mt.pronoun-gender"
            await pilot.press("enter")
            await _settle(pilot)
            table = app.screen.query_one(DocTable)
            assert table.total == 1 and table.row(0).id.startswith("000")
            await pilot.press("escape")
            await _settle(pilot)
            assert table.total == 5
            await pilot.press("s", "s", "s")  # seq -> id -> length -> findings
            await _settle(pilot)
            assert table.sort == "findings"
            await pilot.press("S")
            await _settle(pilot)
            rows = [table.row(i) for i in range(5)]
            assert [r.findings for r in rows] == sorted((r.findings for r in rows), reverse=True)

    asyncio.run(go())


def test_navigate_to_a_finding(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            app.open_document(_doc(seeds_run, "001"))
            await _settle(pilot)
            screen = app.screen
            screen.query_one(TabbedContent).active = "tab-mt_artifacts"
            await _settle(pilot)
            findings = screen.query_one("#findings-mt_artifacts", OptionList)
            res = seeds_run.result(_doc(seeds_run, "001"), "mt_artifacts")
            target = next(i for i, f in enumerate(res.findings) if f.code == "mt.article")
            findings.focus()
            findings.highlighted = target
            await pilot.press("enter")
            await _settle(pilot)
            scroll = screen.query_one("#text-mt_artifacts")
            assert scroll.scroll_y > 10  # the article error sits near the end of the text

    asyncio.run(go())


def test_open_a_cluster_and_a_member(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            await pilot.press("c")
            await _settle(pilot)
            assert isinstance(app.screen, ClustersScreen)
            info = app.screen.query_one("#cluster-info")
            assert "story cluster" in _plain(info)
            members = app.screen.query_one("#cluster-members", OptionList)
            assert members.option_count == 3
            members.focus()
            members.highlighted = 0
            await pilot.press("enter")
            await _settle(pilot)
            assert isinstance(app.screen, DocumentScreen)

    asyncio.run(go())


def test_follow_an_entity_to_another_document(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            first = _doc(seeds_run, "000")
            app.open_document(first)
            await _settle(pilot)
            screen = app.screen
            screen.query_one(TabbedContent).active = "tab-linker"
            await _settle(pilot)
            ents = screen.query_one("#entity-list", OptionList)
            kirby = next(
                i
                for i in range(ents.option_count)
                if ents.get_option_at_index(i).id == "tm:john-kirby"
            )
            ents.focus()
            ents.highlighted = kirby
            await pilot.press("enter")
            await _settle(pilot)
            docs = screen.query_one("#entity-docs", OptionList)
            assert docs.option_count == 4
            docs.focus()
            docs.highlighted = 0
            await pilot.press("enter")
            await _settle(pilot)
            assert isinstance(app.screen, DocumentScreen) and app.screen.doc_id != first

    asyncio.run(go())


def test_entities_screen_lists_the_index(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            await pilot.press("e")
            await _settle(pilot)
            assert isinstance(app.screen, EntitiesScreen)
            table = app.screen.query_one("#entity-table")
            assert table.row_count > 20
            await pilot.press("slash")
            app.screen.query_one("#entity-search").value = "Kyiv"
            await pilot.press("enter")
            await _settle(pilot)
            assert table.row_count == 1

    asyncio.run(go())


def test_rerun_and_cancel(seeds_run) -> None:
    async def go() -> None:
        app = _app(seeds_run)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            await pilot.press("r")
            await _settle(pilot)
            screen = app.screen
            assert isinstance(screen, RunScreen)
            screen.start(())
            screen.action_cancel()
            for _ in range(200):
                await pilot.pause(0.05)
                if not screen.running:
                    break
            assert not screen.running
            assert "cancelled" in _plain(screen.query_one("#run-state"))
            # A full re-run after the cancel finishes and refreshes the timings.
            screen.start(())
            for _ in range(400):
                await pilot.pause(0.05)
                if not screen.running:
                    break
            assert not screen.running
            state = _plain(screen.query_one("#run-state"))
            assert ": ok" in state and "Error" not in state
            assert screen.bars  # a progress bar per stage that reported progress
            assert screen.query_one("#timings").row_count >= 5

    asyncio.run(go())


def test_help_and_remapped_keys(seeds_run) -> None:
    async def go() -> None:
        app = TextmillApp(seeds_run.store_path, seeds_run.config, bindings={"app.clusters": "k"})
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            await pilot.press("f1")
            await _settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await _settle(pilot)
            await pilot.press("k")
            await _settle(pilot)
            assert isinstance(app.screen, ClustersScreen)

    asyncio.run(go())


def test_markup_and_escape_sequences_show_as_text(tmp_path: Path) -> None:
    nasty = "[bold]Breaking[/bold] [link=http://evil.example]click[/link] \x1b[31mred\x1b[0m news today.\n\nMore text follows here."
    run = run_chain(
        [Document(id="nasty", raw=nasty, title="[blink]title[/blink]")],
        {"clean": ["unicode"]},
        tmp_path=tmp_path,
    )

    async def go() -> None:
        app = _app(run)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            table = app.screen.query_one(DocTable)
            assert "[blink]title[/blink]" in table._row_text(table.row(0)).plain
            app.open_document("nasty")
            await _settle(pilot)
            text = app.screen._generic("unicode").renderables[0].plain  # type: ignore[attr-defined]
            assert "unicode" in text
            cleaning = app.screen._cleaning()
            assert "[bold]Breaking[/bold]" in cleaning.plain
            assert "[link=http://evil.example]" in cleaning.plain
            assert "\x1b" not in cleaning.plain
            assert "␛[31m" in cleaning.plain
            svg = app.export_screenshot()
            assert "\x1b" not in svg

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
            await _settle(pilot)
            app.open_document(doc)
            await _settle(pilot)
            screen = app.screen
            tabs = {p.id for p in screen.query("TabPane")}
            assert {"tab-clean", "tab-checker", "tab-stamp", "tab-twins"} <= tabs
            assert {"tab-tagger", "tab-summer"} <= tabs
            # Only the first tab is built at once; the others are built when shown.
            assert not screen.query_one("#tab-stamp").children
            for pane in ("tab-checker", "tab-stamp", "tab-twins"):
                screen.query_one(TabbedContent).active = pane
                await _settle(pilot)
            stamp = screen.query_one("#tab-stamp").query_one(Static)
            assert _plain(stamp).startswith("stamped ")
            assert screen.query_one("#findings-checker", OptionList).option_count == len(
                run.result(doc, "checker").findings
            )
            aligned = _plain(screen.query_one("#aligned"))
            assert "this version" in aligned and "other version" in aligned
            assert "002_5556c43739a" in aligned
            assert "scrub.short" in screen._cleaning().plain
            await pilot.press("escape", "c")
            await _settle(pilot)
            info = _plain(app.screen.query_one("#cluster-info"))
            assert "story cluster" in info and "Summary" in info

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
        # Timings differ from run to run; the picture shows the column, not the figures.
        return {p: {**s, "seconds": 0.0} for p, s in real_stats(self).items()}

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
    ],
)
def test_screen_snapshots(fixed_run, snap_compare, name: str, keys: tuple[str, ...]) -> None:
    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot, 4)

    assert snap_compare(_app(fixed_run), press=keys, terminal_size=SIZE, run_before=settle)


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
            await _settle(pilot)
            screen = app.screen
            assert isinstance(screen, RunScreen)
            assert "No run yet" in _plain(screen.query_one("#run-state"))
            await pilot.press("r")
            for _ in range(400):
                await pilot.pause(0.05)
                if not screen.running:
                    break
            await _settle(pilot)
            assert ": ok" in _plain(screen.query_one("#run-state"))
            assert "read" in screen.bars
            await pilot.press("d")
            await _settle(pilot)
            assert isinstance(app.screen, CorpusScreen)
            assert app.screen.query_one(DocTable).total == 2

    asyncio.run(go())


@pytest.mark.parametrize("theme", ["textual-light", "ansi-dark", "ansi-light"])
def test_light_and_16_colour_themes_render(seeds_run, theme: str) -> None:
    async def go() -> None:
        app = TextmillApp(seeds_run.store_path, seeds_run.config, theme=theme)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            assert app.theme == theme
            svg = app.export_screenshot()
            assert "mt_artifacts" in svg and "documents" in svg

    asyncio.run(go())
