"""All monolingual checks for one text, as findings with spans into it."""

from __future__ import annotations

from textmill import Finding
from textmill.nlp import has_statistical_model, load_nlp, parse
from textmill.plugins.mt_artifacts import parsed, surface


def run_checks(text: str, *, mentions: list[dict] | None = None) -> list[Finding]:
    """Every check; ``mentions`` are the linker's mentions (with gender) when it ran."""
    out: list[Finding] = []
    out += surface.punctuation(text)
    out += surface.lowercase_starts(text)
    out += surface.honorifics(text)
    out += surface.repeats(text)
    out += surface.garbage(text)
    out += surface.transliteration(text, mentions)
    out += parsed.headings(text)
    doc = parse(text)
    if has_statistical_model(load_nlp()):
        out += parsed.pronoun_gender(doc, mentions)
        out += parsed.fragments(doc)
        out += parsed.proper_noun_articles(doc)
        out += parsed.comma_splices(doc)
    return sorted(out, key=lambda f: (f.span.start if f.span else -1, f.code))
