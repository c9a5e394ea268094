"""Knowledge bases: the JSONL format, `textmill kb build`, and the Wikidata dump reader."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from textmill.cli import cli
from textmill.plugins.linker import LinkerSettings, link_text
from textmill.plugins.linker.kb import KB, read_wikidata

DATA = Path(__file__).parent / "data"


def test_wikidata_dump_is_streamed_and_filtered() -> None:
    items = list(read_wikidata(DATA / "wikidata-sample.json", types={"Q5"}))
    assert [e.id for e in items] == ["Q7747", "Q42"]
    putin = items[0]
    assert putin.gender == "male" and putin.description == "President of Russia"
    assert ("Putin", 1.0) in putin.aliases
    assert [e.id for e in read_wikidata(DATA / "wikidata-sample.json", ids={"Q649"})] == ["Q649"]


def test_kb_build_from_wikidata_dump_and_link_with_it(tmp_path: Path) -> None:
    out = tmp_path / "kb.sqlite"
    res = CliRunner().invoke(
        cli,
        [
            "kb",
            "build",
            str(DATA / "wikidata-sample.json"),
            "--wikidata",
            "--types",
            "Q5,Q515",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "wrote 3 entities" in res.output
    kb = KB.load(out)
    assert kb.candidates("moskva")[0][0] == "Q649"
    recs = link_text("Putin flew to Moscow.", LinkerSettings(kb=str(out)))
    assert {r["text"]: r["entity"] for r in recs} == {"Putin": "Q7747", "Moscow": "Q649"}


def test_kb_build_from_jsonl_and_clear_errors(tmp_path: Path) -> None:
    src = tmp_path / "kb.jsonl"
    src.write_text(json.dumps({"id": "x1", "name": "Janka Oertel", "aliases": ["Oertel"]}) + "\n")
    res = CliRunner().invoke(cli, ["kb", "build", str(src), "-o", str(tmp_path / "kb.sqlite")])
    assert res.exit_code == 0 and "wrote 1 entities" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x1"}\n')
    res = CliRunner().invoke(cli, ["kb", "build", str(bad), "-o", str(tmp_path / "b.sqlite")])
    assert res.exit_code != 0
    assert 'needs at least "id" and "name"' in res.output
    assert "Traceback" not in res.output
