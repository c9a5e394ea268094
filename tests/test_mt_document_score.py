"""The monolingual document score separates native news from machine translation, on real
development data read in place: BBC business articles that the document model was not trained
on (the first ones, which ``benchmarks/eval_precision.py`` evaluates) against WMT23 zh-en MT
outputs of the source documents ``benchmarks/train_document.py`` holds out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import eval_precision as ep  # noqa: E402

pytestmark = pytest.mark.skipif(
    not (ep.BBC.exists() and ep.MQM.exists()), reason="evaluation data not present"
)

N_BBC = 24
N_MT_DOCS = 3  # held-out source documents, all 10 systems' versions of each


def _score(text: str) -> float:
    from textmill.plugins.mt_artifacts.checks import run_checks
    from textmill.plugins.mt_artifacts.score import score_document

    return score_document(text, run_checks(text))[0]


@pytest.fixture(scope="module")
def scores() -> tuple[dict[str, float], dict[str, float]]:
    bbc = ep.bbc_docs(N_BBC)
    mqm, _ = ep.mqm_docs()
    docs = sorted({k.split("::")[0] for k in mqm})
    held = set(docs[1::2][:N_MT_DOCS])
    mt = {k: t for k, t in mqm.items() if k.split("::")[0] in held}
    return {k: _score(t) for k, t in bbc.items()}, {k: _score(t) for k, t in mt.items()}


def test_native_news_scores_higher_than_machine_translation(
    scores: tuple[dict[str, float], dict[str, float]],
) -> None:
    from sklearn.metrics import roc_auc_score

    native, mt = scores
    assert len(mt) == 10 * N_MT_DOCS
    mean_native = sum(native.values()) / len(native)
    mean_mt = sum(mt.values()) / len(mt)
    assert mean_native > mean_mt + 0.15, (mean_native, mean_mt)
    y = [1] * len(native) + [0] * len(mt)
    assert roc_auc_score(y, list(native.values()) + list(mt.values())) >= 0.8


def test_native_articles_use_the_upper_range(
    scores: tuple[dict[str, float], dict[str, float]],
) -> None:
    from textmill.plugins.mt_artifacts.score import label_of

    native, mt = scores
    labels = [label_of(s) for s in native.values()]
    # Most native articles are "good" (the cut-off is the native training articles' 10th
    # percentile), while most machine translations are not.
    assert labels.count("good") >= 0.7 * len(labels), labels
    assert sum(label_of(s) == "good" for s in mt.values()) <= 0.3 * len(mt)


def test_a_clean_native_article_is_good() -> None:
    text = ep.bbc_docs(1)["business/001"]
    assert text.startswith("Quarterly profits at US media giant TimeWarner")
    assert _score(text) >= 0.6


def test_one_sentence_keeps_the_sentence_score() -> None:
    # The document model is for whole documents: a single sentence is scored by the sentence
    # model alone (which the MLQE-PE figures measure).
    from textmill.plugins.mt_artifacts.score import load, pick_model, predict_raw

    text = "The company said its profits rose by a fifth in the last three months of the year."
    model = pick_model(load(), None, False)
    from textmill.plugins.mt_artifacts.checks import run_checks
    from textmill.plugins.mt_artifacts.score import _scored_rows, calibrate
    from textmill.sentences import split_spans

    spans = split_spans(text)
    assert len(spans) == 1
    _, _, rows, sent = _scored_rows(load(), text, spans, run_checks(text), None, None)
    assert _score(text) == round(float(sent[0]), 3)
    assert float(calibrate(model, predict_raw(model, rows))[0]) == pytest.approx(float(sent[0]))
