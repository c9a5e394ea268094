"""The models several plugins use are loaded once per process and give what a load of their own
gave."""

from __future__ import annotations

import json

from exported import BBC
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from textmill.models import gender_detector, py3langid_identifier
from textmill.testing import seed_documents


def test_one_py3langid_model_for_both_kinds_and_every_plugin():
    from textmill.plugins import langid
    from textmill.plugins.boilerplate import language
    from textmill.plugins.mt_artifacts import bilingual

    raw, probs = py3langid_identifier(), py3langid_identifier(norm_probs=True)
    assert probs.nb_ptc is raw.nb_ptc and probs.tk_nextmove is raw.tk_nextmove
    assert language._identifier() is raw
    assert langid._py3langid() is probs and bilingual._identifier() is probs


def test_py3langid_classifies_as_its_own_load_on_real_texts():
    with BBC.open(encoding="utf-8") as fh:
        bbc = [json.loads(line)["text"] for line, _ in zip(fh, range(40), strict=False)]
    texts = [d.raw for d in seed_documents()] + bbc
    # and their paragraphs: short texts are where scores are close
    texts += [p for t in texts[:10] for p in t.split("\n\n") if p.strip()]
    assert len(texts) >= 60
    for norm_probs in (False, True):
        own = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=norm_probs)
        shared = py3langid_identifier(norm_probs=norm_probs)
        for text in texts:
            assert shared.classify(text) == own.classify(text)
    langs = {py3langid_identifier(norm_probs=True).classify(t)[0] for t in texts}
    assert "en" in langs


def test_one_gender_detector_for_the_linker_and_mt_artifacts():
    from textmill.plugins.linker import coref
    from textmill.plugins.mt_artifacts import parsed

    assert coref._detector() is parsed._detector() is gender_detector()
    assert gender_detector().get_gender("margaret") == "female"
    assert gender_detector().get_gender("John") == "male"
