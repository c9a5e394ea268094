"""The rule-based sentence splitter: on the sample corpus, and its fast boundary search."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from textmill import sentences
from textmill.sentences import split, split_spans
from textmill.testing import SEEDS

PIECES = [".", "!", "?", "…", '"', "'", "”", "’", ")", "]", "(", "“", " ", "\n", "\t"]
PIECES += ["A", "Z", "0", "a", "Mr", "e.g", "U.S", "x", "À", ",", "-", "\n\n"]


def test_seed_sentences_keep_titles_and_initials_inside() -> None:
    text = next(SEEDS.glob("001_*")).read_text(encoding="utf-8")
    spans = split_spans(text)
    assert all(a < b <= c for (a, b), (c, _) in pairwise(spans))
    assert all(text[a:b] == text[a:b].strip() for a, b in spans)
    found = split(text)
    oertel = [s for s in found if "Dr. Oertel" in s]
    assert len(oertel) == 1
    assert oertel[0].startswith("Beijing, however,") and oertel[0].endswith("further.")
    assert "Messrs. Putin and Xi" in oertel[0]
    # A title never ends a sentence: no sentence starts with the name after "Mr.".
    names = set(re.findall(r"Mr\. (\w+)", text))
    assert names >= {"Kirby", "Xi", "Zelensky", "Putin"}
    assert not [s for s in found if s.split()[0] in names]
    assert "Copyright ©2022 Dow Jones & Company, Inc. All rights reserved." in found


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_boundary_search_finds_what_the_pattern_finds(text: str) -> None:
    # The search tries the pattern only at end marks found with str.find; it must agree with
    # the pattern's own scan of every position.
    def key(m: re.Match[str]) -> tuple:
        return (m.span(), m.groups())

    fast = sentences._boundaries(text, 0, len(text))
    assert [key(m) for m in fast] == [key(m) for m in sentences._BOUNDARY.finditer(text)]
    if len(text) > 4:
        inner = sentences._boundaries(text, 2, len(text) - 2)
        assert [key(m) for m in inner] == [
            key(m) for m in sentences._BOUNDARY.finditer(text, 2, len(text) - 2)
        ]
