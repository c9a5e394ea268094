"""MT artifact checks on the sample corpus: each known artifact at its span with its code, and
clean sentences of the same documents left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from textmill import Document
from textmill.plugins.mt_artifacts.bilingual import bilingual_checks
from textmill.plugins.mt_artifacts.checks import run_checks
from textmill.testing import SEEDS, run_chain

FULL = {
    "clean": ["unicode", "boilerplate"],
    "quality": ["mt_artifacts"],
    "dedup": ["dedup"],
    "entities": ["linker"],
}
# (seed, code, the exact text the finding's span must cover)
ARTIFACTS = [
    ("000", "mt.pronoun-gender", "she"),
    ("001", "mt.fragment", "Ukrainian."),
    ("001", "mt.punctuation", ". ."),
    ("001", "mt.lowercase-start", "earlier"),
    ("001", "mt.honorific", "MM."),
    ("001", "mt.honorific", "Messrs. Putin and Xi are pushing"),
    ("001", "mt.article", "the China’s"),
    ("004", "mt.heading", "British Letter"),
]
CLEAN_SENTENCES = [
    ("000", "A truce at this time would essentially ratify Russian dominance, according to Kirby."),
    ("001", "Both leaders see common cause in the attempt to diminish American power."),
    (
        "002",
        "Zelensky expressed openness to China’s proposal, but it was immediately rejected by President Biden.",
    ),
    (
        "003",
        "US officials are closely watching whether China will extend its diplomatic support to Russia",
    ),
    (
        "004",
        "Kirby accused Moscow of wanting to exploit any ceasefire to bolster its forces and control more of Ukraine's territory.",
    ),
]


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory):
    return run_chain([SEEDS], FULL, tmp_path=tmp_path_factory.mktemp("mt"))


def _doc(run, prefix: str) -> str:
    return next(i for i in run.ids() if i.startswith(prefix))


@pytest.mark.parametrize(("prefix", "code", "covered"), ARTIFACTS)
def test_artifact_found_at_its_span(seeds_run, prefix: str, code: str, covered: str) -> None:
    doc_id = _doc(seeds_run, prefix)
    text = seeds_run.text(doc_id)
    res = seeds_run.result(doc_id, "mt_artifacts")
    spans = [text[f.span.start : f.span.end] for f in res.findings if f.code == code and f.span]
    assert any(s.strip() == covered for s in spans), (code, spans)


def test_pronoun_finding_uses_the_knowledge_base_gender(seeds_run) -> None:
    res = seeds_run.result(_doc(seeds_run, "000"), "mt_artifacts")
    f = next(f for f in res.findings if f.code == "mt.pronoun-gender")
    assert "John Kirby" in f.message and "knowledge base" in f.message
    assert f.suggestion == "he"


def test_pronoun_check_falls_back_to_name_list_without_linker() -> None:
    text = (SEEDS / next(p.name for p in SEEDS.glob("000_*"))).read_text(encoding="utf-8")
    f = next(f for f in run_checks(text) if f.code == "mt.pronoun-gender")
    assert "name-gender list" in f.message


@pytest.mark.parametrize(("prefix", "sentence"), CLEAN_SENTENCES)
def test_clean_sentences_are_not_flagged(seeds_run, prefix: str, sentence: str) -> None:
    doc_id = _doc(seeds_run, prefix)
    text = seeds_run.text(doc_id)
    start = text.index(sentence)
    end = start + len(sentence)
    res = seeds_run.result(doc_id, "mt_artifacts")
    doc_phase = [f for f in res.findings if not f.code.startswith("mt.cross.")]
    assert not [f for f in doc_phase if f.span and f.span.start < end and start < f.span.end]


def test_transliteration_inconsistency_within_a_document() -> None:
    text = "Zelensky spoke in Kyiv on Monday. On Tuesday Zelenskyy left Kiev for Warsaw."
    found = {(f.code, text[f.span.start : f.span.end]) for f in run_checks(text) if f.span}
    assert ("mt.transliteration", "Zelenskyy") in found
    assert ("mt.transliteration", "Kiev") in found


def test_repeats_and_garbage() -> None:
    text = "The the minister said the the plan works. He said xqzt vbnrk plmq in the end."
    codes = [f.code for f in run_checks(text)]
    assert codes.count("mt.repeat") >= 1 and "mt.garbage" in codes


def test_score_is_calibrated_and_drops_with_artifacts(seeds_run) -> None:
    doc_id = _doc(seeds_run, "003")
    res = seeds_run.result(doc_id, "mt_artifacts")
    assert 0.0 <= res.score <= 1.0
    assert res.data["sentences"] and all(0 <= s["score"] <= 1 for s in res.data["sentences"])
    from textmill.plugins.mt_artifacts.score import score_document

    text = seeds_run.text(doc_id)
    third = len(text) // 3
    middle = " ".join(w[::-1] if len(w) > 3 else w for w in text[third : 2 * third].split(" "))
    garbled = text[:third] + middle + text[2 * third :]
    assert score_document(garbled, run_checks(garbled))[0] < res.score - 0.05


def test_cross_version_checks_on_the_story_cluster(seeds_run) -> None:
    codes = {
        (doc_id[:3], f.code)
        for doc_id in seeds_run.ids()
        for f in seeds_run.result(doc_id, "mt_artifacts").findings
        if f.code.startswith("mt.cross.")
    }
    assert any(code == "mt.cross.quote" for _, code in codes)
    assert any(code == "mt.cross.addition" for _, code in codes)
    # Only versions of the story (000 and 003) are compared; with two versions nothing is
    # carried by most of them, so omissions need more (tests/test_crossversion.py).
    assert {p for p, _ in codes} <= {"000", "003"}


def test_bilingual_rules() -> None:
    doc = Document(
        id="x",
        raw="The government approved 12 new schools in Bucharest on Monday.",
        source_text="Guvernul a aprobat 15 școli noi în București luni, a anunțat Klaus Iohannis.",
        source_lang="ro",
        lang="en",
    )
    codes = {f.code for f in bilingual_checks(doc)}
    assert "mt.bi.number" in codes and "mt.bi.entity" in codes
    copy = Document(
        id="y", raw="Guvernul a aprobat școli noi.", source_text="Guvernul a aprobat școli noi."
    )
    assert "mt.bi.untranslated" in {f.code for f in bilingual_checks(copy)}
    good = Document(
        id="z",
        raw="The government approved 15 new schools on Monday.",
        source_text="Guvernul a aprobat 15 școli noi luni.",
    )
    assert not [f for f in bilingual_checks(good) if f.severity == "error"]


def test_source_text_switches_to_bilingual_mode(tmp_path: Path) -> None:
    doc = Document(
        id="bi",
        raw="The government approved 12 new schools on Monday.",
        source_text="Guvernul a aprobat 15 școli noi luni.",
        source_lang="ro",
    )
    out = run_chain([doc], {"quality": ["mt_artifacts"]}, tmp_path=tmp_path)
    res = out.result("bi", "mt_artifacts")
    assert res.data["mode"] == "bilingual"
    assert "mt.bi.number" in {f.code for f in res.findings}


def test_comma_splices() -> None:
    text = (
        "The purchasing managers' index fell for the seventh consecutive month, the consumer "
        "price index is rising again. Prices rose in March, analysts said. Exports fell, and "
        "imports rose. The plan, which was announced in May, has failed. When the rain stopped, "
        "the match began. The more you eat, the fatter you get."
    )
    found = [
        text[f.span.start : f.span.end] for f in run_checks(text) if f.code == "mt.comma-splice"
    ]
    assert found == [", the consumer price index is rising"]  # a comparative correlative is English
    chain = "I came, I saw, I conquered."
    spans = [f.span for f in run_checks(chain) if f.code == "mt.comma-splice"]
    # One finding per comma, each to the clause after it, so they do not overlap.
    assert [chain[s.start : s.end] for s in spans] == [", I saw", ", I conquered"]


def test_abbreviations_and_organisations_are_not_punctuation_or_article_errors() -> None:
    text = (
        "Students from Germany, the U.S., and Australia came. Sales at Acme Co., Ltd. and Initech "
        "Inc., etc., grew. The EU's plan and the KMT's leaders differ from the China's plan. "
        "Reduction, expansion and growth., promote the priority."
    )
    found = {(f.code, text[f.span.start : f.span.end]) for f in run_checks(text) if f.span}
    assert ("mt.punctuation", ".,") in found  # after "growth", not after an abbreviation
    assert sum(code == "mt.punctuation" for code, _ in found) == 1
    assert {t for code, t in found if code == "mt.article"} == {"the China's"}
