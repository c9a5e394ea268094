"""One test per hook that no built-in plugin's tests already exercise by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner
from textmill import CorpusResult, Finding, PluginInfo, Result, hookimpl
from textmill.testing import SEEDS, run_chain


class Lifecycle:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="lifecycle", version="1")

    @hookimpl
    def textmill_run_start(self, run_id: str, config: dict[str, Any]) -> None:
        assert "quality" in config["chain"]
        self.calls.append(("start", run_id))

    @hookimpl
    def textmill_run_end(self, run_id: str, summary: dict[str, Any]) -> None:
        assert summary["documents"] == 5
        self.calls.append(("end", run_id))

    @hookimpl
    def textmill_quality(self, doc: Any, settings: Any, ctx: Any) -> Result:
        return Result(score=1.0)


def test_run_start_and_run_end_bracket_a_run(tmp_path: Path) -> None:
    plugin = Lifecycle()
    out = run_chain([SEEDS], {"quality": ["lifecycle"]}, tmp_path=tmp_path, plugins=[plugin])
    assert [c[0] for c in plugin.calls] == ["start", "end"]
    assert plugin.calls[0][1] == plugin.calls[1][1] == out.summary.run_id


class Versions:
    """A corpus quality hook: flags documents longer than the corpus median."""

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="versions", version="1")

    @hookimpl
    def textmill_corpus_quality(self, corpus: Any, settings: Any) -> CorpusResult:
        lengths = {d.id: len(d.text) for d in corpus.documents()}
        median = sorted(lengths.values())[len(lengths) // 2]
        return CorpusResult(
            doc_results={
                d: Result(
                    findings=(Finding("versions.long", f"{n} chars, median {median}.", "info"),)
                )
                for d, n in lengths.items()
                if n > median
            },
            data={"median": median},
        )


def test_corpus_quality_hook_results_reach_documents(tmp_path: Path) -> None:
    out = run_chain([SEEDS], {"quality": ["versions"]}, tmp_path=tmp_path, plugins=[Versions()])
    flagged = [d for d in out.ids() if "versions" in out.document(d).results]
    assert all(out.result(d, "versions").findings[0].code == "versions.long" for d in flagged)
    assert len(flagged) == 2
    assert out.query.corpus_data("versions")["data"]["median"] > 1000


class Command:
    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="command", version="1")

    @hookimpl
    def textmill_register_commands(self, cli: click.Group) -> None:
        @cli.command("hello-plugin")
        def hello() -> None:
            click.echo("hello from a plugin")


def test_register_commands_adds_a_cli_command() -> None:
    from textmill.cli import cli
    from textmill.manager import PluginManager
    from textmill.testing import register_plugin

    with register_plugin(Command()):
        PluginManager().pm.hook.textmill_register_commands(cli=cli)
    try:
        result = CliRunner().invoke(cli, ["hello-plugin"])
        assert result.exit_code == 0 and "hello from a plugin" in result.output
    finally:
        cli.commands.pop("hello-plugin", None)
