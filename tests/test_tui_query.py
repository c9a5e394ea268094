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


def test_table_filters_in_a_thread_and_counts_in_the_background(
    run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import time

    from textmill.tui import widgets
    from textmill.tui.app import TextmillApp
    from textmill.tui.widgets.doctable import DocTable

    monkeypatch.setattr(widgets.doctable, "FEW", 2)
    seen: list[tuple[int, bool]] = []

    async def go() -> None:
        app = TextmillApp(run.store_path, run.config)
        async with app.run_test(size=(140, 40)) as pilot:
            deadline = time.monotonic() + 60
            while not app.screen.query(DocTable):
                assert time.monotonic() < deadline, "the corpus table never came"
                await pilot.pause(0.02)
            table = app.screen.query_one(DocTable)
            real = table._loaded

            def loaded(generation, n, exact, rows):  # type: ignore[no-untyped-def]
                seen.append((n, exact))
                real(generation, n, exact, rows)

            monkeypatch.setattr(table, "_loaded", loaded)
            table.refresh_rows(parse_filter("status:ok"))
            assert table.fetching and table.row(0) is None  # the UI thread read nothing
            deadline = time.monotonic() + 60  # a loaded machine may take seconds
            while len(seen) < 2 or "4 documents" not in str(
                app.screen.query_one("#status").content
            ):
                assert time.monotonic() < deadline, "the filter's counts never came"
                await pilot.pause(0.02)
            # The bounded count (2, more may follow) with the first page, then the exact one.
            assert seen == [(2, False), (4, True)]
            assert table.total == 4 and not table.fetching
            assert [table.row(i).id[:3] for i in range(4)] == ["000", "002", "003", "004"]
            assert "4 documents" in str(app.screen.query_one("#status").content)

    asyncio.run(go())


@pytest.mark.parametrize("sort", ["seq", "id", "length", "findings", "score:counter"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("listed_max", [20_000, 0])  # unscored listed from indexes, or walked
def test_pages_from_an_edge_row_or_the_end_match_offsets(
    run, sort: str, descending: bool, listed_max: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus table reads a page after (or before) a cached one, and deep pages from the
    end; each must hold the same rows as the page at that offset."""
    from textmill import query

    monkeypatch.setattr(query, "LISTED_MAX", listed_max)
    q = query.Query(run.store_path)
    try:
        kw = {"sort": sort, "descending": descending, "with_total": False}
        every = [r.id for r in q.page(limit=50, **kw).rows]
        assert len(every) == 5
        if sort == "score:counter":
            assert every[-1].startswith("001")  # the failed document has no score: last
        first = q.page(limit=2, **kw).rows
        second = q.page(limit=2, after=first[-1], **kw).rows
        third = q.page(limit=2, after=second[-1], **kw).rows
        assert [r.id for r in first + second + third] == every
        assert [r.id for r in q.page(limit=2, before=third[0], **kw).rows] == every[2:4]
        assert [r.id for r in q.page(limit=2, before=second[0], **kw).rows] == every[:2]
        assert [r.id for r in q.page(limit=2, from_end=True, **kw).rows] == every[3:]
        assert [r.id for r in q.page(limit=2, offset=2, from_end=True, **kw).rows] == every[1:3]
    finally:
        q.close()


def test_sort_columns_hold_length_and_findings(run) -> None:
    q = run.query
    for row in q.page(limit=10, with_total=False).rows:
        view = q.document(row.id)
        assert row.length == len(view.doc.text)
        assert (
            row.findings == len(view.findings) == sum(r["findings"] for r in row.results.values())
        )
    by_findings = q.page(limit=10, sort="findings", descending=True, with_total=False).rows
    assert [r.findings for r in by_findings] == sorted(
        (r.findings for r in by_findings), reverse=True
    )
    assert by_findings[0].findings > 0


def test_finding_counts_follow_a_rerun_that_changes_them(tmp_path) -> None:
    # "Kirby" is in every seed; "Xi Jinping" in fewer places. A re-run with the other word must
    # leave each document's count (the findings sort) equal to its findings, up or down to 0.
    def counts(word: str) -> dict[str, tuple[int, int]]:
        out = run_chain(
            [SEEDS],
            {"quality": ["counter"]},
            plugins=[sp.Counter()],
            settings={"counter": {"word": word}},
            tmp_path=tmp_path,
            store=tmp_path / "store.sqlite",
        )
        try:
            rows = out.query.page(limit=10, with_total=False).rows
            return {r.id: (r.findings, len(out.document(r.id).findings)) for r in rows}
        finally:
            out.query.close()

    kirby = counts("Kirby")
    assert all(n == m > 0 for n, m in kirby.values())
    rare = counts("Zemlianitchenko")
    assert all(n == m for n, m in rare.values())
    assert sum(n for n, _ in rare.values()) < sum(n for n, _ in kirby.values())
    assert any(n == 0 for n, _ in rare.values())


def test_a_version_1_store_is_upgraded_when_opened(run, tmp_path) -> None:
    import shutil
    import sqlite3

    from textmill.query import Query

    old = tmp_path / "old.sqlite"
    shutil.copy(run.store_path, old)
    conn = sqlite3.connect(old)
    conn.executescript(
        "DROP INDEX documents_length; DROP INDEX documents_findings;"
        "ALTER TABLE documents DROP COLUMN length; ALTER TABLE documents DROP COLUMN n_findings;"
        "UPDATE meta SET value = '1' WHERE key = 'store_version';"
    )
    conn.close()
    q = Query.open(old)
    try:
        want = [(r.id, r.length, r.findings) for r in run.query.page(limit=10).rows]
        assert [(r.id, r.length, r.findings) for r in q.page(limit=10).rows] == want
        assert q.store.version() == 2
    finally:
        q.close()


@pytest.mark.parametrize("sort", ["seq", "id", "length", "findings", "score:counter"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("expr", ["", "status:ok"])
def test_a_page_from_a_position_matches_the_page_at_that_offset(
    run, sort: str, descending: bool, expr: str
) -> None:
    """A jump into the middle of an order starts from the nearest of every n-th row
    (Query.positions) and skips the rest; it must land on the rows at that offset."""
    q = run.query
    f = parse_filter(expr)
    kw = {"sort": sort, "descending": descending, "with_total": False}
    every = [r.id for r in q.page(f, limit=50, **kw).rows]
    for n in (1, 2):
        positions = q.positions(f, sort=sort, descending=descending, every=n)
        assert len(positions) == len(every) // n
        for j, anchor in enumerate(positions):
            for skip in range(n):
                start = (j + 1) * n + skip
                rows = q.page(f, after=anchor, offset=skip, limit=2, **kw).rows
                assert [r.id for r in rows] == every[start : start + 2]


def test_a_jump_to_the_middle_reads_positions_in_a_thread(
    run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A jump far from both ends has the positions of the order read in a thread. Meanwhile a
    column's order skips along its index; a score order shows placeholders. Either way the rows
    at that place follow."""
    import asyncio
    import time

    from textmill.tui import widgets
    from textmill.tui.app import TextmillApp
    from textmill.tui.widgets.doctable import DocTable

    monkeypatch.setattr(widgets.doctable, "PAGE", 1)
    monkeypatch.setattr(widgets.doctable, "NEAR", 1)
    monkeypatch.setattr(widgets.doctable, "EVERY", 1)
    monkeypatch.setattr(widgets.doctable, "FEW", 0)

    async def go() -> None:
        app = TextmillApp(run.store_path, run.config)
        async with app.run_test(size=(140, 40)) as pilot:
            while not app.screen.query(DocTable):
                await pilot.pause(0.02)
            table = app.screen.query_one(DocTable)
            for sort, placeholder in (("length", False), ("score:counter", True)):
                want = [r.id for r in run.query.page(limit=10, sort=sort, with_total=False).rows]
                table.sort = sort
                table.refresh_rows()
                assert table.row(0).id == want[0]  # the first page: from the start
                far = table.row(2)  # far from both ends
                assert (far is None) if placeholder else (far.id == want[2])
                deadline = time.monotonic() + 60
                while table.positions is None:
                    assert time.monotonic() < deadline, "the positions never came"
                    await pilot.pause(0.02)
                assert [table.row(i).id for i in range(5)] == want

    asyncio.run(go())
