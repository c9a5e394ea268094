"""Plugin registration: which object wins when two plugins share a name."""

from __future__ import annotations

import sample_plugins as sp
from textmill.manager import PluginManager


def _manager() -> PluginManager:
    return PluginManager(entry_points=False, builtins=False)


def test_registering_the_installed_object_again_is_silent(capsys) -> None:
    pm = _manager()
    first = pm.register(sp.upper, source="entrypoint")
    again = pm.register(sp.upper, source="registered")
    assert again is first and pm.plugins["upper"].source == "entrypoint"
    assert capsys.readouterr().err == ""


def test_a_registered_object_replaces_an_installed_one_of_the_same_name(capsys) -> None:
    pm = _manager()
    pm.register(sp.upper, source="entrypoint")
    other = sp.Upper()  # same name, another object: the one a test means to exercise
    loaded = pm.register(other, source="registered")
    assert loaded is not None and pm.plugins["upper"].obj is other
    assert pm.impl("upper", "textmill_clean") is not None
    assert capsys.readouterr().err == ""


def test_a_config_module_cannot_take_an_installed_plugins_name(capsys) -> None:
    pm = _manager()
    pm.register(sp.upper, source="entrypoint")
    assert pm.register(sp.Upper(), source="config") is None
    assert pm.plugins["upper"].obj is sp.upper
    err = capsys.readouterr().err
    assert 'plugin name "upper" is already taken by entrypoint plugin' in err
