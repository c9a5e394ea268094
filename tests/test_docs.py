"""Meta-tests: the plugin docs cannot drift from the code."""

from __future__ import annotations

import ast
import inspect
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
    assert len(HOOKS) == 17
    for name in HOOKS:
        assert f"## `{name}`" in page
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc.split()) >= 8, (
            f"{name} needs a docstring that says what it receives and returns"
        )


class _Module:
    """One parsed test or helper module: its top-level definitions and what it imports."""

    def __init__(self, path: Path) -> None:
        self.path = path
        tree = ast.parse(path.read_text(encoding="utf-8"))
        self.defs: dict[str, ast.AST] = {}
        self.imports: dict[str, tuple[str, str | None]] = {}  # alias -> (module, name or None)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.defs[node.name] = node
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        self.defs[t.id] = node.value
            elif isinstance(node, ast.Import):
                for a in node.names:
                    self.imports[a.asname or a.name] = (a.name, None)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    self.imports[a.asname or a.name] = (node.module, a.name)
        # A module whose top level defines hook functions is itself a plugin.
        self.hooks = {
            n for n, d in self.defs.items() if n in HOOKS and isinstance(d, ast.FunctionDef)
        }


def hooks_exercised(test_files: list[Path]) -> dict[str, set[str]]:
    """For each hook, the tests that exercise it.

    A test function exercises a hook when it calls the hook by name (``pm.hook.textmill_x``),
    or uses a plugin class, object or module that implements it: directly, through a helper or
    fixture of its module, or through what it imports from a module next to it
    (``sample_plugins``, an example package's module). A mention in a string, a comment or a
    docstring does not count, nor does a plugin that no test uses."""
    modules: dict[Path, _Module] = {}

    def local(mod: _Module, name: str) -> _Module | None:
        for folder in (mod.path.parent, mod.path.parent.parent):
            path = folder / f"{name}.py"
            if path.exists():
                if path not in modules:
                    modules[path] = _Module(path)
                return modules[path]
        return None

    def reach(mod: _Module, node: ast.AST, found: set[str], seen: set[tuple[Path, str]]) -> None:
        def follow(m: _Module, name: str) -> None:
            if (m.path, name) in seen or name not in m.defs:
                return
            seen.add((m.path, name))
            target = m.defs[name]
            if isinstance(target, ast.ClassDef):
                found.update(
                    f.name
                    for f in target.body
                    if isinstance(f, ast.FunctionDef) and f.name in HOOKS
                )
            else:
                reach(m, target, found, seen)

        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Load):
                if sub.attr in HOOKS:
                    found.add(sub.attr)
                if isinstance(sub.value, ast.Name) and sub.value.id in mod.imports:
                    source, name = mod.imports[sub.value.id]
                    other = local(mod, source) if name is None else None
                    if other is not None:
                        follow(other, sub.attr)
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                if sub.id in HOOKS:
                    found.add(sub.id)
                follow(mod, sub.id)
                if sub.id in mod.imports:
                    source, name = mod.imports[sub.id]
                    other = local(mod, source)
                    if other is not None and name is None:
                        found.update(other.hooks)  # the module itself, used as a plugin
                    elif other is not None and name is not None:
                        follow(other, name)
            elif isinstance(sub, ast.arg):
                follow(mod, sub.arg)  # a fixture defined in the same module

    tested: dict[str, set[str]] = {h: set() for h in HOOKS}
    for path in test_files:
        mod = modules.setdefault(path, _Module(path))
        for name, node in mod.defs.items():
            if name.startswith("test_") and isinstance(node, ast.FunctionDef):
                found: set[str] = set()
                reach(mod, node, found, set())
                for hook in found:
                    tested[hook].add(f"{path.name}::{name}")
    return tested


def test_every_hook_has_a_test() -> None:
    files = [
        p
        for p in [*ROOT.glob("tests/test_*.py"), *ROOT.glob("examples/*/tests/test_*.py")]
        if p.name != "test_docs.py"
    ]
    tested = hooks_exercised(files)
    untested = [h for h in HOOKS if not tested[h]]
    assert not untested, f"hooks without a test: {untested}"


PROBE_HELPERS = """
class Used:
    def textmill_quality(self, doc, settings, ctx): ...

class Unused:
    def textmill_dedup(self, doc, settings, ctx): ...

used = Used()
"""

PROBE_TESTS = '''
"""Mentions textmill_summarize and textmill_prepare in a docstring only."""
import helpers as h
import plugin_module
from helpers import Unused  # imported, never used by a test

def run_it(obj):
    return obj

# textmill_entities in a comment
def test_quality():
    run_it(h.used)
    assert "textmill_corpus_dedup" in "a string"

def test_clean_module():
    run_it(plugin_module)

def test_register(pm):
    pm.hook.textmill_register_commands(cli=None)
'''


def test_the_hook_test_check_fails_for_a_hook_no_test_exercises(tmp_path: Path) -> None:
    # The check above must be able to fail: a plugin implementing a hook that no test uses,
    # and hook names in strings, comments and docstrings, do not count as tests.
    (tmp_path / "helpers.py").write_text(PROBE_HELPERS)
    (tmp_path / "plugin_module.py").write_text("def textmill_clean(doc, settings, ctx): ...\n")
    (tmp_path / "test_probe.py").write_text(PROBE_TESTS)
    tested = hooks_exercised([tmp_path / "test_probe.py"])
    assert {h for h, tests in tested.items() if tests} == {
        "textmill_quality",
        "textmill_clean",
        "textmill_register_commands",
    }
    assert tested["textmill_quality"] == {"test_probe.py::test_quality"}


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
