"""The key bar at the bottom of every screen, drawn as one line of text.

Textual's footer is a widget per key, rebuilt (and restyled) whenever the bindings change, and
they change on every focus move and every new screen: that rebuild was most of the time of
opening a document or submitting a filter. This footer renders the same keys as one ``Text``
and maps clicks back to the key's action.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.widget import Widget


class KeysFooter(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"keysfooter--key", "keysfooter--description"}
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeysFooter > .keysfooter--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeysFooter > .keysfooter--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, Any, str]] = []  # start, end, node, action
        self._drawn: list[tuple[str, str]] | None = None  # the keys as last drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Any) -> None:
        # The signal comes on every focus move and every return to the screen; most leave the
        # keys as they were, and a repaint of them would be one more screen update.
        if self.is_attached and screen is self.screen and self._shown() != self._drawn:
            self.refresh()

    def _shown(self) -> list[tuple[str, str]]:
        """What the bar shows: each key and its description."""
        return [(key, description) for _, _, key, description in self._fitted()]

    def _fitted(self) -> list[tuple[Any, Any, str, str]]:
        """``(node, binding, key, description)`` of the keys that fit the bar's width whole:
        when they do not all fit, the app's own keys go first (from the last), then the
        focused widget's (from the first); F1 Help and the palette stay, and Help lists the
        rest."""
        items = [
            (
                node,
                binding,
                self.app.get_key_display(binding),
                binding.description or binding.action,
            )
            for node, binding in self._keys()
        ]
        room = self.size.width or 200

        def width() -> int:
            return sum(len(key) + len(description) + 3 for _, _, key, description in items)

        def kept(item: tuple[Any, Any, str, str]) -> bool:
            action = item[1].action
            return action in ("help", "app.help", "command_palette", "app.command_palette")

        app_keys = [i for i in items if i[0] is self.app and not kept(i)]
        for item in reversed(app_keys):
            if width() <= room:
                break
            items.remove(item)
        for item in [i for i in items if i[0] is not self.app and i[0] is not self.screen]:
            if width() <= room:
                break
            items.remove(item)
        return items

    def _keys(self) -> list[tuple[Any, Any]]:
        """``(node, binding)`` of each shown key, one per action, in the screen's order."""
        seen: set[str] = set()
        out = []
        palette = None
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action == "app.command_palette" or binding.action == "command_palette":
                palette = (node, binding)
                continue
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            out.append((node, binding))
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            out.append(palette)
        return out

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keysfooter--key")
        desc_style = self.get_component_rich_style("keysfooter--description")
        t = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        self._drawn = []
        for node, binding, key, description in self._fitted():
            start = len(t)
            t.append(f" {key} ", key_style)
            t.append(f"{description} ", desc_style)
            self._spans.append((start, len(t), node, binding.action))
            self._drawn.append((key, description))
        return t

    async def on_click(self, event: events.Click) -> None:
        for start, end, node, action in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action, node)
                return
