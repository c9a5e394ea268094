"""``textmill new-plugin``: a new plugin package that installs, passes its tests and shows up in
``textmill plugins``."""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import NamedTuple

from textmill.errors import TextmillError
from textmill.model import STAGES

_CLEAN_HOOK = '''
@hookimpl
def textmill_clean(doc: Document, settings: Settings, ctx: DocContext) -> Result | None:
    """Remove whole lines that match one of ``settings.drop_lines``, recording each removal."""
    s = settings or Settings()
    patterns = [re.compile(p, re.IGNORECASE) for p in s.drop_lines]
    edits, kept, pos = [], [], 0
    for line in doc.text.splitlines(keepends=True):
        if any(p.search(line) for p in patterns):
            edits.append(Edit(Span(pos, pos + len(line)), "", "{name}.dropped-line"))
        else:
            kept.append(line)
        pos += len(line)
    if not edits:
        return None
    return Result(text="".join(kept), edits=tuple(edits), data={{"dropped": len(edits)}})
'''

_DOC_HOOK = '''
@hookimpl
def textmill_{stage}(doc: Document, settings: Settings, ctx: DocContext) -> Result | None:
    """Count words and flag documents shorter than ``settings.min_words``."""
    s = settings or Settings()
    words = len(doc.text.split())
    findings = []
    if words < s.min_words:
        findings.append(
            Finding(
                code="{name}.short",
                message=f"Only {{words}} words; shorter than {{s.min_words}}.",
                severity="info",
            )
        )
    score = min(1.0, words / max(1, s.min_words))
    return Result(score=score, findings=tuple(findings), data={{"words": words}})
'''

_SETTINGS_CLEAN = """    drop_lines: list[str] = field(
        default_factory=list,
        metadata={{"doc": "Regular expressions (case-insensitive) of whole lines to remove."}},
    )"""

_SETTINGS_DOC = """    min_words: int = field(default=50, metadata={{"doc": "Documents shorter than this are flagged."}})"""

_MODULE = '''"""{dist}: a textmill plugin for the {stage} stage."""

from __future__ import annotations
{extra_imports}
from dataclasses import dataclass, field

from textmill import {names}

__version__ = "0.1.0"


@dataclass(frozen=True)
class Settings:
{settings}


@hookimpl
def textmill_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="{name}",
        version=__version__,  # part of the result cache key: bump it when results change
        description="{description}",
        settings=Settings,
    )

{hook}'''

_TEST_CLEAN = '''"""Tests for {dist}, with textmill's test kit (fixtures textmill_plugin and textmill_run)."""

import {module} as plugin


def test_drops_matching_lines(textmill_plugin, textmill_run):
    textmill_plugin(plugin)
    text = "A real paragraph of the article.\\nShare this story\\nAnother paragraph."
    settings = {{"{name}": {{"drop_lines": ["^share"]}}}}
    out = textmill_run([text], chain={{"clean": ["{name}"]}}, settings=settings)
    assert "Share this story" not in out.text("doc-0")
    assert "Another paragraph." in out.text("doc-0")
    edits = out.result("doc-0", "{name}").edits
    assert [e.reason for e in edits] == ["{name}.dropped-line"]
'''

_TEST_DOC = '''"""Tests for {dist}, with textmill's test kit (fixtures textmill_plugin and textmill_run)."""

import {module} as plugin


def test_counts_words_and_flags_short_documents(textmill_plugin, textmill_run):
    textmill_plugin(plugin)
    long_text = " ".join(["word"] * 60)
    out = textmill_run(["too short", long_text], chain={{"{stage}": ["{name}"]}})
    short, full = out.result("doc-0", "{name}"), out.result("doc-1", "{name}")
    assert short.data["words"] == 2 and [f.code for f in short.findings] == ["{name}.short"]
    assert full.data["words"] == 60 and not full.findings and full.score == 1.0
'''

_PYPROJECT = """[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "{description}"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["textmill"]

[project.optional-dependencies]
test = ["pytest"]

[project.entry-points.textmill]
{name} = "{module}"

[tool.setuptools]
py-modules = ["{module}"]
"""

_README = """# {dist}

{description}

```bash
pip install -e '.[test]'  # the plugin, and pytest for its tests
textmill plugins          # lists "{name}"
pytest tests              # textmill's test kit loads by itself
```

Add it to `config.toml`: `[chain] {stage} = ["{name}"]`, with settings under `[plugins.{name}]`.
"""


class PluginNames(NamedTuple):
    """The names one plugin package goes by."""

    plugin: str  # in [chain] and the entry point: "foo_bar"
    dist: str  # the distribution and its folder: "textmill-foo-bar"
    module: str  # the import name: "textmill_foo_bar"


def plugin_names(name: str) -> PluginNames:
    """The names derived from what the user typed: a plugin name (``foo``, ``foo_bar``,
    ``foo-bar``) or the distribution name the ecosystem uses for it (``textmill-foo``), as the
    cookiecutter templates of datasette and llm plugins derive theirs."""
    base = re.sub(r"^textmill[-_]", "", name)
    plugin = base.replace("-", "_")
    if (
        base == name == "textmill"
        or not re.fullmatch(r"[a-z][a-z0-9_]*", plugin)
        or "__" in plugin
        or plugin.endswith("_")
        or keyword.iskeyword(plugin)
    ):
        raise TextmillError(
            f'plugin name "{name}" is not valid; use lowercase letters, digits, hyphens or '
            "underscores, starting with a letter, e.g. textmill-word-count or word_count"
        )
    return PluginNames(plugin, f"textmill-{plugin.replace('_', '-')}", f"textmill_{plugin}")


def new_plugin(name: str, stage: str, parent: Path) -> Path:
    """Write the package for plugin ``name`` (``foo`` or ``textmill-foo``: see
    :func:`plugin_names`) under ``parent``; returns its directory."""
    names = plugin_names(name)
    if stage not in STAGES:
        raise TextmillError(f'unknown stage "{stage}"; use one of {", ".join(STAGES)}')
    name, dist, module = names.plugin, names.dist, names.module
    root = parent / dist
    if root.exists():
        raise TextmillError(f"{root} already exists; choose another name or remove it")
    description = f"A textmill {stage}-stage plugin."
    fmt = {"name": name, "stage": stage, "dist": dist, "module": module, "description": description}
    clean = stage == "clean"
    hook = (_CLEAN_HOOK if clean else _DOC_HOOK).format(**fmt)
    imports = "DocContext, Document, Edit, PluginInfo, Result, Span, hookimpl"
    if not clean:
        imports = "DocContext, Document, Finding, PluginInfo, Result, hookimpl"
    source = _MODULE.format(
        hook=hook,
        extra_imports="\nimport re" if clean else "",
        names=imports,
        settings=(_SETTINGS_CLEAN if clean else _SETTINGS_DOC).format(**fmt),
        **fmt,
    )
    (root / "tests").mkdir(parents=True)
    (root / f"{module}.py").write_text(source, encoding="utf-8")
    test = _TEST_CLEAN if stage == "clean" else _TEST_DOC
    (root / "tests" / f"test_{name}.py").write_text(test.format(**fmt), encoding="utf-8")
    (root / "pyproject.toml").write_text(_PYPROJECT.format(**fmt), encoding="utf-8")
    (root / "README.md").write_text(_README.format(**fmt), encoding="utf-8")
    return root
