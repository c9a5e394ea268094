"""The models several plugins use are loaded once per process and give what a load of their own
gave."""

from __future__ import annotations

import json

import gender_guesser.detector as gd
from exported import BBC
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from textmill.gender import name_genders
from textmill.langmodel import language_identifier
from textmill.testing import seed_documents


def test_one_py3langid_model_for_every_plugin():
    from textmill.plugins import langid
    from textmill.plugins.boilerplate import language
    from textmill.plugins.mt_artifacts import bilingual

    shared = language_identifier()
    assert language._identifier() is shared
    assert langid._py3langid() is shared and bilingual._identifier() is shared


def test_py3langid_classifies_as_its_own_load_on_real_texts():
    with BBC.open(encoding="utf-8") as fh:
        bbc = [json.loads(line)["text"] for line, _ in zip(fh, range(40), strict=False)]
    texts = [d.raw for d in seed_documents()] + bbc
    # and their paragraphs: short texts are where scores are close
    texts += [p for t in texts[:10] for p in t.split("\n\n") if p.strip()]
    assert len(texts) >= 60
    own = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)
    raw = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE)
    for text in texts:
        assert language_identifier().classify(text) == own.classify(text)
        assert language_identifier().classify(text)[0] == raw.classify(text)[0]
    assert "en" in {language_identifier().classify(t)[0] for t in texts}


def test_one_gender_detector_for_the_linker_and_mt_artifacts():
    from textmill.plugins.linker import coref
    from textmill.plugins.mt_artifacts import parsed

    assert coref._detector() is parsed._detector() is name_genders()
    own = gd.Detector(case_sensitive=False)
    names = ["margaret", "John", "Bernie", "Vladimir", "Olena", "Andrea", "Kim", "Xi", "Zelensky"]
    for name in names:
        assert name_genders().get_gender(name) == own.get_gender(name)
    assert name_genders().get_gender("margaret") == "female"
    assert name_genders().get_gender("John") == "male"
