"""`textmill new-plugin` makes a package that installs, passes its own tests and is listed."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from installing import BIN, install_into


@pytest.mark.parametrize(
    ("stage", "given"),
    # A plugin name, and the distribution name the ecosystem gives such packages.
    [("quality", "probe_quality"), ("clean", "textmill-probe-clean")],
)
def test_scaffolded_plugin_installs_tests_and_lists(tmp_path: Path, stage: str, given: str) -> None:
    name = f"probe_{stage}"
    out = subprocess.run(
        [str(BIN / "textmill"), "new-plugin", given, "--stage", stage, "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    root = tmp_path / f"textmill-probe-{stage}"
    assert f"created {root}" in out.stdout
    assert (root / f"textmill_probe_{stage}.py").exists()
    assert f'{name} = "textmill_probe_{stage}"' in (root / "pyproject.toml").read_text()
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
    # The generated code is lint-clean, so an author's own ruff starts from zero findings.
    for args in (["check", "--line-length", "100"], ["format", "--check", "--line-length", "100"]):
        lint = subprocess.run(
            [str(BIN / "ruff"), *args, "--no-cache", str(root)], capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr
    # pytest comes with the package's test extra, for authors in a fresh environment.
    assert 'test = ["pytest"]' in (root / "pyproject.toml").read_text()


def test_names_derived_from_a_plugin_or_a_package_name() -> None:
    from textmill.errors import TextmillError
    from textmill.scaffold import plugin_names

    for given in ("word_count", "word-count", "textmill-word-count", "textmill_word_count"):
        assert plugin_names(given) == (
            "word_count",
            "textmill-word-count",
            "textmill_word_count",
        ), given
    for bad in ("Bad-Name", "textmill", "textmill-", "1abc", "foo--bar", "class", "foo_", "a b"):
        with pytest.raises(TextmillError, match="is not valid"):
            plugin_names(bad)


def test_bad_names_are_refused_in_one_line(tmp_path: Path) -> None:
    res = subprocess.run(
        [str(BIN / "textmill"), "new-plugin", "Bad-Name", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert res.returncode != 0
    assert "is not valid" in res.stderr and "Traceback" not in res.stderr


def test_installed_wheel_carries_the_sample_corpus_for_plugin_tests(tmp_path: Path) -> None:
    # Plugin authors install textmill from a wheel, not a checkout; textmill.testing.SEEDS must
    # still point at the five seed documents.
    repo = Path(__file__).resolve().parents[1]
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*pip, "--no-index", "-w", str(tmp_path / "wheel"), str(repo)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "wheel").glob("textmill-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    probe = (
        "from textmill.testing import SEEDS; print(SEEDS); print(len(list(SEEDS.glob('*.txt'))))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {probe}"],
        capture_output=True,
        text=True,
        check=True,
    )
    folder, count = out.stdout.split()
    assert Path(folder) == site / "textmill" / "seeds" and count == "5"
    assert sorted(p.read_bytes() for p in Path(folder).iterdir()) == sorted(
        p.read_bytes() for p in (repo / "seeds").iterdir()
    )
