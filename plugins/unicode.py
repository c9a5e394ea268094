"""Unicode repair (ftfy) plus whitespace and quote normalization, as recorded edits.

Every change is an :class:`~textmill.model.Edit` with a reason code, so a user sees exactly what
was repaired: ``unicode.mojibake`` (ftfy's fixes), ``unicode.control`` (control and zero-width
characters), ``unicode.soft-hyphen``, ``unicode.quotes`` and ``unicode.whitespace``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import ftfy
from ftfy.badness import is_bad
from textmill import DocContext, Document, Edit, PluginInfo, Result, Span, hookimpl

VERSION = "2"


@dataclass(frozen=True)
class UnicodeSettings:
    fix_mojibake: bool = field(default=True, metadata={"doc": "Repair mojibake with ftfy."})
    normalize_quotes: bool = field(
        default=False,
        metadata={"doc": "Replace curly quotes and apostrophes with straight ones."},
    )
    normalize_whitespace: bool = field(
        default=True,
        metadata={"doc": "Collapse runs of spaces and more than one blank line; strip line ends."},
    )
    remove_soft_hyphens: bool = field(
        default=True, metadata={"doc": "Remove soft hyphens (U+00AD)."}
    )


@hookimpl
def textmill_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="unicode",
        version=VERSION,
        description="Unicode repair (ftfy), control characters, quotes and whitespace.",
        settings=UnicodeSettings,
        provides=("text",),
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\u2060\ufeff]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]{2,}|[ \t\u00a0]+(?=\n)|[ \t]+$")
_BLANKS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _regex_step(
    text: str, pattern: re.Pattern[str], repl: str, reason: str
) -> tuple[str, list[Edit]]:
    edits: list[Edit] = []
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.group(0) == repl:
            continue
        out.append(text[pos : m.start()])
        out.append(repl)
        # Spans are expressed in the text this step received.
        edits.append(Edit(Span(m.start(), m.end()), repl, reason))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), edits


def _diff_edits(before: str, after: str, reason: str) -> list[Edit]:
    """Edits that turn ``before`` into ``after``, as spans in ``before``.

    Repairs keep lines in place, so only lines that differ are diffed: a character diff of a
    whole page is quadratic.
    """
    if before == after:
        return []
    a_lines = before.splitlines(keepends=True)
    b_lines = after.splitlines(keepends=True)
    if len(a_lines) != len(b_lines):
        return _char_diff(before, after, reason, 0)
    edits: list[Edit] = []
    pos = 0
    for a, b in zip(a_lines, b_lines, strict=True):
        if a != b:
            edits.extend(_char_diff(a, b, reason, pos))
        pos += len(a)
    return edits


def _char_diff(before: str, after: str, reason: str, offset: int) -> list[Edit]:
    sm = difflib.SequenceMatcher(None, before, after, autojunk=len(before) > 5000)
    return [
        Edit(Span(offset + i1, offset + i2), after[j1:j2], reason)
        for tag, i1, i2, j1, j2 in sm.get_opcodes()
        if tag != "equal"
    ]


# ftfy's fixes for mojibake, entities and terminal escapes; the other steps do the rest.
_FTFY = ftfy.TextFixerConfig(
    normalization=None,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    explain=False,
)
_FTFY_IN_MARKUP = _FTFY._replace(unescape_html=False)


_C1_OR_SURROGATE = re.compile("[\x80-\x9f\ud800-\udfff]")


def _untouched(line: str, last: bool) -> bool:
    """A line ftfy leaves as it is with the fixes :func:`fix_mojibake` asks for: no HTML entity
    or terminal escape, and ASCII (no mojibake, C1 control or surrogate is ASCII) or free of C1
    controls and surrogates with nothing ftfy's own test takes for mojibake (``is_bad``, asked of
    the line with its newline, as ftfy asks it before it tries to re-decode a line)."""
    if "&" in line or "\x1b" in line:
        return False
    if line.isascii():
        return True
    return _C1_OR_SURROGATE.search(line) is None and not is_bad(line if last else line + "\n")


def fix_mojibake(text: str) -> str:
    """ftfy's repair of ``text`` (mojibake, HTML entities in text without markup, terminal
    escapes), equal to ``ftfy.fix_text`` with the configuration above.

    ftfy fixes a text line by line, at Python speed; the lines it would leave alone are passed
    over, and the runs of lines between them go to ftfy. ftfy stops unescaping entities for the
    rest of the text at the first line holding a ``<``, wherever that line is, so a run after one
    is fixed without unescaping."""
    lines = text.split("\n")
    n = len(lines)
    out: list[str] = []
    markup = False  # a "<" before the current line
    k = 0
    while k < n:
        if _untouched(lines[k], k == n - 1):
            markup = markup or "<" in lines[k]
            out.append(lines[k])
            k += 1
            continue
        j = k
        while j < n and not _untouched(lines[j], j == n - 1):
            j += 1
        run = "\n".join(lines[k:j]) + ("\n" if j < n else "")
        fixed = ftfy.fix_text(run, _FTFY_IN_MARKUP if markup else _FTFY)
        markup = markup or "<" in run
        out.append(fixed[:-1] if j < n else fixed)
        k = j
    return "\n".join(out)


def repair(text: str, settings: UnicodeSettings) -> tuple[str, list[list[Edit]]]:
    """Apply each enabled step in turn; returns the text and one edit list per step.

    Each step's edits are spans in the text that step received, which is what the engine's edit
    composition expects from a chain of cleaners.
    """
    steps: list[list[Edit]] = []
    if settings.fix_mojibake:
        fixed = fix_mojibake(text)
        if fixed != text:
            steps.append(_diff_edits(text, fixed, "unicode.mojibake"))
            text = fixed
    for enabled, pattern, repl, reason in (
        (True, _CONTROL, "", "unicode.control"),
        (settings.remove_soft_hyphens, re.compile("\u00ad"), "", "unicode.soft-hyphen"),
    ):
        if enabled:
            text, edits = _regex_step(text, pattern, repl, reason)
            if edits:
                steps.append(edits)
    if settings.normalize_quotes:
        quoted = text.translate(_QUOTES)
        if quoted != text:
            steps.append(_diff_edits(text, quoted, "unicode.quotes"))
            text = quoted
    if settings.normalize_whitespace:
        text, edits = _collapse_spaces(text)
        if edits:
            steps.append(edits)
        text, edits = _regex_step(text, _BLANKS, "\n\n", "unicode.whitespace")
        if edits:
            steps.append(edits)
    return text, steps


def _collapse_spaces(text: str) -> tuple[str, list[Edit]]:
    edits: list[Edit] = []
    out: list[str] = []
    pos = 0
    for m in _SPACES.finditer(text):
        # Trailing spaces vanish; interior runs become one space.
        at_line_end = m.end() == len(text) or text[m.end()] == "\n"
        repl = "" if at_line_end else " "
        if m.group(0) == repl:
            continue
        out.append(text[pos : m.start()])
        out.append(repl)
        edits.append(Edit(Span(m.start(), m.end()), repl, "unicode.whitespace"))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), edits


@hookimpl
def textmill_clean(doc: Document, settings: UnicodeSettings, ctx: DocContext) -> Result | None:
    text, steps = repair(doc.text, settings or UnicodeSettings())
    if not steps:
        return Result(data={"changed": 0})
    edits = compose_steps(steps)
    counts: dict[str, int] = {}
    for e in edits:
        counts[e.reason] = counts.get(e.reason, 0) + 1
    return Result(text=text, edits=tuple(edits), data={"changed": len(edits), "reasons": counts})


def compose_steps(steps: list[list[Edit]]) -> list[Edit]:
    """Express every step's edits as spans in the first step's input."""
    from textmill.edits import map_edits_back

    composed: list[Edit] = []
    for i, edits in enumerate(steps):
        composed.extend(map_edits_back(edits, steps[:i]))
    return composed
