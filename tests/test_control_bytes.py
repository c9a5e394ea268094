"""NUL and other C0 control bytes in otherwise good text are cleaned, not a reason to reject it."""

from __future__ import annotations

from textmill.model import Document
from textmill.readers import ReadError, read_paths
from textmill.testing import run_chain


def test_good_article_with_nul_bytes_is_cleaned_not_rejected(tmp_path, seeds):
    seed = sorted(seeds.glob("002_*.txt"))[0].read_text(encoding="utf-8")
    cut = seed.index("Ceasefire") + len("Ceasefire")
    dirty = seed[:cut] + "\x00" + seed[cut:400] + "\x00\x07\x1b" + seed[400:]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "article.txt").write_bytes(dirty.encode("utf-8"))
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02\x03IHDR\x00\x00" * 300)

    items = {i.id: i for i in read_paths([corpus])}
    assert isinstance(items["article.txt"], Document)
    assert isinstance(items["blob.txt"], ReadError)  # true binary is still rejected
    assert "NUL bytes, so it is probably binary" in items["blob.txt"].reason

    out = run_chain([corpus], {"clean": ["unicode"]}, tmp_path=tmp_path / "run")
    assert [e for e, _ in out.summary.input_errors] == ["blob.txt"]
    assert out.text("article.txt") == seed  # the controls removed, nothing else
    res = out.result("article.txt", "unicode")
    removed = [e for e in res.edits if e.reason == "unicode.control"]
    assert len(removed) == 4
    assert all(dirty[e.span.start : e.span.end] in "\x00\x07\x1b" for e in removed)
