"""The NER pipeline: spaCy's statistical NER behind an entity ruler built from KB aliases."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from textmill.nlp import has_statistical_model, load_nlp
from textmill.plugins.linker.kb import KB, normalize
from textmill.plugins.linker.link import strip_title

_LABEL = {
    "person": "PERSON",
    "Q5": "PERSON",
    "Q215627": "PERSON",
    "location": "GPE",
    "Q27096213": "GPE",
    "organization": "ORG",
    "Q43229": "ORG",
}
# Only the pipes NER needs: no parser, tagger or lemmatizer.
DISABLED_PIPES = ("parser", "tagger", "attribute_ruler", "lemmatizer", "senter")


@lru_cache(maxsize=4)
def pipeline(kb_path: str, use_ruler: bool) -> Any:
    """A per-KB pipeline (its own spaCy instance, so the ruler touches no other plugin's)."""
    nlp = load_nlp(disable=DISABLED_PIPES, owner=f"linker:{kb_path}:{use_ruler}")
    if use_ruler and "entity_ruler" not in nlp.pipe_names:
        add_ruler(nlp, KB.load(kb_path))
    return nlp


def add_ruler(nlp: Any, kb: KB, max_ruler_aliases: int = 50_000) -> None:
    """Put an entity ruler of ``kb``'s aliases before the statistical NER (replacing any)."""
    if "entity_ruler" in nlp.pipe_names:
        nlp.remove_pipe("entity_ruler")
    patterns = []
    for ent in kb.entities.values():
        label = next((_LABEL[t] for t in ent.types if t in _LABEL), None)
        if label is None:
            continue
        for alias in _aliases(kb, ent.id):
            # Titles are left to the statistical NER and candidate generation, so a ruler match
            # on "President Xi" never hides "Xi Jinping".
            norm = normalize(alias)
            if len(alias) >= 2 and alias[:1].isupper() and strip_title(norm) == norm:
                patterns.append({"label": label, "pattern": alias, "id": ent.id})
        if len(patterns) > max_ruler_aliases:
            break
    before = {"before": "ner"} if has_statistical_model(nlp) and "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe(
        "entity_ruler", config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"}, **before
    )
    ruler.add_patterns(patterns)


def _aliases(kb: KB, entity_id: str) -> list[str]:
    ent = kb.entities[entity_id]
    return [a for a, _ in ent.aliases] or [ent.name]
