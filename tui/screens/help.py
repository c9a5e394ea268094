"""F1 help: what the focused widget and screen do, and their keys."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, widget: Any, screen: Any) -> None:
        super().__init__()
        self.widget = widget
        self.under = screen

    def compose(self) -> ComposeResult:
        parts: list[Any] = [Text("textmill help", "bold")]
        for obj in (self.widget, self.under):
            doc = getattr(obj, "HELP", None)
            if doc:
                parts += [Text(""), Text(type(obj).__name__, "bold underline"), Text(doc)]
        keys = Table("key", "action", "binding id", box=None, title="keys here")
        for obj in (self.widget, self.under, self.app):
            for b in getattr(obj, "BINDINGS", []):
                if hasattr(b, "key"):
                    keys.add_row(b.key, b.description, b.id or "")
        parts += [
            Text(""),
            keys,
            Text(""),
            Text(
                'Remap keys in config.toml: [tui.bindings] with binding id = key, e.g. "app.quit" = "ctrl+q".',
                "dim",
            ),
        ]
        with VerticalScroll(id="help-box"):
            yield Static(Group(*parts))
