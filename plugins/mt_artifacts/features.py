"""Features of one translated sentence for the quality score.

Every feature function returns a ``{name: value}`` dict; the model file lists the names it was
trained on, so a feature added here is ignored by older weights instead of shifting columns.

- :func:`fluency_features`: word rarity from wordfreq (mean/max Zipf deficit, rare and
  out-of-vocabulary share), casing, punctuation, repeats and foreign script.
- :func:`parse_features`: spaCy parse of the sentence (extra roots = fragments, a verbless
  root, unlabelled ``dep`` arcs, arc length, tree depth, subjects).
- :func:`finding_features`: the checks' findings in the sentence, counted per code.
- :func:`bilingual_features`: with a source, length ratio, number/punctuation/name agreement,
  copied source text, language of both sides, lexical translation coverage (:mod:`.lexicon`)
  and the character n-gram model's estimate (:mod:`.ngrams`).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from textmill import Finding
from wordfreq import zipf_frequency

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_PUNCT = ".,;:!?\"'()[]«»“”„-–—"
# Zipf frequency under which an English word counts as rare (about once per 10 million words).
RARE_ZIPF = 3.0
GOOD_ZIPF = 5.0


def _is_latin(ch: str) -> bool:
    return ch.isalpha() and (ch.isascii() or "\u00c0" <= ch <= "\u024f")


def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


def fluency_features(text: str) -> dict[str, float]:
    """Surface fluency of one English sentence."""
    words = WORD.findall(text)
    n = max(1, len(words))
    lower = [w.lower() for w in words]
    zipfs = [_zipf(w) for w in lower]
    deficits = [max(0.0, GOOD_ZIPF - z) for z in zipfs] or [0.0]
    # Capitalised words inside the sentence are names; their rarity says little about fluency.
    inner = [
        (w, z)
        for i, (w, z) in enumerate(zip(words, zipfs, strict=True))
        if not (i and w[:1].isupper())
    ]
    inner_def = [max(0.0, GOOD_ZIPF - z) for _, z in inner] or [0.0]
    counts = Counter(w for w in lower if len(w) > 3)
    bigrams = Counter(itertools.pairwise(lower))
    letters = [c for c in text if c.isalpha()]
    nl = max(1, len(letters))
    chars = max(1, len(text))
    stripped = text.strip()
    return {
        "log_words": math.log1p(len(words)),
        "mean_word_len": sum(map(len, words)) / n,
        "mean_zipf_deficit": sum(deficits) / len(deficits),
        "max_zipf_deficit": max(deficits),
        "mean_lower_deficit": sum(inner_def) / len(inner_def),
        "max_lower_deficit": max(inner_def),
        "rare_share": sum(z < RARE_ZIPF for z in zipfs) / n,
        "oov_share": sum(z == 0.0 for z in zipfs) / n,
        "oov_lower_share": sum(z == 0.0 and w.islower() for w, z in zip(words, zipfs, strict=True))
        / n,
        "cap_share": sum(w[:1].isupper() for w in words[1:]) / n,
        "allcaps_share": sum(len(w) > 1 and w.isupper() for w in words) / n,
        "punct_ratio": sum(c in _PUNCT for c in text) / chars,
        "comma_ratio": text.count(",") / n,
        "paren_quote": sum(c in '()[]"“”«»' for c in text) / n,
        "digit_share": sum(c.isdigit() for c in text) / chars,
        "repeat_share": sum(c - 1 for c in counts.values() if c > 1) / n,
        "repeat_bigram": sum(c - 1 for c in bigrams.values() if c > 1) / n,
        "long_word_share": sum(len(w) > 13 for w in words) / n,
        "foreign_letter_share": sum(not _is_latin(c) for c in letters) / nl,
        "no_end_punct": float(bool(stripped) and stripped[-1] not in ".!?\"'”’)…:"),
        "lower_start": float(bool(stripped) and stripped[0].islower()),
    }


def parse_features(tokens: Iterable[Any]) -> dict[str, float]:
    """Features of a parsed sentence: ``tokens`` are spaCy tokens of that sentence."""
    toks = [t for t in tokens if not t.is_space]
    n = max(1, len(toks))
    if not toks:
        return {}
    ids = {t.i for t in toks}
    roots = [t for t in toks if t.dep_ == "ROOT" or t.head.i not in ids]
    verbal_root = any(t.pos_ in ("VERB", "AUX") for t in roots)
    depth = 0
    for t in toks:
        d, h = 0, t
        while h.head.i != h.i and h.head.i in ids and d < 60:
            h, d = h.head, d + 1
        depth = max(depth, d)
    arcs = [abs(t.i - t.head.i) for t in toks if t.head.i != t.i]
    pos = Counter(t.pos_ for t in toks)
    deps = Counter(t.dep_ for t in toks)
    return {
        "extra_roots": float(len(roots) - 1),
        "verbless_root": float(not verbal_root),
        "dep_unlabelled": deps["dep"] / n,
        "appos_share": deps["appos"] / n,
        "compound_share": deps["compound"] / n,
        "mean_arc": sum(arcs) / max(1, len(arcs)),
        "depth_ratio": depth / n,
        "has_subject": float(any(d.startswith("nsubj") or d == "expl" for d in deps)),
        "propn_share": pos["PROPN"] / n,
        "x_share": (pos["X"] + pos["INTJ"] + pos["SYM"]) / n,
        "verb_share": (pos["VERB"] + pos["AUX"]) / n,
        "det_share": pos["DET"] / n,
        "adp_share": pos["ADP"] / n,
    }


def finding_features(findings: Iterable[Finding], n_words: int) -> dict[str, float]:
    """Findings counted per code (capped at 3), plus all findings per word."""
    codes = Counter(f.code for f in findings)
    out = {f"code:{c}": float(min(3, k)) for c, k in codes.items()}
    out["findings_per_word"] = sum(codes.values()) / max(1, n_words)
    return out


def _punct_counts(text: str) -> Counter[str]:
    table = {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "’": "'",
        "‘": "'",
        "।": ".",
        "॥": ".",
    }
    return Counter(table.get(c, c) for c in text if c in '.,;:!?"()%।॥“”„«»')


def _char_grams(text: str, n: int = 4) -> set[str]:
    s = " ".join(WORD.findall(text.lower()))
    return {s[i : i + n] for i in range(max(0, len(s) - n + 1))}


@dataclass(frozen=True)
class Tables:
    """The learned tables the bilingual features of one source language read: the IBM Model 1
    tables both ways and the n-gram model. ``None`` takes the shipped one; training passes
    tables fitted without the sentence being featurized, so that its features look as they
    will on new text."""

    forward: dict[str, dict[str, float]] | None = None
    reverse: dict[str, dict[str, float]] | None = None
    ngram: dict[str, Any] | None = None


def bilingual_features(
    text: str, source: str, source_lang: str | None, tables: Tables | None = None
) -> dict[str, float]:
    """Adequacy proxies of a translation against its source."""
    from textmill.plugins.mt_artifacts import lexicon, ngrams

    tables = tables or Tables()

    tl, sl = max(1, len(text.strip())), max(1, len(source.strip()))
    tw, sw = WORD.findall(text), WORD.findall(source)
    ratio = math.log(tl / sl)
    wratio = math.log(max(1, len(tw)) / max(1, len(sw)))
    tn, sn = Counter(NUMBER.findall(text)), Counter(NUMBER.findall(source))
    union = set(tn) | set(sn)
    tp, sp = _punct_counts(text), _punct_counts(source)
    pdiff = sum(abs(tp[k] - sp[k]) for k in set(tp) | set(sp))
    sg, tg = _char_grams(source), _char_grams(text)
    copied = len(sg & tg) / max(1, len(sg))
    # Words copied over verbatim (lower-case, so not names): an untranslated stretch.
    src_words = {w.lower() for w in sw if len(w) > 3}
    copied_words = sum(w.islower() and len(w) > 3 and w in src_words for w in tw) / max(1, len(tw))
    # Capitalised source words past the first (names) that reappear in the translation.
    names = {w for w in sw[1:] if w[:1].isupper() and len(w) > 2 and all(map(_is_latin, w))}
    tlow = text.lower()
    names_kept = sum(w.lower()[:4] in tlow for w in names) / len(names) if names else 1.0
    out = {
        "log_len_ratio": ratio,
        "abs_log_len_ratio": abs(ratio),
        "log_word_ratio": wratio,
        "src_log_words": math.log1p(len(sw)),
        "num_jaccard": len(set(tn) & set(sn)) / len(union) if union else 1.0,
        "num_missing": float(sum((sn - tn).values())),
        "num_added": float(sum((tn - sn).values())),
        "punct_diff": pdiff / (1 + sum(sp.values())),
        "question_mismatch": float(tp["?"] != sp["?"]),
        "copied_grams": copied,
        "copied_words": copied_words,
        "names_kept": names_kept,
        "has_names": float(bool(names)),
    }
    if source_lang:
        out[f"src:{source_lang}"] = 1.0
    out.update(source_rarity(source, source_lang))
    out.update(lexicon.coverage_features(text, source, source_lang, tables.forward))
    out.update(lexicon.reverse_features(text, source, source_lang, tables.reverse))
    out.update(ngrams.features(text, source, source_lang, tables.ngram))
    return out


@lru_cache(maxsize=1)
def _wordfreq_languages() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(available_languages())


def source_rarity(source: str, source_lang: str | None) -> dict[str, float]:
    """Rare words in the source (a hard sentence to translate), where wordfreq knows the
    language. Named ``src_zipf:...`` so that they count as 0 for other languages."""
    # Chinese, Japanese and Korean need segmenters wordfreq does not bring along.
    if (
        not source_lang
        or source_lang not in _wordfreq_languages()
        or source_lang in ("zh", "ja", "ko")
    ):
        return {}
    words = [w for i, w in enumerate(WORD.findall(source)) if not (i and w[:1].isupper())]
    if not words:
        return {}
    try:
        zipfs = [zipf_frequency(w.lower(), source_lang) for w in words]
    except (LookupError, ImportError):  # a language whose tokenizer is not installed
        return {}
    n = len(zipfs)
    return {
        "src_zipf:known": 1.0,
        "src_zipf:mean_deficit": sum(max(0.0, GOOD_ZIPF - z) for z in zipfs) / n,
        "src_zipf:max_deficit": max(GOOD_ZIPF - z for z in zipfs),
        "src_zipf:rare_share": sum(z < RARE_ZIPF for z in zipfs) / n,
        "src_zipf:oov_share": sum(z == 0.0 for z in zipfs) / n,
    }
