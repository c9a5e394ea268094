"""The readability plugin through textmill's test kit, on textmill's sample corpus."""

from __future__ import annotations

import textmill_readability as plugin
from textmill.testing import SEEDS


def test_scores_and_flags_long_sentences(textmill_plugin, textmill_run) -> None:
    textmill_plugin(plugin)
    out = textmill_run([SEEDS], chain={"quality": ["readability"]})
    for doc_id in out.ids():
        res = out.result(doc_id, "readability")
        assert res.status == "ok"
        assert 0.0 <= res.score <= 1.0
        assert res.data["words"] > 100 and 5 < res.data["grade"] < 25
    # 001 has sentences of more than 40 words; each finding covers one sentence.
    doc_id = next(i for i in out.ids() if i.startswith("001"))
    res = out.result(doc_id, "readability")
    assert res.findings
    text = out.text(doc_id)
    for f in res.findings:
        assert len(text[f.span.start : f.span.end].split()) > 40


def test_settings_are_validated_and_used(textmill_plugin, textmill_run) -> None:
    textmill_plugin(plugin)
    easy = "The cat sat. The dog ran. We all went home."
    out = textmill_run(
        [easy], chain={"quality": ["readability"]}, settings={"readability": {"target_grade": 12}}
    )
    assert out.result("doc-0", "readability").score == 1.0


def test_syllables() -> None:
    assert [plugin.syllables(w) for w in ("cat", "ceasefire", "table", "Ukraine")] == [1, 3, 2, 2]
