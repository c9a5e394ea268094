"""Command palette entries, namespaced by screen: "corpus: sort by findings", "go: clusters"…

The entries of a screen are those of the screen the palette was opened from
(``Provider.screen``), not of ``app.screen``, which is the palette itself while it is open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


class TextmillCommands(Provider):
    def commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app: Any = self.app
        out: list[tuple[str, Callable[[], Any], str]] = [
            ("go: corpus", app.action_corpus, "The corpus table"),
            ("go: clusters", app.action_clusters, "Clusters by kind and size"),
            ("go: entities", app.action_entities, "The corpus entity index"),
            ("go: run", app.action_run, "Run or re-run the pipeline"),
            ("help: keys and this screen", app.action_help, "F1"),
        ]
        # The screen the palette was opened from: while it is open, app.screen is the palette.
        screen = self.screen
        from textmill.tui.screens.corpus import CorpusScreen
        from textmill.tui.widgets.doctable import DocTable

        if isinstance(screen, CorpusScreen):
            table = screen.query_one(DocTable)
            for key in table.sorts:
                out.append((f"corpus: sort by {key}", partial(_sort, table, key), "Sort the table"))
            for sev in ("error", "warning"):
                out.append(
                    (
                        f"corpus: documents with {sev} findings",
                        partial(_filter, screen, f"severity:{sev}"),
                        "Filter",
                    )
                )
        return out

    async def discover(self) -> Hits:
        for name, fn, help_text in self.commands():
            yield DiscoveryHit(name, fn, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for name, fn, help_text in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), fn, help=help_text)


def _sort(table: Any, key: str) -> None:
    table.sort = key
    table.refresh_rows()


def _filter(screen: Any, expr: str) -> None:
    from textual.widgets import Input

    screen.query_one("#filter", Input).value = expr
    from textmill.query import parse_filter
    from textmill.tui.widgets.doctable import DocTable

    screen.query_one(DocTable).refresh_rows(parse_filter(expr))
