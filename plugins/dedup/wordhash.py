"""Word hashes of many texts at once, with numpy and no Python object per word.

The words are those of ``re.findall(r"\\w+", text.casefold())``: the texts are case-folded,
joined and encoded as UTF-32, a table built from ``re`` itself marks word characters, and word
boundaries are where that mark changes. Each word is hashed from its characters by a polynomial
(mod 2**64) read off one prefix sum over the batch, so the hash depends only on the word:
the same in every process and every batch, with no vocabulary to keep.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

_WORD = re.compile(r"\w+")
_U64 = np.uint64
# Odd multipliers: the character polynomial's base, and the base of the per-text key over words.
_CHAR_BASE = 0x9E3779B97F4A7C15
_WORD_BASE = 0xC2B2AE3D27D4EB4F
# Power tables are built at least this long (a batch of about 500 news articles), and kept
# between batches up to four times that; a longer one is built for its batch and dropped.
_MIN_POWERS = 1 << 20
_KEEP_POWERS = 1 << 22


@cache
def _bmp_word_chars() -> np.ndarray:
    """Which characters of the Basic Multilingual Plane ``\\w`` matches, asked of ``re`` itself."""
    bmp = "".join(map(chr, range(0x10000)))
    marked = re.sub(r"\W", "\0", bmp).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(marked, dtype=np.uint32) != 0


def _is_word_char(cps: np.ndarray) -> np.ndarray:
    # Beyond the plane, "clip" reads U+FFFF (not a word character) until corrected below.
    marks = np.take(_bmp_word_chars(), cps, mode="clip")
    astral = np.flatnonzero(cps > 0xFFFF)
    if len(astral):
        # Rare (emoji, historic scripts): classify each distinct character once.
        uniq, inv = np.unique(cps[astral], return_inverse=True)
        marks[astral] = np.array([_WORD.match(chr(c)) is not None for c in uniq.tolist()])[inv]
    return marks


class _Powers:
    """``base**i`` and ``base**-i`` mod 2**64 for i = 0, 1, …, grown on demand."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.up = self.down = np.ones(1, dtype=np.uint64)

    def __call__(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n > len(self.up):
            size = max(n, 2 * len(self.up), _MIN_POWERS) if n <= _KEEP_POWERS else n
            up, down = (self._table(b, size) for b in (self.base, pow(self.base, -1, 2**64)))
            if size > _KEEP_POWERS:
                return up, down
            self.up, self.down = up, down
        return self.up[:n], self.down[:n]

    @staticmethod
    def _table(base: int, size: int) -> np.ndarray:
        # By doubling: the powers from m to 2m are the first m times base**m.
        table = np.empty(size, dtype=np.uint64)
        table[0], m = 1, 1
        while m < size:
            step = min(m, size - m)
            np.multiply(table[:step], _U64(pow(base, m, 2**64)), out=table[m : m + step])
            m += step
        return table


_char_powers = _Powers(_CHAR_BASE)
_word_powers = _Powers(_WORD_BASE)


def _mix(h: np.ndarray) -> np.ndarray:
    """The splitmix64 finalizer, in place: every output bit depends on every input bit."""
    h ^= h >> _U64(30)
    h *= _U64(0xBF58476D1CE4E5B9)
    h ^= h >> _U64(27)
    h *= _U64(0x94D049BB133111EB)
    h ^= h >> _U64(31)
    return h


@dataclass(frozen=True)
class WordBatch:
    """The words of a batch of texts: text ``i`` has ``hashes[offsets[i]:offsets[i + 1]]``."""

    hashes: np.ndarray  # uint64, one per word, in text order
    offsets: np.ndarray  # int64, len(texts) + 1

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def words(self, i: int) -> np.ndarray:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]

    def keys(self) -> np.ndarray:
        """A 64-bit key per text over its word sequence: texts whose words are equal get equal
        keys. Different texts collide only rarely, so a key is a candidate to compare, not proof."""
        h, off = self.hashes, self.offsets
        up, down = _word_powers(len(h) + 1)
        with np.errstate(over="ignore"):
            prefix = np.zeros(len(h) + 1, dtype=np.uint64)
            np.cumsum(h * up[: len(h)], out=prefix[1:])
            keys = (prefix[off[1:]] - prefix[off[:-1]]) * down[off[:-1]]
            return _mix(keys ^ np.diff(off).astype(np.uint64))


def _polynomials(cps: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``sum(c[i] * B**(i - s) for i in range(s, e))`` for every word ``[s, e)``, from prefix
    sums over windows of at most ``_KEEP_POWERS`` characters (a word longer than that gets a
    window of its own), so that a huge document needs no huge power table."""
    out = np.empty(len(starts), dtype=np.uint64)
    lo = 0
    while lo < len(starts):
        base = int(starts[lo]) - 1  # the non-word character before the window's first word
        hi = max(lo + 1, int(np.searchsorted(ends, base + _KEEP_POWERS, side="right")))
        window = cps[base : ends[hi - 1]]
        up, down = _char_powers(len(window))
        s, e = starts[lo:hi] - base, ends[lo:hi] - base
        with np.errstate(over="ignore"):
            upto = window * up
            np.cumsum(upto, out=upto)  # upto[i]: sum of c[j] * B**j for j <= i
            # Dividing by B**s makes the sum the word's own, wherever the word stands.
            out[lo:hi] = (upto[e - 1] - upto[s - 1]) * down[s]
        lo = hi
    return out


def hash_words(texts: Sequence[str]) -> WordBatch:
    """The word hashes of every text, computed over the batch at once."""
    folded = [t.lower() if t.isascii() else t.casefold() for t in texts]
    # A non-word character before, between and after the texts keeps words within one text.
    joined = "\0" + "\0".join(folded) + "\0"
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    marks = _is_word_char(cps)
    edges = np.flatnonzero(marks[1:] != marks[:-1]) + 1
    starts, ends = edges[0::2], edges[1::2]
    with np.errstate(over="ignore"):
        hashes = _mix(_polynomials(cps, starts, ends) ^ (ends - starts).astype(np.uint64))
    # The separator before each text, and the final one: the words between two belong to a text.
    seps = np.cumsum([0, *(len(t) + 1 for t in folded)])
    offsets = np.searchsorted(starts, seps).astype(np.int64)
    return WordBatch(hashes, offsets)


def word_hashes(text: str) -> np.ndarray:
    """The word hashes of one text (the same values :func:`hash_words` gives in any batch)."""
    return hash_words([text]).hashes
