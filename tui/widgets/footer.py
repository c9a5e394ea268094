"""A footer that rebuilds its keys once per refresh, however often the bindings change.

Textual's footer recomposes on every bindings change, and a screen changes them several times
while it mounts (focus moves, workers start), so the same keys were built five times before
the first paint.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeysFooter(Footer):
    _queued = False

    def bindings_changed(self, screen: Any) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            return
        if not self._queued:
            self._queued = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._queued = False
        await self.recompose()
