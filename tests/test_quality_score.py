"""The calibrated quality score and the bilingual rules, on the sample corpus and on real
machine translations with their sources from the quality set's dev split."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest
from textmill import Document
from textmill.plugins.mt_artifacts.bilingual import bilingual_checks
from textmill.plugins.mt_artifacts.checks import run_checks
from textmill.plugins.mt_artifacts.score import load, pick_model, score_document
from textmill.testing import seed_documents

QUALITY = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "quality" / "mlqe-pe"


def _score(text: str, source: str | None = None, lang: str | None = None) -> float:
    findings = run_checks(text)
    if source is not None:
        findings += bilingual_checks(
            Document(id="t", raw=text, lang="en", source_text=source, source_lang=lang)
        )
    return score_document(text, findings, source_text=source, source_lang=lang)[0]


def _garble(text: str, rng: random.Random) -> str:
    """Machine-translation-like damage: shuffled word order, doubled words, mangled words."""
    out = []
    for para in text.split("\n"):
        words = para.split()
        if len(words) < 4:
            out.append(para)
            continue
        rng.shuffle(words)
        words = [w + " " + w if rng.random() < 0.15 else w for w in words]
        words = [w[::-1].lower() if rng.random() < 0.2 and len(w) > 4 else w for w in words]
        out.append(" ".join(words))
    return "\n".join(out)


@pytest.fixture(scope="module")
def seeds() -> list[Document]:
    docs = seed_documents()
    assert len(docs) >= 5
    return docs


def test_model_file_has_both_modes() -> None:
    w = load()
    assert set(w["bilingual"]["pairs"]) == {"ro", "et", "ne", "si", "ru"}
    for lang, bilingual in [(None, False), (None, True), ("ro", True), ("xx", True)]:
        model = pick_model(w, lang, bilingual)
        assert model["members"]
        for m in model["members"]:
            assert len(m["coef"]) == len(m["mean"]) == len(m["scale"]) or m.get("hidden")
            assert len(m["features"]) == len(m["mean"])
        assert np.all(np.diff(model["calib_y"]) >= 0)  # calibration is monotone
        assert model["calib_y"][0] < 0.2 and model["calib_y"][-1] > 0.6


def test_seed_scores_are_calibrated_with_sentence_spans(seeds: list[Document]) -> None:
    for doc in seeds:
        score, sentences = score_document(doc.text, run_checks(doc.text))
        assert 0.0 <= score <= 1.0
        assert len(sentences) >= 3
        for s in sentences:
            assert 0.0 <= s["score"] <= 1.0
            assert 0 <= s["start"] < s["end"] <= len(doc.text)
            assert doc.text[s["start"] : s["end"]].strip()
        # Sentences really differ: the score is not a constant.
        assert len({s["score"] for s in sentences}) > 1


def test_score_drops_when_a_seed_is_garbled(seeds: list[Document]) -> None:
    rng = random.Random(7)
    for doc in seeds:
        clean = _score(doc.text)
        garbled = _score(_garble(doc.text, rng))
        assert garbled < clean - 0.1, (doc.id, clean, garbled)


def test_garbled_sentence_scores_below_its_neighbours(seeds: list[Document]) -> None:
    doc = seeds[1]
    _, sentences = score_document(doc.text, run_checks(doc.text))
    target = max(sentences, key=lambda s: s["end"] - s["start"])
    a, b = target["start"], target["end"]
    damaged = doc.text[:a] + _garble(doc.text[a:b], random.Random(3)) + doc.text[b:]
    _, after = score_document(damaged, run_checks(damaged))
    hit = next(s for s in after if s["start"] == a)
    assert hit["score"] < target["score"] - 0.1
    others = [s["score"] for s in after if s["start"] != a]
    assert hit["score"] < float(np.median(others))


# ---- bilingual mode, on real sentence pairs from the quality set's dev split ----------------


@pytest.fixture(scope="module")
def ro_dev() -> list[dict[str, str]]:
    if not QUALITY.exists():
        pytest.skip("quality set not available")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from train_quality import da_rows

    return da_rows("ro", "dev")


def _good_with_number(rows: list[dict[str, str]], n: int = 25) -> list[dict[str, str]]:
    """Well-rated translations (z_mean > 0.5) of a source that has a number."""
    out = [r for r in rows if float(r["z_mean"]) > 0.5 and re.search(r"\d", r["original"])]
    return out[:n]


def _doc(
    r: dict[str, str], text: str | None = None, source: str | None = None, lang: str = "ro"
) -> Document:
    return Document(
        id="t",
        raw=r["translation"] if text is None else text,
        lang="en",
        source_text=r["original"] if source is None else source,
        source_lang=lang,
    )


def _codes(doc: Document) -> set[str]:
    return {f.code for f in bilingual_checks(doc)}


HARD = {
    "mt.bi.untranslated",
    "mt.bi.length-ratio",
    "mt.bi.url",
    "mt.bi.source-language",
    "mt.bi.target-language",
}


def test_clean_pairs_pass_the_hard_rules(ro_dev: list[dict[str, str]]) -> None:
    rows = _good_with_number(ro_dev)
    assert len(rows) >= 20
    fired = [_codes(_doc(r)) for r in rows]
    assert not any(c & HARD for c in fired)
    assert sum("mt.bi.number" in c for c in fired) <= 3


def test_changed_number_is_found(ro_dev: list[dict[str, str]]) -> None:
    for r in _good_with_number(ro_dev):
        m = re.search(r"\d+(?:[.,]\d+)*", r["translation"])
        if not m:
            continue
        wrong = str(int(re.sub(r"\D", "", m.group())) + 7)
        while wrong in r["original"] + r["translation"]:
            wrong = str(int(wrong) + 7)
        text = r["translation"][: m.start()] + wrong + r["translation"][m.end() :]
        found = [f for f in bilingual_checks(_doc(r, text)) if f.code == "mt.bi.number"]
        assert any(f.span and text[f.span.start : f.span.end] == wrong for f in found), r[
            "translation"
        ]


def test_untranslated_copy_and_wrong_languages(ro_dev: list[dict[str, str]]) -> None:
    r = _good_with_number(ro_dev)[0]
    copy = _codes(_doc(r, text=r["original"]))
    assert {"mt.bi.untranslated", "mt.bi.target-language"} <= copy
    assert "mt.bi.source-language" in _codes(_doc(r, lang="ru"))


def test_truncation_url_and_question_are_found(ro_dev: list[dict[str, str]]) -> None:
    r = next(x for x in _good_with_number(ro_dev) if len(x["translation"].split()) > 12)
    cut = " ".join(r["translation"].split()[:4])
    assert "mt.bi.length-ratio" in _codes(_doc(r, text=cut))
    with_url = r["original"] + " Vezi https://example.org/raport."
    assert "mt.bi.url" in _codes(_doc(r, source=with_url))
    asked = r["original"].rstrip(".") + "?"
    assert "mt.bi.punctuation" in _codes(_doc(r, source=asked))


def test_lost_name_is_found(ro_dev: list[dict[str, str]]) -> None:
    rows = [
        r
        for r in ro_dev
        if float(r["z_mean"]) > 0.5 and re.search(r"\s[A-Z][a-z]{4,}", r["original"])
    ][:15]
    clean_rate = sum("mt.bi.entity" in _codes(_doc(r)) for r in rows) / len(rows)
    assert clean_rate <= 0.3
    lost = 0
    for r in rows:
        name = re.search(r"\s([A-Z][a-z]{4,})", r["original"])
        assert name is not None
        text = r["translation"].replace(name.group(1), "it")
        lost += "mt.bi.entity" in _codes(_doc(r, text=text))
    assert lost / len(rows) >= 0.6


def test_bilingual_score_prefers_the_real_translation(ro_dev: list[dict[str, str]]) -> None:
    rows = _good_with_number(ro_dev, 20)
    real = [_score(r["translation"], r["original"], "ro") for r in rows]
    # The same translations paired with the wrong source, and the source left untranslated.
    shifted = [
        _score(r["translation"], rows[(i + 1) % len(rows)]["original"], "ro")
        for i, r in enumerate(rows)
    ]
    copied = [_score(r["original"], r["original"], "ro") for r in rows]
    assert np.mean(real) > np.mean(shifted) + 0.1
    assert np.mean(real) > np.mean(copied) + 0.2


def test_score_tracks_human_judgements(ro_dev: list[dict[str, str]]) -> None:
    rows = ro_dev[:150]
    z = [float(r["z_mean"]) for r in rows]
    mono = [_score(r["translation"]) for r in rows]
    bi = [_score(r["translation"], r["original"], "ro") for r in rows]
    assert np.corrcoef(mono, z)[0, 1] > 0.25
    assert np.corrcoef(bi, z)[0, 1] > 0.45


def test_untrained_source_language_falls_back_to_monolingual(ro_dev: list[dict[str, str]]) -> None:
    r = _good_with_number(ro_dev)[0]
    text = r["translation"]
    mono = score_document(text, [])[0]
    assert (
        score_document(
            text, [], source_text="Die Regierung hat neue Schulen gebaut.", source_lang="de"
        )[0]
        == mono
    )
    # An undeclared source language is identified, and the pair's model applies.
    declared = score_document(text, [], source_text=r["original"], source_lang="ro")[0]
    assert score_document(text, [], source_text=r["original"])[0] == declared != mono


def test_text_unlike_any_training_sentence_scores_low(seeds: list[Document]) -> None:
    clean = "Both leaders see common cause in the attempt to diminish American power."
    assert clean in seeds[1].text
    good = score_document(clean, run_checks(clean))[0]
    for junk in ["x" * 5000, "qwrtz " * 40, "%%%% #### @@@@ ...."]:
        assert score_document(junk, run_checks(junk))[0] < good - 0.15, junk[:20]


def test_lexicon_sees_omissions_and_wrong_pairs(ro_dev: list[dict[str, str]]) -> None:
    from textmill.plugins.mt_artifacts.lexicon import coverage_features, reverse_features

    rows = [r for r in ro_dev if float(r["z_mean"]) > 0.5 and len(r["translation"].split()) > 10][
        :20
    ]
    assert len(rows) == 20
    lower = 0
    for i, r in enumerate(rows):
        full = reverse_features(r["translation"], r["original"], "ro")["rev_src_explained"]
        half = " ".join(r["translation"].split()[: len(r["translation"].split()) // 2])
        lower += reverse_features(half, r["original"], "ro")["rev_src_explained"] < full
        other = rows[(i + 1) % len(rows)]["original"]
        own = coverage_features(r["translation"], r["original"], "ro")["lex_src_covered"]
        assert coverage_features(r["translation"], other, "ro")["lex_src_covered"] < own
    assert lower >= 18


def test_lexicon_training_learns_word_translations() -> None:
    if not QUALITY.exists():
        pytest.skip("quality set not available")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from textmill.plugins.mt_artifacts.lexicon import train_ibm1
    from train_quality import pe_pairs

    pairs = pe_pairs("ro", "train")[:1500]
    table = train_ibm1(pairs)
    # Word prefixes of 5 letters: război (war), oraș (city), biserică (church), guvern.
    for ro, en in [("războ", "war"), ("orașu", "city"), ("biser", "churc"), ("guver", "gover")]:
        assert max(table[ro], key=table[ro].__getitem__) == en, (ro, table[ro])
    assert all(len(t) <= 6 and min(t.values()) >= 0.02 for t in table.values())
    assert train_ibm1(pairs) == table  # deterministic, ties included


def test_ngram_features_match_scikit_learn(ro_dev: list[dict[str, str]]) -> None:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge
    from textmill.plugins.mt_artifacts import ngrams

    rows = ro_dev[:400]
    src = [r["original"] for r in rows]
    tgt = [r["translation"] for r in rows]
    y = [float(r["z_mean"]) for r in rows]
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams.NGRAM_RANGE).build_analyzer()
    assert all(analyzer(t) == ngrams.char_ngrams(t) for t in src[:50] + tgt[:50])
    model = ngrams.fit(tgt[:300], src[:300], y[:300], max_features=2000)

    def vec() -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), min_df=3, sublinear_tf=True, max_features=2000
        )

    vs, vt = vec(), vec()
    x = hstack([vs.fit_transform(src[:300]), vt.fit_transform(tgt[:300])]).tocsr()
    ridge = Ridge(alpha=10.0).fit(x, y[:300])
    expected = ridge.predict(hstack([vs.transform(src[300:]), vt.transform(tgt[300:])]).tocsr())
    ours = [ngrams.predict(model, t, s) for t, s in zip(tgt[300:], src[300:], strict=True)]
    assert np.allclose(ours, expected, atol=2e-3)


def test_shipped_ngram_model_tracks_human_judgements() -> None:
    if not QUALITY.exists():
        pytest.skip("quality set not available")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from textmill.plugins.mt_artifacts.features import bilingual_features
    from train_quality import da_rows

    rows = da_rows("ru", "dev")[:300]
    feats = [bilingual_features(r["translation"], r["original"], "ru") for r in rows]
    z = [float(r["z_mean"]) for r in rows]
    assert np.corrcoef([f["ngram_z"] for f in feats], z)[0, 1] > 0.35
    # Only the source languages it was fitted on have a model.
    assert "ngram_z" not in bilingual_features("The schools opened.", "Die Schulen.", "de")


def test_expected_errors_follow_damage_and_post_edits(
    seeds: list[Document], ro_dev: list[dict[str, str]]
) -> None:
    from train_quality import changed_words

    doc = seeds[3]
    _, clean = score_document(doc.text, run_checks(doc.text))
    garbled_text = _garble(doc.text, random.Random(5))
    _, garbled = score_document(garbled_text, run_checks(garbled_text))
    assert all(s["errors"] >= 0 for s in clean)
    assert 0 < sum(s["errors"] for s in clean) < sum(s["errors"] for s in garbled)
    # Against the words human post-editors changed in real translations (dev split tags).
    rows = ro_dev[:100]
    changed = [c for c, _ in changed_words("ro", len(rows), "dev")]
    expected = [
        sum(
            s["errors"]
            for s in score_document(
                r["translation"], [], source_text=r["original"], source_lang="ro"
            )[1]
        )
        for r in rows
    ]
    assert np.corrcoef(expected, changed)[0, 1] > 0.4
