"""``textmill kb build``: compile a JSONL knowledge base or a Wikidata dump into SQLite."""

from __future__ import annotations

import time
from pathlib import Path

import click
from textmill.plugins.linker.kb import KBError, compile_kb, read_jsonl, read_wikidata


@click.group("kb")
def kb_group() -> None:
    """Knowledge bases for the linker plugin."""


@kb_group.command("build")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="SQLite file to write."
)
@click.option(
    "--wikidata", is_flag=True, help="SOURCE is a Wikidata JSON dump (latest-all.json[.bz2|.gz])."
)
@click.option(
    "--types",
    default="",
    help="Wikidata: keep items whose P31 is one of these ids (comma-separated).",
)
@click.option(
    "--ids",
    "ids_file",
    type=click.Path(path_type=Path),
    help="Wikidata: keep the ids listed in this file.",
)
@click.option(
    "--min-sitelinks",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Wikidata: keep items with at least this many sitelinks (Wikipedia articles and the like).",
)
@click.option("--lang", default="en", show_default=True, help="Wikidata: label language.")
@click.option("--quiet", is_flag=True, help="Wikidata: no progress display.")
def build(
    source: Path,
    output: Path,
    wikidata: bool,
    types: str,
    ids_file: Path | None,
    min_sitelinks: int,
    lang: str,
    quiet: bool,
) -> None:
    """Compile SOURCE (KB JSONL, or a Wikidata dump with --wikidata) into an indexed alias table."""
    t0 = time.perf_counter()
    try:
        if wikidata:
            n, lines = _build_wikidata(
                source, output, types, ids_file, min_sitelinks, lang, quiet=quiet
            )
        else:
            n, lines = compile_kb(read_jsonl(source), output), 0
    except (KBError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    read = f", {lines:,} dump lines read" if wikidata else ""
    click.echo(
        f"wrote {n} entities to {output} ({output.stat().st_size / 1e6:.1f} MB{read}, "
        f"{time.perf_counter() - t0:.1f}s)"
    )


def _build_wikidata(
    source: Path,
    output: Path,
    types: str,
    ids_file: Path | None,
    min_sitelinks: int,
    lang: str,
    *,
    quiet: bool,
) -> tuple[int, int]:
    """Stream the dump into ``output`` with a progress bar on stderr (bytes of the file as
    stored, lines read, items kept); returns the items kept and the lines read."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    type_set = {t.strip() for t in types.split(",") if t.strip()} or None
    ids = None
    if ids_file is not None:
        ids = {ln.strip() for ln in ids_file.read_text(encoding="utf-8").split() if ln.strip()}
    size = source.stat().st_size if source.exists() else 0
    seen = [0]
    with Progress(
        TextColumn("[bold]kb build[/]"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[lines]:,} lines, {task.fields[kept]:,} kept"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
    ) as bar:
        task = bar.add_task("read", total=size or None, lines=0, kept=0)

        def progress(done: int, lines: int, kept: int) -> None:
            seen[0] = lines
            bar.update(task, completed=done, lines=lines, kept=kept)

        entities = read_wikidata(
            source,
            types=type_set,
            ids=ids,
            lang=lang,
            min_sitelinks=min_sitelinks,
            progress=progress,
        )
        n = compile_kb(entities, output)
    return n, seen[0]
