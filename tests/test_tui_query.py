"""The query paths the corpus table uses: a page started from the matches equals a page walked
in order, and status filters find errors from the results index."""

from __future__ import annotations

import pytest
import sample_plugins as sp
from textmill.query import parse_filter
from textmill.testing import SEEDS, run_chain


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    return run_chain(
        [SEEDS],
        {"quality": ["counter"]},
        plugins=[sp.Counter()],
        settings={"counter": {"fail_on": "001_"}},
        tmp_path=tmp_path_factory.mktemp("q"),
    )


@pytest.mark.parametrize(
    "expr",
    ["status:error", "plugin:counter status:error", "status:ok", "severity:info", "kirby", ""],
)
@pytest.mark.parametrize("sort", ["seq", "length", "findings", "score:counter"])
def test_few_and_walked_pages_agree(run, expr: str, sort: str) -> None:
    q = run.query
    f = parse_filter(expr)
    for descending in (False, True):
        walked = q.page(f, limit=3, sort=sort, descending=descending, with_total=False)
        started = q.page(f, limit=3, sort=sort, descending=descending, with_total=False, few=True)
        assert [r.id for r in walked.rows] == [r.id for r in started.rows]


def test_status_filter_finds_the_failed_document(run) -> None:
    q = run.query
    failed = q.page(parse_filter("plugin:counter status:error"), with_total=False).rows
    assert [r.id[:3] for r in failed] == ["001"]
    assert q.count(parse_filter("status:error")) == 1
    assert q.count(parse_filter("status:ok")) == 4
    assert q.count(parse_filter("plugin:unicode status:error")) == 0


def test_bounded_count(run) -> None:
    q = run.query
    f = parse_filter("status:ok")
    assert q.count(f, limit=2) == 2
    assert q.count(f, limit=100) == q.count(f) == 4
    assert q.count(None, limit=2) == 5  # no filter: the exact figure costs nothing


def test_table_counts_many_matches_in_the_background(run, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from textmill.tui import widgets
    from textmill.tui.app import TextmillApp
    from textmill.tui.widgets.doctable import DocTable

    monkeypatch.setattr(widgets.doctable, "FEW", 2)

    async def go() -> None:
        app = TextmillApp(run.store_path, run.config)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            table = app.screen.query_one(DocTable)
            table.refresh_rows(parse_filter("status:ok"))
            assert table.total == 2 and not table.exact  # the bounded count, at once
            for _ in range(100):
                await pilot.pause(0.02)
                if table.exact:
                    break
            assert table.total == 4 and table.exact
            assert [table.row(i).id[:3] for i in range(4)] == ["000", "002", "003", "004"]

    asyncio.run(go())
