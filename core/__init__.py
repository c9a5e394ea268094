"""textmill: a plugin-based workbench for multi-source news corpora.

Plugins implement hooks from :mod:`textmill.hookspecs` with the :data:`hookimpl` marker.
This package never imports the terminal UI.
"""

from textmill.context import Corpus, DocContext
from textmill.errors import TextmillError
from textmill.hookspecs import hookimpl
from textmill.model import (
    Alignment,
    Cluster,
    ClusterMember,
    CorpusResult,
    Document,
    Edit,
    Entity,
    Finding,
    Mention,
    Result,
    Span,
    StageResult,
)
from textmill.plugininfo import PluginInfo
from textmill.settings import Range

__version__ = "0.1.0"

__all__ = [
    "Alignment",
    "Cluster",
    "ClusterMember",
    "Corpus",
    "CorpusResult",
    "DocContext",
    "Document",
    "Edit",
    "Entity",
    "Finding",
    "Mention",
    "PluginInfo",
    "Range",
    "Result",
    "Span",
    "StageResult",
    "TextmillError",
    "__version__",
    "hookimpl",
]
