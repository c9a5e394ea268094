"""The calibrated 0..1 quality score, per sentence and per document.

A regression over :mod:`.features`, trained on human direct-assessment z-scores of machine
translations into English (``benchmarks/train_quality.py``), then mapped to 0..1 by an isotonic
calibration onto the percentile of the human score: 0.3 means "about 30% of the human-judged
training translations were worse". Two modes: monolingual (the English text alone) and
bilingual (with the source; a model per source language where one was trained, else a pooled
one). Weights, scaler and calibration points ship as JSON and are applied with numpy.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from textmill import Finding
from textmill.parse import Parsed
from textmill.plugins.mt_artifacts.errors import expected_errors
from textmill.plugins.mt_artifacts.features import (
    WORD,
    Tables,
    bilingual_features,
    finding_features,
    fluency_features,
    parse_features,
)
from textmill.sentences import split_spans

WEIGHTS = Path(__file__).with_name("qe_model.json")
_SOURCE_END = re.compile(r"(?<=[.!?।॥])\s+")


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    return json.loads(WEIGHTS.read_text(encoding="utf-8"))


def _vector(member: dict[str, Any], feats: dict[str, float]) -> np.ndarray:
    # A count or indicator ("code:...", "src:...") absent from a sentence is 0; any other
    # feature the model knows but this sentence lacks (no parser) takes its training mean.
    mean = member["mean"]
    return np.array(
        [
            feats.get(name, 0.0 if ":" in name else mean[i])
            for i, name in enumerate(member["features"])
        ],
        dtype=float,
    )


def _member_raw(member: dict[str, Any], rows: list[dict[str, float]]) -> np.ndarray:
    x = np.vstack([_vector(member, f) for f in rows])
    h = (x - np.asarray(member["mean"])) / np.asarray(member["scale"])
    if "clip" in member:  # inputs beyond the training range are held at its edge
        h = np.clip(h, member["clip"][0], member["clip"][1])
    for layer in member.get("hidden", []):
        h = np.maximum(0.0, h @ np.asarray(layer["w"]) + np.asarray(layer["b"]))
    return np.asarray(h @ np.asarray(member["coef"]) + member["intercept"], dtype=float)


def predict_raw(model: dict[str, Any], rows: list[dict[str, float]]) -> np.ndarray:
    """The model's uncalibrated output (a z-score estimate) for feature dicts ``rows``: the
    weighted mean of its members (ridge regressions and small ReLU networks)."""
    total = np.zeros(len(rows))
    for member in model["members"]:
        total += member.get("weight", 1.0) * _member_raw(member, rows)
    return total / sum(m.get("weight", 1.0) for m in model["members"])


def calibrate(model: dict[str, Any], raw: np.ndarray) -> np.ndarray:
    return np.clip(np.interp(raw, model["calib_x"], model["calib_y"]), 0.0, 1.0)


def pick_model(weights: dict[str, Any], source_lang: str | None, bilingual: bool) -> dict[str, Any]:
    """The monolingual model, or the bilingual one for ``source_lang`` (pooled if none)."""
    if not bilingual:
        return dict(weights["monolingual"])
    bi = weights["bilingual"]
    model = dict(bi["pairs"].get(source_lang or "", bi["pooled"]))
    # Members shared with the pooled model are stored once, by reference.
    members = []
    for m in model["members"]:
        if isinstance(m, dict) and "shared" in m:
            members += [
                dict(x, weight=m["weight"] / len(bi["shared"][m["shared"]]))
                for x in bi["shared"][m["shared"]]
            ]
        else:
            members.append(m)
    model["members"] = members
    return model


def bilingual_language(
    weights: dict[str, Any], source_text: str | None, source_lang: str | None
) -> str | None:
    """The source language whose bilingual model applies, or None for monolingual scoring.

    An undeclared language is identified from the source. Bilingual models exist only for the
    source languages they were trained on: the length and lexical features of a pair do not
    carry over to another language (on Chinese sources the pooled model ranks worse than the
    monolingual one), so other sources are scored monolingually; the bilingual rules still
    report their findings."""
    if not source_text or not source_text.strip():
        return None
    if source_lang is None:
        from textmill.plugins.mt_artifacts.bilingual import identify

        source_lang = identify(source_text)[0]
    return source_lang if source_lang in weights["bilingual"]["pairs"] else None


def sentence_features(
    text: str,
    tokens: Sequence[Any] | None,
    findings: Sequence[Finding],
    source: str | None = None,
    source_lang: str | None = None,
    tables: Tables | None = None,
) -> dict[str, float]:
    """All features of one sentence; ``tokens`` are its spaCy tokens (None without a parser);
    ``tables`` replace the shipped lexicon and n-gram model (for training)."""
    feats = fluency_features(text)
    if tokens:
        feats.update(parse_features(tokens))
    feats.update(finding_features(findings, len(WORD.findall(text))))
    if source is not None:
        feats.update(bilingual_features(text, source, source_lang, tables))
    return feats


def _sentence_tokens(parsed: Parsed | None) -> tuple[list[int], list[Any]] | None:
    """The parse's tokens and their starts in the text (None without a parser)."""
    if parsed is None or not parsed.statistical:
        return None
    starts, tokens = [], []
    for start, tok in parsed.tokens():
        starts.append(start)
        tokens.append(tok)
    return starts, tokens


def _split_source(source: str) -> list[str]:
    spans = split_spans(source)
    out: list[str] = []
    for a, b in spans:
        out += [s for s in _SOURCE_END.split(source[a:b]) if s.strip()]
    return out


def label_of(score: float) -> str:
    """The word for a 0..1 score: "poor" below 0.35, "fair" below 0.6, else "good"."""
    return "poor" if score < 0.35 else "fair" if score < 0.6 else "good"


def _scored_rows(
    weights: dict[str, Any],
    text: str,
    spans: list[tuple[int, int]],
    findings: Sequence[Finding],
    source_text: str | None,
    source_lang: str | None,
    parsed: Parsed | None = None,
) -> tuple[dict[str, Any], bool, list[dict[str, float]], np.ndarray]:
    """``(sentence model, bilingual?, feature dict per sentence, calibrated sentence scores)``;
    ``parsed`` is the shared parse of ``text`` (parsed here when not given)."""
    source_lang = bilingual_language(weights, source_text, source_lang)
    bilingual = source_lang is not None
    model = pick_model(weights, source_lang, bilingual)
    if parsed is None:
        from textmill.plugins.mt_artifacts.checks import own_parse

        parsed = own_parse(text)
    toks = _sentence_tokens(parsed)
    starts, all_tokens = toks if toks else ([], [])
    # Findings by start, so each sentence finds its own by bisection (linear in a long text).
    anywhere = [f for f in findings if f.span is None]
    placed = sorted((f for f in findings if f.span is not None), key=lambda f: f.span.start)  # type: ignore[union-attr]
    placed_starts = [f.span.start for f in placed]  # type: ignore[union-attr]
    sources: list[str | None] = [None] * len(spans)
    doc_bi: dict[str, float] = {}
    if source_lang is not None and source_text is not None:
        src_sents = _split_source(source_text)
        if len(src_sents) == len(spans):
            sources = list(src_sents)
        else:
            doc_bi = bilingual_features(text, source_text, source_lang)
    rows = []
    for (a, b), src in zip(spans, sources, strict=True):
        own = anywhere + placed[bisect_left(placed_starts, a) : bisect_left(placed_starts, b)]
        sent_tokens = all_tokens[bisect_left(starts, a) : bisect_left(starts, b)] if toks else None
        feats = sentence_features(text[a:b], sent_tokens, own, src, source_lang)
        if doc_bi:
            feats.update(doc_bi)
        rows.append(feats)
    return model, bilingual, rows, calibrate(model, predict_raw(model, rows))


def monolingual_document_features(
    text: str, findings: Sequence[Finding], parsed: Parsed | None = None
) -> dict[str, float] | None:
    """:func:`document_features` of ``text`` scored monolingually (None for empty text); for
    training the document model."""
    spans = split_spans(text)
    if not spans:
        return None
    _, _, rows, scores = _scored_rows(load(), text, spans, findings, None, None, parsed)
    lengths = np.array([b - a for a, b in spans], dtype=float)
    feats = document_features(rows, scores, lengths)
    feats["n_sentences"] = float(len(spans))
    return feats


def score_document(
    text: str,
    findings: list[Finding],
    *,
    source_text: str | None = None,
    source_lang: str | None = None,
    parsed: Parsed | None = None,
) -> tuple[float, list[dict[str, Any]]]:
    """``(document score, [{"start", "end", "score", "errors"}])``, scores in 0..1 (1 = good);
    ``errors`` is the sentence's expected number of words a post-editor would change
    (:mod:`.errors`).

    Bilingual when ``source_text`` is given in a language a bilingual model was trained on (see
    :func:`bilingual_language`), monolingual otherwise.
    The bilingual document score is the length-weighted mean of its sentence scores; the
    monolingual one comes from the document model (:func:`document_score`). With a source whose
    sentence count matches, sentence i is compared with source sentence i; otherwise every
    sentence gets the whole-document source features. ``parsed`` is the shared parse of
    ``text`` (parsed here when not given).
    """
    spans = split_spans(text)
    if not spans:
        return 1.0, []
    weights = load()
    model, bilingual, rows, scores = _scored_rows(
        weights, text, spans, findings, source_text, source_lang, parsed
    )
    lengths = np.array([b - a for a, b in spans], dtype=float)
    doc = float(np.average(scores, weights=lengths))
    if not bilingual and "document" in weights:
        doc = document_score(weights["document"], rows, scores, lengths)
    errors = expected_errors(model, scores, [text[a:b] for a, b in spans])
    sentences = [
        {"start": a, "end": b, "score": round(float(s), 3), "errors": round(float(e), 2)}
        for (a, b), s, e in zip(spans, scores, errors, strict=True)
    ]
    return round(doc, 3), sentences


def document_features(
    rows: list[dict[str, float]], scores: np.ndarray, lengths: np.ndarray
) -> dict[str, float]:
    """Features of a whole document: each sentence feature's length-weighted mean over its
    sentences, and the mean, lower decile and spread of the sentence scores."""
    w = lengths / lengths.sum()
    names = sorted({k for r in rows for k in r})
    out = {
        f"mean:{n}": float(sum(wi * r.get(n, 0.0) for wi, r in zip(w, rows, strict=True)))
        for n in names
    }
    out["sentence_score"] = float(np.dot(w, scores))
    out["sentence_score_p10"] = float(np.quantile(scores, 0.1))
    out["sentence_score_sd"] = float(np.sqrt(np.dot(w, (scores - np.dot(w, scores)) ** 2)))
    return out


def document_raw(model: dict[str, Any], feats: dict[str, float]) -> float:
    """The document model's log-odds of native over machine-translated text."""
    x = np.array([feats.get(n, m) for n, m in zip(model["features"], model["mean"], strict=True)])
    h = np.clip((x - np.asarray(model["mean"])) / np.asarray(model["scale"]), -6.0, 6.0)
    return float(h @ np.asarray(model["coef"]) + model["intercept"])


def document_score(
    model: dict[str, Any], rows: list[dict[str, float]], scores: np.ndarray, lengths: np.ndarray
) -> float:
    """The monolingual document score: the document model's probability that the text is
    native (not machine-translated), mapped onto 0..1 through knots set from the training
    documents so that the "fair" and "good" cut-offs of :func:`label_of` fall where the
    training distributions put them (see ``benchmarks/train_document.py``). A document of
    at most ``ramp[0]`` sentences keeps the mean sentence score, one of ``ramp[1]`` or more
    gets the document model's, and lengths between get a linear blend: the document model was
    fitted on whole articles, and on short texts (the items of the quality set have up to 7
    sentences) it would lower the sentence model's correlation with human scores."""
    mean = float(np.average(scores, weights=lengths))
    raw = document_raw(model, document_features(rows, scores, lengths))
    p = 1.0 / (1.0 + np.exp(-raw))
    mapped = float(np.interp(p, model["knots_p"], model["knots_score"]))
    lo, hi = model["ramp"]
    w = min(1.0, max(0.0, (len(rows) - lo) / (hi - lo)))
    return w * mapped + (1.0 - w) * mean
