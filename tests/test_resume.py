"""A run killed with SIGKILL and restarted finishes with the same results, and redoes only the
batches that were in flight."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson

PLUGIN = """
import os, time
from textmill import PluginInfo, Result, Finding, Span, hookimpl

@hookimpl
def textmill_plugin_info():
    return PluginInfo(name="slowlen", version="1")

@hookimpl
def textmill_quality(doc, settings, ctx):
    time.sleep(float(os.environ.get("SLEEP", "0")))
    with open(os.environ["CALL_LOG"], "a") as fh:
        fh.write(doc.id + "\\n")
    n = len(doc.text.split())
    return Result(score=(n % 10) / 10, findings=(Finding("len.words", f"{n} words.", "info", Span(0, 1)),))
"""


def _project(tmp_path: Path, seeds: Path) -> Path:
    corpus = tmp_path / "corpus.jsonl"
    texts = [p.read_text() for p in sorted(seeds.iterdir())]
    with open(corpus, "wb") as fh:
        for i in range(200):
            base = texts[i % len(texts)]
            fh.write(orjson.dumps({"id": f"d{i:04d}", "text": f"Copy {i}.\n\n{base}"}) + b"\n")
    (tmp_path / "slowlen.py").write_text(PLUGIN)
    (tmp_path / "config.toml").write_text(
        '[input]\npaths = ["corpus.jsonl"]\n[run]\nbatch_size = 10\n'
        '[load]\nmodules = ["slowlen.py"]\n[chain]\nclean = ["unicode"]\nquality = ["slowlen"]\n'
    )
    return tmp_path


def _run(project: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from textmill.cli import main; main()", "run", "-q"],
        cwd=project,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _results(store: Path) -> list[tuple]:
    conn = sqlite3.connect(store)
    rows = conn.execute(
        "SELECT doc_id, plugin, status, score, n_findings FROM results ORDER BY doc_id, plugin"
    ).fetchall()
    conn.close()
    return rows


def test_kill_and_resume(tmp_path, seeds):
    (tmp_path / "a").mkdir()
    a = _project(tmp_path / "a", seeds)
    log = a / "calls.log"
    proc = _run(a, {"SLEEP": "0.01", "CALL_LOG": str(log)})
    deadline = time.time() + 120
    while time.time() < deadline:
        if log.exists() and len(log.read_text().split()) >= 60:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    first = log.read_text().split()
    assert 60 <= len(first) < 200, "the run should have been killed midway"

    log.write_text("")
    proc = _run(a, {"SLEEP": "0", "CALL_LOG": str(log)})
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode() if proc.stderr else ""
    second = log.read_text().split()
    # only documents not yet stored (at most the batches in flight) are redone
    assert len(second) + len(first) <= 200 + 2 * 10
    assert set(first) | set(second) == {f"d{i:04d}" for i in range(200)}

    # an uninterrupted run gives the same results
    (tmp_path / "b").mkdir()
    b = _project(tmp_path / "b", seeds)
    proc = _run(b, {"SLEEP": "0", "CALL_LOG": str(b / "calls.log")})
    assert proc.wait(timeout=300) == 0
    assert _results(a / ".textmill" / "textmill.sqlite") == _results(
        b / ".textmill" / "textmill.sqlite"
    )
