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
    items = _by_id(read_paths([tmp_path]))  # the default limit, 5 MB
    assert isinstance(items["good.txt"], Document)
    assert "binary" in items["binary.txt"].reason
    assert "not valid UTF-8" in items["latin1.txt"].reason and "iconv" in items["latin1.txt"].reason
    assert "empty" in items["empty.txt"].reason
    assert items["big.txt"].reason == (
        "document is 52.4 MB, over the 5 MB limit; split it, or raise the limit with "
        "max_bytes = 53_000_000 in the config's [input] table"
    )


def test_jsonl_malformed_line_and_gzip(tmp_path):
    lines = [
        '{"id": "a", "text": "First document.", "source_text": "Erstes.", "source_lang": "de"}',
        "{not json",
        '{"id": "c", "body": "no text field"}',
        '{"id": "d", "text": "has\\u0000\\u0001nul"}',
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


def test_every_record_message_names_file_and_line(tmp_path):
    lines = [
        '{"id": "a", "text": "A good record."}',
        '{"id": "b", "body": "no text field"}',
        '{"id": "c", "text": "   "}',
        "",
        '{"text": "has\\u0000\\u0001nul"}',
        "{broken",
        "[1, 2]",
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "in.csv").write_text('id,text\nx,"Fine, a real row."\ny,"two\nlines"\nz,\n')
    errors = [i for i in read_paths([tmp_path]) if isinstance(i, ReadError)]
    reasons = {e.id: e.reason for e in errors}
    assert reasons == {
        "b": 'in.jsonl line 2: record has no string "text" field; add it',
        "c": "in.jsonl line 3: document is empty; remove it or give it text",
        "in.jsonl:5": "in.jsonl line 5: document contains NUL bytes, so it is probably binary; "
        "remove it or convert it to text",
        "in.jsonl:6": reasons["in.jsonl:6"],
        "in.jsonl:7": "in.jsonl line 7 is not a JSON object; fix it",
        "z": "in.csv line 5: document is empty; remove it or give it text",
    }
    assert reasons["in.jsonl:6"].startswith("in.jsonl line 6 is not valid JSON (")


def test_devices_fifos_and_broken_links_are_reported_not_read(tmp_path, seeds):
    import os
    import threading

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text((seeds / "003_001970584a3e2e1a.txt").read_text())
    (folder / "zero.txt").symlink_to("/dev/zero")  # reading it would never end
    os.mkfifo(folder / "pipe.jsonl")  # opening it would wait for a writer forever
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    items: list = []
    reader = threading.Thread(target=lambda: items.extend(read_paths([folder])), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert not reader.is_alive(), "reading the folder hung"
    by_id = _by_id(items)
    assert isinstance(by_id["good.txt"], Document)
    assert by_id["zero.txt"].reason == (
        "not a regular file but a device (through a symbolic link), so it is not read; "
        "remove it from the input"
    )
    assert by_id["pipe.jsonl"].reason == (
        "not a regular file but a named pipe (fifo), so it is not read; remove it from the input"
    )
    assert by_id["gone.txt"].reason == "a broken symbolic link, so it is not read; fix or remove it"
    # Given directly, a device is reported the same way.
    (direct,) = read_paths([folder / "zero.txt"])
    assert isinstance(direct, ReadError) and "a device" in direct.reason
