"""Patterns that name a line's kind of boilerplate.

Each pattern gives a reason code and a confidence. They are general signs of page furniture
(share prompts, credits, copyright lines, author bios, banners), not rules for particular pages;
the line classifier also sees them as features, so a weak pattern never decides alone.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import Literal

_I = re.IGNORECASE


@dataclass(frozen=True)
class Pattern:
    reason: str
    regex: re.Pattern[str]
    confidence: float
    max_words: int = 40


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "share",
        re.compile(
            r"^\W*(share( this| post| on| article| story| via)?|tweet( this)?|e-?mail( this)?|print( this)?"
            r"|pin it|save( article)?|copy link|facebook|twitter|linkedin|whatsapp|reddit|flipboard)\b\W*\s*:?\s*$",
            _I,
        ),
        0.95,
        6,
    ),
    Pattern(
        "share",
        re.compile(
            r"^\W*(share|follow)\b.*\b(on|via) (facebook|twitter|x|linkedin|instagram)\b", _I
        ),
        0.9,
        12,
    ),
    Pattern(
        "comment",
        re.compile(
            r"^\W*(leave a (comment|reply)|add a comment|post a comment|\d+\s+comments?|comments?"
            r"|show comments|view comments|join the (conversation|discussion)|reply)\W*$",
            _I,
        ),
        0.95,
        6,
    ),
    Pattern(
        "credit",
        re.compile(
            r"^\W*(photo|image|picture|photograph|illustration|video|graphic|source|credit)s?"
            r"( credit)?s?\s*(:|\||by\b|/|-)",
            _I,
        ),
        0.9,
        14,
    ),
    # "Photographer Name/Agency": a name, a slash and an organisation, nothing else.
    Pattern(
        "credit",
        re.compile(
            r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3} ?/ ?[A-Z][\w&.'-]*(?:[ /][A-Z&][\w&.'-]*){0,4}$"
        ),
        0.9,
        10,
    ),
    Pattern(
        "credit",
        re.compile(
            r"\b(getty images|associated press|shutterstock|afp|reuters|epa|ap photo|bloomberg)\b\W*$",
            _I,
        ),
        0.6,
        8,
    ),
    # A comment's or a teaser's metadata: "Reply", "Report", "12 likes", "Rating: 36 Votes".
    Pattern(
        "comment",
        re.compile(
            r"^\W*(reply|report( abuse| comment)?|like|\d+\s+(likes?|votes?|points?|repl(y|ies)))\W*$"
            r"|^\W*rating:\s*[-+]?\d+\s+votes?\W*$",
            _I,
        ),
        0.9,
        6,
    ),
    Pattern("contact", re.compile(r"^\W*(write to|contact|email) .{0,60}\bat\b", _I), 0.9, 14),
    Pattern(
        "copyright",
        re.compile(r"(©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved)", _I),
        0.95,
        40,
    ),
    Pattern("tracking", re.compile(r"\b[0-9a-f]{24,}\b"), 0.8, 40),
    Pattern(
        "bio",
        re.compile(r"^\W*(?i:author|written by|reporting by|editing by|by)\s*:?\s+[A-Z][\w.'-]+"),
        0.85,
        10,
    ),
    Pattern(
        "bio",
        re.compile(
            r"\b(is|was) (a|an|the) (senior |former |chief |deputy |managing )?"
            r"(news |staff |contributing |political |foreign )?"
            r"(editor|reporter|correspondent|writer|journalist|columnist|contributor|producer)\b"
            r".*\b(follow (him|her|them|me)|twitter|@\w+)",
            _I,
        ),
        0.9,
        60,
    ),
    Pattern(
        "banner",
        re.compile(
            r"\b(subscribe|newsletter|sign up|log ?in|sign in|register|cookies?|privacy (policy|notice)"
            r"|terms of (use|service)|advertisement|accept all|already a subscriber|download (our|the) app)\b",
            _I,
        ),
        0.6,
        16,
    ),
    Pattern(
        "related",
        re.compile(
            r"^\W*(related( articles?| stories| news| coverage)?|read (more|next|also)|see also|more from"
            r"|recommended( for you)?|you (may|might) also like|most (popular|read|viewed)|trending"
            r"|more stories|latest (news|stories)|top stories|editor'?s picks)\b\W*:?",
            _I,
        ),
        0.85,
        8,
    ),
    Pattern(
        "dateline",
        re.compile(
            r"^\W*(published|updated|posted|last updated)?\s*:?\s*"
            r"((mon|tue|wed|thu|fri|sat|sun)\w*,?\s+)?"
            r"((jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2},?\s+\d{4}"
            r"|\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{4}"
            r"|\d{4}-\d{2}-\d{2})"
            r"([\s,|at]+\d{1,2}[:.]\d{2}\s*(am|pm)?\s*(\w{2,4})?)?\W*$",
            _I,
        ),
        0.85,
        12,
    ),
    # Relative times under teasers and comments: "13 hours ago", "2 days ago at 07:52 am".
    Pattern(
        "dateline",
        re.compile(
            r"^\W*(\d+|an?|one)\s+(sec(ond)?|min(ute)?|h(ou)?r|day|week|month|year)s?\s+ago\b"
            r"(\s+at\s+\d{1,2}[:.]\d{2}\s*(am|pm)?)?\W*$",
            _I,
        ),
        0.85,
        10,
    ),
)

TEASER_SNIPPET = re.compile(r"(\.\.\.|…)\s*$")
Reason = Literal[
    "share",
    "comment",
    "credit",
    "contact",
    "copyright",
    "tracking",
    "bio",
    "banner",
    "related",
    "dateline",
    "teaser",
    "navigation",
    "repeated",
    "outside",
    "low-content",
    "page-title",
]
REASONS: tuple[Reason, ...] = typing.get_args(Reason)


def match(line: str, n_words: int, extra: tuple[Pattern, ...] = ()) -> Pattern | None:
    """The first pattern that fits ``line`` (a line of ``n_words`` words), or ``None``."""
    for p in (*extra, *PATTERNS):
        if n_words <= p.max_words and p.regex.search(line):
            return p
    return None
