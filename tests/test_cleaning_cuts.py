"""A document that cleaning empties or cuts by over 90% gets a finding, a stderr line and no
"good" quality label."""

from __future__ import annotations

import json
from pathlib import Path

from textmill.model import Document
from textmill.plugins.mt_artifacts import cleaning_cut

from tests.test_cli import textmill

BBC = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "summarization" / "bbc.jsonl"


def test_emptied_document_is_reported_and_not_good(tmp_path):
    with BBC.open() as fh:
        rows = [json.loads(line) for _, line in zip(range(20), fh, strict=False)]
    # Ten BBC articles run together on one line: boilerplate removes the line whole.
    oneline = " ".join(r["text"].replace("\n", " ") for r in rows[10:])
    records = [{"id": r["id"], "title": r["title"], "text": r["text"]} for r in rows[:10]]
    records.append({"id": "oneline", "text": oneline})
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "config.toml").write_text(
        '[input]\npaths = ["in.jsonl"]\n'
        '[chain]\nclean = ["unicode", "boilerplate"]\nquality = ["mt_artifacts"]\n'
    )
    r = textmill("run", "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    said = [x for x in r.stderr.splitlines() if "clean.emptied" in x]
    assert said == [
        "textmill: oneline: cleaning removed all of its text (clean.emptied); "
        "see `textmill show oneline`"
    ]
    shown = json.loads(textmill("show", "--json", "oneline", cwd=tmp_path).stdout)
    assert shown["text"] == ""
    mt = shown["results"]["mt_artifacts"]
    assert mt["label"] == "poor" and mt["score"] == 0.0
    assert "clean.emptied" in [f["code"] for f in mt["findings"]]
    kept = json.loads(textmill("show", "--json", rows[0]["id"], cwd=tmp_path).stdout)
    codes = [f["code"] for f in kept["results"]["mt_artifacts"]["findings"]]
    assert not [c for c in codes if c.startswith("clean.")]


def test_mostly_removed_is_a_finding_and_caps_the_label():
    with BBC.open() as fh:
        text = json.loads(fh.readline())["text"]
    first = text.split("\n\n")[0]
    assert len(first) < 0.1 * len(text)
    cut = cleaning_cut(Document(id="a", raw=text).with_text(first))
    assert cut is not None and cut.code == "clean.mostly-removed"
    assert cleaning_cut(Document(id="a", raw=text)) is None
    assert cleaning_cut(Document(id="a", raw=text).with_text(text[: len(text) // 2])) is None
