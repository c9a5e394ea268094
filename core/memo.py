"""What a corpus hook keeps between runs: values it worked out from inputs that their keys name.

A corpus hook sees the whole corpus, so it runs again whenever anything it could see changed.
Most of its work is usually per document or per pair of documents (a document's MinHash
signature, the alignment of two versions, one cluster's summary), and most of that did not
change. ``corpus.memo`` (a :class:`Memo`) lets it keep such values: ``memo(key, compute)``
gives back the value kept under ``key``, or computes, keeps and gives back a new one.

A key must name everything the value was computed from (hash the texts, the members' ids, the
scores read…): the engine adds the plugin's name, version and settings, so a new version or
setting never sees an old value, but it cannot know what else the value depends on. A value is
JSON (``dict``, ``list``, ``str``, numbers, ``bool``, ``None``) or ``bytes`` (e.g. a numpy
array's ``tobytes()``). It is handed back as stored, through JSON, the first time too (a tuple
comes back a list, a dict's keys strings), so a run that computes a value and one that reads
it see the same thing, and results stay those of a fresh run.

The engine gives each corpus hook its own memo over the store (:class:`StoreMemo`), writes
what it kept as it goes (values stay valid whatever happens to the run), and when the hook
returns, drops the values it did not ask for this time, so the memo holds what the corpus
needs now. Under ``--force`` nothing is read back: every value is computed again. Outside a
run (a corpus built by hand, a benchmark's), :func:`memo_of` gives a memo that keeps nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from textmill.store.db import dumps, loads

if TYPE_CHECKING:
    from textmill.store import Store

T = TypeVar("T")

_BYTES = b"\x00"  # what a stored ``bytes`` value starts with (JSON text never does)
FLUSH_BYTES = 8 << 20  # kept values written once this many bytes wait


def encode(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return _BYTES + bytes(value)
    return dumps(value)


def decode(blob: bytes) -> Any:
    if blob[:1] == _BYTES:
        return blob[1:]
    return loads(blob)


class Memo:
    """A memo that keeps nothing: every value is computed (and handed back through JSON, as a
    kept one would be). :class:`StoreMemo` keeps them in the run store."""

    def __init__(self) -> None:
        self.hits = 0  # values given back without computing them
        self.misses = 0  # values computed

    def _stored(self, keys: list[str]) -> dict[str, bytes]:
        """The values kept under those of ``keys`` that have one."""
        return {}

    def _keep(self, key: str, blob: bytes) -> None:
        """Keep a value (as stored)."""

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The values kept under those of ``keys`` that have one."""
        found = self._stored(list(keys))
        self.hits += len(found)
        return {k: decode(blob) for k, blob in found.items()}

    def get(self, key: str) -> Any | None:
        """The value kept under ``key``, or ``None``."""
        return self.get_many([key]).get(key)

    def put(self, key: str, value: Any) -> Any:
        """Keep ``value`` under ``key``; returns it as it will be given back."""
        if value is None:
            raise ValueError("a memo cannot keep None (it means: nothing kept)")
        blob = encode(value)
        self._keep(key, blob)
        self.misses += 1
        return decode(blob)

    def __call__(self, key: str, compute: Callable[[], T]) -> T:
        """The value kept under ``key``, else ``compute()``, kept."""
        got = self.get(key)
        if got is None:
            got = self.put(key, compute())
        return got


class StoreMemo(Memo):
    """A corpus hook's memo in the run store (table ``memo``, one owner per plugin).

    ``prefix`` (the plugin's version and settings) is hashed into every stored key; with
    ``read=False`` (``--force``) nothing stored is given back. The engine calls
    :meth:`finish` when the hook is done."""

    def __init__(self, store: Store, owner: str, prefix: str, *, read: bool = True) -> None:
        super().__init__()
        from textmill.freshness import key as hash_key

        self.store = store
        self.owner = owner
        self.read = read
        self._hash = lambda k: hash_key(prefix, k)
        self._pending: dict[str, bytes] = {}  # stored key -> value, not written yet
        self._pending_bytes = 0
        self._used: set[str] = set()  # stored keys asked for or kept in this run

    def _stored(self, keys: list[str]) -> dict[str, bytes]:
        hashed = {self._hash(k): k for k in keys}
        self._used.update(hashed)
        found: dict[str, bytes] = {}
        for h, k in hashed.items():
            blob = self._pending.get(h)
            if blob is not None:
                found[k] = blob
        rest = [h for h in hashed if hashed[h] not in found]
        if rest and self.read:
            for h, blob in self.store.memo_get(self.owner, rest).items():
                found[hashed[h]] = blob
        return found

    def _keep(self, key: str, blob: bytes) -> None:
        h = self._hash(key)
        self._used.add(h)
        self._pending[h] = blob
        self._pending_bytes += len(blob)
        if self._pending_bytes >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the values kept so far."""
        if self._pending:
            with self.store.transaction() as tx:
                tx.memo_put(self.owner, self._pending.items())
            self._pending.clear()
            self._pending_bytes = 0

    def finish(self, ok: bool) -> None:
        """Write what waits; when the hook succeeded (``ok``), drop what it did not use."""
        self.flush()
        if ok:
            with self.store.transaction() as tx:
                tx.memo_keep(self.owner, self._used)


def memo_of(corpus: Any) -> Memo:
    """``corpus.memo``, or a memo of its own for a corpus that has none."""
    memo = getattr(corpus, "memo", None)
    return memo if isinstance(memo, Memo) else Memo()
