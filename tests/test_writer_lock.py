"""One writer per store, with two real `textmill run` processes on one store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textmill.query import Query

SLOW_MODULE = """
import os, time
from pathlib import Path
from textmill import Finding, PluginInfo, Result, Span, hookimpl

@hookimpl
def textmill_plugin_info():
    return PluginInfo(name="slowfind", version="1")

@hookimpl
def textmill_quality(doc, settings, ctx):
    Path(os.environ["TEXTMILL_TEST_MARK"]).touch()
    time.sleep(float(os.environ.get("TEXTMILL_TEST_SLEEP", "0")))
    return Result(score=0.5, findings=(Finding("test.first", "The first word.", "info", Span(0, 1)),))
"""


def _start(project: Path, *args: str, sleep: str = "0") -> subprocess.Popen:
    env = {
        **os.environ,
        "TEXTMILL_TEST_MARK": str(project / "started"),
        "TEXTMILL_TEST_SLEEP": sleep,
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from textmill.cli import main; main()", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.fixture
def project(tmp_path, seeds) -> Path:
    (tmp_path / "seeds").symlink_to(seeds)
    (tmp_path / "slowfind.py").write_text(SLOW_MODULE)
    (tmp_path / "config.toml").write_text(
        '[input]\npaths = ["seeds"]\n[run]\nbatch_size = 1\n[load]\nmodules = ["slowfind.py"]\n'
        '[chain]\nclean = ["unicode"]\nquality = ["slowfind"]\n'
    )
    return tmp_path


def test_second_writer_refuses_or_waits(project):
    first = _start(project, "run", "-q", sleep="1.5")
    deadline = time.monotonic() + 120
    while not (project / "started").exists():
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    store = project / ".textmill" / "textmill.sqlite"
    # A second run refuses in one sentence, at once.
    second = _start(project, "run", "-q")
    _, err = second.communicate(timeout=120)
    assert second.returncode == 2
    assert err.splitlines() == [
        f"textmill: error: another textmill run is writing {store}; wait for it to finish, "
        "or pass --wait to start when it does"
    ]
    # Readers are not held up.
    reader = _start(project, "export", "-f", "csv")
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0 and out.splitlines(), err
    # With --wait, it says so in one line and starts when the first run is done.
    waiter = _start(project, "run", "-q", "--wait")
    time.sleep(1.0)
    assert first.poll() is None and waiter.poll() is None
    w_out, w_err = waiter.communicate(timeout=300)
    _, f_err = first.communicate(timeout=300)
    assert first.returncode == 0, f_err
    assert waiter.returncode == 0, w_err
    assert f"textmill: another textmill run is writing {store}; waiting for it to finish" in (
        w_err.splitlines()
    )
    q = Query(store)
    # Every document's result once, its one finding once; the waiting run found all cached.
    assert q.counts()["findings"] == 5
    assert "slowfind" in w_out and q.latest_run()["status"] == "ok"
    summary = q.latest_run()["summary"]["plugins"]["slowfind"]
    assert summary["cached"] == 5 and summary["processed"] == 5
