"""Meta-tests: the plugin docs cannot drift from the code."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

from textmill import hookspecs

ROOT = Path(__file__).resolve().parents[1]
HOOKS = [
    n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("textmill_")
]


def test_hook_reference_is_generated_from_the_specs() -> None:
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_hook_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr


def test_every_hook_is_documented() -> None:
    page = (ROOT / "docs" / "plugins" / "hooks.md").read_text(encoding="utf-8")
    assert len(HOOKS) == 15
    for name in HOOKS:
        assert f"## `{name}`" in page
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc.split()) >= 8, (
            f"{name} needs a docstring that says what it receives and returns"
        )


def test_every_hook_has_a_test() -> None:
    sources = [
        p.read_text(encoding="utf-8")
        for p in [*ROOT.glob("tests/test_*.py"), *ROOT.glob("examples/*/tests/test_*.py")]
        if p.name != "test_docs.py"
    ]
    sources += [(ROOT / "tests" / "sample_plugins.py").read_text(encoding="utf-8")]
    untested = [h for h in HOOKS if not any(re.search(rf"\bdef {h}\b|\b{h}\b", s) for s in sources)]
    assert not untested, f"hooks without a test: {untested}"


def test_tutorial_code_matches_the_example_package() -> None:
    tutorial = (ROOT / "docs" / "plugins" / "tutorial.md").read_text(encoding="utf-8")
    module = (ROOT / "examples" / "textmill-readability" / "textmill_readability.py").read_text(
        encoding="utf-8"
    )
    for fn in ("def syllables", "def measure", "def textmill_quality", "def textmill_plugin_info"):
        assert fn in tutorial and fn in module
    # The formulas the tutorial teaches are the ones the package runs.
    for formula in ("206.835 - 1.015 * wps - 84.6 * spw", "0.39 * wps + 11.8 * spw - 15.59"):
        assert formula in tutorial and formula in module


def test_troubleshooting_names_the_environment_variable() -> None:
    page = (ROOT / "docs" / "plugins" / "troubleshooting.md").read_text(encoding="utf-8")
    from textmill.manager import ENV_LOAD

    assert ENV_LOAD in page


def test_the_architecture_page_names_every_module_of_the_core() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    core = ROOT / "core"
    missing = [
        p.relative_to(core).as_posix()
        for p in sorted(core.rglob("*.py"))
        if p.name != "__init__.py"
        and "__pycache__" not in p.parts
        and f"`{p.name}`" not in page
        and f"`{p.relative_to(core).as_posix()}`" not in page
    ]
    assert not missing, f"docs/architecture.md does not describe {missing}"
