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
