"""The linker on the sample corpus: NER, KB linking, NIL clustering and the entity index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textmill.plugins.linker import LinkerSettings, link_text
from textmill.testing import SEEDS, run_chain

# Surface forms in the seeds and the KB entity each must link to, wherever it appears.
EXPECTED = {
    "Kirby": "tm:john-kirby",
    "Xi Jinping": "tm:xi-jinping",
    "Putin": "Q7747",
    "Zelensky": "tm:volodymyr-zelensky",
    "Biden": "tm:joe-biden",
    "Sunak": "tm:rishi-sunak",
    "China": "Q148",
    "Russia": "Q159",
    "Ukraine": "Q212",
    "Moscow": "Q649",
    "Kyiv": "tm:kyiv",
    "Kiev": "tm:kyiv",
}


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory):
    return run_chain(
        [SEEDS],
        {"clean": ["unicode", "boilerplate"], "entities": ["linker"]},
        tmp_path=tmp_path_factory.mktemp("linker"),
    )


def test_named_people_and_places_are_linked_in_every_document(seeds_run) -> None:
    checked = 0
    for doc_id in seeds_run.ids():
        text = seeds_run.text(doc_id)
        mentions = seeds_run.result(doc_id, "linker").data["mentions"]
        for name, entity in EXPECTED.items():
            # "Biden administration" names the administration, not the man.
            if not re.search(rf"\b{re.escape(name)}\b(?!-| administration)", text):
                continue
            linked = {m["entity"] for m in mentions if name in m["text"]}
            assert entity in linked, f"{doc_id}: {name} not linked to {entity} ({linked})"
            checked += 1
    assert checked >= 35


def test_kiev_and_kyiv_are_one_entity_and_xi_alone_is_xi_jinping(seeds_run) -> None:
    index = {e.id: e for e in seeds_run.query.corpus.entities()}
    kyiv = index["tm:kyiv"]
    assert {"Kiev", "Kyiv"} <= set(kyiv.data["variants"])
    assert kyiv.data["documents"] == 2
    xi = index["tm:xi-jinping"]
    assert "Xi" in xi.data["variants"]
    assert xi.data["documents"] == 5
    assert xi.data["gender"] == "male"


def test_mentions_carry_gender_and_spans(seeds_run) -> None:
    doc_id = next(i for i in seeds_run.ids() if i.startswith("000"))
    text = seeds_run.text(doc_id)
    for m in seeds_run.result(doc_id, "linker").data["mentions"]:
        assert text[m["start"] : m["end"]] == m["text"]
    kirby = [
        m
        for m in seeds_run.result(doc_id, "linker").data["mentions"]
        if m["entity"] == "tm:john-kirby"
    ]
    assert kirby and all(m["gender"] == "male" for m in kirby)


def test_nil_mentions_are_clustered_across_the_corpus(tmp_path: Path) -> None:
    texts = [
        "Ukrainian officials met Oleksandr Syrskyi in Kharkiv on Monday.",
        "Oleksandr Syrskyy, the commander, visited Kharkiv again on Tuesday.",
    ]
    out = run_chain(texts, {"entities": ["linker"]}, tmp_path=tmp_path)
    ents = [e for e in out.query.corpus.entities() if e.kb_id is None and "Syrsk" in e.name]
    assert len(ents) == 1
    assert {m.doc_id for m in ents[0].mentions} == {"doc-0", "doc-1"}


def test_variant_spelling_in_one_document_is_a_finding(tmp_path: Path) -> None:
    text = "Zelensky spoke in Kyiv on Monday. Later, Kiev announced that Zelensky would travel."
    out = run_chain([text], {"entities": ["linker"]}, tmp_path=tmp_path)
    findings = out.result("doc-0", "linker").findings
    assert [f.code for f in findings] == ["linker.variant-spelling"]
    assert "Kyiv" in findings[0].message and "Kiev" in findings[0].message


def test_fuzzy_candidates_link_transliteration_variants() -> None:
    recs = link_text(
        "Talks with Volodymyr Zelenskiy continued.", LinkerSettings(entity_ruler=False)
    )
    assert any(r["entity"] == "tm:volodymyr-zelensky" for r in recs)


def test_spans_are_trimmed_to_the_name_they_hold() -> None:
    from textmill.plugins.linker.spans import trim

    def cut(s: str) -> str | None:
        span = trim(s, 0, len(s))
        return s[span[0] : span[1]] if span else None

    assert cut("the Salk Institute") == "Salk Institute"
    assert cut("Hollande 's") == "Hollande"
    assert cut("Al-Sadr's") == "Al-Sadr"
    assert cut('"Santa Baby') == "Santa Baby"
    assert cut("World War I,") == "World War I"
    # A capitalized "The" belongs to titles; abbreviations keep their full stops.
    assert cut("The Times") == "The Times"
    assert cut("U.S.") == "U.S."
    assert cut("Calif.") == "Calif."
    # Pronouns and bare titles are no names.
    assert cut("He") is None and cut("President") is None
    # A list bullet is not part of the name; one letter names nothing.
    assert cut("• Wireless") == "Wireless"
    assert cut("N") is None


def test_linked_mentions_are_trimmed_in_context() -> None:
    recs = link_text(
        "Officials in the Kremlin said Putin's aide met Xi Jinping's envoy.", LinkerSettings()
    )
    texts = {r["text"] for r in recs}
    assert "Putin" in texts and "Putin's" not in texts
    assert any(r["text"] == "Xi Jinping" and r["entity"] == "tm:xi-jinping" for r in recs)


def _kb(tmp_path: Path, rows: list[dict]) -> str:
    import json

    path = tmp_path / "kb.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_surnames_acronyms_and_word_order_find_names_the_kb_does_not_list(
    tmp_path: Path,
) -> None:
    kb = _kb(
        tmp_path,
        [
            {"id": "Q76", "name": "Barack Obama", "types": ["Q215627"]},
            {"id": "Q21637", "name": "American Civil Liberties Union", "types": ["Q43229"]},
            {"id": "Q823917", "name": "University of Sheffield", "types": ["Q43229"]},
            {"id": "Q1439", "name": "Texas", "types": ["Q27096213"]},
        ],
    )
    text = (
        "Barack Obama spoke on Monday. Obama said the ACLU had written to him, and a professor "
        "at Sheffield University agreed."
    )
    recs = {r["text"]: r["entity"] for r in link_text(text, LinkerSettings(kb=kb))}
    assert recs["Obama"] == "Q76"
    assert recs["ACLU"] == "Q21637"
    assert recs["Sheffield University"] == "Q823917"


def test_short_forms_take_the_entity_of_their_full_name(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        [
            {"id": "Q335762", "name": "Pat Riley", "types": ["Q215627"], "popularity": 20},
            {"id": "Q562522", "name": "Mike Riley", "types": ["Q215627"], "popularity": 300},
            {"id": "Q1409655", "name": "Robert Nardelli", "types": ["Q215627"]},
            {"id": "Q8766", "name": "British Airways", "types": ["Q43229"]},
            {"id": "Q1455", "name": "Buenos Aires", "types": ["Q27096213"], "popularity": 300},
            {"id": "Q207", "name": "Brooke Shields", "types": ["Q215627"], "popularity": 300},
        ],
    )
    text = (
        "MIAMI - Pat Riley is taking a leave from the Heat. Riley said on Tuesday that he "
        "would return. Bob Nardelli resigned as chief executive; Bob said he had no regrets. "
        "British Airways cancelled flights, and BA said the fog would lift. A spokesman, Jerry "
        "Shields, said the timing was a coincidence. Shields declined to comment further."
    )
    recs = [(r["text"], r["entity"]) for r in link_text(text, LinkerSettings(kb=kb))]
    assert ("Riley", "Q335762") in recs
    # A nickname with the surname is the same person, and so is the nickname alone after it.
    assert ("Bob Nardelli", "Q1409655") in recs and ("Bob", "Q1409655") in recs
    assert ("BA", "Q8766") in recs
    # The surname of a person the KB does not hold is that person, not Brooke Shields.
    assert ("Shields", "NIL:jerry shields") in recs


def test_state_abbreviations_and_legal_forms(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        [
            {"id": "Q1207", "name": "North Dakota", "types": ["Q27096213"]},
            {"id": "Q987", "name": "New Delhi", "types": ["Q27096213"], "popularity": 300},
            {"id": "Q1046951", "name": "Target Corporation", "types": ["Q43229"]},
        ],
    )
    text = (
        "The plant near Minot, N.D., closed on Monday, and Target Corp. said it would open a store."
    )
    recs = {r["text"]: r["entity"] for r in link_text(text, LinkerSettings(kb=kb))}
    # The AP abbreviation is the state, though its letters spell New Delhi too.
    assert recs["N.D."] == "Q1207"
    from textmill.plugins.linker.candidates import state_name

    assert state_name("Md.") == state_name("MD.") == "maryland" and state_name("M.D.") is None
    assert recs["Target Corp."] == "Q1046951"


def test_names_the_ner_tagged_once_are_found_again() -> None:
    from textmill.plugins.linker.spans import lone_names, repeated_names

    text = (
        "Barbara Walters defended her co-host. Walters said the show would go on, and "
        "Barbara Walters-style interviews would continue. Later, Baez sang."
    )
    found = [(0, 15, "PERSON")]
    again = [text[a:b] for a, b, _ in repeated_names(text, found)]
    # The surname on its own, at the start of a sentence too; not inside "Walters-style".
    assert again == ["Walters"]
    # An organization's last word on its own: the team after its full name.
    team = "Pat Riley coached the Miami Heat for years. On Monday the Heat lost in Detroit."
    assert [team[a:b] for a, b, _ in repeated_names(team, [(22, 32, "ORG")])] == ["Heat"]
    # A lone capitalized word that a KB person is called, and rare as a word.
    lone = [text[a:b] for a, b, _ in lone_names(text, found, lambda w: w == "Baez")]
    assert lone == ["Baez"]
