"""Models that several plugins use, loaded once per process and shared.

py3langid's identifier (boilerplate's page language, langid, mt_artifacts' bilingual check) and
gender_guesser's name list (the linker's coreference, mt_artifacts' pronoun checks) each took a
load per plugin that used them: about 0.55 s and 0.16 s of CPU every time, spent before a
process pool forks (or in each spawned worker). The plugins take them from here instead.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def _py3langid_model() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE)


@functools.lru_cache(maxsize=2)
def py3langid_identifier(norm_probs: bool = False) -> Any:
    """py3langid's ``LanguageIdentifier`` on its bundled model (``norm_probs``: probabilities
    rather than raw scores), the model's arrays loaded once for both kinds."""
    from py3langid.langid import LanguageIdentifier

    m = _py3langid_model()
    if not norm_probs:
        return m
    return LanguageIdentifier(
        m.nb_ptc, m.nb_pc, m.nb_classes, m.tk_nextmove, m.tk_output, True, tk_row=m.tk_row
    )


@functools.lru_cache(maxsize=1)
def gender_detector() -> Any:
    """gender_guesser's ``Detector``, case-insensitive."""
    import gender_guesser.detector as gd

    return gd.Detector(case_sensitive=False)
