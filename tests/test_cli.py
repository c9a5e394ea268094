"""The command line on the seeds: run, show, export, plugins, config; errors as one sentence."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def textmill(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from textmill.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


@pytest.fixture
def project(tmp_path, seeds) -> Path:
    (tmp_path / "seeds").symlink_to(seeds)
    (tmp_path / "config.toml").write_text(
        '[input]\npaths = ["seeds"]\n[chain]\nclean = ["unicode"]\n'
    )
    return tmp_path


def test_run_show_export(project):
    r = textmill("run", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "unicode" in r.stdout and "Store:" in r.stdout
    assert (project / ".textmill" / "textmill.sqlite").exists()

    again = textmill("run", cwd=project)
    row = next(line for line in again.stdout.splitlines() if "unicode" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[:4] == ["unicode", "5", "0", "5"]  # plugin, docs, errors, cached

    show = textmill("show", "002", cwd=project)
    assert show.returncode == 0, show.stderr
    assert "White House Says It Opposes a Ceasefire" in show.stdout
    show = textmill("show", "000", cwd=project)
    assert "unicode.whitespace" in show.stdout  # seed 000 has runs of blank lines

    js = textmill("show", "--json", "002_5556c43739ad7f0a.txt", cwd=project)
    data = json.loads(js.stdout)
    assert data["results"]["unicode"]["status"] in ("ok", "cached")

    out = project / "out.csv"
    ex = textmill("export", "--format", "csv", "-o", str(out), cwd=project)
    assert ex.returncode == 0, ex.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 5 and "unicode.status" in rows[0]

    jl = textmill("export", "--format", "jsonl", cwd=project)
    docs = [json.loads(line) for line in jl.stdout.splitlines()]
    assert {d["id"] for d in docs} == {r["id"] for r in rows}
    assert all(d["text"] for d in docs)

    pq = project / "out.parquet"
    ex = textmill("export", "--format", "parquet", "-o", str(pq), cwd=project)
    assert ex.returncode == 0, ex.stderr
    import pyarrow.parquet as papq

    table = papq.read_table(pq)
    assert table.num_rows == 5 and "results_json" in table.column_names


def test_plugins_json_and_config(project):
    r = textmill("plugins", "--json", cwd=project)
    rows = {p["name"]: p for p in json.loads(r.stdout)}
    assert rows["unicode"]["stages"] == ["clean"] and "textmill_clean" in rows["unicode"]["hooks"]
    show = textmill("config", "show", cwd=project)
    assert "[plugins.unicode]" in show.stdout and "fix_mojibake = true" in show.stdout
    check = textmill("config", "check", cwd=project)
    assert check.returncode == 0 and "OK" in check.stdout


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[run]\nworkres = 1\n", 'unknown key "workres"; did you mean "workers"?'),
        ("[chain\n", "is not valid TOML"),
        ('[chain]\nclean = ["unicod"]\n', 'did you mean "unicode"?'),
    ],
)
def test_user_mistakes_are_one_line_no_traceback(project, config, expected):
    (project / "config.toml").write_text(config)
    r = textmill("run", cwd=project)
    assert r.returncode == 2
    assert expected in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_input_and_missing_doc(project):
    r = textmill("run", "nowhere", cwd=project)
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr
    textmill("run", cwd=project)
    r = textmill("show", "no-such-doc", cwd=project)
    assert r.returncode == 2 and 'no document "no-such-doc"' in r.stderr


def test_document_text_is_printed_literally(project, tmp_path):
    corpus = tmp_path / "evil"
    corpus.mkdir()
    (corpus / "evil.txt").write_text(
        "Evil [bold red]markup[/bold red] and [link=http://x]link[/link]\n\n"
        "Escape \x1b[31mred\x1b[0m and bell\x07 end.\n"
    )
    r = textmill("run", str(corpus), cwd=project)
    assert r.returncode == 0, r.stderr
    show = textmill("show", "evil.txt", cwd=project, env={"COLUMNS": "200"})
    assert "[bold red]markup[/bold red]" in show.stdout
    assert "[link=http://x]" in show.stdout
    assert "\x1b[31m" not in show.stdout and "\x07" not in show.stdout


@pytest.mark.parametrize(
    ("module", "source", "error"),
    [
        (
            "broken.py",
            "import does_not_exist\n",
            "ModuleNotFoundError: No module named 'does_not_exist'",
        ),
        ("raises.py", "raise RuntimeError('not today')\n", "RuntimeError: not today"),
        ("no_such_module_anywhere", None, "ModuleNotFoundError"),
    ],
)
def test_a_config_module_that_cannot_load_is_a_config_error(project, module, source, error):
    if source is not None:
        (project / module).write_text(source)
    (project / "config.toml").write_text(
        f'[input]\npaths = ["seeds"]\n[load]\nmodules = ["{module}"]\n[chain]\nclean = ["unicode"]\n'
    )
    expected = (
        f'textmill: config error: config.toml [load]: error importing plugin "{module}" ({error}'
    )
    for args in (["config", "check"], ["run"], ["config", "show"], ["plugins"]):
        r = textmill(*args, cwd=project)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(expected), (args, r.stderr)
        assert "fix it, or remove it from [load] modules" in lines[0]
        assert "OK" not in r.stdout and "Traceback" not in r.stderr
    assert not (project / ".textmill").exists()  # nothing ran
    # Chosen out with the environment variable, it is not loaded at all.
    off = textmill("run", cwd=project, env={"TEXTMILL_LOAD_PLUGINS": ""})
    assert off.returncode == 0 and "error importing" not in off.stderr


def test_without_a_config_the_default_chain_runs_and_says_so(tmp_path, seeds):
    # Before, this printed an empty plugin table and exited 0.
    r = textmill("run", "-q", str(seeds), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        "textmill: no config.toml here; using the built-in default chain: unicode, boilerplate, "
        "langid, mt_artifacts, dedup, linker, extractive (`textmill config show` prints it as a "
        "config file)"
    ]
    table = [line.split("│")[1].strip() for line in r.stdout.splitlines() if line.startswith("│")]
    assert table == [
        "unicode",
        "boilerplate",
        "langid",
        "linker",
        "mt_artifacts",
        "dedup",
        "extractive",
        "spacy",  # the shared parse, timed on its own line
    ]
    check = textmill("config", "check", cwd=tmp_path)
    assert check.returncode == 0 and "using the built-in default chain" in check.stderr
    assert check.stdout.startswith("defaults: OK (")
    assert "unicode -> boilerplate" in check.stdout and "extractive" in check.stdout


def test_a_chain_that_names_no_plugin_is_refused(project):
    (project / "config.toml").write_text('[input]\npaths = ["seeds"]\n[chain]\nclean = []\n')
    for args in (["run"], ["config", "check"]):
        r = textmill(*args, cwd=project)
        assert r.returncode == 2 and "OK" not in r.stdout
        assert r.stderr.strip().splitlines() == [
            "textmill: config error: config.toml [chain] names no plugins, so a run would do "
            "nothing; name some (`textmill config show` prints the default chain), or remove "
            "[chain] to run the default chain"
        ]


def test_the_default_chain_is_the_shipped_config(tmp_path):
    from textmill.chain import settings_for
    from textmill.config import DEFAULT_CHAIN, default_config, load_config
    from textmill.manager import PluginManager

    shipped = load_config(REPO / "config.toml")
    default = default_config(tmp_path)
    assert shipped.chain == DEFAULT_CHAIN == default.chain and default.default_chain
    assert not shipped.default_chain
    manager = PluginManager(entry_points=False)
    for _, name in shipped.chain_plugins():
        assert settings_for(manager, shipped, name) == settings_for(manager, default, name)


def test_input_problems_name_the_file_and_line_on_stderr(project, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(
        '{"id": "ok", "text": "A record with text."}\n{"id": "no-text", "body": "x"}\n'
    )
    (corpus / "zero.txt").symlink_to("/dev/zero")
    r = textmill("run", "-q", str(corpus), cwd=project)
    assert r.returncode == 1
    assert r.stderr.splitlines()[:2] == [
        'textmill: no-text: a.jsonl line 2: record has no string "text" field; add it',
        "textmill: zero.txt: not a regular file but a device (through a symbolic link), so it "
        "is not read; remove it from the input",
    ]


def _on_a_terminal(*args: str, cwd: Path) -> bytes:
    """What a command writes to its standard output when that is a terminal (a pty)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from textmill.cli import main; main()", *args],
        cwd=cwd,
        stdout=slave,
        stderr=subprocess.DEVNULL,
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(timeout=600) == 0
    return out


def test_exports_escape_what_a_terminal_would_act_on_and_files_stay_byte_true(project, tmp_path):
    corpus = tmp_path / "hostile"
    corpus.mkdir()
    title = "\x1b]0;owned\x07Evil \x1b[2Jtitle \x9b31m\u202egnp.exe"
    (corpus / "h.jsonl").write_text(
        json.dumps({"id": "h", "title": title, "text": "Body text of the hostile one."}) + "\n"
    )
    assert textmill("run", "-q", str(corpus), cwd=project).returncode == 0

    shown = _on_a_terminal("export", "-f", "csv", cwd=project).decode()
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "␛]0;owned␇Evil ␛[2Jtitle \\u009b31m\\u202egnp.exe" in shown
    for args in (("export",), ("show", "--json", "h")):
        raw = _on_a_terminal(*args, cwd=project)
        assert b"\x1b" not in raw and "\x9b".encode() not in raw and "\u202e".encode() not in raw
        # The same JSON values: only the way they are written differs.
        text = raw.decode().replace("\r\n", "\n")
        got = json.loads(text) if args[0] == "show" else json.loads(text.splitlines()[0])
        assert got["title"] == title

    out = tmp_path / "h.csv"
    assert textmill("export", "-f", "csv", "-o", str(out), cwd=project).returncode == 0
    assert next(csv.DictReader(out.open(encoding="utf-8", newline="")))["title"] == title
    piped = textmill("export", cwd=project).stdout
    assert json.loads(piped.splitlines()[0])["title"] == title and "\x9b" in piped


def test_ambiguous_ids_and_filters_off_the_grammar_are_said(project):
    assert textmill("run", "-q", cwd=project).returncode == 0
    r = textmill("show", "0", cwd=project)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith('textmill: error: document "0" is ambiguous: ids starting with it')
    assert '"000_7da01264481b0f8d.txt"' in r.stderr and "give more of the id" in r.stderr
    for expr in ("bogus:thing", "score<<0.5"):
        r = textmill("export", "-f", "csv", "--filter", expr, cwd=project)
        assert r.returncode == 2 and r.stdout == "" and len(r.stderr.splitlines()) == 1
        assert f'"{expr}"' in r.stderr and "a filter is words to search for" in r.stderr
