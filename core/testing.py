"""A test kit for plugin authors (and textmill's own tests).

It is also a pytest plugin (entry point ``pytest11``), so these fixtures are available in any
project that has textmill installed:

- ``textmill_plugin``: register a plugin object for one test, unregistered afterwards.
- ``textmill_run``: run a real pipeline (real engine, real SQLite store in ``tmp_path``) on texts,
  ``Document`` objects or paths, and read the results back through the query layer.

Example::

    def test_my_plugin(textmill_run, textmill_plugin):
        textmill_plugin(my_plugin_module)
        outcome = textmill_run(["Some text."], chain={"quality": ["my_plugin"]})
        assert outcome.result("doc-0", "my_plugin").score == 1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from textmill import manager as _manager
from textmill.config import Config, parse
from textmill.engine import Engine, RunSummary
from textmill.manager import PluginManager
from textmill.model import Document, StageResult
from textmill.query import DocumentView, Query
from textmill.store import Store

REPO = Path(__file__).resolve().parents[1]


def _seeds() -> Path:
    # A source checkout (or editable install) has seeds/ at the top; an installed wheel carries
    # the same five files as package data in textmill/seeds/.
    here = Path(__file__).resolve().parent
    for folder in (REPO / "seeds", here / "seeds"):
        if folder.is_dir() and any(folder.glob("*.txt")):
            return folder
    return here / "seeds"


SEEDS = _seeds()


@contextmanager
def register_plugin(obj: object, name: str | None = None) -> Iterator[None]:
    """Make ``obj`` (a module or object with hook functions) load in every new PluginManager."""
    entry = (name or "", obj)
    _manager._EXTRA.append(entry)
    try:
        yield
    finally:
        _manager._EXTRA.remove(entry)


@dataclass
class RunOutcome:
    """What :func:`run_chain` returns: the summary and a query object on the run's store."""

    summary: RunSummary
    query: Query
    config: Config
    store_path: Path

    def document(self, doc_id: str) -> DocumentView:
        view = self.query.document(doc_id)
        if view is None:
            raise KeyError(doc_id)
        return view

    def result(self, doc_id: str, plugin: str) -> StageResult:
        return self.document(doc_id).results[plugin]

    def text(self, doc_id: str) -> str:
        return self.document(doc_id).doc.text

    def ids(self) -> list[str]:
        return [r.id for r in self.query.page(limit=10**9).rows]


def _write_inputs(inputs: Sequence[str | Document | Path], folder: Path) -> list[str]:
    paths: list[str] = []
    docs: list[Document] = []
    for i, item in enumerate(inputs):
        if isinstance(item, Path):
            paths.append(str(item))
        elif isinstance(item, Document):
            docs.append(item)
        else:
            docs.append(Document(id=f"doc-{i}", raw=item))
    if docs:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "inputs.jsonl"
        with open(path, "wb") as fh:
            for d in docs:
                rec: dict[str, Any] = {"id": d.id, "text": d.raw, "title": d.title, "meta": d.meta}
                if d.source_text is not None:
                    rec["source_text"] = d.source_text
                    rec["source_lang"] = d.source_lang
                if d.lang:
                    rec["lang"] = d.lang
                fh.write(orjson.dumps(rec) + b"\n")
        paths.append(str(path))
    return paths


def run_chain(
    inputs: Sequence[str | Document | Path],
    chain: dict[str, list[str]],
    *,
    tmp_path: Path,
    settings: dict[str, dict[str, Any]] | None = None,
    plugins: Iterable[object] = (),
    modules: Sequence[str] = (),
    workers: int = 1,
    fail_fast: bool = False,
    store: Path | None = None,
    run: dict[str, Any] | None = None,
    only: tuple[str, ...] = (),
    force: bool = False,
) -> RunOutcome:
    """Run a real pipeline and return its summary and a query object on its store.

    ``inputs`` are texts (ids ``doc-0``, ``doc-1``, ...), ``Document`` objects, or paths to
    files/folders. ``plugins`` are registered for this run only. ``run`` adds ``[run]``
    options (e.g. ``{"timeout": 5}``). ``only`` and ``force`` are ``textmill run``'s
    ``--only`` and ``--force``.
    """
    store_path = store or tmp_path / "store.sqlite"
    paths = _write_inputs(inputs, tmp_path / "inputs")
    data = {
        "input": {"paths": paths},
        "run": {
            "store": str(store_path),
            "workers": workers,
            "fail_fast": fail_fast,
            **(run or {}),
        },
        "load": {"modules": list(modules)},
        "chain": chain,
        "plugins": settings or {},
    }
    config = parse(data, None, tmp_path)
    extra = list(plugins)
    for obj in extra:
        _manager._EXTRA.append(("", obj))
    try:
        manager = PluginManager(config.load.modules, base_dir=tmp_path)
    finally:
        for obj in extra:
            _manager._EXTRA.remove(("", obj))
    with Store(store_path) as st:
        summary = Engine(config, manager, st, only=only, force=force).run()
    return RunOutcome(summary, Query(store_path), config, store_path)


def seed_documents() -> list[Document]:
    """The sample corpus as Documents, read the way the engine reads it."""
    from textmill.readers import read_paths

    return [d for d in read_paths([SEEDS]) if isinstance(d, Document)]


@pytest.fixture
def textmill_plugin() -> Iterator[Callable[[object], None]]:
    """Register plugin objects for the duration of one test."""
    registered: list[tuple[str, object]] = []

    def register(obj: object) -> None:
        entry = ("", obj)
        _manager._EXTRA.append(entry)
        registered.append(entry)

    try:
        yield register
    finally:
        for entry in registered:
            _manager._EXTRA.remove(entry)


@pytest.fixture
def textmill_run(tmp_path: Path) -> Callable[..., RunOutcome]:
    """``textmill_run(inputs, chain=..., settings=...)``: run a pipeline in ``tmp_path``."""

    counter = iter(range(10**6))

    def run(
        inputs: Sequence[str | Document | Path], chain: dict[str, list[str]], **kw: Any
    ) -> RunOutcome:
        kw.setdefault("tmp_path", tmp_path / f"run{next(counter)}")
        kw["tmp_path"].mkdir(parents=True, exist_ok=True)
        return run_chain(inputs, chain, **kw)

    return run
