"""Turning config's chain into an ordered plan of hook calls.

Each plugin in ``[chain]`` contributes up to three steps: a ``prepare`` step (a first look at the
raw corpus), a ``doc`` step (its per-document hook) and a ``corpus`` step (its corpus hook, a
barrier). Steps keep config order unless a declared need moves them: a step runs after the steps
that provide what it ``requires`` (an error when nothing in the chain does) and what it ``uses``
(when something in the chain does). Consecutive ``doc`` steps form one segment, which the engine
runs document by document in batches.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson
from textmill.config import Config
from textmill.errors import ChainError, ConfigError
from textmill.hookspecs import CORPUS_HOOKS, DOC_HOOKS
from textmill.manager import PluginManager, module_label
from textmill.settings import as_table, build, did_you_mean


class StepKind(str, Enum):
    """What a step runs: a plugin's ``prepare`` hook (a first look at the raw corpus), its
    per-document hook (``doc``) or its corpus hook (``corpus``, a barrier)."""

    PREPARE = "prepare"
    DOC = "doc"
    CORPUS = "corpus"

    def __str__(self) -> str:  # the value in messages and labels, on every Python version
        return self.value


@dataclass(frozen=True)
class Step:
    plugin: str
    stage: str
    kind: StepKind
    hook: str
    version: str
    settings: Any
    settings_hash: str
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.plugin} ({self.kind})" if self.kind is not StepKind.DOC else self.plugin


def settings_for(manager: PluginManager, config: Config, name: str) -> Any:
    """The validated settings object for plugin ``name`` (``None`` when it declares none)."""
    plugin = manager.plugins[name]
    table = config.plugins.get(name, {})
    where = f"{config.path.name if config.path else 'config'} [plugins.{name}]"
    if plugin.info.settings is None:
        if table:
            raise ConfigError(f'{where}: plugin "{name}" takes no settings; remove the table')
        return None
    return build(plugin.info.settings, resolve_paths(plugin.info.settings, table, config), where)


def resolve_paths(cls: type, table: dict[str, Any], config: Config) -> dict[str, Any]:
    """``table`` with the values of ``cls``'s path settings (``metadata={"path": True}``)
    resolved relative to the config file's folder, as ``[run] store`` is."""
    paths = {f.name for f in dataclasses.fields(cls) if f.metadata.get("path")}
    return {
        k: str(config.resolve(v)) if k in paths and isinstance(v, str) and v else v
        for k, v in table.items()
    }


def _hash(obj: Any) -> str:
    return hashlib.sha1(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def load_problems(config: Config, manager: PluginManager) -> list[str]:
    """The ``[load] modules`` that could not be loaded, one sentence each. A plugin the config
    names that cannot load is the config's mistake: a run would otherwise go on without it."""
    where = config.path.name if config.path else "config"
    return [
        f'{where} [load]: error importing plugin "{f.label}" ({f.error}); '
        "fix it, or remove it from [load] modules"
        for f in manager.config_failures()
    ]


def check_chain(config: Config, manager: PluginManager) -> list[str]:
    """Every mistake in the chain and plugin settings, one sentence each."""
    where = config.path.name if config.path else "config"
    problems = load_problems(config, manager)
    if not config.chain_plugins():
        problems.append(
            f"{where} [chain] names no plugins, so a run would do nothing; name some "
            "(`textmill config show` prints the default chain), or remove [chain] to run the "
            "default chain"
        )
    failed = {module_label(f.label): f for f in manager.failures}
    for stage, name in config.chain_plugins():
        plugin = manager.get(name)
        if plugin is None and name in failed:
            if failed[name].source != "config":  # a [load] failure is reported above
                problems.append(
                    f'{where} [chain] {stage}: plugin "{name}" could not be loaded '
                    f"({failed[name].error}); fix its installation or take it out of the chain"
                )
            continue
        if plugin is None:
            problems.append(
                f'{where} [chain] {stage}: unknown plugin "{name}"'
                f"{did_you_mean(name, manager.names())} (run `textmill plugins` to list them)"
            )
            continue
        if stage not in plugin.stages:
            where_it = ", ".join(plugin.stages) or "no stage"
            problems.append(
                f'{where} [chain] {stage}: plugin "{name}" has no {stage} hook '
                f"(it implements {where_it}); move it to the right stage"
            )
    for name in config.plugins:
        if manager.get(name) is None:
            problems.append(
                f'{where} [plugins.{name}]: unknown plugin "{name}"'
                f"{did_you_mean(name, manager.names())}"
            )
            continue
        try:
            settings_for(manager, config, name)
        except ConfigError as exc:
            problems.append(str(exc))
    return problems


def build_plan(
    config: Config,
    manager: PluginManager,
    *,
    only: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
) -> list[Step]:
    """The ordered steps for this config; raises :class:`ChainError` when needs cannot be met."""
    problems = check_chain(config, manager)
    if problems:
        raise ConfigError("\n".join(problems))
    for name in (*only, *skip):
        if name not in {p for _, p in config.chain_plugins()}:
            raise ChainError(
                f'"{name}" is not in the chain{did_you_mean(name, [p for _, p in config.chain_plugins()])}; '
                "--only and --skip take plugin names from [chain]"
            )
    prepare: list[Step] = []
    steps: list[Step] = []
    # What plugins left out by --only/--skip made in earlier runs is still in the store.
    available: set[str] = set()
    for name in {p for _, p in config.chain_plugins()}:
        if (only and name not in only) or name in skip:
            info = manager.plugins[name].info
            available |= {*info.provides, *info.corpus_provides}
            if any(stage == "clean" for stage, p in config.chain_plugins() if p == name):
                available.add("text")
    for stage, names in config.chain.items():
        corpus_steps: list[Step] = []
        for name in names:
            if (only and name not in only) or name in skip:
                continue
            plugin = manager.plugins[name]
            info = plugin.info
            settings = settings_for(manager, config, name)
            shash = _hash(as_table(settings) if settings is not None else {})
            common: dict[str, Any] = dict(
                plugin=name,
                stage=stage,
                version=plugin.version,
                settings=settings,
                settings_hash=shash,
                uses=info.uses,
            )
            if "textmill_prepare" in plugin.hooks and not any(s.plugin == name for s in prepare):
                prepare.append(Step(kind=StepKind.PREPARE, hook="textmill_prepare", **common))
            if DOC_HOOKS[stage] in plugin.hooks:
                provides = (*info.provides, "text") if stage == "clean" else info.provides
                steps.append(
                    Step(
                        kind=StepKind.DOC,
                        hook=DOC_HOOKS[stage],
                        requires=info.requires,
                        provides=tuple(provides),
                        **common,
                    )
                )
            if stage in CORPUS_HOOKS and CORPUS_HOOKS[stage] in plugin.hooks:
                corpus_steps.append(
                    Step(
                        kind=StepKind.CORPUS,
                        hook=CORPUS_HOOKS[stage],
                        requires=info.corpus_requires,
                        provides=info.corpus_provides,
                        **{**common, "uses": (*info.uses, *info.corpus_uses)},
                    )
                )
        steps.extend(corpus_steps)
    return prepare + order_steps(steps, manager, available)


def order_steps(
    steps: list[Step],
    manager: PluginManager | None = None,
    available: frozenset[str] | set[str] = frozenset(),
) -> list[Step]:
    """Config order, moved only as far as declared needs demand.

    ``available`` names artifacts already in the store from plugins left out of this run.
    """
    provided_by: dict[str, list[Step]] = {}
    for s in steps:
        for art in s.provides:
            provided_by.setdefault(art, []).append(s)
    for s in steps:
        for art in s.requires:
            if art not in provided_by and art not in available:
                hint = ""
                if manager is not None:
                    makers = [
                        p.name
                        for p in manager.plugins.values()
                        if art in p.info.provides or art in p.info.corpus_provides
                    ]
                    if makers:
                        hint = f" (add {', '.join(sorted(makers))} to [chain])"
                raise ChainError(
                    f'plugin "{s.plugin}" requires "{art}", which no plugin in the chain '
                    f"provides{hint}"
                )

    def needs(s: Step, placed: set[int], strict: bool) -> bool:
        before = [
            t
            for t in steps
            if t.plugin == s.plugin and t.kind is StepKind.DOC and s.kind is StepKind.CORPUS
        ]
        deps = list(s.requires) + (
            list(s.uses) + (["text"] if s.stage != "clean" else []) if strict else []
        )
        pending = [
            t
            for art in deps
            for t in provided_by.get(art, [])
            if t is not s and id(t) not in placed
        ]
        return not pending and all(id(t) in placed for t in before)

    placed: set[int] = set()
    out: list[Step] = []
    remaining = list(steps)
    while remaining:
        pick = next((s for s in remaining if needs(s, placed, True)), None)
        if pick is None:
            pick = next((s for s in remaining if needs(s, placed, False)), None)
        if pick is None:
            names = ", ".join(sorted({s.plugin for s in remaining}))
            raise ChainError(f"plugins {names} require each other's output in a cycle; remove one")
        remaining.remove(pick)
        placed.add(id(pick))
        out.append(pick)
    return out


def segments(plan: list[Step]) -> list[list[Step]]:
    """Group consecutive doc steps; prepare and corpus steps stand alone."""
    out: list[list[Step]] = []
    for step in plan:
        if step.kind is StepKind.DOC and out and out[-1][0].kind is StepKind.DOC:
            out[-1].append(step)
        else:
            out.append([step])
    return out


def providers(plan: list[Step]) -> dict[str, set[str]]:
    """Artifact name -> plugins in the plan that make it."""
    out: dict[str, set[str]] = {}
    for s in plan:
        for art in s.provides:
            out.setdefault(art, set()).add(s.plugin)
    return out
