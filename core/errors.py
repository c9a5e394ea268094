"""The one exception family meant for users: the CLI prints it as a single sentence."""

from __future__ import annotations


class TextmillError(Exception):
    """A user-facing error; its message is one sentence that says what is wrong and how to fix it."""


class ConfigError(TextmillError):
    """A mistake in a config file."""


class PluginLoadError(TextmillError):
    """A plugin that could not be imported or registered."""


class InputError(TextmillError):
    """An input path or file that cannot be read at all."""


class ChainError(TextmillError):
    """A chain of plugins whose needs cannot be met."""
