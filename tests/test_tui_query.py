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
