"""Knowledge bases: the JSONL format, `textmill kb build`, and the Wikidata dump reader."""

from __future__ import annotations

import json
import subprocess
import sys
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


def _item(qid: str, label: str, p31: str, sitelinks: int, **extra: object) -> dict:
    claim = {"mainsnak": {"datavalue": {"value": {"id": p31}}}}
    return {
        "id": qid,
        "type": "item",
        "labels": {"en": {"language": "en", "value": label}},
        "descriptions": {"en": {"language": "en", "value": extra.get("description", "")}},
        "aliases": {"en": [{"language": "en", "value": a} for a in extra.get("aliases", [])]},
        "claims": {"P31": [claim], **extra.get("claims", {})},  # type: ignore[dict-item]
        "sitelinks": {f"site{i}wiki": {"title": label} for i in range(sitelinks)},
    }


def _dump(path: Path, items: list[dict]) -> Path:
    """A Wikidata JSON dump as Wikimedia writes it: an array, one entity per line."""
    import bz2
    import gzip

    body = "[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]\n"
    opener = {".bz2": bz2.open, ".gz": gzip.open}.get(path.suffix)
    if opener is None:
        path.write_text(body, encoding="utf-8")
    else:
        with opener(path, "wt", encoding="utf-8") as fh:
            fh.write(body)
    return path


DUMP_ITEMS = [
    _item(
        "Q7747",
        "Vladimir Putin",
        "Q5",
        250,
        aliases=["Putin"],
        claims={"P21": [{"mainsnak": {"datavalue": {"value": {"id": "Q6581097"}}}}]},
    ),
    _item("Q1000001", "Vladimir Putinov", "Q5", 1),  # too obscure: one sitelink
    _item("Q649", "Moscow", "Q515", 300, aliases=["Moskva"]),
    _item("Q2", "Earth", "Q3504248", 300),  # not one of the types asked for
]


def test_kb_build_streams_compressed_dumps_filtered_by_type_and_sitelinks(tmp_path: Path) -> None:
    for name in ("dump.json.bz2", "dump.json.gz"):
        dump = _dump(tmp_path / name, DUMP_ITEMS)
        out = tmp_path / f"{name}.sqlite"
        args = ["--wikidata", str(dump), "--types", "Q5,Q515", "--min-sitelinks", "2"]
        res = CliRunner().invoke(cli, ["kb", "build", *args, "-o", str(out)])
        assert res.exit_code == 0, res.output
        assert "wrote 2 entities" in res.output and "dump lines read" in res.output
        kb = KB.load(out)
        assert set(kb.entities) == {"Q7747", "Q649"}
        assert kb.entities["Q7747"].gender == "male"
        assert kb.entities["Q649"].popularity == 300
        assert kb.candidates("moskva")[0][0] == "Q649"
    recs = link_text("Putin flew to Moscow.", LinkerSettings(kb=str(out)))
    assert {r["text"]: r["entity"] for r in recs} == {"Putin": "Q7747", "Moscow": "Q649"}


def test_kb_build_reports_progress_and_a_bad_dump_in_one_sentence(tmp_path: Path) -> None:
    seen: list[tuple[int, int, int]] = []
    dump = _dump(tmp_path / "big.json.gz", DUMP_ITEMS * 3000)
    kept = list(read_wikidata(dump, types={"Q5"}, progress=lambda *a: seen.append(a)))
    assert len(kept) == 6000
    # Bytes of the compressed file, growing to its size; lines and items kept so far.
    assert seen[-1] == (dump.stat().st_size, 12002, 6000)
    assert [s[0] for s in seen] == sorted(s[0] for s in seen) and len(seen) >= 3
    bad = tmp_path / "bad.json"
    bad.write_text("[\n{not json\n]\n", encoding="utf-8")
    out = tmp_path / "kb.sqlite"
    res = CliRunner().invoke(cli, ["kb", "build", "--wikidata", str(bad), "-o", str(out)])
    assert res.exit_code == 1 and "bad.json:2: not a Wikidata dump line" in res.output
    assert "Traceback" not in res.output and not out.exists()


def _config(folder: Path, kb: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text("Putin flew to Moscow.\n", encoding="utf-8")
    cfg = folder / "config.toml"
    cfg.write_text(
        '[input]\npaths = ["a.txt"]\n[run]\nstore = "store.sqlite"\n'
        f'[chain]\nentities = ["linker"]\n[plugins.linker]\nkb = "{kb}"\n',
        encoding="utf-8",
    )
    return cfg


def test_the_kb_setting_is_relative_to_the_config_file(tmp_path: Path) -> None:
    from textmill.query import Query

    project = tmp_path / "project"
    project.mkdir()
    _dump(project / "dump.json", DUMP_ITEMS)
    res = CliRunner().invoke(
        cli,
        ["kb", "build", "--wikidata", str(project / "dump.json"), "-o", str(project / "kb.sqlite")],
    )
    assert res.exit_code == 0, res.output
    # Run from another folder: the KB is found beside the config, not in the working folder.
    res = CliRunner().invoke(cli, ["run", "-c", str(_config(project, "kb.sqlite"))])
    assert res.exit_code == 0, res.output
    q = Query.open(project / "store.sqlite")
    (row,) = q.page(limit=10).rows
    view = q.document(row.id)
    assert view is not None
    mentions = view.results["linker"].data["mentions"]
    assert {m["text"]: m["entity"] for m in mentions} == {"Putin": "Q7747", "Moscow": "Q649"}


def test_a_missing_or_corrupt_kb_is_one_config_error(tmp_path: Path) -> None:
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "kb.sqlite").write_text("not a database\n", encoding="utf-8")
    cases = {
        "missing": ("kb.sqlite", "not found"),
        "broken": ("kb.sqlite", "is not a textmill knowledge base"),
    }
    for folder, (kb, says) in cases.items():
        cfg = _config(tmp_path / folder, kb)
        # Run from elsewhere, as the console script does.
        res = subprocess.run(
            [sys.executable, "-c", "from textmill.cli import main; main()", "run", "-c", str(cfg)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert res.returncode == 2, res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("textmill: config error:"), lines
        assert says in lines[0] and "[plugins.linker]" in lines[0]
        assert str(tmp_path / folder / kb) in lines[0]
        assert not (tmp_path / folder / "store.sqlite").exists()
