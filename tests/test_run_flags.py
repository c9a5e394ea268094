"""`textmill run --force`, `--only` and `--json` on the seeds with the default chain."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.test_cli import REPO, textmill


@pytest.fixture
def default_project(tmp_path, seeds) -> Path:
    (tmp_path / "seeds").symlink_to(seeds)
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    return tmp_path


def summary(*args: str, cwd: Path) -> dict:
    r = textmill("run", "-q", "--json", *args, cwd=cwd)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_only_is_cached_and_force_recomputes(default_project):
    first = summary(cwd=default_project)
    plugins = first["plugins"]
    assert set(plugins) == {
        "unicode",
        "boilerplate",
        "langid",
        "mt_artifacts",
        "dedup",
        "linker",
        "extractive",
    }
    assert plugins["unicode"]["processed"] == 5 and plugins["unicode"]["cached"] == 0
    assert first["totals"]["cached"] == 0
    # the shared spaCy parse is reported apart: each document parsed once
    assert first["parse"]["processed"] == 5 and first["parse"]["errors"] == 0
    assert first["totals"]["processed"] == sum(p["processed"] for p in plugins.values())
    assert first["totals"]["documents"] == 5 and first["failed"] is False
    assert plugins["langid"]["mean_score"] is not None

    # --only with nothing changed: every pair served from the cache
    only = summary("--only", "linker", cwd=default_project)
    assert set(only["plugins"]) == {"linker"}
    assert only["plugins"]["linker"]["cached"] == only["plugins"]["linker"]["processed"] == 5

    # ... and the next full run is fully cached too
    full = summary(cwd=default_project)
    assert full["totals"]["cached"] == full["totals"]["processed"] == first["totals"]["processed"]
    assert full["parse"] is None  # nothing to parse when every result is cached

    # --force recomputes on purpose, and only the plugins of --only
    forced = summary("--force", "--only", "linker", cwd=default_project)
    assert forced["plugins"]["linker"] == {**forced["plugins"]["linker"], "processed": 5}
    assert forced["plugins"]["linker"]["cached"] == 0
    after = summary(cwd=default_project)
    assert after["totals"]["cached"] == after["totals"]["processed"]

    everything = summary("--force", cwd=default_project)
    assert everything["totals"]["cached"] == 0
    assert everything["plugins"]["unicode"]["processed"] == 5


def test_json_summary_keeps_exit_code_and_stdout_clean(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "good.txt").write_text("A plain sentence about the weather today.\n")
    (tmp_path / "docs" / "bad.txt").write_bytes(b"\x00\x01\x02\x03" * 200)
    (tmp_path / "config.toml").write_text(
        '[input]\npaths = ["docs"]\n[chain]\nclean = ["unicode"]\n'
    )
    r = textmill("run", "-q", "--json", cwd=tmp_path)
    assert r.returncode == 1  # an unreadable document is an input error, as without --json
    data = json.loads(r.stdout)  # nothing but the JSON on stdout
    assert data["totals"]["input_errors"] == 1
    assert [e["id"] for e in data["input_errors"]] == ["bad.txt"]
    assert data["plugins"]["unicode"]["processed"] == 1
    assert "bad.txt" in r.stderr
