"""Checks that need spaCy's parse: pronoun gender, sentence fragments, articles before proper
nouns, comma splices, and headings that read as literal translations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from textmill import Finding, Span
from textmill.gender import PRONOUN_GENDER, TITLE_GENDER
from textmill.models import gender_detector
from textmill.parse import lemma
from textmill.plugins.mt_artifacts.severity import severity_of
from wordfreq import zipf_frequency

_PRONOUNS = PRONOUN_GENDER


@lru_cache(maxsize=1)
def _detector() -> Any:
    return gender_detector()


def _guess(first_name: str) -> str | None:
    """The gender of a first name when the name-gender list is sure of it: "male" or "female"
    overall and not the other (nor "andy", nor "mostly_*") in the USA or Britain. "Bernie"
    (mostly female overall, mostly male in the USA) and "Jan" are unknown."""
    d = _detector()
    overall = d.get_gender(first_name)
    if overall not in ("male", "female"):
        return None
    for country in ("usa", "great_britain"):
        if d.get_gender(first_name, country) not in (overall, "unknown"):
            return None
    return str(overall)


# Titles that say a person's gender ("Ms Druyun", "Mr Sears").
_TITLES = {**TITLE_GENDER, "madam": "female", "madame": "female"}
_TITLE_BEFORE = re.compile(
    r"\b(" + "|".join(t.capitalize() for t in _TITLES) + r")\.?\s+([A-Z][\w'’-]+)"
)
# How many sentences back a pronoun's antecedent is looked for.
_WINDOW = 2


def _surname(text: str) -> str:
    last = text.split()[-1] if text.split() else text
    return re.sub(r"['’]s?$", "", last)


def _untitled(text: str) -> str:
    """A name without a leading title: "Ms Druyun" -> "Druyun"."""
    parts = text.split()
    while len(parts) > 1 and parts[0].rstrip(".").lower() in _TITLES:
        parts = parts[1:]
    return " ".join(parts)


def _persons(doc: Any) -> list[Any]:
    """People named in ``doc``: its PERSON entities, and every other mention of their surnames
    (the parser may tag "Darleen Druyun" as a work of art where "Ms Druyun" is a person)."""
    persons = [e for e in doc.ents if e.label_ == "PERSON"]
    surnames = {_surname(e.text) for e in persons}
    covered = {i for e in persons for i in range(e.start, e.end)}
    for tok in doc:
        if tok.i not in covered and tok.text in surnames:
            persons.append(doc[tok.i : tok.i + 1])
    return sorted(persons, key=lambda e: e.start)


def _person_genders(
    text: str, persons: list[Any], mentions: list[dict] | None
) -> dict[str, tuple[str | None, str, str]]:
    """Per surname: ``(gender or None, evidence, full name)``. Evidence, strongest first: the
    knowledge base (linker mentions), a title in the text ("Ms Druyun"), a first name the
    name-gender list is sure of. Evidence that disagrees makes the gender unknown."""
    full: dict[str, str] = {}
    for e in persons:
        if len(_untitled(e.text).split()) >= 2:
            full.setdefault(_surname(e.text), _untitled(e.text))
    titled: dict[str, set[str]] = {}
    for m in _TITLE_BEFORE.finditer(text):
        if m.group(1)[0].isupper():
            titled.setdefault(m.group(2), set()).add(_TITLES[m.group(1).lower()])
    kb: dict[str, set[str]] = {}
    for men in mentions or []:
        if men.get("gender") in ("male", "female"):
            for part in str(men.get("name") or men.get("text") or "").split():
                kb.setdefault(_surname(part), set()).add(men["gender"])
            kb.setdefault(_surname(str(men.get("text", ""))), set()).add(men["gender"])
    out: dict[str, tuple[str | None, str, str]] = {}
    for e in persons:
        sur = _surname(e.text)
        if sur in out:
            continue
        name = full.get(sur, _untitled(e.text))
        votes: list[tuple[str, str]] = []
        if sur in kb:
            votes += [(g, "knowledge base") for g in kb[sur]]
        if sur in titled:
            votes += [(g, f'the title before "{sur}"') for g in titled[sur]]
        if len(name.split()) >= 2:
            g = _guess(name.split()[0])
            votes += [(g, f'first name "{name.split()[0]}" (name-gender list)')] if g else []
        genders = {g for g, _ in votes}
        if len(genders) == 1:
            out[sur] = (votes[0][0], votes[0][1], name)
        else:
            out[sur] = (None, "", name)
    return out


def pronoun_gender(doc: Any, mentions: list[dict] | None) -> Iterator[Finding]:
    """A pronoun whose gender contradicts the person it refers to, reported only when the
    reference is clear:

    - the pronoun is the subject of a clause conjoined with one whose subject is a person
      ("Kirby reaffirmed …, but she added"), and no other person is that clause's object; or
    - every person named in its sentence and the two before it has a known gender, and none
      has the pronoun's.

    A person's gender comes from the linker's knowledge base, a title in the text, or a first
    name the name-gender list is sure of; when unsure, nothing is said."""
    text = doc.text
    persons = _persons(doc)
    if not persons:
        return
    genders = _person_genders(text, persons, mentions)
    sents = list(doc.sents)
    for si, sent in enumerate(sents):
        for tok in sent:
            want = _PRONOUNS.get(tok.lower_)
            if want is None or tok.dep_ not in ("nsubj", "nsubjpass", "poss", "dobj", "pobj"):
                continue
            lo = sents[max(0, si - _WINDOW)].start
            # Persons named in the window before the pronoun, and later in its sentence
            # ("Before she left, Kirby …").
            near = [e for e in persons if lo <= e.start and e.end <= sent.end and e.start != tok.i]
            if not near:
                continue
            candidate = _parallel_subject(tok, persons)
            if candidate is not None:
                rivals = [
                    e
                    for e in near
                    if e is not candidate
                    and any(
                        t.head == candidate.root.head and t.dep_ in ("dobj", "dative") for t in e
                    )
                ]
                if any(genders[_surname(e.text)][0] in (None, want) for e in rivals):
                    continue
            else:
                if any(genders[_surname(e.text)][0] in (None, want) for e in near):
                    continue
                before = [e for e in near if e.end <= tok.i]
                if not before:
                    continue
                # "…difficult for the buyer to defend his rights": a noun between the last
                # person named and the pronoun may be what it refers to.
                if any(
                    t.pos_ == "NOUN"
                    and t.tag_ == "NN"
                    and t.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj")
                    for t in doc[max(before[-1].end, sent.start) : tok.i]
                ):
                    continue
                candidate = _antecedent(tok, sents[max(0, si - 1) : si + 1], before) or before[-1]
            gender, evidence, name = genders[_surname(candidate.text)]
            if gender is None or gender == want:
                continue
            yield Finding(
                code="mt.pronoun-gender",
                message=(
                    f'"{tok.text}" refers to {name}, who is {gender} (evidence: {evidence}); '
                    "the translation may have picked the wrong pronoun."
                ),
                severity=severity_of("mt.pronoun-gender"),
                span=Span(tok.idx, tok.idx + len(tok.text)),
                evidence=text[candidate.start_char : tok.idx + len(tok.text)][-160:],
                suggestion={
                    "male": {"she": "he", "her": "his", "herself": "himself"},
                    "female": {"he": "she", "him": "her", "his": "her", "himself": "herself"},
                }[gender].get(tok.lower_),
                data={"antecedent": name, "gender": gender, "evidence": evidence},
            )


def _parallel_subject(pron: Any, persons: list[Any]) -> Any | None:
    """The person who is the subject of the clause the pronoun's clause is conjoined with:
    "Kirby reaffirmed that …, but she added" (``added`` is a ``conj`` of ``reaffirmed``)."""
    if pron.dep_ not in ("nsubj", "nsubjpass"):
        return None
    verb = pron.head
    if verb.dep_ != "conj":
        return None
    first = verb.head
    subj = next((c for c in first.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None:
        return None
    return next((e for e in persons if e.start <= subj.i < e.end), None)


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
        # After a question it is the answer: "Does this make sense? In part, certainly."
        if text[line_start : sent.start_char].rstrip().endswith("?"):
            continue
        yield Finding(
            code="mt.fragment",
            message=f'"{sent.text.strip()}" is a sentence fragment; the sentence may have been cut or split wrongly.',
            severity=severity_of("mt.fragment"),
            span=Span(sent.start_char, sent.end_char),
            evidence=text[max(0, sent.start_char - 40) : sent.end_char],
        )


# Names that take "the" (plural names ending in "s" are left alone too).
_WITH_THE = frozenset(["Vatican", "Kremlin", "Pentagon", "Hague", "Gambia", "Congo", "Crimea"])


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
        if ent.text.endswith("s") or ent.text in _WITH_THE:
            continue  # "the Netherlands'", "the Philippines'", "the Vatican's"
        yield Finding(
            code="mt.article",
            message=f'"the {ent.text}{nxt.text}" puts an article before a proper noun that takes none.',
            severity=severity_of("mt.article"),
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
# Verbs of ruling, forecasting and reporting beyond speech that close a sentence as its frame
# ("…was illegal, a court has ruled").
_FRAMES = frozenset(
    ["forecast", "rule", "intimate", "project", "calculate", "reckon", "allege", "maintain"]
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


_QUOTES = frozenset('"“”„«»')
_OBJECTS = frozenset({"dobj", "ccomp", "xcomp", "attr", "acomp", "oprd", "dative"})
_RELATIVES = frozenset({"which", "whom", "whose"})


def _explained(doc: Any, sent: Any, comma: int, second: Any) -> bool:
    """English reasons for a comma between two finite clauses that the parse does not mark:
    a quotation (in or before the sentence), a reporting frame after it ("…about 4%,
    economists forecast"), a relative clause ("…, the first of which was annulled"), a
    clause that opens with a subordinator or an inverted auxiliary ("Should it become an
    offer, it…"), an opening phrase without a clause of its own ("Looking ahead, Mr X
    forecast…"), or a list of clauses closed by "and" ("investment has risen, unemployment has
    fallen and inflation…")."""
    # Quoted speech: spoken English runs clauses on with commas, and a quotation before the
    # comma ends in a reporting frame.
    para_start = doc.text.rfind("\n", 0, doc[comma].idx) + 1
    if any(c in _QUOTES for c in doc.text[para_start : doc[comma].idx]):
        return True
    after = [t for t in doc[comma + 1 : sent.end] if not t.is_punct]
    frame = [t for t in second.subtree if t.i > comma and not t.is_punct]
    # A reporting frame closing the sentence: a verb of saying, or a short clause whose verb
    # takes no object.
    if frame and after and frame[-1].i == after[-1].i:
        if lemma(second) in _SAYING or lemma(second) in _FRAMES:
            return True
        if len(frame) <= 6 and not any(c.dep_ in _OBJECTS for c in second.children):
            return True
    if any(t.lower_ in _RELATIVES for t in doc[comma + 1 : second.i]):
        return True
    subject = _subject(second)
    if subject is not None and any(
        t.dep_ == "mark" or t.lower_ in _JOINERS for t in doc[comma + 1 : subject.i]
    ):
        return True  # "…, three days before the president was elected"
    # A quotation opened after a frame: "…recalled that year, "We came…"".
    if doc[comma + 1].text in _QUOTES:
        return True
    # Place names: "Yunnan Province, China, issued".
    if doc[comma - 1].ent_type_ in ("GPE", "LOC") and doc[comma + 1].ent_type_ in ("GPE", "LOC"):
        return True
    first = [
        t
        for t in doc[sent.start : comma]
        if not t.is_punct and not t.is_space and t.idx >= para_start
    ]
    if first and first[0].lower_ in _JOINERS:
        return True
    # Main clauses before the comma: not relative ("which has upgraded") or subordinate
    # ("While the board may be casting…") ones.
    heads = [
        t
        for t in first
        if _finite_clause(t)
        and _subject(t).i < comma  # type: ignore[union-attr]
        and _subject(t).lower_ not in ("which", "who", "that")  # type: ignore[union-attr]
        and t.dep_ not in ("relcl", "advcl", "acl")
        and not any(c.dep_ == "mark" for c in t.children)
    ]
    if not heads:
        return True  # no clause before the comma: an opening phrase
    if all(
        any(c.dep_ in ("aux", "auxpass") and c.i < _subject(h).i for c in h.children)  # type: ignore[union-attr]
        for h in heads
    ):
        return True  # "Should it become a firm offer, …": a condition
    # A list of clauses: a later clause joins the same head with a conjunction.
    for head in {second.head, second}:
        for c in head.children:
            if c.dep_ == "conj" and c.i > second.i and any(x.dep_ == "cc" for x in c.head.children):
                return True
    return False


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
                or _explained(doc, sent, comma, second)
            ):
                continue
            yield Finding(
                code="mt.comma-splice",
                message=(
                    "Two complete clauses are joined by a comma alone, a calque of source "
                    "languages that chain clauses with commas; English needs a full stop, a "
                    "semicolon or a conjunction."
                ),
                severity=severity_of("mt.comma-splice"),
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
