"""The store package is the one owner of SQL and of the schema: a change of the tables touches
core/store/ alone, its migrations are the one source of the store's version, and every write
counts what it changed."""

from __future__ import annotations

import inspect
import io
import re
import sqlite3
import tokenize
from pathlib import Path

import pytest
import sample_plugins as sp
from conftest import REPO, SEEDS
from textmill import freshness
from textmill.model import Alignment, Cluster, ClusterMember, Document, Entity, Mention, Span
from textmill.store import CleanedText, NewDocument, ResultId, Store, Writer, generations
from textmill.store.rows import result_row
from textmill.store.schema import ENSURED, MIGRATIONS, STORE_VERSION
from textmill.testing import run_chain

SQL = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA)\s+(\w|\*|\()", re.MULTILINE
)
CALLS = re.compile(r"\.(execute|executemany|executescript)\(|\bsqlite3\b|\.conn\b")

# The linker's knowledge base is a separate SQLite file the linker builds and reads (`textmill
# kb build`), not the run store: its SQL belongs with the rest of the knowledge base code.
OWN_DATABASES = {"plugins/linker/kb.py"}


def _sources() -> list[Path]:
    return sorted(
        p
        for top in ("core", "plugins", "tui")
        for p in (REPO / top).rglob("*.py")
        if "__pycache__" not in p.parts
    )


def _sql_in(path: Path) -> list[str]:
    """The SQL statements (in string literals) and database calls (in code) of a module."""
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for tok in tokens:
        if tok.type == tokenize.STRING and SQL.search(tok.string):
            found.append(f"{tok.start[0]}: {tok.string[:60]}")
    code = "\n".join(
        line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()
    )
    found += [f"call {m.group(0)}" for m in CALLS.finditer(code)]
    return found


def test_sql_lives_in_the_store_package_alone() -> None:
    outside = {}
    for path in _sources():
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith("core/store/") or rel in OWN_DATABASES:
            continue
        found = _sql_in(path)
        if found:
            outside[rel] = found
    assert not outside, f"SQL or database calls outside core/store/: {outside}"
    # The check can fail: the store package itself is full of both.
    assert _sql_in(REPO / "core" / "store" / "writer.py")
    assert all(_sql_in(REPO / p) for p in OWN_DATABASES)


def test_the_migrations_are_the_one_source_of_the_version() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert MIGRATIONS[-1].version == STORE_VERSION
    writers = [
        p.relative_to(REPO).as_posix()
        for p in _sources()
        if "store_version" in p.read_text(encoding="utf-8")
    ]
    assert writers == ["core/store/schema.py"]


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    conn.close()
    return [(n, " ".join((s or "").split())) for n, s in rows]


def test_a_store_of_each_earlier_version_upgrades_to_the_schema_of_a_new_one(tmp_path) -> None:
    fresh = tmp_path / "new.sqlite"
    Store(fresh).close()
    for version in range(1, STORE_VERSION):
        old = tmp_path / f"v{version}.sqlite"
        conn = sqlite3.connect(old, isolation_level=None)
        for m in MIGRATIONS[:version]:
            m.apply(conn)
        for statement in ENSURED:
            conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('store_version', ?)", (str(version),))
        conn.execute(
            "INSERT INTO documents (id, seq, raw, raw_hash, text_hash) "
            "VALUES ('a', 1, 'Some text.', 'h', 'h')"
        )
        conn.close()
        with pytest.raises(Exception, match=f"version {version} store"):
            Store(old, readonly=True)
        with Store(old) as st:
            assert st.version() == STORE_VERSION
            assert st.document("a") is not None
        assert _schema(old) == _schema(fresh)


@pytest.fixture
def store(tmp_path):
    out = run_chain(
        [SEEDS],
        {"clean": ["upper"], "quality": ["counter"], "dedup": ["grouper"]},
        tmp_path=tmp_path,
        plugins=(sp.upper, sp.counter, sp.grouper),
    )
    out.query.close()
    with Store(out.store_path) as st:
        yield st


def _doc(st: Store) -> Document:
    first = next(st.iter_documents(1))[0]
    return first


# What each write of Writer is expected to count (see textmill.store.generations); an empty set
# for the writes nothing's freshness depends on. A new write method must be listed here.
def _writes(st: Store) -> dict[str, tuple[object, set[str]]]:
    doc = _doc(st)
    r = st.result(doc.id, "counter")
    assert r is not None
    cluster = Cluster("c1", "near", (ClusterMember(doc.id),), doc.id)
    entity = Entity("e1", "Kirby", "PERSON", (Mention(doc.id, Span(0, 5), "Kirby", "PERSON"),))
    align = Alignment("c1", doc.id, Span(0, 1), doc.id, Span(1, 2), 1.0)
    changed = Document(id=doc.id, raw=doc.raw + " More.")
    return {
        "start_run": (lambda tx: tx.start_run("r", {}), set()),
        "finish_run": (lambda tx: tx.finish_run("r", "ok", {}), set()),
        "put_documents": (
            lambda tx: tx.put_documents([NewDocument(changed, 1, "new", None)], "r"),
            {generations.DOCUMENTS},
        ),
        "start_ingest": (lambda tx: tx.start_ingest(), set()),
        "mark_seen": (lambda tx: (tx.start_ingest(), tx.mark_seen([1])), set()),
        "drop_unseen": (
            lambda tx: (tx.start_ingest(), tx.mark_seen([1]), tx.drop_unseen()),
            {generations.DOCUMENTS, generations.results("counter", "doc")},
        ),
        "set_texts": (
            lambda tx: tx.set_texts([CleanedText(doc.id, "NEW TEXT.", "cleaned")]),
            {generations.TEXTS},
        ),
        "refresh_search_index": (lambda tx: tx.refresh_search_index(), set()),
        "put_results": (
            lambda tx: tx.put_results(
                [result_row(r, "r")], [], [ResultId(doc.id, "counter", "doc")]
            ),
            {generations.results("counter", "doc")},
        ),
        "put_result": (lambda tx: tx.put_result(r, "r"), {generations.results("counter", "doc")}),
        "put_stage_results": (
            lambda tx: tx.put_stage_results([r], "r", "corpus"),
            {generations.results("counter", "corpus")},
        ),
        "clear_phase": (
            lambda tx: tx.clear_phase("counter", "doc"),
            {generations.results("counter", "doc")},
        ),
        "put_corpus_output": (
            lambda tx: tx.put_corpus_output(
                "grouper", "k", clusters=[cluster], alignments=[align], entities=[entity]
            ),
            {generations.cache("grouper", "corpus"), generations.results("grouper", "corpus")},
        ),
        "cache_put": (
            lambda tx: tx.cache_put("x", "kind", "k", {"a": 1}),
            {generations.cache("x", "kind")},
        ),
        "cache_drop": (lambda tx: tx.cache_drop("x", "kind"), {generations.cache("x", "kind")}),
        # A corpus hook's memo is read by that hook alone, under keys naming what it depends on.
        "memo_put": (lambda tx: tx.memo_put("x", [("k", b"v")]), set()),
        "memo_keep": (lambda tx: tx.memo_keep("x", ["k"]), set()),
        "defer_indexes": (lambda tx: tx.defer_indexes(), set()),
        "build_indexes": (lambda tx: tx.build_indexes(), set()),
    }


def test_every_write_counts_what_it_wrote(store) -> None:
    writes = _writes(store)
    public = {
        name
        for name, _ in inspect.getmembers(Writer, inspect.isfunction)
        if not name.startswith("_") and name not in ("flush", "generations")
    }
    assert public == set(writes), "list the new Writer method in _writes"
    for name, (write, counted) in writes.items():
        before = store.generations()
        with store.transaction() as tx:
            write(tx)
        after = store.generations()
        moved = {n for n in after if after[n] != before.get(n, 0)}
        assert counted <= moved, name
        if not counted:
            assert not moved, name


def test_a_check_holds_until_a_write_to_what_it_watches(store) -> None:
    fresh = freshness.Freshness(store)
    check = freshness.Check("t", "check", "sig", (generations.results("counter", "doc"),))
    assert fresh.fresh(check) is None
    fresh.record(check, {"n": 1})
    assert fresh.fresh(check) == {"n": 1}
    other = freshness.Check("t", "check", "other signature", check.watched)
    assert fresh.fresh(other) is None  # the same record, made for something else
    doc = _doc(store)
    r = store.result(doc.id, "grouper")
    assert r is not None
    with store.transaction() as tx:
        tx.put_result(r, "r")  # another plugin's results: not watched
    assert fresh.fresh(check) == {"n": 1}
    r = store.result(doc.id, "counter")
    assert r is not None
    with store.transaction() as tx:
        tx.put_result(r, "r")
    assert fresh.fresh(check) is None


def test_a_transaction_that_raises_writes_nothing(store) -> None:
    before = store.generations()
    doc = _doc(store)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.set_texts([CleanedText(doc.id, "GONE.", "gone")])
        raise RuntimeError("stop")
    assert store.generations() == before
    assert store.document(doc.id) == doc
