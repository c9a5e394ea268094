"""Config validation: one sentence per mistake, with file, key and a did-you-mean."""

from __future__ import annotations

import pytest
from textmill.chain import build_plan
from textmill.config import load_config
from textmill.errors import ConfigError
from textmill.manager import PluginManager


def _write(tmp_path, text):
    p = tmp_path / "config.toml"
    p.write_text(text)
    return p


def test_default_config_loads(seeds):
    cfg = load_config(seeds.parent / "config.toml")
    assert cfg.input_paths() == [seeds]
    assert "clean" in cfg.chain


def test_unknown_key_gets_did_you_mean(tmp_path):
    p = _write(tmp_path, "[run]\nworkres = 2\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    msg = str(exc.value)
    assert 'config.toml [run]: unknown key "workres"; did you mean "workers"?' in msg


def test_wrong_type_and_unknown_stage(tmp_path):
    p = _write(tmp_path, '[run]\nworkers = "two"\n[chain]\ncleen = ["unicode"]\n')
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    lines = str(exc.value).splitlines()
    assert any('"workers" must be an integer' in line for line in lines)
    assert any('unknown stage "cleen"; did you mean "clean"?' in line for line in lines)


def test_unknown_plugin_and_setting(tmp_path):
    p = _write(
        tmp_path,
        '[chain]\nclean = ["unicod"]\n[plugins.unicode]\nnormalise_quotes = true\n',
    )
    cfg = load_config(p)
    with pytest.raises(ConfigError) as exc:
        build_plan(cfg, PluginManager(entry_points=False))
    msg = str(exc.value)
    assert 'unknown plugin "unicod"; did you mean "unicode"?' in msg
    assert (
        '[plugins.unicode]: unknown key "normalise_quotes"; did you mean "normalize_quotes"?' in msg
    )


def test_malformed_toml(tmp_path):
    p = _write(tmp_path, "[run\nworkers = 1\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert "is not valid TOML" in str(exc.value)


def _plan_error(tmp_path, text) -> str:
    cfg = load_config(_write(tmp_path, text))
    with pytest.raises(ConfigError) as exc:
        build_plan(cfg, PluginManager(entry_points=False))
    return str(exc.value)


def test_choices_and_ranges_are_checked_with_the_config(tmp_path):
    msg = _plan_error(
        tmp_path,
        '[chain]\nclean = ["boilerplate"]\nquality = ["langid"]\n'
        '[plugins.langid]\nbackend = "lingau"\nmin_confidence = 1.5\n'
        '[plugins.boilerplate]\naggressiveness = 7\nflag_only = ["shar"]\n'
        'extra_patterns = ["(unclosed"]\n'
        '[plugins.dedup]\nnum_perm = 100\n[plugins.extractive]\nmethod = "neural"\nsentences = 0\n',
    )
    lines = msg.splitlines()
    assert (
        'config.toml [plugins.langid]: "backend" must be one of "py3langid", "lingua", '
        'not "lingau"; did you mean "lingua"?'
    ) in lines
    assert (
        'config.toml [plugins.langid]: "min_confidence" must be a number between 0 and 1, not 1.5'
    ) in lines
    assert (
        'config.toml [plugins.boilerplate]: "aggressiveness" must be a number between 0 and 1, '
        "not 7"
    ) in lines
    assert any(
        line.startswith(
            'config.toml [plugins.boilerplate]: "flag_only" has "shar", which is not one of "share",'
        )
        and line.endswith('; did you mean "share"?')
        for line in lines
    )
    assert 'config.toml [plugins.dedup]: "num_perm" (100) must be a multiple of "bands" (32)' in msg
    assert 'config.toml [plugins.extractive]: "method" must be one of "lexrank", "lead"' in msg
    assert '"sentences" must be an integer of at least 1, not 0' in msg
    # A table with a type mistake is not built, so its checks across values (here: that each
    # extra pattern is a regular expression) come once the types are right.
    fixed = _plan_error(
        tmp_path,
        '[chain]\nclean = ["boilerplate"]\n[plugins.boilerplate]\nextra_patterns = ["(x"]\n',
    )
    assert "\"extra_patterns\" has '(x', which is not a regular expression" in fixed


def test_a_bad_setting_is_one_config_error_not_an_error_per_document(tmp_path, seeds):
    import subprocess
    import sys

    (tmp_path / "config.toml").write_text(
        f'[input]\npaths = ["{seeds}"]\n[chain]\nquality = ["langid"]\n'
        '[plugins.langid]\nbackend = "lingau"\n'
    )
    r = subprocess.run(
        [sys.executable, "-c", "from textmill.cli import main; main()", "run", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert 'did you mean "lingua"?' in r.stderr
    assert not (tmp_path / ".textmill").exists()


def test_lingua_backend_without_its_package_is_a_config_error(tmp_path, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "lingua" else find_spec(name, *a),
    )
    msg = _plan_error(
        tmp_path, '[chain]\nquality = ["langid"]\n[plugins.langid]\nbackend = "lingua"\n'
    )
    assert msg == (
        'config.toml [plugins.langid]: the "lingua" backend needs the lingua-language-detector '
        "package; install it with `pip install 'textmill[lingua]'`, or use backend \"py3langid\""
    )


def test_config_show_lists_the_choices_and_ranges(tmp_path):
    from textmill.config import default_config
    from textmill.report import effective_config_toml

    shown = effective_config_toml(default_config(tmp_path), PluginManager(entry_points=False))
    lines = shown.splitlines()
    assert any(
        line.startswith('backend = "py3langid"  #')
        and line.endswith('(one of "py3langid", "lingua")')
        for line in lines
    )
    assert any(
        line.startswith("aggressiveness = 0.4  #") and line.endswith("(a number between 0 and 1)")
        for line in lines
    )
    assert any(line.startswith("workers = 1  #") and "at least 1" in line for line in lines)
    assert '(each one of "exact", "near", "story", "event")' in shown


def test_every_documented_range_of_a_builtin_setting_is_checked() -> None:
    # A setting whose doc names a range ("0..1", "(0..100)") must carry it in its type, so the
    # config check enforces what the doc promises.
    import dataclasses
    import re
    import typing

    from textmill.settings import constraint

    manager = PluginManager(entry_points=False)
    unchecked = []
    for name, plugin in manager.plugins.items():
        cls = plugin.info.settings
        if plugin.source != "builtin" or cls is None:
            continue
        hints = typing.get_type_hints(cls, include_extras=True)
        for f in dataclasses.fields(cls):
            doc = f.metadata.get("doc", "")
            if re.search(r"\b\d+\.\.\d+\b", doc) and not constraint(hints[f.name]):
                unchecked.append(f"{name}.{f.name}")
    assert not unchecked
