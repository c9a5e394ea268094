"""`textmill new-plugin` makes a package that installs, passes its own tests and is listed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from installing import BIN, install_into


@pytest.mark.parametrize("stage", ["quality", "clean"])
def test_scaffolded_plugin_installs_tests_and_lists(tmp_path: Path, stage: str) -> None:
    name = f"probe_{stage}"
    out = subprocess.run(
        [str(BIN / "textmill"), "new-plugin", name, "--stage", stage, "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    root = tmp_path / f"textmill-probe-{stage}"
    assert f"created {root}" in out.stdout
    env = install_into(tmp_path / "site", root)
    listed = subprocess.run(
        [str(BIN / "textmill"), "plugins", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    rows = {p["name"]: p for p in json.loads(listed.stdout)}
    assert name in rows and stage in rows[name]["stages"]
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root / "tests")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout


def test_bad_names_are_refused_in_one_line(tmp_path: Path) -> None:
    res = subprocess.run(
        [str(BIN / "textmill"), "new-plugin", "Bad-Name", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert res.returncode != 0
    assert "is not valid" in res.stderr and "Traceback" not in res.stderr
