"""py3langid's language model, loaded once per process for every plugin that identifies
languages (langid, and boilerplate's page language): decompressing it takes a few tenths of a
second, and a re-run that redoes one document should not pay it twice."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def language_identifier() -> Any:
    """py3langid's identifier with normalized probabilities (its labels are those of the
    unnormalized one: normalizing keeps the order of the scores)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)
