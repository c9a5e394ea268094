"""Duplicate ids in JSONL and CSV input: each reported with its file and line; the first wins."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from textmill.model import Document
from textmill.readers import Skipped, read_paths

from tests.test_cli import textmill

BBC = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "summarization" / "bbc.jsonl"


def articles(n: int) -> list[dict]:
    with BBC.open() as fh:
        return [json.loads(line) for _, line in zip(range(n), fh, strict=False)]


def test_jsonl_and_csv_duplicates_are_reported_and_the_first_wins(tmp_path):
    a, b, c = articles(3)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [a, b, {**c, "id": a["id"]}, {**b, "text": b["text"][:400]}]
    (corpus / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with (corpus / "z_more.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "title", "text"])
        w.writeheader()
        w.writerow({"id": "csv/1", "title": c["title"], "text": c["text"]})
        w.writerow({"id": a["id"], "title": "again", "text": b["text"]})

    items = list(read_paths([corpus]))
    docs = {d.id: d for d in items if isinstance(d, Document)}
    assert sorted(docs) == sorted([a["id"], b["id"], "csv/1"])
    assert docs[a["id"]].raw == a["text"] and docs[b["id"]].raw == b["text"]  # the first wins
    skipped = [s.reason for s in items if isinstance(s, Skipped)]
    assert len(skipped) == 3, skipped
    assert (
        'news.jsonl line 3: duplicate id "business/001", first read at news.jsonl line 1'
        in (skipped[0])
    )

    config = tmp_path / "config.toml"
    config.write_text('[input]\npaths = ["corpus"]\n[chain]\nclean = ["unicode"]\n')
    r = textmill("run", "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr  # reported, not an error
    lines = [x for x in r.stderr.splitlines() if "duplicate id" in x]
    assert len(lines) == 3, r.stderr
    assert all(x.startswith("textmill: ") for x in lines)
    assert any("news.jsonl line 3" in x and a["id"] in x for x in lines)
    assert any("news.jsonl line 4" in x and b["id"] in x for x in lines)
    assert any(a["id"] in x and "z_more.csv line " in x for x in lines)
    show = textmill("show", "--json", b["id"], cwd=tmp_path)
    assert json.loads(show.stdout)["raw"] == b["text"]
