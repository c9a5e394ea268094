"""The line classifier: gradient-boosted decision trees over the line features.

The trees are trained by ``benchmarks/train_boilerplate.py`` (scikit-learn's
``GradientBoostingClassifier``) and shipped as JSON arrays (``weights.json``): for every node its
feature, threshold, children and leaf value. Pages read from HTML have their own trees
(``weights-html.json``; ``weights-html-resiliparse.json`` for resiliparse's vote), trained on the
same features and the markup's vote (a line's own and its neighbours'). Prediction walks every
tree at once with numpy and gives the same probabilities as scikit-learn (the training script
checks that before writing).
Trees, unlike a linear model, cannot extrapolate: a feature value beyond anything seen in
training lands in the outermost leaf, so an odd line never gets an extreme score from one odd
feature.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS = Path(__file__).with_name("weights.json")
HTML_WEIGHTS = Path(__file__).with_name("weights-html.json")


def html_weights(extractor: str = "trafilatura") -> Path:
    """The trees for pages read from HTML whose vote comes from ``extractor``."""
    return (
        HTML_WEIGHTS
        if extractor == "trafilatura"
        else HTML_WEIGHTS.with_name(f"weights-html-{extractor}.json")
    )


@dataclass(frozen=True)
class Forest:
    """All trees' nodes in flat arrays; a leaf has feature -1 and points to itself."""

    feature: np.ndarray  # int, -1 at leaves
    threshold: np.ndarray  # float32: go left when x <= threshold
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # leaf values, already scaled by the learning rate
    roots: np.ndarray
    depth: int
    init: float  # the log-odds every prediction starts from
    n_features: int


def forest_from_json(w: dict[str, Any]) -> Forest:
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    for tree in w["trees"]:
        base = len(feature)
        roots.append(base)
        for f, t, lo, hi, v in zip(
            tree["feature"],
            tree["threshold"],
            tree["left"],
            tree["right"],
            tree["value"],
            strict=True,
        ):
            leaf = f < 0
            node = len(feature)
            feature.append(-1 if leaf else f)
            threshold.append(t)
            left.append(node if leaf else base + lo)
            right.append(node if leaf else base + hi)
            value.append(v)
    return Forest(
        feature=np.asarray(feature, dtype=np.int64),
        threshold=np.asarray(threshold, dtype=np.float32),
        left=np.asarray(left, dtype=np.int64),
        right=np.asarray(right, dtype=np.int64),
        value=np.asarray(value, dtype=np.float64) * float(w["learning_rate"]),
        roots=np.asarray(roots, dtype=np.int64),
        depth=int(w["max_depth"]),
        init=float(w["init"]),
        n_features=len(w["features"]),
    )


def raw_scores(forest: Forest, x: np.ndarray) -> np.ndarray:
    """Log-odds of article text for each row of ``x``."""
    if x.shape[1] != forest.n_features:
        raise ValueError(
            f"boilerplate weights expect {forest.n_features} features, got {x.shape[1]}"
        )
    flat = x.astype(np.float32).ravel()
    # Each row's offset into ``flat``; a leaf reads feature 0, and goes to itself either way.
    base = (np.arange(len(x)) * x.shape[1])[:, None]
    feature = np.maximum(forest.feature, 0)
    node = np.broadcast_to(forest.roots, (len(x), len(forest.roots)))
    for _ in range(forest.depth):
        go_left = flat[base + feature[node]] <= forest.threshold[node]
        node = np.where(go_left, forest.left[node], forest.right[node])
    return forest.init + forest.value[node].sum(axis=1)


@lru_cache(maxsize=2)
def load(path: str = str(WEIGHTS)) -> Forest:
    return forest_from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def predict(x: np.ndarray, weights: Forest | None = None) -> np.ndarray:
    """Probability that each line is article text (not boilerplate)."""
    forest = weights or load()
    if len(x) == 0:
        return np.zeros(0)
    return 1.0 / (1.0 + np.exp(-raw_scores(forest, x)))
