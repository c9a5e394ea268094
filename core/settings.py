"""Validating TOML tables against settings dataclasses, with one clear sentence per mistake.

Core config sections and every plugin's settings use the same mechanism: a dataclass whose fields
carry defaults and a ``metadata={"doc": ...}`` line. Unknown keys get a did-you-mean (rapidfuzz).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz, process
from textmill.errors import ConfigError


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 60.0) -> str:
    """``'; did you mean "x"?'`` for the closest choice, or ``""`` when nothing is close."""
    found = process.extractOne(word, list(choices), scorer=fuzz.WRatio, score_cutoff=cutoff)
    return f'; did you mean "{found[0]}"?' if found else ""


def describe_type(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe_type(a) for a in typing.get_args(tp))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (list, tuple):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return f"a list of {describe_type(args[0])}" if args else "a list"
    if origin is dict:
        return "a table"
    if tp is type(None):
        return "none"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def coerce(value: Any, tp: Any) -> Any:
    """Return ``value`` converted to ``tp``, or raise ``TypeError`` when it does not fit."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            try:
                return coerce(value, arg)
            except TypeError:
                continue
        raise TypeError
    if origin is typing.Literal:
        if value in typing.get_args(tp):
            return value
        raise TypeError
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise TypeError
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        items = [coerce(v, args[0]) if args else v for v in value]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError
        return dict(value)
    if tp is type(None):
        if value is None:
            return None
        raise TypeError
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise TypeError
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TypeError
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise TypeError
    if tp is str:
        if isinstance(value, str):
            return value
        raise TypeError
    if isinstance(value, tp):
        return value
    raise TypeError


def build(cls: type, table: dict[str, Any] | None, where: str) -> Any:
    """Instantiate settings dataclass ``cls`` from a TOML table.

    ``where`` names the file and table for messages, e.g. ``config.toml [plugins.dedup]``.
    Raises :class:`ConfigError` with every mistake found, one sentence each.
    """
    table = dict(table or {})
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    problems: list[str] = []
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            hint = did_you_mean(key, fields)
            known = ", ".join(sorted(fields)) or "none"
            problems.append(f'{where}: unknown key "{key}"{hint} (known keys: {known})')
            continue
        try:
            kwargs[key] = coerce(value, hints[key])
        except TypeError:
            problems.append(f'{where}: "{key}" must be {describe_type(hints[key])}, not {value!r}')
    if problems:
        raise ConfigError("\n".join(problems))
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def describe(cls: type) -> list[dict[str, Any]]:
    """One dict per setting: name, type, default and doc, for ``config show`` and the docs."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        out.append(
            {
                "name": f.name,
                "type": describe_type(hints[f.name]),
                "default": default,
                "doc": f.metadata.get("doc", ""),
            }
        )
    return out


def as_table(obj: Any) -> dict[str, Any]:
    """A settings instance as a TOML-ready table (tuples become lists, ``None`` is dropped)."""

    def conv(v: Any) -> Any:
        if isinstance(v, tuple | list):
            return [conv(x) for x in v]
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items() if x is not None}
        return v

    return {
        f.name: conv(getattr(obj, f.name))
        for f in dataclasses.fields(obj)
        if getattr(obj, f.name) is not None
    }
