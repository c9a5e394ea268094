"""Finding, loading and describing plugins.

Plugins load in this order, and the first plugin to claim a name keeps it:

1. the entry-point group ``textmill`` (installed packages),
2. modules named in config (``[load] modules``),
3. the built-ins in :data:`BUILTIN_PLUGINS`.

``TEXTMILL_LOAD_PLUGINS`` chooses which plugins of the first two kinds load: a comma-separated
list of names; an empty value loads none of them (built-ins always load). A plugin that fails to
import, or defines a hook function that matches no hook spec, is left out and recorded in
:attr:`PluginManager.failures`; the others still load. An installed plugin's failure is named on
stderr at once. A config module's is not: the config named it, so it is a config error, which
:func:`textmill.chain.check_chain` reports with the config's other mistakes.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from textmill import hookspecs
from textmill.errors import PluginLoadError
from textmill.hookspecs import CORPUS_HOOKS, DOC_HOOKS
from textmill.parse import check_annotations
from textmill.plugininfo import PluginInfo

BUILTIN_PLUGINS: tuple[str, ...] = (
    "textmill.plugins.unicode",
    "textmill.plugins.boilerplate",
    "textmill.plugins.langid",
    "textmill.plugins.mt_artifacts",
    "textmill.plugins.dedup",
    "textmill.plugins.linker",
    "textmill.plugins.extractive",
)
"""Module paths of the built-in plugins; each is an ordinary plugin."""

BUILTIN_COMMANDS: dict[str, str] = {"kb": "Knowledge bases for the linker plugin."}
"""The commands built-in plugins add through ``textmill_register_commands``, with their short
help: ``textmill --help`` lists them without importing the plugins (which takes a third of a
second). A test checks them against what the hooks register."""

ENTRY_POINT_GROUP = "textmill"
ENV_LOAD = "TEXTMILL_LOAD_PLUGINS"
ENV_TRACE = "TEXTMILL_TRACE"

# Plugins registered for the duration of a test (see textmill.testing.register_plugin).
_EXTRA: list[tuple[str, object]] = []


@dataclass(frozen=True)
class LoadFailure:
    """A plugin that could not be loaded: its name or module, where it came from, and why."""

    label: str
    source: str  # entrypoint | config | registered | builtin
    error: str  # "ModuleNotFoundError: No module named 'x'"


@dataclass
class LoadedPlugin:
    """One registered plugin and what textmill knows about it."""

    name: str
    obj: object
    source: str  # builtin | entrypoint | config | registered
    info: PluginInfo
    dist: str | None = None
    dist_version: str | None = None
    hooks: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.info.version if self.info.version != "0" else (self.dist_version or "0")

    @property
    def stages(self) -> list[str]:
        return [
            s
            for s in DOC_HOOKS
            if DOC_HOOKS[s] in self.hooks or CORPUS_HOOKS.get(s, "") in self.hooks
        ]


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def _allowed() -> set[str] | None:
    value = os.environ.get(ENV_LOAD)
    if value is None:
        return None
    return {n.strip() for n in value.split(",") if n.strip()}


class PluginManager:
    """A pluggy manager plus textmill's bookkeeping (sources, versions, settings)."""

    def __init__(
        self,
        modules: Iterable[str] = (),
        *,
        entry_points: bool = True,
        builtins: bool = True,
        base_dir: Path | None = None,
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.errors: list[str] = []
        self.failures: list[LoadFailure] = []
        self.modules = list(modules)
        self.base_dir = base_dir
        self._sources = (entry_points, builtins)
        if os.environ.get(ENV_TRACE):
            self.pm.trace.root.setwriter(lambda m: print(m, end="", file=sys.stderr))
            self.pm.enable_tracing()
        allowed = _allowed()
        if entry_points:
            self._load_entry_points(allowed)
        for mod in self.modules:
            if allowed is None or module_label(mod) in allowed:
                self._load_module(mod, "config")
        for name, obj in list(_EXTRA):
            self.register(obj, name, source="registered")
        if builtins:
            for mod in BUILTIN_PLUGINS:
                self._load_module(mod, "builtin")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as how to load it again (a spawned worker rebuilds it): the modules, the
        kinds of plugin it loads, and the plugin objects registered on it directly."""
        registered = [(p.name, p.obj) for p in self.plugins.values() if p.source == "registered"]
        entry_points, builtins = self._sources
        return (_rebuild, (self.modules, entry_points, builtins, self.base_dir, registered))

    # --- loading ------------------------------------------------------------------------------

    def _fail(self, label: str, exc: BaseException, source: str) -> None:
        error = f"{type(exc).__name__}: {exc}"
        msg = f'Error importing plugin "{label}": {error}'
        self.errors.append(msg)
        self.failures.append(LoadFailure(label, source, error))
        if source != "config":
            _warn(
                f"textmill: {msg} (disable it with {ENV_LOAD}, see docs/plugins/troubleshooting.md)"
            )

    def config_failures(self) -> list[LoadFailure]:
        """The ``[load] modules`` that could not be loaded."""
        return [f for f in self.failures if f.source == "config"]

    def _load_entry_points(self, allowed: set[str] | None) -> None:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if allowed is not None and ep.name not in allowed:
                continue
            try:
                obj = ep.load()
            except (Exception, SystemExit) as exc:
                self._fail(ep.name, exc, "entrypoint")
                continue
            dist = getattr(ep, "dist", None)
            self.register(
                obj,
                ep.name,
                source="entrypoint",
                dist=dist.metadata["Name"] if dist else None,
                dist_version=dist.version if dist else None,
            )

    def _load_module(self, mod: str, source: str) -> None:
        try:
            module = _import(mod, self.base_dir)
        except (Exception, SystemExit) as exc:
            self._fail(mod, exc, source)
            return
        self.register(module, None, source=source, label=mod)

    def register(
        self,
        obj: object,
        name: str | None = None,
        *,
        source: str = "registered",
        dist: str | None = None,
        dist_version: str | None = None,
        label: str | None = None,
    ) -> LoadedPlugin | None:
        """Register a module or object as a plugin; returns ``None`` (and reports) on failure.

        ``label`` names it in messages (a config module by the name the config gives it)."""
        try:
            info = _plugin_info(obj, name)
        except Exception as exc:
            self._fail(label or name or _default_name(obj), exc, source)
            return None
        taken = self.plugins.get(info.name)
        if taken is not None and (taken.obj is obj or source == "registered"):
            # A test registering a plugin that is also installed (the usual case while writing
            # one): the object the test registered is the one it means to exercise.
            if taken.obj is obj:
                return taken
            self.unregister(info.name)
        if info.name in self.plugins:
            if source != "builtin":
                _warn(
                    f'textmill: plugin name "{info.name}" is already taken by '
                    f"{self.plugins[info.name].source} plugin; ignoring the {source} one"
                )
            return None
        try:
            self.pm.register(obj, name=info.name)
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self.pm.unregister(name=info.name)
            self._fail(label or info.name, exc, source)
            return None
        except ValueError as exc:
            self._fail(label or info.name, exc, source)
            return None
        hooks = sorted(caller.name for caller in self.pm.get_hookcallers(obj) or [])
        plugin = LoadedPlugin(info.name, obj, source, info, dist, dist_version, hooks)
        self.plugins[info.name] = plugin
        return plugin

    def unregister(self, name: str) -> None:
        if name in self.plugins:
            self.pm.unregister(name=name)
            del self.plugins[name]

    # --- lookup -------------------------------------------------------------------------------

    def impl(self, plugin: str, hook: str) -> Callable[..., Any] | None:
        """The function ``plugin`` implements for ``hook``, or ``None``."""
        caller = getattr(self.pm.hook, hook)
        for impl in caller.get_hookimpls():
            if impl.plugin_name == plugin:
                return impl.function
        return None

    def get(self, name: str) -> LoadedPlugin | None:
        return self.plugins.get(name)

    def names(self) -> list[str]:
        return list(self.plugins)

    def describe(self) -> list[dict[str, Any]]:
        """Rows for ``textmill plugins``: name, version, source, stages, hooks."""
        return [
            {
                "name": p.name,
                "version": p.version,
                "source": p.source,
                "package": p.dist,
                "stages": p.stages,
                "hooks": p.hooks,
                "description": p.info.description,
            }
            for p in self.plugins.values()
        ]


def _rebuild(
    modules: list[str],
    entry_points: bool,
    builtins: bool,
    base_dir: Path | None,
    registered: list[tuple[str, object]],
) -> PluginManager:
    manager = PluginManager(modules, entry_points=entry_points, builtins=False, base_dir=base_dir)
    for name, obj in registered:
        manager.register(obj, name, source="registered")
    if builtins:
        for mod in BUILTIN_PLUGINS:
            manager._load_module(mod, "builtin")
    return manager


def _default_name(obj: object) -> str:
    if isinstance(obj, ModuleType):
        return obj.__name__.rsplit(".", 1)[-1]
    return getattr(obj, "__name__", type(obj).__name__)


def module_label(mod: str) -> str:
    """The name ``TEXTMILL_LOAD_PLUGINS`` knows a config module by: a file's stem or a dotted
    name's last part."""
    return Path(mod).stem if mod.endswith(".py") else mod.rsplit(".", 1)[-1]


def _plugin_info(obj: object, name: str | None) -> PluginInfo:
    fn = getattr(obj, "textmill_plugin_info", None)
    info = fn() if callable(fn) else None
    if info is None:
        info = PluginInfo(name=name or _default_name(obj))
    if not isinstance(info, PluginInfo):
        raise TypeError("textmill_plugin_info must return a textmill.PluginInfo")
    check_annotations(info.parses, f'plugin "{info.name}"')
    return info


def _import(mod: str, base_dir: Path | None) -> ModuleType:
    if mod.endswith(".py"):
        path = Path(mod)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.exists():
            raise FileNotFoundError(f"no plugin file at {path}")
        spec = importlib.util.spec_from_file_location(f"textmill_local_{path.stem}", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(mod)


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def require(manager: PluginManager, name: str) -> LoadedPlugin:
    plugin = manager.get(name)
    if plugin is None:
        from textmill.settings import did_you_mean

        raise PluginLoadError(
            f'no plugin named "{name}"{did_you_mean(name, manager.names())}; '
            "run `textmill plugins` to list them"
        )
    return plugin
