"""Every key binding of the UI by id: what Help lists and what ``[tui.bindings]`` may remap.

A binding's id is ``owner.action`` (``app.clusters``, ``table.sort``, ``list.select``). The
config maps ids to keys (``"app.clusters" = "k"``), which Textual applies as a keymap; Help
shows each binding with the key it has after that.
"""

from __future__ import annotations

import difflib
from typing import Any, NamedTuple


class Key(NamedTuple):
    """One binding: where it works, its id, the key it has (after the config's remapping) and
    what it does."""

    where: str
    id: str
    key: str
    description: str


def owners() -> list[Any]:
    """The classes that have bindings, in the order Help lists them."""
    from textmill.tui.app import TextmillApp
    from textmill.tui.screens.clusters import ClustersScreen
    from textmill.tui.screens.corpus import CorpusScreen
    from textmill.tui.screens.document import DocumentScreen
    from textmill.tui.screens.entities import EntitiesScreen
    from textmill.tui.screens.help import HelpScreen
    from textmill.tui.screens.run import RunScreen
    from textmill.tui.widgets.doctable import DocTable
    from textmill.tui.widgets.rowlist import RowList
    from textmill.tui.widgets.tabbar import TabBar
    from textmill.tui.widgets.textview import TextView

    return [
        TextmillApp,
        CorpusScreen,
        DocTable,
        DocumentScreen,
        TabBar,
        TextView,
        RowList,
        ClustersScreen,
        EntitiesScreen,
        RunScreen,
        HelpScreen,
    ]


def title(obj: Any) -> str:
    """What Help calls a widget, screen or the app: its ``HELP_TITLE``, in words."""
    cls = obj if isinstance(obj, type) else type(obj)
    return str(getattr(cls, "HELP_TITLE", "") or "Everywhere")


def keys_of(obj: Any, remapped: dict[str, str]) -> list[Key]:
    """The bindings of one class (or of an instance's class) with ids, with their keys as
    ``remapped`` leaves them."""
    cls = obj if isinstance(obj, type) else type(obj)
    out = []
    for b in getattr(cls, "BINDINGS", []):
        if getattr(b, "id", None):
            out.append(Key(title(cls), b.id, remapped.get(b.id, b.key), b.description))
    return out


def all_keys(remapped: dict[str, str]) -> list[Key]:
    return [k for cls in owners() for k in keys_of(cls, remapped)]


def unknown_ids(remapped: dict[str, str]) -> list[str]:
    """One sentence per id in ``remapped`` that no binding has, with a did-you-mean."""
    known = [k.id for k in all_keys({})]
    out = []
    for name in remapped:
        if name in known:
            continue
        near = difflib.get_close_matches(name, known, n=1)
        hint = f'; did you mean "{near[0]}"?' if near else "; F1 lists the ids"
        out.append(f'[tui.bindings]: no key binding has the id "{name}"{hint}')
    return out
