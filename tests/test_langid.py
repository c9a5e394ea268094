"""Language and script identification."""

from __future__ import annotations

from pathlib import Path

from textmill.plugins.langid import identify, script_findings
from textmill.testing import SEEDS, run_chain


def test_seeds_are_english_with_paragraph_languages(tmp_path: Path) -> None:
    out = run_chain(
        [SEEDS], {"clean": ["unicode", "boilerplate"], "quality": ["langid"]}, tmp_path=tmp_path
    )
    for doc_id in out.ids():
        res = out.result(doc_id, "langid")
        assert res.label == "en" and res.score > 0.9
        assert res.data["script"] == "Latin"
        assert res.data["paragraphs"] and all(p["lang"] == "en" for p in res.data["paragraphs"])
        assert not [f for f in res.findings if f.code == "langid.foreign-paragraph"]


def test_foreign_paragraph_and_untranslated_runs(tmp_path: Path) -> None:
    text = (
        "The White House said on Friday that it does not support calls for a ceasefire right now.\n\n"
        "Guvernul de la București a anunțat luni că va aproba un nou pachet de măsuri economice.\n\n"
        "Officials said the talks, called переговоры о мире in Moscow, would continue next week."
    )
    out = run_chain([text], {"quality": ["langid"]}, tmp_path=tmp_path)
    res = out.result("doc-0", "langid")
    codes = {f.code: f for f in res.findings}
    assert "langid.foreign-paragraph" in codes
    assert text[codes["langid.foreign-paragraph"].span.start :].startswith("Guvernul")
    untranslated = codes["langid.untranslated"]
    assert text[untranslated.span.start : untranslated.span.end] == "переговоры о мире"


def test_mixed_script_word() -> None:
    word = "Kyіv"  # the i is Cyrillic
    fs = script_findings(f"Talks in {word} resumed.", "Latin")
    assert fs and fs[0].code == "langid.mixed-script"
    assert "Cyrillic" in fs[0].message and "Latin" in fs[0].message
    assert identify("Dies ist ein deutscher Satz über das Wetter.")[0] == "de"
