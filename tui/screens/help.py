"""F1 help: what the focused widget and screen do, their keys, and every key of the UI with the
binding id that ``[tui.bindings]`` remaps."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textmill.tui.keys import Key, all_keys, keys_of, title
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]
    HELP_TITLE = "Help"

    def __init__(self, widget: Any, screen: Any) -> None:
        super().__init__()
        self.widget = widget
        self.under = screen

    def compose(self) -> ComposeResult:
        remapped: dict[str, str] = dict(getattr(self.app, "keymap_overrides", {}) or {})
        parts: list[Any] = [Text("textmill help", "bold")]
        for obj in (self.widget, self.under):
            doc = getattr(obj, "HELP", None)
            if doc:
                parts += [Text(""), Text(title(obj), "bold underline"), Text(doc)]
        here: list[Key] = []
        for obj in (self.widget, self.under, self.app):
            if obj is not None:
                here += keys_of(obj, remapped)
        parts += [Text(""), _table("Keys here", here)]
        parts += [Text(""), _table("Every key, by where it works", all_keys(remapped), True)]
        parts += [
            Text(""),
            Text(
                "Remap a key in config.toml under [tui.bindings], by its binding id: "
                '"app.quit" = "ctrl+q". Keys set there are shown above.',
                "dim",
            ),
        ]
        with VerticalScroll(id="help-box"):
            yield Static(Group(*parts))


def _table(caption: str, keys: list[Key], where: bool = False) -> Table:
    table = Table(box=None, title=caption, title_justify="left", title_style="bold")
    if where:
        table.add_column("where")
    for name in ("key", "does", "binding id"):
        table.add_column(name)
    seen: set[str] = set()
    for k in keys:
        if k.id in seen:
            continue
        seen.add(k.id)
        row = [k.key, k.description, k.id]
        table.add_row(*([k.where, *row] if where else row))
    return table
