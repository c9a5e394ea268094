"""Running the pipeline from the UI: a thread worker that reports progress, and what is at
work, by message."""

from __future__ import annotations

import threading
from typing import Any

from textmill.errors import TextmillError
from textual.message import Message


class Cancelled(TextmillError):
    """Raised inside the engine's progress callback to stop a run the user cancelled."""


class Progress(Message):
    """How far one stage (``label``) has got; ``total`` is None while it is unknown."""

    def __init__(self, label: str, done: int, total: int | None) -> None:
        self.label = label
        self.done = done
        self.total = total
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        # A newer count for the same stage makes a queued older one pointless.
        return isinstance(message, Progress) and message.label == self.label


class Working(Message):
    """A plugin started on a document: the stage, the plugin and the document's id."""

    def __init__(self, stage: str, plugin: str, doc_id: str) -> None:
        self.stage = stage
        self.plugin = plugin
        self.doc_id = doc_id
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        # Only the latest is worth showing.
        return isinstance(message, Working)


class RunFinished(Message):
    def __init__(self, summary: dict[str, Any] | None, error: str | None) -> None:
        self.summary = summary
        self.error = error
        super().__init__()


def run_pipeline(
    post: Any, config: Any, store_path: Any, only: tuple[str, ...], cancel: threading.Event
) -> None:
    """Run the chain (or only some plugins) and post Progress, Working and RunFinished
    messages."""
    from textmill.engine import Engine
    from textmill.manager import PluginManager
    from textmill.store import Store

    def progress(label: str, done: int, total: int | None) -> None:
        if cancel.is_set():
            raise Cancelled("run cancelled")
        post(Progress(label, done, total))

    def activity(stage: str, plugin: str, doc_id: str) -> None:
        post(Working(stage, plugin, doc_id))

    try:
        manager = PluginManager(config.load.modules, base_dir=config.base_dir)
        with Store(store_path) as st:
            summary = Engine(
                config, manager, st, only=only, progress=progress, activity=activity
            ).run()
        post(RunFinished(summary.to_dict() if hasattr(summary, "to_dict") else {}, None))
    except Cancelled:
        post(RunFinished(None, "cancelled; what finished is kept and the next run resumes"))
    except Exception as exc:
        post(RunFinished(None, f"{type(exc).__name__}: {exc}"))
