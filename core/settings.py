"""Validating TOML tables against settings dataclasses, with one clear sentence per mistake.

Core config sections and every plugin's settings use the same mechanism: a dataclass whose fields
carry defaults and a ``metadata={"doc": ...}`` line. A field typed ``Literal[...]`` takes one of
its values, and ``Annotated[float, Range(0, 1)]`` bounds a number; both are checked when the
config is read, so a mistake is one config error rather than an error on every document. Unknown
keys and values outside a ``Literal`` get a did-you-mean (rapidfuzz).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textmill.errors import ConfigError


@dataclass(frozen=True)
class Range:
    """The bounds of a numeric setting, both included; ``None`` leaves that side open.

    Use it in the field's type: ``aggressiveness: Annotated[float, Range(0, 1)] = ...``.
    """

    min: float | None = None
    max: float | None = None

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | float):
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        """``between 0 and 1``, ``at least 1`` or ``at most 100``."""
        if self.min is not None and self.max is not None:
            return f"between {_show(self.min)} and {_show(self.max)}"
        if self.min is not None:
            return f"at least {_show(self.min)}"
        if self.max is not None:
            return f"at most {_show(self.max)}"
        return "any number"


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 60.0) -> str:
    """``'; did you mean "x"?'`` for the closest choice, or ``""`` when nothing is close."""
    from rapidfuzz import fuzz, process  # here, not at import: the CLI starts without it

    found = process.extractOne(word, list(choices), scorer=fuzz.WRatio, score_cutoff=cutoff)
    return f'; did you mean "{found[0]}"?' if found else ""


def _show(value: Any) -> str:
    """A value as it is written in TOML: strings in double quotes, true/false, plain numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(value)


def describe_type(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extras = typing.get_args(tp)
        ranges = [e for e in extras if isinstance(e, Range)]
        text = describe_type(base)
        if not ranges:
            return text
        bounds = ranges[0].describe()
        return f"{text} {bounds}" if bounds.startswith("between") else f"{text} of {bounds}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe_type(a) for a in typing.get_args(tp))
    if origin is typing.Literal:
        return "one of " + ", ".join(_show(a) for a in typing.get_args(tp))
    if origin in (list, tuple):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        return f"a list of {_plural(describe_type(args[0]))}" if args else "a list"
    if origin is dict:
        return "a table"
    if tp is type(None):
        return "none"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _plural(kind: str) -> str:
    """What follows "a list of": "integers", "strings", or the choices themselves."""
    if kind.startswith("one of "):
        return kind.removeprefix("one of ")
    for one, many in (("an integer", "integers"), ("a number", "numbers"), ("a string", "strings")):
        if kind.startswith(one):
            return many + kind[len(one) :]
    return kind


def constraint(tp: Any) -> str:
    """The choices or bounds a setting's type allows, e.g. ``one of "a", "b"`` or ``between 0
    and 1``; ``""`` for a type without either (for ``config show`` and the docs)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated or origin is typing.Literal:
        return describe_type(tp)
    if origin in (typing.Union, types.UnionType):
        parts = [constraint(a) for a in typing.get_args(tp)]
        return " or ".join(p for p in parts if p)
    if origin in (list, tuple):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        inner = constraint(args[0]) if args else ""
        return f"each {inner}" if inner else ""
    return ""


class _Invalid(Exception):
    """A value that does not fit a setting's type: what was expected, and a did-you-mean."""

    def __init__(self, expected: str, hint: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.hint = hint


def _validate(value: Any, tp: Any) -> Any:
    """``value`` converted to ``tp`` and checked against its choices and bounds."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extras = typing.get_args(tp)
        converted = _validate(value, base)
        for extra in extras:
            if isinstance(extra, Range) and converted not in extra:
                raise _Invalid(describe_type(tp))
        return converted
    if origin is typing.Literal:
        choices = typing.get_args(tp)
        # ``True == 1``: a bool only matches a bool choice, and the other way round.
        if any(value == c and isinstance(value, bool) == isinstance(c, bool) for c in choices):
            return value
        words = [c for c in choices if isinstance(c, str)]
        hint = did_you_mean(value, words) if isinstance(value, str) and words else ""
        raise _Invalid(describe_type(tp), hint)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            try:
                return _validate(value, arg)
            except (_Invalid, TypeError):
                continue
        raise _Invalid(describe_type(tp))
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise _Invalid(describe_type(tp))
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        items = []
        for item in value:
            try:
                items.append(_validate(item, args[0]) if args else item)
            except _Invalid as exc:
                raise _Item(item, exc) from None
        return tuple(items) if origin is tuple else items
    try:
        return coerce(value, tp)
    except TypeError:
        raise _Invalid(describe_type(tp)) from None


class _Item(Exception):
    """An item of a list that does not fit the list's item type."""

    def __init__(self, item: Any, problem: _Invalid) -> None:
        super().__init__(problem.expected)
        self.item = item
        self.problem = problem


def coerce(value: Any, tp: Any) -> Any:
    """Return ``value`` converted to ``tp``, or raise ``TypeError`` when it does not fit."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin is typing.Annotated:
        return coerce(value, typing.get_args(tp)[0])
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
    hints = typing.get_type_hints(cls, include_extras=True)
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
            kwargs[key] = _validate(value, hints[key])
        except _Invalid as exc:
            problems.append(
                f'{where}: "{key}" must be {exc.expected}, not {_show(value)}{exc.hint}'
            )
        except _Item as exc:
            problems.append(
                f'{where}: "{key}" has {_show(exc.item)}, which is not {exc.problem.expected}'
                f"{exc.problem.hint}"
            )
    if problems:
        raise ConfigError("\n".join(problems))
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def describe(cls: type) -> list[dict[str, Any]]:
    """One dict per setting: name, type, default, doc and the choices or bounds its type allows
    (``allowed``, ``""`` when none), for ``config show`` and the docs."""
    hints = typing.get_type_hints(cls, include_extras=True)
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
                "allowed": constraint(hints[f.name]),
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
