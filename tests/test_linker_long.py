"""The linker on one long document: its index-based passes give what a scan of the whole text
for every name, acronym, pronoun and description gives (the plain definitions, written out
here), on BBC articles run together into one text."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from textmill.plugins.linker import LinkerSettings, _pieces, kb_path, link_document
from textmill.plugins.linker.coref import (
    _DESCRIPTION,
    _DESCRIPTION_KIND,
    _FEMALE_HEADS,
    _ITS_KINDS,
    _MALE_HEADS,
    _PRONOUN,
    _PRONOUNS,
    _QUOTED,
    _gender_of,
    _kind,
    _reference,
    references,
)
from textmill.plugins.linker.kb import normalize
from textmill.plugins.linker.link import LINKABLE
from textmill.plugins.linker.ner import pipeline
from textmill.plugins.linker.spans import (
    _SENTENCE_START,
    _Taken,
    acronym_names,
    defined_acronyms,
    repeated_names,
    split_possessive,
    trim,
)
from textmill.sentences import split_spans

BBC = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "summarization" / "bbc.jsonl"
pytestmark = pytest.mark.skipif(not BBC.exists(), reason="../shared/eval is not beside the project")


@lru_cache(maxsize=1)
def long_text() -> str:
    """About 150,000 characters: BBC articles, title and text, one after another."""
    parts, n = [], 0
    with BBC.open(encoding="utf-8") as fh:
        for r in map(json.loads, fh):
            parts.append(r["title"] + "\n\n" + r["text"].strip())
            n += len(parts[-1])
            if n > 150_000:
                break
    return "\n\n".join(parts)


@lru_cache(maxsize=1)
def linked() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return link_document(long_text(), LinkerSettings())


def scanned_repeats(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``repeated_names`` by ``str.find`` over the whole text for every name."""
    names: dict[str, str] = {}
    anywhere: set[str] = set()
    for a, b, label in found:
        s = text[a:b]
        words = s.split()
        if len(s) >= 3 and s[:1].isupper():
            names.setdefault(s, label)
            if len(words) >= 2:
                anywhere.add(s)
        if label == "PERSON" and len(words) >= 2:
            last = words[-1]
            if len(last) >= 3 and last[:1].isupper() and last.isalpha():
                names[last] = label
                anywhere.add(last)
        elif label == "ORG" and len(words) >= 2:
            last = words[-1]
            if len(last) >= 4 and last[:1].isupper() and last[1:].islower() and last.isalpha():
                names.setdefault(last, label)
    taken = _Taken(found)
    out = []
    for name, label in sorted(names.items(), key=lambda n: -len(n[0])):
        at = text.find(name)
        while at >= 0:
            end = at + len(name)
            before = text[at - 1] if at else " "
            after = text[end] if end < len(text) else " "
            if (
                not (before.isalnum() or before in ".-_")
                and not (after.isalnum() or after in "-_")
                and not taken.overlaps(at, end)
                and (name in anywhere or not _SENTENCE_START.search(text, max(0, at - 8), at))
            ):
                out.append((at, end, label))
                taken.add(at, end)
            at = text.find(name, end)
    return out


def scanned_acronyms(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``acronym_names`` by a regular expression over the whole text for every acronym."""
    label_of = {(a, b): label for a, b, label in found}
    taken = _Taken(found)
    out = []
    for acronym, span in defined_acronyms(text, found).items():
        for m in re.finditer(rf"(?<![\w.&-]){re.escape(acronym)}(?![\w&-])", text):
            if not taken.overlaps(*m.span()):
                out.append((m.start(), m.end(), label_of[span]))
                taken.add(*m.span())
    return out


def scanned_references(text: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``references`` with every mention before a pronoun or description looked at again."""
    body = sorted(
        (r for r in records if r.get("role") != "dateline" and _kind(r)), key=lambda r: r["start"]
    )
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for r in body:
        by_entity.setdefault(r["entity"], []).append(r)
    gender = {e: _gender_of(rs) for e, rs in by_entity.items()}
    starts = [a for a, _ in split_spans(text)]
    spans = [(r["start"], r["end"]) for r in records]
    quoted = [m.span() for m in _QUOTED.finditer(text)]

    def resolve(pos: int, kind: str, want: str | None, back: int = 1) -> dict[str, Any] | None:
        k = max([i for i, a in enumerate(starts) if a <= pos], default=0)
        lo = starts[max(0, k - back)] if starts else 0
        kinds = _ITS_KINDS if kind == "its" else {kind}
        before = [r for r in body if r["end"] <= pos and _kind(r) in kinds]
        windows = [[r for r in before if r["start"] >= lo]] + ([before] if kind != "its" else [])
        for window in windows:
            ents = {r["entity"] for r in window}
            if kind == "PERSON" and want:
                ents = {e for e in ents if gender.get(e) in (None, want)}
                if len(ents) == 1 and gender.get(next(iter(ents))) is None:
                    return None
            if ents:
                if len(ents) != 1:
                    return None
                return [r for r in window if r["entity"] in ents][-1]
        return None

    out = []
    for m in _PRONOUN.finditer(text):
        a, b = m.span()
        if any(s < b and a < e for s, e in spans) or any(x < a < y for x, y in quoted):
            continue
        word = m.group().casefold()
        ante = (
            resolve(a, "its", None, 0)
            if word == "its"
            else resolve(a, "PERSON", _PRONOUNS.get(word))
        )
        if ante is not None:
            out.append(_reference(a, b, text, "pronoun", ante))
    for m in _DESCRIPTION.finditer(text):
        a, b = m.span(1)
        if any(s < b and m.start() < e for s, e in spans) or text[b : b + 1] == "'":
            continue
        head = m.group(1)
        want = "female" if head in _FEMALE_HEADS else "male" if head in _MALE_HEADS else None
        ante = resolve(m.start(), _DESCRIPTION_KIND[head], want)
        if ante is not None:
            out.append(_reference(a, b, text, "description", ante))
    out.sort(key=lambda r: r["start"])
    return out


def ner_spans(text: str) -> list[tuple[int, int, str]]:
    """The NER's spans trimmed to names, as ``mentions_from_ents`` starts from."""
    nlp = pipeline(kb_path(LinkerSettings()), True)
    out = []
    for p in _pieces(nlp, text):
        for e in p.doc.ents:
            start, end = p.offset + e.start_char, p.offset + e.end_char
            if e.label_ not in LINKABLE:
                continue
            for a, b, label in split_possessive(text, start, end, e.label_):
                span = trim(text, a, b)
                if span is not None and normalize(text[span[0] : span[1]]):
                    out.append((*span, label))
    return out


def test_names_and_acronyms_found_again_are_those_a_scan_finds() -> None:
    text = long_text()
    found = ner_spans(text)
    repeats = repeated_names(text, found)
    assert len(repeats) > 20
    assert repeats == scanned_repeats(text, found)
    found += repeats
    acronyms = acronym_names(text, found)
    assert acronyms
    assert acronyms == scanned_acronyms(text, found)


def test_pronouns_and_descriptions_link_as_a_scan_links_them() -> None:
    records, linked_refs = linked()
    refs = references(long_text(), records)
    assert refs == linked_refs and len(refs) > 50
    assert {r["kind"] for r in refs} == {"pronoun", "description"}
    assert refs == scanned_references(long_text(), records)
