"""The example package: installed as a distribution, it runs in a real textmill run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from installing import BIN, install_into
from textmill.query import Query

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "textmill-readability"


def test_example_plugin_runs_and_is_listed(tmp_path: Path) -> None:
    env = install_into(tmp_path / "site", EXAMPLE)
    listed = subprocess.run(
        [str(BIN / "textmill"), "plugins", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    row = next(p for p in json.loads(listed.stdout) if p["name"] == "readability")
    assert row["version"] == "1.0.0" and row["stages"] == ["quality"]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[input]\npaths = ["{ROOT / "seeds"}"]\n[run]\nstore = "store.sqlite"\n'
        '[chain]\nclean = ["unicode", "boilerplate"]\nquality = ["readability"]\n'
        "[plugins.readability]\nmax_sentence_words = 35\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [str(BIN / "textmill"), "run", "-c", str(config), "-q"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    q = Query(tmp_path / "store.sqlite")
    results = list(q.corpus.results("readability"))
    assert len(results) == 5
    assert all(
        r.status == "ok" and 0 <= r.score <= 1 and r.label.startswith("grade") for r in results
    )
    assert any(f.code == "readability.long-sentence" for r in results for f in r.findings)
