"""The textmill terminal UI: every plugin's results across the corpus, and one document in depth.

Everything is read through :class:`textmill.query.Query` (paged, filtered in SQL); pipelines run
in thread workers. All document text is shown as literal text (``textmill.display``).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textmill.query import Query
from textmill.tui.commands import TextmillCommands
from textmill.tui.screens.clusters import ClustersScreen
from textmill.tui.screens.corpus import CorpusScreen
from textmill.tui.screens.document import DocumentScreen
from textmill.tui.screens.entities import EntitiesScreen
from textmill.tui.screens.help import HelpScreen
from textmill.tui.screens.run import RunScreen
from textual.app import App
from textual.binding import Binding
from textual.message import Message


class TextmillApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "textmill"
    COMMANDS = App.COMMANDS | {TextmillCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help", tooltip="Help for the focused widget"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("d", "corpus", "Documents", id="app.corpus"),
        Binding("c", "clusters", "Clusters", id="app.clusters"),
        Binding("e", "entities", "Entities", id="app.entities"),
        Binding("r", "run", "Run", id="app.run"),
    ]

    MANAGER_DELAY = 1.0  # seconds after mount

    def __init__(
        self,
        store_path: Path,
        config: Any = None,
        *,
        bindings: dict[str, str] | None = None,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        # Instant answers: a tab switch redraws once instead of animating its underline
        # over a dozen frames.
        self.animation_level = "none"
        self.requested_theme = theme
        self.store_path = Path(store_path)
        self.config = config
        self.keymap_overrides = dict(bindings or {})
        self.query_store: Query | None = None
        self._manager: Any = None
        self._manager_thread: threading.Thread | None = None
        self._document_screen: DocumentScreen | None = None
        self._kept: dict[str, Any] = {}  # the clusters, entities and run screens, once made

    def on_mount(self) -> None:
        if self.requested_theme:
            if self.requested_theme in self.available_themes:
                self.theme = self.requested_theme
            else:
                self.notify(
                    f"unknown theme {self.requested_theme!r}; try textual-light, ansi-dark or "
                    "ansi-light (16 colours)",
                    severity="warning",
                )
        if self.keymap_overrides:
            from textmill.tui.keys import unknown_ids

            for problem in unknown_ids(self.keymap_overrides):
                self.notify(problem, severity="warning", timeout=10)
            self.set_keymap(self.keymap_overrides)
        if self.store_path.exists():
            self.reload_query()
        if self.query_store is None or self.query_store.latest_run() is None:
            self.push_screen(RunScreen(self._empty_query(), self.config, self.store_path))
            return
        self.push_screen(CorpusScreen(self.query_store))
        # Plugins' renderers need the plugin manager, which imports every plugin: load it once
        # the first screen is up and settled (the imports hold the interpreter and would slow
        # the first paint), so opening a document does not wait for it.
        self.set_timer(self.MANAGER_DELAY, self._start_manager_thread)

    def _start_manager_thread(self) -> None:
        if self._manager_thread is None:
            self._manager_thread = threading.Thread(target=self._background, daemon=True)
            self._manager_thread.start()

    def _background(self) -> None:
        self._load_manager()
        # Not call_from_thread, which would wait for the UI thread, and that may be waiting for
        # this thread (the manager property).
        self.post_message(self.ManagerLoaded())

    class ManagerLoaded(Message):
        """The plugins are loaded (in a thread)."""

    def on_textmill_app_manager_loaded(self, message: ManagerLoaded) -> None:
        self._build_screens()
        self._freeze()

    def _load_manager(self) -> None:
        try:
            from textmill.manager import PluginManager

            self._manager = PluginManager(self.config.load.modules if self.config else ())
        except Exception:  # renderers are optional; the UI works without them
            self._manager = None

    def _freeze(self) -> None:
        # What is loaded by now (Textual, Rich, the plugins and their libraries) lives as long
        # as the app: leave it out of the collector's full passes, which would otherwise walk
        # every one of those objects in the middle of some later key (100-300 ms).
        gc.freeze()

    def _build_screens(self) -> None:
        """Build the document screen, and the clusters, entities and run screens of a run, while
        the UI waits for keys: a screen's first visit then costs what a later one does, not
        the making of its widgets and a first layout that their new content undoes."""
        if self._document_screen is None:
            self._document_screen = DocumentScreen()
            self.install_screen(self._document_screen, "document")
        screens: list[Any] = [self._document_screen]
        if self.query_store is not None and self.query_store.latest_run() is not None:
            for name, make in self._keepable().items():
                if name not in self._kept:
                    self._kept[name] = make()
                    self.install_screen(self._kept[name], name)
                screens.append(self._kept[name])
        # Textual has no public call that mounts a screen without showing it; where its
        # private ones are missing (another Textual version), screens are built on first visit.
        get_screen = getattr(self, "_get_screen", None)
        if get_screen is None:
            return
        for screen in screens:
            if not screen.is_running:
                get_screen(screen)  # composed and mounted, not shown
                # Laid out at the app's size once its content is in: shown, it then finds its
                # widgets at their sizes, and does not lay out twice.
                screen.call_after_refresh(self._lay_out, screen)

    def _lay_out(self, screen: Any) -> None:
        refresh_layout = getattr(screen, "_refresh_layout", None)
        if refresh_layout is not None and not screen.is_current:
            refresh_layout(self.size)

    @property
    def manager(self) -> Any:
        """The plugin manager, for plugins' own renderers. Plugins import heavy libraries, so it
        loads in a background thread started after the first screen."""
        if self._manager_thread is None:
            self._load_manager()
            self._freeze()
        else:
            self._manager_thread.join()
        return self._manager

    def _empty_query(self) -> Query:
        from textmill.store import Store

        self.store_path.parent.mkdir(parents=True, exist_ok=True)
        Store(self.store_path).close()
        self.reload_query()
        assert self.query_store is not None
        return self.query_store

    def reload_query(self) -> None:
        if self.query_store is not None:
            self.query_store.close()
        self.query_store = Query.open(self.store_path)

    # --- navigation -----------------------------------------------------------------------------

    def open_document(self, doc_id: str) -> None:
        """Show a document on the one document screen: brought to the top of the stack if it
        is under other screens, pushed if it is not shown."""
        assert self.query_store is not None
        from textmill.tui.screens.document import DOC_LIMIT

        view = self.query_store.document(doc_id, members=DOC_LIMIT)
        if view is None:
            self.notify(f"no document {doc_id!r} in this run", severity="error")
            return
        screen = self._document_screen
        if screen is None:
            screen = self._document_screen = DocumentScreen()
            self.install_screen(screen, "document")
        if screen in self.screen_stack:
            while self.screen is not screen:
                self.pop_screen()
            screen.open(view, fresh=False)
        else:
            screen.open(view, fresh=True)
            self.push_screen(screen)

    def action_corpus(self) -> None:
        if self.query_store is None or self.query_store.latest_run() is None:
            self.notify("No run yet: press r to run the pipeline.")
            return
        corpus = next((s for s in self.screen_stack if isinstance(s, CorpusScreen)), None)
        if corpus is not None and corpus.qs is self.query_store:
            # The table keeps its filter, order and place (unless a run replaced the store).
            while self.screen is not corpus:
                self.pop_screen()
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(CorpusScreen(self.query_store))

    def _keepable(self) -> dict[str, Callable[[], Any]]:
        """The screens kept between visits, and how each is made."""
        return {
            "clusters": lambda: ClustersScreen(self.query_store),
            "entities": lambda: EntitiesScreen(self.query_store),
            "run": lambda: RunScreen(self.query_store, self.config, self.store_path),
        }

    def action_clusters(self) -> None:
        if self.query_store is not None:
            self._show_kept("clusters")

    def action_entities(self) -> None:
        if self.query_store is not None:
            self._show_kept("entities")

    def _show_kept(self, name: str) -> None:
        """Show the one screen called ``name``, kept between visits (with its list's place)
        while the store stays the same: brought up if it is under others, pushed if not shown."""
        screen = self._kept.get(name)
        if screen is not None and screen.qs is not self.query_store:  # a run replaced the store
            screen.reload(self.query_store)
        if screen is None:
            screen = self._kept[name] = self._keepable()[name]()
            self.install_screen(screen, name)
        if screen in self.screen_stack:
            while self.screen is not screen:
                self.pop_screen()
        else:
            self.push_screen(screen)

    def action_run(self) -> None:
        if isinstance(self.screen, RunScreen):
            return
        if self.query_store is None:
            self._empty_query()
        self._show_kept("run")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.focused, self.screen))


def run_app(config: Any, store_path: Path) -> None:
    """Open the UI on ``store_path`` (running ``config`` from the Run screen when it is empty)."""
    tui = (getattr(config, "tui", None) or {}) if config is not None else {}
    TextmillApp(store_path, config, bindings=tui.get("bindings"), theme=tui.get("theme")).run()
