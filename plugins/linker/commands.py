"""``textmill kb build``: compile a JSONL knowledge base or a Wikidata dump into SQLite."""

from __future__ import annotations

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
@click.option("--lang", default="en", show_default=True, help="Wikidata: label language.")
def build(
    source: Path, output: Path, wikidata: bool, types: str, ids_file: Path | None, lang: str
) -> None:
    """Compile SOURCE (KB JSONL, or a Wikidata dump with --wikidata) into an indexed alias table."""
    try:
        if wikidata:
            type_set = {t.strip() for t in types.split(",") if t.strip()} or None
            ids = None
            if ids_file is not None:
                ids = {
                    ln.strip() for ln in ids_file.read_text(encoding="utf-8").split() if ln.strip()
                }
            entities = read_wikidata(source, types=type_set, ids=ids, lang=lang)
        else:
            entities = read_jsonl(source)
        n = compile_kb(entities, output)
    except (KBError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {n} entities to {output}")
