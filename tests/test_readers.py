"""Bad input gets a per-document error with a clear reason; everything else is read."""

from __future__ import annotations

import gzip

from textmill.model import Document
from textmill.readers import ReadError, read_paths


def _by_id(items):
    return {it.id: it for it in items}


def test_seeds_are_read_with_titles(seeds):
    items = list(read_paths([seeds]))
    assert len(items) == 5 and all(isinstance(i, Document) for i in items)
    doc = _by_id(items)["002_5556c43739ad7f0a.txt"]
    assert doc.title == "White House Says It Opposes a Ceasefire in Ukraine"
    assert doc.raw.startswith("White House Says")


def test_bad_files_are_errors_and_good_ones_survive(tmp_path, seeds):
    (tmp_path / "good.txt").write_text((seeds / "003_001970584a3e2e1a.txt").read_text())
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("  \n\n")
    (tmp_path / "big.txt").write_bytes(b"word " * (10 * 1024 * 1024))  # 50 MB
    items = _by_id(read_paths([tmp_path], max_bytes=20_000_000))
    assert isinstance(items["good.txt"], Document)
    assert "binary" in items["binary.txt"].reason
    assert "not valid UTF-8" in items["latin1.txt"].reason and "iconv" in items["latin1.txt"].reason
    assert "empty" in items["empty.txt"].reason
    assert "52.4 MB" in items["big.txt"].reason and "max_bytes" in items["big.txt"].reason


def test_jsonl_malformed_line_and_gzip(tmp_path):
    lines = [
        '{"id": "a", "text": "First document.", "source_text": "Erstes.", "source_lang": "de"}',
        "{not json",
        '{"id": "c", "body": "no text field"}',
        '{"id": "d", "text": "has\\u0000nul"}',
        '["an", "array"]',
        '{"id": "f", "text": "Last one.", "meta": {"site": "x"}, "url": "http://e"}',
    ]
    path = tmp_path / "c.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    items = list(read_paths([path]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert [d.id for d in docs] == ["a", "f"]
    assert docs[0].source_text == "Erstes." and docs[0].source_lang == "de"
    assert docs[1].meta == {"url": "http://e", "site": "x"}
    reasons = {e.id: e.reason for e in errors}
    assert "line 2 is not valid JSON" in reasons["c.jsonl.gz:2"]
    assert 'no string "text" field' in reasons["c"]
    assert "NUL" in reasons["d"]
    assert "not a JSON object" in reasons["c.jsonl.gz:5"]


def test_csv_text_column(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('id,body\nx,"Hello, world."\ny,\n', encoding="utf-8")
    items = list(read_paths([path], text_column="body"))
    assert isinstance(items[0], Document) and items[0].raw == "Hello, world."
    assert isinstance(items[1], ReadError) and "empty" in items[1].reason
    missing = list(read_paths([path]))
    assert isinstance(missing[0], ReadError) and 'no "text" column' in missing[0].reason
