"""The corpus entity index: entity, type, KB id, mentions, documents, spellings; and the selected
entity's mentions, each with the words around it.

Both lists read the store a page at a time (the entities_rank and mentions_entity indexes), so
an index of a million entities opens as fast as one of fifty.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textmill.display import one_line, safe_text
from textmill.query import MentionRow
from textmill.tui.widgets.doctable import fit
from textmill.tui.widgets.footer import KeysFooter
from textmill.tui.widgets.highlight import LABEL_STYLE
from textmill.tui.widgets.rowlist import RowList
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

TYPE_W, KB_W, NUM_W = 6, 14, 5


class EntitiesScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="entities.back"),
        Binding("slash", "search", "Search", id="entities.search"),
        Binding("tab", "app.focus_next", "Next list", id="entities.pane"),
    ]
    HELP_TITLE = "Entities"
    HELP = (
        "Every entity of the run, the most mentioned first, with its type, KB id (NIL: not in "
        "the knowledge base), mention and document counts and the ways it is written. The "
        "panel on the right shows the selected entity and its mentions, each with the words "
        "around it; Enter on a mention opens its document. / searches names and ids."
    )

    def __init__(self, query: Any) -> None:
        super().__init__()
        self.qs = query
        self.search = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search entities by name or id", id="entity-search")
        with Horizontal(id="entities-body"):
            yield RowList(
                empty="No entities match.", highlighted=self._highlighted, id="entity-table"
            )
            with Vertical(id="entity-side", classes="side"):
                yield Static(id="entity-detail", classes="side-info")
                yield RowList(highlighted=self._highlighted, id="entity-mentions")
                yield Static(id="mention-doc", classes="side-title")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load("")
        self.query_one("#entity-table", RowList).focus()

    def reload(self, query: Any) -> None:
        """Read the index again from ``query`` (a run replaced the store)."""
        self.qs = query
        if self.is_mounted:
            self.load(self.search)

    def load(self, search: str) -> None:
        self.search = search
        term = search or None
        total = self.qs.entity_count(search=term)
        self.query_one("#entity-table", RowList).show_paged(
            total,
            lambda offset, limit: self.qs.entities(search=term, offset=offset, limit=limit),
            entity_line,
            header=entity_header,
        )
        if not total:
            self.query_one("#entity-detail", Static).update("")
            self.query_one("#entity-mentions", RowList).show_rows([], mention_line)
            self.query_one("#mention-doc", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.load(event.value.strip())
        self.query_one("#entity-table", RowList).focus()

    def action_search(self) -> None:
        self.query_one(Input).focus()

    def _highlighted(self, event: RowList.Highlighted) -> None:
        if event.row is None:
            return
        if event.rowlist.id == "entity-table":
            self.show(event.row)
        elif event.rowlist.id == "entity-mentions":
            m: MentionRow = event.row
            t = Text("Enter opens ", "dim")
            t.append(one_line(m.title or m.doc_id, 120))
            t.append(f"  ({one_line(m.doc_id, 40)}, character {m.start:,})", "dim")
            self.query_one("#mention-doc", Static).update(t)

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        if event.rowlist.id == "entity-table":
            self.query_one("#entity-mentions", RowList).focus()
        elif event.row is not None:
            self.app.open_document(event.row.doc_id)  # type: ignore[attr-defined]

    def show(self, row: dict[str, Any]) -> None:
        t = Text()
        t.append(safe_text(row["name"] or row["id"]) + "\n", "bold")
        t.append(f"KB id: {safe_text(row['kb_id'] or 'none (NIL)')}   ")
        t.append(f"type: {safe_text(row['type'] or '')}\n")
        if row.get("description"):
            t.append(safe_text(row["description"]) + "\n", "italic")
        variants = (row.get("data") or {}).get("variants") or {}
        if variants:
            t.append("written as: ", "dim")
            t.append(safe_text(", ".join(f"{v} ({n})" for v, n in _by_count(variants))) + "\n")
        n, docs = int(row["mention_count"] or 0), int(row["doc_count"] or 0)
        t.append(
            f"{n:,} mention{'' if n == 1 else 's'} in {docs:,} document"
            f"{'' if docs == 1 else 's'}; Enter on one opens its document:",
            "bold",
        )
        self.query_one("#entity-detail", Static).update(t)
        entity_id = row["id"]
        self.query_one("#entity-mentions", RowList).show_paged(
            n,
            lambda offset, limit: self.qs.mentions(entity_id, offset=offset, limit=limit),
            mention_line,
        )


def _by_count(variants: dict[str, Any]) -> list[tuple[str, Any]]:
    return sorted(variants.items(), key=lambda kv: (-(kv[1] or 0), kv[0]))


def entity_header(width: int) -> Text:
    name_w, rest = _widths(width)
    return Text(
        fit("entity", name_w)
        + " "
        + fit("type", TYPE_W)
        + " "
        + fit("KB id", KB_W)
        + " "
        + fit("ment.", NUM_W, right=True)
        + " "
        + fit("docs", NUM_W, right=True)
        + "  "
        + fit("written as", rest)
    )


def _widths(width: int) -> tuple[int, int]:
    """The name column's width and the spellings column's."""
    fixed = TYPE_W + KB_W + 2 * NUM_W + 6
    room = max(20, width - fixed)
    name_w = min(28, max(12, room * 3 // 5))
    return name_w, max(0, room - name_w)


def entity_line(row: dict[str, Any], width: int) -> Text:
    name_w, rest = _widths(width)
    variants = (row.get("data") or {}).get("variants") or {}
    t = Text()
    t.append(fit(row["name"] or row["id"], name_w) + " ", "bold")
    kind = row.get("type") or ""
    t.append(fit(kind, TYPE_W) + " ", LABEL_STYLE.get(kind, ""))
    t.append(fit(row.get("kb_id") or "NIL", KB_W) + " ", "" if row.get("kb_id") else "dim")
    t.append(fit(f"{row.get('mention_count') or 0:,}", NUM_W, right=True) + " ")
    t.append(fit(f"{row.get('doc_count') or 0:,}", NUM_W, right=True) + "  ")
    t.append(fit(", ".join(v for v, _ in _by_count(variants)), rest), "dim")
    return t


def mention_line(m: MentionRow, width: int) -> Text:
    """The mention in a fixed column, the words before it right-aligned up to it and the
    words after it following (a concordance line)."""
    left = max(4, (width - len(m.text)) * 2 // 5)
    before = safe_text(m.before)
    if len(before) > left:
        before = "…" + before[len(before) - left + 1 :]
    t = Text(" " * (left - len(before)) + before)
    t.append(safe_text(m.text), LABEL_STYLE.get(m.label, "bold"))
    t.append(safe_text(m.after))
    return t
