"""Reading and validating ``config.toml``: input, run options, the chain and plugin settings.

```toml
[input]
paths = ["seeds"]

[run]
workers = 1

[chain]                      # stages in order, plugins of each stage in order
clean = ["unicode", "boilerplate"]

[plugins.unicode]            # one settings table per plugin
normalize_quotes = false
```

Relative paths are resolved against the directory holding the config file. Without a config
file, or without a ``[chain]`` table in it, the chain is :data:`DEFAULT_CHAIN`, the one the
shipped ``config.toml`` names.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from textmill.errors import ConfigError
from textmill.model import STAGES
from textmill.readers import DEFAULT_MAX_BYTES
from textmill.settings import Range, as_table, build, did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


DEFAULT_CHAIN: dict[str, list[str]] = {
    "clean": ["unicode", "boilerplate"],
    "quality": ["langid", "mt_artifacts"],
    "dedup": ["dedup"],
    "entities": ["linker"],
    "summarize": ["extractive"],
}
"""The built-in chain, run when no config names one (a test keeps it equal to config.toml's)."""


@dataclass(frozen=True)
class InputSettings:
    paths: list[str] = field(
        default_factory=lambda: ["seeds"],
        metadata={
            "doc": "Files or folders to read (.txt, .md, .jsonl, .jsonl.gz, .csv, .html, .warc(.gz))."
        },
    )
    format: Literal["auto", "text", "jsonl", "csv", "html", "warc"] = field(
        default="auto", metadata={"doc": "Input format; auto decides by file extension."}
    )
    text_column: str = field(default="text", metadata={"doc": "CSV/JSONL field with the text."})
    id_column: str = field(default="id", metadata={"doc": "CSV/JSONL field with the id."})
    max_bytes: Annotated[int, Range(min=1)] = field(
        default=DEFAULT_MAX_BYTES,
        metadata={
            "doc": "Documents larger than this are reported as errors, not processed. The "
            "default, 5 MB, is the largest document the default chain was measured to take "
            "within its time limits."
        },
    )


@dataclass(frozen=True)
class RunSettings:
    store: str = field(
        default=".textmill/textmill.sqlite", metadata={"doc": "The run store (SQLite)."}
    )
    workers: Annotated[int, Range(min=1)] = field(
        default=1, metadata={"doc": "Worker processes (1 = in-process)."}
    )
    batch_size: Annotated[int, Range(min=1)] = field(
        default=64, metadata={"doc": "Documents per batch sent to a worker."}
    )
    fail_fast: bool = field(default=False, metadata={"doc": "Stop at the first error."})
    timeout: Annotated[float, Range(min=0)] = field(
        default=60.0,
        metadata={
            "doc": "Seconds one plugin may spend on one document before it is cut off "
            "(an error result); a prepare or corpus hook gets this much per document of the "
            "corpus; 0 = no limit."
        },
    )
    executor: Literal["local", "ray"] = field(
        default="local",
        metadata={"doc": "local: in-process or a process pool (workers); ray: a Ray cluster."},
    )
    start_method: Literal["auto", "fork", "spawn", "forkserver"] = field(
        default="auto",
        metadata={"doc": "How the process pool starts workers; auto = fork where available."},
    )
    ray_address: str = field(
        default="",
        metadata={"doc": 'Ray cluster to join (e.g. "ray://head:10001"); empty = a local Ray.'},
    )


@dataclass(frozen=True)
class LoadSettings:
    modules: list[str] = field(
        default_factory=list,
        metadata={"doc": "Extra plugin modules to import (dotted names, or .py paths)."},
    )


@dataclass
class Config:
    """The effective configuration: file values merged over defaults."""

    path: Path | None
    base_dir: Path
    input: InputSettings
    run: RunSettings
    load: LoadSettings
    chain: dict[str, list[str]]
    plugins: dict[str, dict[str, Any]]
    tui: dict[str, Any] = field(default_factory=dict)
    default_chain: bool = False  # the chain is DEFAULT_CHAIN: no config file, or no [chain] in it

    @property
    def store_path(self) -> Path:
        return self.resolve(self.run.store)

    def resolve(self, p: str | Path) -> Path:
        path = Path(p).expanduser()
        return path if path.is_absolute() else (self.base_dir / path)

    def input_paths(self) -> list[Path]:
        return [self.resolve(p) for p in self.input.paths]

    def chain_plugins(self) -> list[tuple[str, str]]:
        """``(stage, plugin)`` pairs in config order."""
        return [(stage, name) for stage, names in self.chain.items() for name in names]

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": as_table(self.input),
            "run": as_table(self.run),
            "load": as_table(self.load),
            "chain": {k: list(v) for k, v in self.chain.items()},
            "plugins": self.plugins,
        }


_SECTIONS = ("input", "run", "load", "chain", "plugins", "tui")


def default_config(base_dir: Path | None = None) -> Config:
    return parse({}, None, base_dir or Path.cwd())


def load_config(path: Path | str) -> Config:
    """Read and validate a config file; raises :class:`ConfigError` naming file and key."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file {path} does not exist; pass -c PATH or create it")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix the syntax there") from None
    return parse(data, path, path.resolve().parent)


def parse(data: dict[str, Any], path: Path | None, base_dir: Path) -> Config:
    where = path.name if path else "config"
    problems: list[str] = []
    for key in data:
        if key not in _SECTIONS:
            problems.append(
                f"{where}: unknown section [{key}]{did_you_mean(key, _SECTIONS)} "
                f"(sections: {', '.join(_SECTIONS)})"
            )

    def section(name: str, cls: type) -> Any:
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            problems.append(f"{where}: [{name}] must be a table")
            raw = {}
        try:
            return build(cls, raw, f"{where} [{name}]")
        except ConfigError as exc:
            problems.append(str(exc))
            return cls()

    inp = section("input", InputSettings)
    run = section("run", RunSettings)
    load = section("load", LoadSettings)

    chain: dict[str, list[str]] = {}
    default_chain = "chain" not in data
    raw_chain = data.get("chain", DEFAULT_CHAIN)
    if not isinstance(raw_chain, dict):
        problems.append(f"{where}: [chain] must be a table of stage = [plugins]")
        raw_chain = {}
    for stage, names in raw_chain.items():
        if stage not in STAGES:
            problems.append(
                f'{where} [chain]: unknown stage "{stage}"{did_you_mean(stage, STAGES)} '
                f"(stages: {', '.join(STAGES)})"
            )
            continue
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.append(f'{where} [chain]: "{stage}" must be a list of plugin names')
            continue
        chain[stage] = list(names)

    plugins = data.get("plugins", {})
    if not isinstance(plugins, dict) or not all(isinstance(v, dict) for v in plugins.values()):
        problems.append(f"{where}: [plugins] must hold one table per plugin, e.g. [plugins.dedup]")
        plugins = {}
    tui = data.get("tui", {})
    bindings = tui.get("bindings", {}) if isinstance(tui, dict) else None
    if not isinstance(bindings, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in bindings.items()
    ):
        problems.append(
            f'{where} [tui]: "bindings" must map binding ids to keys, e.g. quit = "ctrl+q"'
        )
        tui = {}
    if problems:
        raise ConfigError("\n".join(problems))
    return Config(path, base_dir, inp, run, load, chain, dict(plugins), dict(tui), default_chain)
