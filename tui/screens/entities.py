"""The corpus entity index: entity, type, mentions, documents, variant spellings."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textmill.display import one_line, safe_text
from textmill.tui.widgets.footer import KeysFooter
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option


class EntitiesScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="entities.back"),
        Binding("slash", "search", "Search", id="entities.search"),
    ]
    HELP = (
        "Every entity of the run with its KB id, type, mention and document counts and the ways it "
        "is written. Select one to list its mentions; select a mention to open the document. / searches."
    )

    def __init__(self, query: Any) -> None:
        super().__init__()
        self.qs = query

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search entities by name or id", id="entity-search")
        with Horizontal():
            table: DataTable[Any] = DataTable(
                id="entity-table", cursor_type="row", zebra_stripes=True
            )
            yield table
            with Vertical(classes="side"):
                yield Static(id="entity-detail")
                yield OptionList(id="entity-mentions")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("entity", "type", "KB id", "mentions", "docs", "written as")
        self.load("")
        table.focus()

    def load(self, search: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in self.qs.entities(search=search or None, limit=2000):
            data = row.get("data") or {}
            variants = ", ".join((data.get("variants") or {}).keys())
            table.add_row(
                Text(one_line(row["name"], 32)),
                row.get("type") or "",
                Text(safe_text(row.get("kb_id") or "NIL")),
                row.get("mention_count") or 0,
                row.get("doc_count") or 0,
                Text(one_line(variants, 40), "dim"),
                key=row["id"],
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.load(event.value.strip())
        self.query_one(DataTable).focus()

    def action_search(self) -> None:
        self.query_one(Input).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        ent = self.qs.entity(event.row_key.value) if event.row_key.value else None
        if ent is None:
            return
        t = Text(safe_text(ent.name) + "\n", "bold")
        t.append(f"KB id: {safe_text(ent.kb_id or 'none (NIL)')}   type: {safe_text(ent.type)}\n")
        if ent.description:
            t.append(safe_text(ent.description) + "\n", "italic")
        docs = len({m.doc_id for m in ent.mentions})
        t.append(f"{len(ent.mentions)} mentions in {docs} documents; Enter opens one:", "dim")
        self.query_one("#entity-detail", Static).update(t)
        lst = self.query_one("#entity-mentions", OptionList)
        lst.clear_options()
        lst.add_options(
            [
                Option(
                    Text(
                        f"{one_line(m.doc_id, 26)} @{m.span.start}"
                        + (f" “{one_line(m.text, 20)}”" if m.text != ent.name else "")
                    ),
                    id=f"{i}:{m.doc_id}",
                )
                for i, m in enumerate(ent.mentions[:500])
            ]
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_document(event.option.id.split(":", 1)[1])  # type: ignore[attr-defined]
