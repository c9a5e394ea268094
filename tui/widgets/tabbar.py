"""A row of tab labels drawn as one line of text.

Textual's ``TabbedContent`` is a widget per tab and per pane, built (and styled) for every
document opened. This bar is one widget that keeps living while its labels change: the document
screen swaps the content under it instead of switching panes. Its styles are in ``app.tcss``
(read at launch), not in ``DEFAULT_CSS``, which Textual would add to the stylesheet, and
re-parse the whole of it, when the first bar is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class TabBar(Widget, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"tabbar--tab", "tabbar--active"}
    BINDINGS = [
        Binding("left", "move(-1)", "Previous tab", show=False, id="tabs.previous"),
        Binding("right", "move(1)", "Next tab", show=False, id="tabs.next"),
    ]
    HELP_TITLE = "Tabs"
    HELP = "The tabs of this document, one per plugin. Left/Right (or 1-9) switch tabs."

    active = reactive("", init=False)

    class Changed(Message):
        def __init__(self, tab_id: str) -> None:
            self.tab_id = tab_id
            super().__init__()

    def __init__(self, changed: Callable[[str], None] | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        # Called with the new tab in place of posting Changed, so that the new content reaches
        # the screen in the same update as the bar.
        self.changed = changed
        self.tabs: list[tuple[str, str]] = []  # (id, label)
        self._spans: list[tuple[int, int, str]] = []

    def set_tabs(self, tabs: list[tuple[str, str]], active: str | None = None) -> None:
        """New labels; ``active`` (or the first tab) is selected without a Changed message."""
        self.tabs = tabs
        ids = [t for t, _ in tabs]
        self.set_reactive(TabBar.active, active if active in ids else (ids[0] if ids else ""))
        self.refresh()

    def watch_active(self, tab_id: str) -> None:
        self.refresh()
        if self.changed is not None:
            self.changed(tab_id)
        else:
            self.post_message(self.Changed(tab_id))

    def action_move(self, delta: int) -> None:
        ids = [t for t, _ in self.tabs]
        if self.active in ids:
            self.active = ids[(ids.index(self.active) + delta) % len(ids)]

    def select(self, index: int) -> None:
        if 0 <= index < len(self.tabs):
            self.active = self.tabs[index][0]

    def render(self) -> Text:
        plain = self.get_component_rich_style("tabbar--tab")
        chosen = self.get_component_rich_style("tabbar--active")
        t = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        start_of_active = 0
        for tab_id, label in self.tabs:
            start = t.cell_len
            if tab_id == self.active:
                start_of_active = start
            t.append(f" {label} ", chosen if tab_id == self.active else plain)
            self._spans.append((start, t.cell_len, tab_id))
            t.append(" ")
        # Keep the active tab in view when the labels are wider than the bar.
        width = self.content_region.width or 80
        shift = max(0, start_of_active + cell_len(dict(self.tabs).get(self.active, "")) + 3 - width)
        if shift:
            t = t[shift:]
            self._spans = [(a - shift, b - shift, i) for a, b, i in self._spans]
        return t

    def on_click(self, event: events.Click) -> None:
        for start, end, tab_id in self._spans:
            if start <= event.x < end:
                self.active = tab_id
                return
