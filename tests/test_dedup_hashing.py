"""Dedup's vectorized word hashing, signatures and LSH against their plain definitions."""

from __future__ import annotations

import re

import numpy as np
import pytest
from textmill.plugins.dedup.minhash import LSHIndex, MinHasher, estimated_jaccard, lsh_pairs
from textmill.plugins.dedup.normalize import normalized
from textmill.plugins.dedup.wordhash import hash_words, word_hashes
from textmill.testing import SEEDS

# Case folding that changes length, ligatures, title case, astral letters and emoji, a lone
# surrogate, non-Latin digits, dashes and quotes between words, NUL characters.
EDGES = [
    "Straße STRASSE strasse",
    "İstanbul ǅemal ﬁne ΣΊΣΥΦΟΣ",
    "𝐀𝐁c_d 😀x😀y \ud800abc",
    "١٢٣ ½ ² x²",
    "an—em—dash “quoted” it’s",
    "\0a\0b",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def seeds() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def test_batch_words_are_the_words_re_finds(seeds: list[str]) -> None:
    texts = [*seeds, *EDGES]
    batch = hash_words(texts)
    assert len(batch) == len(texts)
    for i, text in enumerate(texts):
        words = re.findall(r"\w+", text.casefold())
        assert len(batch.words(i)) == len(words), text[:40]
        # Each word alone hashes to the value it has inside its batch.
        one_by_one = [word_hashes(w)[0] for w in words]
        assert batch.words(i).tolist() == [int(h) for h in one_by_one], text[:40]
    # The same text in another batch, at another position, has the same hashes.
    again = hash_words([*reversed(texts)])
    assert again.words(len(texts) - 1).tolist() == batch.words(0).tolist()
    # Folded case: "Straße", "STRASSE" and "strasse" are one word.
    assert len(set(word_hashes(EDGES[0]).tolist())) == 1


def test_distinct_words_get_distinct_hashes(seeds: list[str]) -> None:
    vocab = sorted({w for t in seeds for w in re.findall(r"\w+", t.casefold())})
    assert len(vocab) > 500
    hashes = hash_words(vocab).hashes
    assert len(hashes) == len(vocab)
    assert len(set(hashes.tolist())) == len(vocab)


def test_keys_are_equal_exactly_for_equal_normalized_texts(seeds: list[str]) -> None:
    base = seeds[3]
    texts = [
        *seeds,
        base.upper(),
        re.sub(r"[,.;:]", " ", base),
        base.replace("Kirby", "Kerby", 1),
        base.replace("Kirby ", "", 1),
        "",
        " ... ",
    ]
    keys = hash_words(texts).keys().tolist()
    norms = [normalized(t) for t in texts]
    for i in range(len(texts)):
        for j in range(len(texts)):
            assert (keys[i] == keys[j]) == (norms[i] == norms[j]), (i, j)
    assert keys[3] == keys[5] == keys[6] != keys[7]


def test_batch_signatures_equal_one_text_signatures(seeds: list[str]) -> None:
    h = MinHasher(128, 5)
    texts = [*seeds, "only three words", "", *EDGES]
    sigs = h.signatures(hash_words(texts))
    assert sigs.shape == (len(texts), 128) and sigs.dtype == np.uint32
    for i, text in enumerate(texts):
        assert np.array_equal(sigs[i], h.signature(word_hashes(text))), text[:40]
    assert not (sigs == np.iinfo(np.uint32).max).any()  # every empty bin borrowed a value
    # A text shorter than the shingle has one shingle: one bin holds it, the others borrow it.
    short = sigs[len(seeds)]
    values = set(short.tolist())
    assert len(values) == 2
    v = min(values, key=lambda x: short.tolist().count(x))
    assert values == {v, v ^ 0x9E3779B1}


@pytest.mark.parametrize("max_bucket", [200, 2])
def test_lsh_pairs_match_a_bucket_index(seeds: list[str], max_bucket: int) -> None:
    edited = seeds[3].replace("Kirby", "Kirby,", 1).replace(" the ", " a ", 2)
    texts = [*seeds, edited, seeds[3], seeds[3].lower(), seeds[0]]
    h = MinHasher(128, 5)
    sigs = h.signatures(hash_words(texts))
    index = LSHIndex(128, 32)
    for i, sig in enumerate(sigs):
        index.add(i, sig)
    pairs = lsh_pairs(sigs, 32, max_bucket=max_bucket)
    assert pairs.shape[1] == 2 and (pairs[:, 0] < pairs[:, 1]).all()
    assert [tuple(p) for p in pairs.tolist()] == sorted(index.pairs(max_bucket=max_bucket))
    found = set(map(tuple, pairs.tolist()))
    assert {(3, 5), (3, 6), (3, 7), (0, 8)} <= found
    if max_bucket == 2:  # four copies of seed 3 share buckets: chained to the first
        assert (5, 6) not in found
    else:
        assert (5, 6) in found
    # Dropping loosely similar pairs band by band keeps exactly the pairs that agree enough.
    agree = estimated_jaccard(sigs, pairs)
    assert agree.min() < 0.97 < agree.max()
    strict = lsh_pairs(sigs, 32, max_bucket=max_bucket, min_agreement=0.97)
    assert strict.tolist() == pairs[agree >= 0.97].tolist()
