"""The ``textmill`` command line (click).

User mistakes end as one sentence on stderr with exit code 2, never a traceback. Everything
printed that comes from a document goes through :mod:`textmill.display`.

Start-up stays cheap: this module imports click and the core's data model only. The config,
the plugins (and through them numpy and spaCy), rich's console and the store are imported by
the commands that use them, and each command builds its plugin manager once. ``--help`` lists
the commands plugins add without importing the built-in plugins (see
:data:`textmill.manager.BUILTIN_COMMANDS`).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from textmill import __version__
from textmill.errors import ConfigError, TextmillError
from textmill.model import STAGES

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from textmill.config import Config
    from textmill.manager import PluginManager

DEFAULT_CONFIG = "config.toml"


@functools.cache
def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    if stderr:
        return Console(stderr=True, highlight=False)
    return Console(highlight=False, soft_wrap=True)


def say(message: str) -> None:
    """One line on stderr, never wrapped or styled (it may quote document text)."""
    from textmill.display import safe_text

    click.echo(f"textmill: {safe_text(message)}", err=True)


def _config(path: str | None, *, announce: bool = False) -> Config:
    """The config at ``path``, else ./config.toml, else the defaults. ``announce``: say on
    stderr when the chain is the built-in default one, so a run never does something unasked."""
    from textmill.config import default_config, load_config

    if path:
        cfg = load_config(path)
    elif Path(DEFAULT_CONFIG).exists():
        cfg = load_config(DEFAULT_CONFIG)
    else:
        cfg = default_config()
    if announce and cfg.default_chain:
        why = f"{cfg.path.name} has no [chain]" if cfg.path else f"no {DEFAULT_CONFIG} here"
        names = ", ".join(name for _, name in cfg.chain_plugins())
        say(
            f"{why}; using the built-in default chain: {names} "
            "(`textmill config show` prints it as a config file)"
        )
    return cfg


def _manager(config: Config) -> PluginManager:
    from textmill.manager import PluginManager

    return PluginManager(config.load.modules, base_dir=config.base_dir)


class _Commands(click.Group):
    """textmill's commands and those plugins register (``textmill_register_commands``).

    Plugins are imported only to run one of their commands: ``--help`` lists the built-in
    plugins' commands from :data:`~textmill.manager.BUILTIN_COMMANDS` and imports only the
    installed plugins (entry points), which may add more."""

    _loaded: str = ""  # "" | "installed" | "all": which plugins registered their commands

    def _register(self, which: str) -> None:
        from textmill.manager import PluginManager

        if self._loaded == "all" or self._loaded == which:
            return
        if self._loaded == "installed":
            # Installed plugins already ran the hook here; the built-ins add theirs.
            manager = PluginManager(entry_points=False)
            self._loaded = "all"
            for name, plugin in manager.plugins.items():
                if plugin.source == "builtin":
                    hook = manager.impl(name, "textmill_register_commands")
                    if hook is not None:
                        hook(cli=self)
            return
        self._loaded = which
        manager = PluginManager(builtins=which == "all")
        manager.pm.hook.textmill_register_commands(cli=self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None:
            self._register("all")
            cmd = super().get_command(ctx, cmd_name)
        return cmd

    def list_commands(self, ctx: click.Context) -> list[str]:
        from textmill.manager import BUILTIN_COMMANDS

        self._register("installed")
        return sorted({*self.commands, *BUILTIN_COMMANDS})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from textmill.manager import BUILTIN_COMMANDS

        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            # A built-in plugin's command not loaded yet: its declared help, shortened alike.
            cmd = self.commands.get(name) or click.Command(name, help=BUILTIN_COMMANDS[name])
            if not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _store_path(config_path: str | None, store: str | None) -> Path:
    if store:
        return Path(store)
    return _config(config_path).store_path


config_option = click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (default: ./config.toml).",
)
store_option = click.option(
    "--store", type=click.Path(dir_okay=False), help="Run store (default: from config)."
)


@click.group(cls=_Commands, invoke_without_command=True)
@click.version_option(__version__, prog_name="textmill")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """textmill: clean, check, deduplicate, link and summarize a news corpus.

    Without a command, opens the terminal UI on the latest run.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


# --- run -------------------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@config_option
@click.option(
    "-w", "--workers", type=click.IntRange(min=1), help="Worker processes (default: from config)."
)
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    help="Where batches run: local (in-process or a pool) or ray (default: from config).",
)
@click.option("--only", multiple=True, help="Run only this plugin (repeatable).")
@click.option("--skip", multiple=True, help="Skip this plugin (repeatable).")
@click.option("--fail-fast", is_flag=True, default=None, help="Stop at the first error.")
@click.option("--store", type=click.Path(dir_okay=False), help="Run store (default: from config).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--wait", is_flag=True, help="If another run is writing the store, wait for it to finish."
)
@click.option(
    "--force",
    is_flag=True,
    help="Recompute the plan's steps (all, or those of --only) even where results are cached.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the end-of-run summary as JSON on stdout instead of the table.",
)
def run(
    paths: tuple[str, ...],
    config_path: str | None,
    workers: int | None,
    executor: str | None,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    fail_fast: bool | None,
    store: str | None,
    quiet: bool,
    wait: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Process a corpus (PATHS, or [input] paths from the config) and print a summary."""
    from textmill.chain import build_plan
    from textmill.engine import Engine
    from textmill.store import Store

    config = _config(config_path, announce=True)
    manager = _manager(config)
    build_plan(config, manager, only=only, skip=skip)  # config mistakes before the store opens
    store_path = Path(store) if store else config.store_path
    with Store(store_path) as st:
        input_paths = [Path(p).resolve() for p in paths] or None
        with _progress(quiet) as progress:
            engine = Engine(
                config,
                manager,
                st,
                workers=workers,
                only=only,
                skip=skip,
                fail_fast=fail_fast,
                progress=progress.update,
                activity=progress.activity,
                wait=wait,
                on_wait=say,
                executor=executor,
                force=force,
            )
            summary = engine.run(input_paths)
    for doc_id, reason in summary.input_errors:
        say(f"{doc_id}: {reason}")
    for _file, reason in summary.input_skipped:
        say(reason)
    for plugin, error in summary.corpus_errors:
        say(f'plugin "{plugin}" failed on the corpus: {error}')
    _say_cleaning_cuts(store_path)
    if as_json:
        import json

        click.echo(json.dumps(_summary_json(summary.to_dict(), store_path), indent=2))
    else:
        _console().print(_summary_table(summary.to_dict()))
    errors = sum(s.errors for s in summary.plugins.values())
    shown = summary.doc_errors[:ERRORS_SHOWN]
    for doc_id, plugin, error in shown:
        say(f'{doc_id}: plugin "{plugin}" failed: {(error.splitlines() or [""])[0]}')
    if errors:
        more = f" ({errors - len(shown)} more not listed)" if errors > len(shown) else ""
        say(f"{errors} plugin error(s){more}; see them with `textmill show DOC` or the TUI")
    if not as_json:
        _console().print(
            f"Store: {store_path}  ({summary.documents} documents, {summary.seconds:.2f}s)"
        )
    if summary.aborted:
        say(f"stopped: {summary.aborted}")
    if summary.failed:
        sys.exit(1)


ERRORS_SHOWN = 5  # per-document errors named on stderr at the end of a run

_CUTS = {
    "clean.emptied": "cleaning removed all of its text",
    "clean.mostly-removed": "cleaning removed over 90% of its text",
}


def _say_cleaning_cuts(store_path: Path) -> None:
    """One stderr line per document that cleaning emptied or cut by over 90% (the quality
    plugin's ``clean.emptied`` / ``clean.mostly-removed`` findings)."""
    from textmill.query import Query, parse_filter

    q = Query(store_path)
    try:
        for code, what in _CUTS.items():
            for row in q.page(parse_filter(f"code:{code}"), limit=10**9, with_total=False).rows:
                say(f"{row.id}: {what} ({code}); see `textmill show {row.id}`")
    finally:
        q.close()


class _progress:
    """A rich progress bar on stderr, fed by the engine's ``progress(label, done, total)``,
    with a line naming the stage, plugin and document at work (``activity``)."""

    def __init__(self, quiet: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        err = _console(stderr=True)
        self.quiet = quiet or not err.is_terminal
        self.tasks: dict[str, Any] = {}
        self.now: Any = None  # the task whose description says what is at work
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )

    def __enter__(self) -> _progress:
        if not self.quiet:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.quiet:
            self.bar.stop()

    def update(self, label: str, done: int, total: int | None) -> None:
        if self.quiet:
            return
        if label not in self.tasks:
            self.tasks[label] = self.bar.add_task(label, total=total)
        self.bar.update(self.tasks[label], completed=done, total=total)

    def activity(self, stage: str, plugin: str, doc_id: str) -> None:
        if self.quiet:
            return
        from textmill.display import safe_text

        now = f"  {stage}: {plugin} on {safe_text(doc_id)[:60]}"
        if self.now is None:
            self.now = self.bar.add_task(now, total=None)
        else:
            self.bar.update(self.now, description=now)


def _summary_json(summary: dict[str, Any], store_path: Path) -> dict[str, Any]:
    """``textmill run --json``: the summary's per-plugin counts and their totals; the shared
    spaCy parse is apart (``parse``), as it is no plugin's work and not a plugin's result."""
    from textmill.parse import PARSE_LINE

    counts = ("processed", "cached", "errors", "timeouts")
    lines = {
        name: {
            **{k: s[k] for k in counts},
            "seconds": round(s["seconds"], 3),
            "mean_score": s.get("mean_score"),
        }
        for name, s in summary["plugins"].items()
    }
    parse = lines.pop(PARSE_LINE, None)
    plugins = lines
    totals: dict[str, Any] = {k: sum(p[k] for p in plugins.values()) for k in counts}
    totals["seconds"] = summary["seconds"]
    totals["documents"] = summary["documents"]
    totals["input_errors"] = len(summary["input_errors"])
    totals["corpus_errors"] = len(summary["corpus_errors"])
    return {
        "run_id": summary["run_id"],
        "store": str(store_path),
        "plugins": plugins,
        "parse": parse and {k: parse[k] for k in ("processed", "errors", "timeouts", "seconds")},
        "totals": totals,
        "input_errors": summary["input_errors"],
        "corpus_errors": summary["corpus_errors"],
        "doc_errors": summary["doc_errors"],
        "aborted": summary["aborted"],
        "failed": summary["failed"],
    }


def _summary_table(summary: dict[str, Any]) -> Table:
    from rich.table import Table

    table = Table(title="textmill run", title_justify="left")
    for col, justify in (
        ("plugin", "left"),
        ("docs", "right"),
        ("errors", "right"),
        ("cached", "right"),
        ("time (s)", "right"),
        ("mean score", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for name, s in summary["plugins"].items():
        mean = s.get("mean_score")
        table.add_row(
            name,
            str(s["processed"]),
            str(s["errors"]),
            str(s["cached"]),
            f"{s['seconds']:.3f}",
            "" if mean is None else f"{mean:.3f}",
        )
    if summary["input_errors"]:
        table.add_row("(input)", "", str(len(summary["input_errors"])), "", "", "")
    return table


# --- show / export ---------------------------------------------------------------------------------


@cli.command()
@click.argument("doc")
@config_option
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the document and results as JSON.")
def show(doc: str, config_path: str | None, store: str | None, as_json: bool) -> None:
    """Print one document's results (DOC: an id, a unique id prefix, or a sequence number)."""
    from textmill.query import Query
    from textmill.report import document_json, render_document

    q = Query.open(_store_path(config_path, store))
    doc_id = q.resolve_id(doc)
    if doc_id is None:
        raise TextmillError(
            f'no document "{doc}" in the store; list ids with `textmill export --format csv`'
        )
    view = q.document(doc_id)
    assert view is not None
    if as_json:
        import orjson
        from textmill.display import terminal_json

        out = orjson.dumps(document_json(view), option=orjson.OPT_INDENT_2)
        sys.stdout.write((terminal_json(out) if sys.stdout.isatty() else out).decode() + "\n")
        return
    for renderable in render_document(view, q):
        _console().print(renderable)


@cli.command()
@config_option
@store_option
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl"
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Output file (default: stdout)."
)
@click.option(
    "--filter", "filter_expr", default="", help="Filter, e.g. 'plugin:unicode severity:error'."
)
def export(
    config_path: str | None, store: str | None, fmt: str, output: str | None, filter_expr: str
) -> None:
    """Export documents with their results as JSONL, CSV or Parquet."""
    from textmill.export import export as do_export
    from textmill.query import Query, parse_filter

    q = Query.open(_store_path(config_path, store))
    n = do_export(q, fmt, output, parse_filter(filter_expr))
    if output:
        say(f"wrote {n} documents to {output}")


# --- plugins and config ----------------------------------------------------------------------------


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins(config_path: str | None, as_json: bool) -> None:
    """List the plugins textmill loaded: name, version, source, stages and hooks."""
    import orjson
    from rich.table import Table
    from textmill.chain import load_problems

    cfg = _config(config_path)
    manager = _manager(cfg)
    rows = manager.describe()
    problems = load_problems(cfg, manager)
    if as_json:
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
        if problems:
            raise ConfigError("\n".join(problems))
        return
    table = Table()
    for col in ("name", "version", "source", "stages", "hooks"):
        table.add_column(col)
    for r in rows:
        hooks = ", ".join(h.removeprefix("textmill_") for h in r["hooks"])
        src = r["source"] + (f" ({r['package']})" if r["package"] else "")
        table.add_row(r["name"], r["version"], src, ", ".join(r["stages"]), hooks)
    _console().print(table)
    if problems:
        raise ConfigError("\n".join(problems))


@cli.group()
def config() -> None:
    """Check or show the configuration."""


@config.command("check")
@config_option
def config_check(config_path: str | None) -> None:
    """Validate the config and the plugin settings it names."""
    from textmill.chain import build_plan

    cfg = _config(config_path, announce=True)
    manager = _manager(cfg)
    plan = build_plan(cfg, manager)
    order = " -> ".join(s.label for s in plan)
    _console().print(f"{cfg.path or 'defaults'}: OK ({len(plan)} steps: {order})")


@config.command("show")
@config_option
def config_show(config_path: str | None) -> None:
    """Print the effective config: file values over defaults, with every plugin setting."""
    from textmill.chain import load_problems
    from textmill.report import effective_config_toml

    cfg = _config(config_path)
    manager = _manager(cfg)
    problems = load_problems(cfg, manager)
    if problems:
        raise ConfigError("\n".join(problems))
    sys.stdout.write(effective_config_toml(cfg, manager))


@cli.command()
@config_option
@store_option
def tui(config_path: str | None, store: str | None) -> None:
    """Open the terminal UI on the latest run."""
    try:
        from textmill.tui.app import run_app
    except ImportError as exc:
        raise TextmillError(
            f"the terminal UI is not available ({exc}); reinstall textmill"
        ) from None
    cfg = _config(config_path)
    run_app(cfg, Path(store) if store else cfg.store_path)


@cli.command("new-plugin")
@click.argument("name")
@click.option(
    "--stage",
    type=click.Choice(list(STAGES)),
    default="quality",
    show_default=True,
    help="The stage whose hook the plugin implements.",
)
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Where to create the package (default: here).",
)
def new_plugin(name: str, stage: str, parent: Path) -> None:
    """Create a plugin package: module, tests, pyproject and README.

    NAME is the plugin's name (word_count) or its package's (textmill-word-count); both give
    the package textmill-word-count, the module textmill_word_count and the plugin word_count.
    """
    from textmill.scaffold import new_plugin as scaffold

    root = scaffold(name, stage, parent)
    click.echo(f"created {root}")
    click.echo(f"next: pip install -e {root} && textmill plugins && pytest {root / 'tests'}")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: turns user errors into one line on stderr."""
    try:
        rv = cli.main(args=argv, prog_name="textmill", standalone_mode=False)
    except click.exceptions.Abort:
        say("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            say(f"config error: {line}")
        sys.exit(2)
    except TextmillError as exc:
        say(f"error: {exc}")
        sys.exit(2)
    except KeyboardInterrupt:
        say("interrupted; run the same command again to resume")
        sys.exit(130)
    if isinstance(rv, int) and rv:
        sys.exit(rv)


__all__ = ["cli", "main"]
