"""Character n-gram regression of the human score on a sentence pair, per source language.

A ridge regression over TF-IDF vectors of the character 2-4-grams of the source and of the
translation (scikit-learn's ``char_wb`` analyzer, sublinear term frequency, each side
L2-normalised), fitted on the human z-scores of the training split by
``benchmarks/train_quality.py`` and shipped as ``ngram_model.json.gz``: per source language and
side, each kept n-gram's idf and its coefficient. Its output is one feature of the bilingual
score (``ngram_z``). It learns what the words say about how hard a sentence is for the
translating system: Russian proverbs and sayings are translated much worse than forum posts,
some topics and registers worse than others. This carries over to text like the training data,
not to any text.

:func:`char_ngrams` reproduces scikit-learn's analyzer, so the shipped weights give the fitted
model's predictions without scikit-learn.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from textmill.errors import TextmillError

PATH = Path(__file__).with_name("ngram_model.json.gz")
NGRAM_RANGE = (2, 4)
_SPACES = re.compile(r"\s\s+")


def char_ngrams(text: str, ngram_range: tuple[int, int] = NGRAM_RANGE) -> list[str]:
    """Character n-grams inside word boundaries (each word padded with a space), of the
    lower-cased text: scikit-learn's ``char_wb`` analyzer."""
    lo, hi = ngram_range
    out: list[str] = []
    for word in _SPACES.sub(" ", text.lower()).split():
        w = f" {word} "
        for n in range(lo, hi + 1):
            if len(w) <= n:  # a word no longer than n counts once, as itself
                out.append(w)
                break
            out += [w[i : i + n] for i in range(len(w) - n + 1)]
    return out


def side_score(text: str, side: dict[str, list[float]]) -> float:
    """Coefficients · L2-normalised TF-IDF vector of ``text``; ``side`` maps an n-gram to
    ``[idf, coefficient]``."""
    dot = norm = 0.0
    for gram, tf in Counter(char_ngrams(text)).items():
        entry = side.get(gram)
        if entry is None:
            continue
        value = (1.0 + math.log(tf)) * entry[0]
        dot += value * entry[1]
        norm += value * value
    return dot / math.sqrt(norm) if norm else 0.0


def predict(model: dict[str, Any], translation: str, source: str) -> float:
    """The model's estimate of the human z-score of ``translation`` of ``source``."""
    return float(
        model["intercept"]
        + side_score(source, model["source"])
        + side_score(translation, model["target"])
    )


@lru_cache(maxsize=1)
def load() -> dict[str, dict[str, Any]]:
    """``{source language: model}``; empty when not shipped."""
    if not PATH.exists():
        return {}
    with gzip.open(PATH, "rt", encoding="utf-8") as fh:
        data: dict[str, dict[str, Any]] = json.load(fh)
    return data


def features(
    translation: str, source: str, source_lang: str | None, model: dict[str, Any] | None = None
) -> dict[str, float]:
    """``{"ngram_z": estimate}``, empty when no model exists for ``source_lang``."""
    if model is None:
        model = load().get(source_lang or "")
    if not model:
        return {}
    return {"ngram_z": predict(model, translation, source)}


def fit(
    translations: list[str],
    sources: list[str],
    y: list[float],
    *,
    max_features: int = 8000,
    alpha: float = 10.0,
) -> dict[str, Any]:
    """Fit the model (scikit-learn) and return it in the shipped form: for each side, the
    ``max_features`` most frequent n-grams seen in at least 3 sentences."""
    try:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import Ridge
    except ImportError:
        raise TextmillError(
            "training the n-gram model needs scikit-learn; install it with "
            "`pip install 'textmill[train]'`"
        ) from None

    def vectorizer() -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=NGRAM_RANGE,
            min_df=3,
            sublinear_tf=True,
            max_features=max_features,
        )

    vs, vt = vectorizer(), vectorizer()
    x = hstack([vs.fit_transform(sources), vt.fit_transform(translations)]).tocsr()
    ridge = Ridge(alpha=alpha).fit(x, y)
    n_src = len(vs.vocabulary_)

    def side(vec: TfidfVectorizer, coef: Any) -> dict[str, list[float]]:
        return {
            gram: [round(float(vec.idf_[j]), 4), round(float(coef[j]), 5)]
            for gram, j in sorted(vec.vocabulary_.items())
        }

    return {
        "intercept": round(float(ridge.intercept_), 6),
        "alpha": alpha,
        "source": side(vs, ridge.coef_[:n_src]),
        "target": side(vt, ridge.coef_[n_src:]),
    }
