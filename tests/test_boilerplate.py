"""The boilerplate plugin on the sample corpus, through the real engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textmill.errors import ConfigError
from textmill.plugins.boilerplate.clean import clean_page
from textmill.testing import SEEDS, run_chain

# Lines of each seed that are page furniture, with the reason the plugin must give.
BOILERPLATE = {
    "000": {
        "Share post:": "share",
        "For Kuwait’s new emir, Saudi ties are seen as key": "teaser",
        "Kuwait (Reuters) - Sheikh Meshal al-Ahmad al-Sabah was named...": "teaser",
        "Vatican City (Reuters) - Pope Francis on Sunday again...": "teaser",
        "Ramallah (Reuters) - Immediately after Israel's war in Gaza...": "teaser",
        "Israel says it struck Hezbollah sites after attacks from Lebanon": "teaser",
        "Jerusalem/Beirut (Reuters) - Israel said on Sunday it had...": "teaser",
    },
    "001": {
        "Alexander Zemlianitchenko/Associated Press": "credit",
        "Photo: Mikhail Metzel/Kremlin/Agence Wire": "credit",
        "Write to Charles Hutzler at": "contact",
        "Copyright ©2022 Dow Jones & Company, Inc. All rights reserved. 87990cbe856818d5eddac44c7b1cdeb8": "copyright",
        "Leave a comment": "comment",
    },
    "002": {
        "Author: Dave DeCamp": "bio",
        "Dave DeCamp is the news editor of Antiwar.com, follow him on Twitter @decampdave.": "bio",
    },
    "003": {},
    "004": {},
}
TEASER_HEADLINES = (
    "Pope Francis deplores Israeli killings of civilians at Gaza church",
    "Palestinians must find new path from Israeli rule after war, top official says",
)


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory):
    return run_chain(
        [SEEDS], {"clean": ["unicode", "boilerplate"]}, tmp_path=tmp_path_factory.mktemp("bp")
    )


def _seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.mark.parametrize("prefix", sorted(BOILERPLATE))
def test_seed_boilerplate_goes_and_article_stays(seeds_run, prefix: str) -> None:
    doc_id = next(i for i in seeds_run.ids() if i.startswith(prefix))
    view = seeds_run.document(doc_id)
    raw = _seed(prefix).read_text(encoding="utf-8")
    cleaned_lines = {ln.strip() for ln in view.doc.text.split("\n")}
    known = BOILERPLATE[prefix]
    result = seeds_run.result(doc_id, "boilerplate")
    reasons = {raw[e.span.start : e.span.end].strip(): e.reason for e in result.edits}
    for line, reason in known.items():
        assert line not in cleaned_lines, f"{prefix}: {line!r} should be removed"
        assert reasons.get(line) == f"boilerplate.{reason}", (line, reasons.get(line))
    if prefix == "000":
        for line in TEASER_HEADLINES:
            assert line not in cleaned_lines
    furniture = set(known) | (set(TEASER_HEADLINES) if prefix == "000" else set())
    for para in (p.strip() for p in raw.split("\n")):
        if para and para not in furniture:
            assert para in cleaned_lines, f"{prefix}: article line lost: {para[:60]!r}"
    assert not result.findings, "no seed ends mid-sentence"


def test_removals_are_edits_in_raw_with_confidence(seeds_run) -> None:
    doc_id = next(i for i in seeds_run.ids() if i.startswith("001"))
    result = seeds_run.result(doc_id, "boilerplate")
    raw = _seed("001").read_text(encoding="utf-8")
    assert result.edits
    for e in result.edits:
        assert e.reason.startswith("boilerplate.")
        assert 0 < e.confidence <= 1
        assert e.replacement == ""
        assert raw[e.span.start : e.span.end].strip() == "" or e.reason != "boilerplate.whitespace"
    assert result.data["reasons"]["copyright"] == 1


def test_annotate_only_keeps_text_and_marks_spans(tmp_path: Path) -> None:
    out = run_chain(
        [_seed("002")],
        {"clean": ["boilerplate"]},
        tmp_path=tmp_path,
        settings={"boilerplate": {"flag_only": ["bio"]}},
    )
    doc_id = out.ids()[0]
    assert "Author: Dave DeCamp" in out.text(doc_id)
    flagged = [e for e in out.result(doc_id, "boilerplate").edits if not e.applied]
    assert {e.reason for e in flagged} == {"boilerplate.bio"}
    assert len(flagged) == 2


def test_truncated_last_paragraph_is_a_finding_not_a_cut(tmp_path: Path) -> None:
    raw = _seed("003").read_text(encoding="utf-8")
    cut = raw.rstrip()[: raw.rstrip().rfind(" that they have made")]
    out = run_chain([cut], {"clean": ["boilerplate"]}, tmp_path=tmp_path)
    doc_id = out.ids()[0]
    assert out.text(doc_id).rstrip().endswith("no signs or confirmation")
    findings = out.result(doc_id, "boilerplate").findings
    assert [f.code for f in findings] == ["boilerplate.truncated"]
    span = findings[0].span
    assert out.text(doc_id)[span.start : span.end].startswith("According to Kirby")


def test_lines_repeated_across_the_corpus_are_learned(tmp_path: Path) -> None:
    footer = "Sign in to read our journalism on every device today"
    bodies = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    docs = [f"{b}\n\n{footer}\n" for b in bodies] * 2
    out = run_chain(docs, {"clean": ["boilerplate"]}, tmp_path=tmp_path)
    for doc_id in out.ids():
        assert footer not in out.text(doc_id)


def test_extra_patterns_and_bad_regex(tmp_path: Path) -> None:
    text = (
        "Kirby spoke on Friday about the ceasefire proposal and its effect.\n\nSponsored by Acme\n"
    )
    _, cleaned, _ = clean_page(text)
    assert "Sponsored by Acme" in cleaned
    out = run_chain(
        [text],
        {"clean": ["boilerplate"]},
        tmp_path=tmp_path,
        settings={"boilerplate": {"extra_patterns": ["^sponsored by"]}},
    )
    assert "Sponsored" not in out.text(out.ids()[0])
    # A bad pattern is a config error, found before any document is read.
    with pytest.raises(ConfigError, match="which is not a regular expression"):
        run_chain(
            [text],
            {"clean": ["boilerplate"]},
            tmp_path=tmp_path / "bad",
            settings={"boilerplate": {"extra_patterns": ["(unclosed"]}},
        )


AEB = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "cleaning" / "aeb.jsonl"


@pytest.mark.skipif(not AEB.exists(), reason="evaluation data not present")
def test_cleaning_beats_no_cleaning_on_real_pages() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from eval_cleaning import shingle_prf

    rows = [json.loads(line) for line in AEB.open(encoding="utf-8")][:30]
    base = shingle_prf([(r["text"], r["gold"]) for r in rows])
    ours = shingle_prf([(clean_page(r["text"])[1], r["gold"]) for r in rows])
    assert ours[2] > base[2] + 0.08
    assert ours[1] > 0.85


def test_the_article_starts_at_the_headline_that_repeats_the_title(tmp_path: Path) -> None:
    # A scraped page: the page title, a menu and a list of other stories, then the headline
    # (the title again) and the article; the other seeds' headlines and first lines play the
    # other stories.
    seeds = [p.read_text(encoding="utf-8").split("\n") for p in sorted(SEEDS.glob("*.txt"))]
    title, _, *body = seeds[2]
    others = [ln for s in seeds[:2] + seeds[3:] for ln in s[:3] if ln.strip()]
    menu = ["Home", "World", "Politics", "Business", "Opinion", "Sign in", "Subscribe"]
    page = "\n".join([f"{title} | Antiwar.com", "", *menu, "", *others, "", title, "", *body])
    _, cleaned, _ = clean_page(page)
    kept = {ln.strip() for ln in cleaned.split("\n")}
    for line in others + menu[:5]:
        assert line.strip() not in kept, line
    article = [ln for ln in body if ln.strip() and not ln.startswith(("Author:", "Dave DeCamp"))]
    for line in article:
        assert line.strip() in kept, line[:60]


def test_cjk_text_counts_words_by_characters() -> None:
    from textmill.plugins.boilerplate.language import count_words, tokens

    line = "報道によると、今回販売されたのは、いわゆる「脱獄」したiPhone。"
    chars = sum(1 for c in line if "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff")
    assert count_words(line) == (chars + 1) // 2 + 1  # two characters a word, plus "iPhone"
    assert tokens("の改造") == ["の", "改", "造"]
    assert count_words("Kirby spoke on Friday.") == 4


def test_exported_trees_predict_what_scikit_learn_predicts() -> None:
    import sys

    import numpy as np
    from textmill.plugins.boilerplate.features import page_features, split_lines
    from textmill.plugins.boilerplate.model import forest_from_json, predict

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from sklearn.ensemble import GradientBoostingClassifier
    from train_boilerplate import export

    xs, ys = [], []
    for prefix, furniture in BOILERPLATE.items():
        lines = split_lines(_seed(prefix).read_text(encoding="utf-8"))
        xs.append(page_features(lines)[0])
        ys += [int(ln.text not in furniture) for ln in lines if ln.text]
    x, y = np.vstack(xs), np.array(ys)
    clf = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0).fit(x, y)
    forest = forest_from_json(export(clf, x))
    assert np.allclose(predict(x, forest), clf.predict_proba(x)[:, 1], atol=1e-4)
    assert (predict(x, forest) > 0.5).tolist() == clf.predict(x).astype(bool).tolist()


@pytest.mark.skipif(not AEB.exists(), reason="evaluation data not present")
def test_pages_in_other_languages_are_read_in_their_language() -> None:
    import sys

    import py3langid
    from textmill.plugins.boilerplate.features import split_lines
    from textmill.plugins.boilerplate.language import page_language

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from eval_cleaning import shingle_prf

    rows = [json.loads(line) for line in AEB.open(encoding="utf-8")]
    foreign = [r for r in rows if py3langid.classify(r["gold"])[0] != "en"]
    assert len(foreign) >= 5
    for r in foreign:
        lines = [ln.text for ln in split_lines(r["text"]) if ln.text]
        assert page_language(lines) == py3langid.classify(r["gold"])[0], r["url"]
    base = shingle_prf([(r["text"], r["gold"]) for r in foreign])
    ours = shingle_prf([(clean_page(r["text"])[1], r["gold"]) for r in foreign])
    assert ours[2] > base[2] + 0.15


def test_the_main_block_ends_before_a_long_stretch_of_furniture() -> None:
    # A short article under its headline, then a long run of menus and, below it, more prose
    # (other seeds' paragraphs, as a page's "more stories" would show them) that is longer than
    # the article: the article is the first stretch after the headline, not the longest one.
    import numpy as np
    from textmill.plugins.boilerplate import clean
    from textmill.plugins.boilerplate.features import page_features, split_lines
    from textmill.plugins.boilerplate.model import predict

    seeds = [p.read_text(encoding="utf-8").split("\n") for p in sorted(SEEDS.glob("*.txt"))]
    title, _, *body = seeds[3]
    article = [ln for ln in body if ln.strip()][:6]
    others = [ln for ln in seeds[1][2:] + seeds[4] if len(ln.split()) > 20]
    menu = ["More stories", "Sign in", *(f"Section {k}" for k in range(30))]
    page = "\n\n".join([title, "Home\nWorld", title, *article, "\n".join(menu), *others])
    lines = split_lines(page)
    content = [ln.text for ln in lines if ln.text]
    p = predict(page_features(lines)[0])
    words = np.maximum([ln.words for ln in lines if ln.text], clean.BLOCK_MIN_WORDS)
    center = clean.BLOCK_CENTER * clean.DEFAULT_AGGRESSIVENESS
    head = content.index(title, 1)
    lo, hi = clean._main_block(p[head:], words[head:], center, clean.MAX_GAP, clean.FIRST_SEGMENT)
    assert content[head + lo : head + hi + 1] == [title, *article]
    # Without the gap, the longer prose below would win or join the block.
    lo, hi = clean._main_block(p[head:], words[head:], center)
    assert content[head + hi] == others[-1]


MQM = AEB.parent.parent / "translations" / "wmt23-zhen-mqm.jsonl.gz"


def one_segment_a_line(path: Path) -> list[tuple[str, str]]:
    """The MQM set's machine translations as documents laid out one segment a line (no blank
    lines), as transcripts, subtitles and MT output come: ``(id, text)`` per system and document."""
    import gzip
    from collections import defaultdict

    segs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            segs[f"{r['system']}/{r['doc']}"].append((r["seg"], r["target"]))
    return [(k, "\n".join(t for _, t in sorted(v))) for k, v in sorted(segs.items())]


@pytest.mark.skipif(not MQM.exists(), reason="evaluation data not present")
def test_text_one_segment_a_line_keeps_its_words(tmp_path: Path) -> None:
    import re
    import statistics

    from textmill import Document

    docs = one_segment_a_line(MQM)
    assert len(docs) > 300 and all("\n\n" not in t for _, t in docs)
    out = run_chain(
        [Document(id=i, raw=t) for i, t in docs],
        {"clean": ["unicode", "boilerplate"]},
        tmp_path=tmp_path,
    )
    word = re.compile(r"\w+")
    kept = [len(word.findall(out.text(i))) / len(word.findall(t)) for i, t in docs]
    total = sum(len(word.findall(out.text(i))) for i, _ in docs)
    assert total / sum(len(word.findall(t)) for _, t in docs) >= 0.98
    assert statistics.median(kept) == 1.0 and min(kept) > 0.5
    # The same pages read the same whether or not their paragraphs are set apart by blank
    # lines: the layout alone decides nothing.
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from eval_cleaning import shingle_prf

    rows = [json.loads(line) for line in AEB.open(encoding="utf-8")][:30]
    flat = [re.sub(r"\n\s*\n", "\n", r["text"]) for r in rows]
    spaced = shingle_prf([(clean_page(r["text"])[1], r["gold"]) for r in rows])[2]
    collapsed = shingle_prf(
        [(clean_page(t)[1], r["gold"]) for t, r in zip(flat, rows, strict=True)]
    )[2]
    assert collapsed > spaced - 0.03
