"""Expected errors: how many words of a sentence a post-editor would change.

The 0..1 score rates a sentence's quality whatever its length, while error counts (MQM, the
edits of post-editing) grow with length. The expected error count of a sentence is its number of
content words times the share of content words that post-editors changed in training
translations of the same score: a monotone map from score to share, fitted by
``benchmarks/train_quality.py`` on the word-level tags of the post-editing training split
(which machine-translated words the human post-edit changed) and saved with each model as
points (``errors_x``, ``errors_y``). A document's expected errors are the sum over its sentences.

Content words are words other than the most frequent English function words
(:data:`~.lexicon.FUNCTION_WORDS`).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from textmill.plugins.mt_artifacts.lexicon import FUNCTION_WORDS

# A word: letters of any script, with inner apostrophes, full stops or hyphens (don't, U.S,
# co-op).
_WORD = re.compile(r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*")


def is_content(token: str) -> bool:
    """Whether one token (of tokenized text) is a content word."""
    return bool(_WORD.fullmatch(token)) and token.lower() not in FUNCTION_WORDS


def content_words(text: str) -> int:
    """The number of content words in ``text``."""
    return sum(w.lower() not in FUNCTION_WORDS for w in _WORD.findall(text))


def expected_errors(model: dict[str, Any], scores: np.ndarray, texts: list[str]) -> np.ndarray:
    """Expected changed words of each sentence (``texts``) given its calibrated ``scores``;
    zeros when the model has no error map."""
    if "errors_x" not in model:
        return np.zeros(len(texts))
    share = np.interp(scores, model["errors_x"], model["errors_y"])
    return np.asarray(share * np.array([content_words(t) for t in texts], dtype=float))
