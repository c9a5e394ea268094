"""Checks that need spaCy's parse: pronoun gender, sentence fragments, articles before proper
nouns, comma splices, and headings that read as literal translations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from textmill import Finding, Span
from textmill.parse import lemma
from wordfreq import zipf_frequency

_PRONOUNS = {
    "he": "male",
    "him": "male",
    "his": "male",
    "himself": "male",
    "she": "female",
    "her": "female",
    "hers": "female",
    "herself": "female",
}


@lru_cache(maxsize=1)
def _detector() -> Any:
    import gender_guesser.detector as gd

    return gd.Detector(case_sensitive=False)


def _guess(first_name: str) -> str | None:
    g = _detector().get_gender(first_name)
    return {
        "male": "male",
        "mostly_male": "male",
        "female": "female",
        "mostly_female": "female",
    }.get(g)


def pronoun_gender(doc: Any, mentions: list[dict] | None) -> Iterator[Finding]:
    """A pronoun whose gender contradicts the person it most plausibly refers to: the subject
    of the current or previous sentence's main clause, else the nearest person before it."""
    text = doc.text
    persons = [e for e in doc.ents if e.label_ == "PERSON"]
    if not persons:
        return
    by_span = {(m["start"], m["end"]): m for m in (mentions or [])}
    full_names: dict[str, str] = {}
    for e in persons:
        parts = e.text.split()
        if len(parts) >= 2:
            full_names.setdefault(parts[-1], e.text)

    def gender_of(e: Any) -> tuple[str | None, str, str]:
        m = by_span.get((e.start_char, e.end_char))
        if m and m.get("gender"):
            return m["gender"], "knowledge base", m.get("name") or e.text
        for (a, b), m in by_span.items():
            if m.get("gender") and m.get("entity") and a <= e.start_char < b:
                return m["gender"], "knowledge base", m.get("name") or e.text
        if mentions:
            last = e.text.split()[-1]
            for m in mentions:
                if m.get("gender") and last in str(m.get("name", "")).split():
                    return m["gender"], "knowledge base", m["name"]
        name = full_names.get(e.text.split()[-1], e.text)
        first = name.split()[0]
        if len(name.split()) >= 2:
            g = _guess(first)
            if g:
                return g, f'first name "{first}" (name-gender list)', name
        return None, "", name

    sents = list(doc.sents)
    for si, sent in enumerate(sents):
        for tok in sent:
            want = _PRONOUNS.get(tok.lower_)
            if want is None or tok.dep_ not in ("nsubj", "nsubjpass", "poss", "dobj", "pobj"):
                continue
            if tok.lower_ == "her" and tok.dep_ == "dobj":
                pass
            candidate = _antecedent(tok, sents[max(0, si - 1) : si + 1], persons)
            if candidate is None:
                continue
            gender, evidence, name = gender_of(candidate)
            if gender and gender != want:
                yield Finding(
                    code="mt.pronoun-gender",
                    message=(
                        f'"{tok.text}" refers to {name}, who is {gender} (evidence: {evidence}); '
                        "the translation may have picked the wrong pronoun."
                    ),
                    severity="error",
                    span=Span(tok.idx, tok.idx + len(tok.text)),
                    evidence=text[candidate.start_char : tok.idx + len(tok.text)][-160:],
                    suggestion={
                        "male": {"she": "he", "her": "his", "herself": "himself"},
                        "female": {"he": "she", "him": "her", "his": "her", "himself": "herself"},
                    }[gender].get(tok.lower_),
                    data={"antecedent": name, "gender": gender, "evidence": evidence},
                )


def _antecedent(pron: Any, sents: list[Any], persons: list[Any]) -> Any | None:
    before = [e for e in persons if e.end <= pron.i and e.start >= sents[0].start]
    if not before:
        return None
    # Subjects of a main clause first (the person reporting or acting), latest sentence first.
    for sent in reversed(sents):
        root = sent.root
        for e in reversed(before):
            if sent.start <= e.start < sent.end and any(
                t.dep_ in ("nsubj", "nsubjpass") and t.head == root for t in e
            ):
                return e
    return before[-1]


def fragments(doc: Any) -> Iterator[Finding]:
    """A "sentence" of one to three words with no verb, ending in a full stop, inside a
    paragraph (a cut-off sentence such as "territory. Ukrainian.")."""
    text = doc.text
    for sent in doc.sents:
        words = [t for t in sent if not t.is_punct and not t.is_space]
        if not 1 <= len(words) <= 3 or not sent.text.rstrip().endswith("."):
            continue
        if any(t.pos_ in ("VERB", "AUX") for t in words):
            continue
        # Alone on its line it is a heading or a caption, not a fragment.
        line_start = text.rfind("\n", 0, sent.start_char) + 1
        if not text[line_start : sent.start_char].strip():
            continue
        yield Finding(
            code="mt.fragment",
            message=f'"{sent.text.strip()}" is a sentence fragment; the sentence may have been cut or split wrongly.',
            severity="warning",
            span=Span(sent.start_char, sent.end_char),
            evidence=text[max(0, sent.start_char - 40) : sent.end_char],
        )


def proper_noun_articles(doc: Any) -> Iterator[Finding]:
    """ "the China's efforts": a definite article before a possessive country, place or person
    name, which takes no article. Organisations and acronyms often do ("the EU's", "the
    Party's", "the KMT's"), so they are left alone."""
    for ent in doc.ents:
        if ent.label_ not in ("GPE", "PERSON") or len(ent) != 1 or ent.text.isupper():
            continue
        prev = doc[ent.start - 1] if ent.start > 0 else None
        nxt = doc[ent.end] if ent.end < len(doc) else None
        if prev is None or prev.lower_ != "the" or nxt is None or nxt.tag_ != "POS":
            continue
        yield Finding(
            code="mt.article",
            message=f'"the {ent.text}{nxt.text}" puts an article before a proper noun that takes none.',
            severity="warning",
            span=Span(prev.idx, nxt.idx + len(nxt.text)),
            suggestion=f"{ent.text}{nxt.text}",
        )


# Reporting and thinking verbs: "The plan works, he said" and "Prices rise, analysts expect"
# put a comma between two clauses correctly.
_SAYING = frozenset(
    [
        "say",
        "tell",
        "add",
        "note",
        "state",
        "ask",
        "write",
        "report",
        "explain",
        "stress",
        "announce",
        "believe",
        "think",
        "claim",
        "argue",
        "warn",
        "insist",
        "emphasize",
        "emphasise",
        "declare",
        "reply",
        "recall",
        "continue",
        "know",
        "hope",
        "feel",
        "suggest",
        "show",
        "reveal",
        "learn",
        "admit",
        "estimate",
        "expect",
        "predict",
        "confirm",
        "deny",
        "agree",
        "mean",
        "find",
        "see",
        "hear",
        "indicate",
        "acknowledge",
        "assert",
        "remark",
        "comment",
        "observe",
        "conclude",
        "point",
        "urge",
        "reckon",
        "guess",
        "suppose",
        "quote",
        "cite",
        "wonder",
    ]
)
# A clause that starts with one of these is joined to the other by it, not by the comma alone.
_JOINERS = frozenset(
    [
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "when",
        "while",
        "and",
        "but",
        "or",
        "nor",
        "so",
        "yet",
        "as",
        "if",
        "because",
        "although",
        "though",
        "then",
        "since",
        "unless",
        "whereas",
        "until",
        "before",
        "after",
        "once",
    ]
)
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
_SUBJECTS = ("nsubj", "nsubjpass", "expl")


def _subject(verb: Any) -> Any | None:
    return next((c for c in verb.children if c.dep_ in _SUBJECTS), None)


def _finite_clause(verb: Any) -> bool:
    """A verb with a subject of its own and a tense (its own or an auxiliary's)."""
    return (
        verb.pos_ in ("VERB", "AUX")
        and _subject(verb) is not None
        and (
            verb.tag_ in _FINITE
            or any(c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE for c in verb.children)
        )
    )


def _comparative_correlative(sent: Any) -> bool:
    """A sentence of the form "The more X, the Y": both halves start with "the" and a
    comparative, and the comma between them is English."""
    words = [t for t in sent if not t.is_punct]
    if len(words) < 4 or words[0].lower_ != "the" or words[1].tag_ not in ("JJR", "RBR"):
        return False
    return any(
        t.text == ","
        and t.i + 2 < sent.end
        and t.nbor(1).lower_ == "the"
        and t.nbor(2).tag_ in ("JJR", "RBR")
        for t in sent
    )


def comma_splices(doc: Any) -> Iterator[Finding]:
    """Two complete clauses joined by a bare comma: "The index fell for a seventh month, the
    consumer price index is rising". Chinese and Arabic run sentences on with commas, and
    machine translation keeps them. spaCy attaches one clause to the other (``ccomp`` before
    the main verb; ``conj``, ``parataxis`` or ``ccomp`` after it); the comma is reported when
    no conjunction, subordinator, quotation or reporting verb ("…, he said") explains it. The
    span runs from the comma to the second clause's verb."""
    for sent in doc.sents:
        root = sent.root
        if not _finite_clause(root):
            continue
        if _comparative_correlative(sent):
            continue  # "The more you eat, the fatter you get"
        for clause in root.children:
            if not _finite_clause(clause) or any(c.dep_ in ("cc", "mark") for c in clause.children):
                continue
            sub = list(clause.subtree)
            if clause.i < root.i and clause.dep_ == "ccomp" and lemma(root) not in _SAYING:
                comma = sub[-1].i + 1
                # The next clause after the comma: in "I came, I saw, I conquered" each comma
                # joins its neighbours, so the findings do not overlap.
                second = next(
                    (
                        t
                        for t in doc[comma + 1 : root.i]
                        if t.head.i == root.i and _finite_clause(t)
                    ),
                    root,
                )
                between = doc[sub[0].i : second.i]
            elif (
                clause.i > root.i
                and clause.dep_ in ("conj", "parataxis", "ccomp")
                and lemma(clause) not in _SAYING
            ):
                comma, second, between = sub[0].i - 1, clause, doc[root.i : sub[0].i]
            else:
                continue
            subject = _subject(second)
            if (
                not sent.start <= comma < sent.end - 1
                or doc[comma].text != ","
                or doc[comma + 1].lower_ in _JOINERS
                or subject is None
                or subject.i < comma
                or any(t.text in '"“”;:' for t in between)
            ):
                continue
            yield Finding(
                code="mt.comma-splice",
                message=(
                    "Two complete clauses are joined by a comma alone, a calque of source "
                    "languages that chain clauses with commas; English needs a full stop, a "
                    "semicolon or a conjunction."
                ),
                severity="warning",
                span=Span(doc[comma].idx, second.idx + len(second.text)),
                evidence=sent.text.strip()[:240],
            )


def headings(text: str) -> Iterator[Finding]:
    """Short title-case lines inside the article whose words the following paragraph never
    uses and that read like a literal translation of a section label."""
    lines = [(m.start(), m.group(0)) for m in re.finditer(r"[^\n]+", text)]
    for k, (start, line) in enumerate(lines):
        if k == 0 or k == len(lines) - 1:
            continue
        words = re.findall(r"[A-Za-z]+", line)
        if not 1 <= len(words) <= 4 or re.search(r"[.!?:;,\"”]\s*$", line):
            continue
        if not all(w[0].isupper() for w in words):
            continue
        nxt = lines[k + 1][1].lower()
        unused = [
            w for w in words if w.lower() not in nxt and zipf_frequency(w.lower(), "en") > 3.0
        ]
        if not unused:
            continue
        yield Finding(
            code="mt.heading",
            message=(
                f'The heading "{line.strip()}" does not match the paragraph it introduces '
                f'("{", ".join(unused)}" never appears there); it may be a literal translation.'
            ),
            severity="info",
            span=Span(start, start + len(line.rstrip())),
        )
