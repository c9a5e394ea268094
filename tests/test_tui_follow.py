"""The UI follows a run that another writer makes on its store: it says a run is in progress
and shows the new results when the run ends."""

from __future__ import annotations

import asyncio
import threading

import pytest
import sample_plugins as sp
from test_tui import SIZE, until
from textmill.testing import SEEDS, run_chain
from textmill.tui import follow
from textmill.tui.app import TextmillApp
from textmill.tui.screens.corpus import CorpusScreen


def test_changed_tells_start_and_end() -> None:
    idle = follow.RunState("a", False, 1.0)
    live = follow.RunState("b", True, None)
    done = follow.RunState("b", False, 2.0)
    assert follow.changed(None, idle) is None
    assert follow.changed(None, live) == "started"
    assert follow.changed(idle, live) == "started"
    assert follow.changed(live, live) is None
    assert follow.changed(live, done) == "ended"
    assert follow.changed(idle, done) == "ended"  # a run came and went between two looks
    assert follow.changed(done, done) is None


def test_a_tui_open_during_a_run_shows_it_and_refreshes(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_chain([SEEDS], {"quality": ["slow"]}, tmp_path=tmp_path, plugins=[sp.slow])
    monkeypatch.setattr(follow, "EVERY", 0.1)
    monkeypatch.setenv("TEXTMILL_TEST_SLEEP", "0.5")
    errors: list[BaseException] = []

    def second_run() -> None:
        try:
            run_chain(
                [SEEDS],
                {"clean": ["unicode"], "quality": ["slow"]},
                tmp_path=tmp_path / "second",
                plugins=[sp.slow],
                store=first.store_path,
            )
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    async def go() -> None:
        app = TextmillApp(first.store_path, first.config)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CorpusScreen), "the corpus")
            before = app.screen
            assert isinstance(before, CorpusScreen) and "unicode" not in before.plugins
            assert not app.writing
            writer = threading.Thread(target=second_run)
            writer.start()
            await until(pilot, lambda: app.writing, "the run in progress")
            assert any("in progress" in (n.title or "") for n in app._notifications)
            await until(pilot, lambda: not writer.is_alive(), "the second run")
            await until(pilot, lambda: not app.writing, "the end of the run")
            await until(pilot, lambda: app.screen is not before, "the new corpus screen")
            after = app.screen
            assert isinstance(after, CorpusScreen) and "unicode" in after.plugins
            assert not any("in progress" in (n.title or "") for n in app._notifications)

    asyncio.run(go())
    assert not errors
