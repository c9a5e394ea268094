"""The two-pass line classifier: logistic regression on line features, then again with the
first pass's probabilities of the neighbouring lines (context smoothing).

Weights are trained by ``benchmarks/train_boilerplate.py`` and shipped as JSON.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS = Path(__file__).with_name("weights.json")


def neighbour_features(p: np.ndarray) -> np.ndarray:
    """Per line: previous and next line's probability, and the mean over two lines each side."""
    n = len(p)
    if n == 0:
        return np.zeros((0, 3))
    pad = np.concatenate([[1.0, 1.0], p, [1.0, 1.0]])
    prev = pad[1 : n + 1]
    nxt = pad[3 : n + 3]
    mean = (pad[0:n] + pad[1 : n + 1] + pad[3 : n + 3] + pad[4 : n + 4]) / 4
    return np.stack([prev, nxt, mean], axis=1)


# Pairwise products of these features let a linear model express "long AND stop-word rich AND
# ending a sentence", which single features cannot; page-relative features compare a line with
# the page's typical line.
_KEY = (
    "log_words",
    "stop_ratio",
    "ends_sentence",
    "punct_ratio",
    "links",
    "position",
    "context_long",
    "context_long_wide",
    "short_run_log",
    "title_ratio",
)


def expand(x: np.ndarray) -> np.ndarray:
    """Line features plus pairwise products of the key ones and page-relative features."""
    from textmill.plugins.boilerplate.features import FEATURES

    if len(x) == 0:
        return np.zeros((0, x.shape[1] + len(_KEY) * (len(_KEY) + 1) // 2 + 4))
    idx = [FEATURES.index(n) for n in _KEY]
    inter = [x[:, i] * x[:, j] for a, i in enumerate(idx) for j in idx[a:]]
    base = x[:, [0, 2, 4]]
    rel = base - np.median(base, axis=0)
    longest = x[:, [0]] - x[:, 0].max()
    return np.hstack([x, np.stack(inter, axis=1), rel, longest])


def _apply(layer: dict[str, Any], x: np.ndarray) -> np.ndarray:
    z = (x - np.asarray(layer["mean"])) / np.asarray(layer["scale"])
    logits = z @ np.asarray(layer["coef"]) + float(layer["intercept"])
    return 1.0 / (1.0 + np.exp(-logits))


@lru_cache(maxsize=1)
def load(path: str = str(WEIGHTS)) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def predict(x: np.ndarray, weights: dict[str, Any] | None = None) -> np.ndarray:
    """Probability that each line is article text (not boilerplate)."""
    w = weights or load()
    if len(x) == 0:
        return np.zeros(0)
    if w.get("expand"):
        x = expand(x)
    p1 = _apply(w["pass1"], x)
    return _apply(w["pass2"], np.hstack([x, neighbour_features(p1)]))
