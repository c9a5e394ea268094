"""Hard bilingual rules, applied when a document carries its source text.

The checks parallel-corpus filters such as bicleaner and OpusFilter apply to a sentence pair:
length ratio, numbers, URLs and end punctuation preserved, an untranslated copy of the source,
names carried over, and both sides in their declared language. Codes are ``mt.bi.<check>``;
spans point into the translation when the problem is visible there, else the finding is about
the whole document.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz
from textmill import Document, Finding, Span
from textmill.langmodel import language_identifier

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
_URL = re.compile(r"https?://[^\s<>\"')\]]+|www\.[^\s<>\"')\]]+|[\w.+-]+@[\w-]+\.[\w.-]+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Length ratio (characters, translation / source) outside which text is likely missing or added.
MIN_RATIO, MAX_RATIO = 0.45, 2.2
MIN_CHARS = 30
# Share of the translation's character 4-grams also in the source above which it is a copy.
COPY_SHARE = 0.7
LANG_CONFIDENCE = 0.9
# rapidfuzz partial_ratio (0..100) at which a source name counts as carried over.
NAME_MATCH = 65
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def _digits(num: str) -> str:
    """A number's digits without separators, so 1.000, 1,000 and 1000 agree, as do 4,5 and 4.5."""
    out = "".join(str(unicodedata.digit(c)) for c in num if c.isdigit())
    return out.lstrip("0") or "0"


def _numbers(text: str) -> dict[str, tuple[int, int]]:
    """Normalised number -> span of its first occurrence; native digits (e.g. Devanagari) count."""
    out: dict[str, tuple[int, int]] = {}
    for m in _NUMBER.finditer(text):
        out.setdefault(_digits(m.group()), (m.start(), m.end()))
    return out


def _fold(text: str) -> str:
    """Lower case, no diacritics, Cyrillic transliterated: for matching names across languages."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "".join(_CYRILLIC.get(c, c).replace("_", "") for c in text)


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _grams(text: str, n: int = 4) -> set[str]:
    s = _norm(text)
    return {s[i : i + n] for i in range(max(0, len(s) - n + 1))}


def _names(source: str) -> list[str]:
    """Capitalised words that are not sentence-initial (names), in any cased script."""
    out: list[str] = []
    for sent in re.split(r"(?<=[.!?:;])\s+|\n", source):
        words = _WORD.findall(sent)
        for w in words[1:]:
            if len(w) >= 4 and w[0].isupper() and not w.isupper() and w not in out:
                out.append(w)
        out += [w for w in words if len(w) >= 2 and w.isupper() and w.isascii() and w not in out]
    return out


def bilingual_checks(
    doc: Document, *, lexicon_table: dict[str, dict[str, float]] | None = None
) -> list[Finding]:
    """The bilingual rules for ``doc`` (none without ``source_text``); ``lexicon_table``
    replaces the shipped lexicon of the source language (for training)."""
    src, tgt = doc.source_text or "", doc.text
    if not src.strip() or not tgt.strip():
        return []
    out: list[Finding] = []
    out += _length(src, tgt)
    out += _numbers_check(src, tgt)
    out += _urls(src, tgt)
    out += _punctuation(src, tgt)
    out += _copy(src, tgt)
    out += _entities(src, tgt, doc.source_lang, lexicon_table)
    out += _languages(doc)
    return out


def _length(src: str, tgt: str) -> list[Finding]:
    s, t = len(src.strip()), len(tgt.strip())
    if max(s, t) < MIN_CHARS:
        return []
    ratio = t / max(1, s)
    if MIN_RATIO <= ratio <= MAX_RATIO:
        return []
    what = "shorter" if ratio < MIN_RATIO else "longer"
    return [
        Finding(
            code="mt.bi.length-ratio",
            message=f"The translation is {ratio:.2f} times the length of its source, much {what} than "
            f"a translation usually is: text may be {'missing' if what == 'shorter' else 'added'}.",
            severity="warning",
            data={"ratio": round(ratio, 3)},
        )
    ]


def _numbers_check(src: str, tgt: str) -> list[Finding]:
    sn, tn = _numbers(src), _numbers(tgt)
    # "600 тысяч" is "600,000": a number whose digits begin another's on the other side matches.
    missing = [n for n in sn if n not in tn and not any(t.startswith(n) for t in tn)]
    added = [n for n in tn if n not in sn and not any(n.startswith(s) for s in sn)]
    out: list[Finding] = []
    for num in missing:
        a, b = sn[num]
        out.append(
            Finding(
                code="mt.bi.number",
                message=f"The number {src[a:b]} in the source is missing from the translation.",
                severity="error",
                evidence=src[a:b],
                data={"side": "source"},
            )
        )
    for num in added:
        a, b = tn[num]
        out.append(
            Finding(
                code="mt.bi.number",
                message=f"The number {tgt[a:b]} in the translation is not in the source.",
                severity="warning",
                span=Span(a, b),
                evidence=tgt[a:b],
                data={"side": "translation"},
            )
        )
    return out


def _urls(src: str, tgt: str) -> list[Finding]:
    tset = {u.rstrip(".,;:").lower() for u in _URL.findall(tgt)}
    return [
        Finding(
            code="mt.bi.url",
            message=f"The address {u} in the source is missing from the translation.",
            severity="warning",
            evidence=u,
        )
        for u in dict.fromkeys(x.rstrip(".,;:") for x in _URL.findall(src))
        if u.lower() not in tset
    ]


def _end_mark(text: str) -> str:
    s = text.strip().rstrip("\"'”’»)]")
    return {"।": ".", "॥": "."}.get(s[-1:], s[-1:]) if s else ""


def _punctuation(src: str, tgt: str) -> list[Finding]:
    out = []
    for mark, name in (("?", "question marks"), ("!", "exclamation marks")):
        if src.count(mark) != tgt.count(mark):
            out.append(
                Finding(
                    code="mt.bi.punctuation",
                    message=f"The source has {src.count(mark)} {name} and the translation "
                    f"{tgt.count(mark)}: a question or exclamation was not carried over.",
                    severity="info",
                )
            )
    se, te = _end_mark(src), _end_mark(tgt)
    if se in ".?!" and te in ".?!" and se and te and se != te and not out:
        out.append(
            Finding(
                code="mt.bi.punctuation",
                message=f'The source ends with "{se}" but the translation with "{te}".',
                severity="info",
                span=Span(len(tgt.rstrip()) - 1, len(tgt.rstrip())),
            )
        )
    return out


def _copy(src: str, tgt: str) -> list[Finding]:
    ns, nt = _norm(src), _norm(tgt)
    if len(nt) < 12:
        return []
    tg = _grams(tgt)
    share = len(tg & _grams(src)) / max(1, len(tg))
    if ns != nt and share < COPY_SHARE:
        return []
    return [
        Finding(
            code="mt.bi.untranslated",
            message=f"{share:.0%} of the translation's text is copied from the source: it was left "
            "untranslated.",
            severity="error",
            span=Span(len(tgt) - len(tgt.lstrip()), len(tgt.rstrip())),
            data={"copied_share": round(share, 3)},
        )
    ]


def _entities(
    src: str, tgt: str, source_lang: str | None, table: dict[str, dict[str, float]] | None
) -> list[Finding]:
    from textmill.plugins.mt_artifacts import lexicon

    folded = _fold(tgt)
    tgt_prefixes = set(lexicon.tokens(tgt))
    if table is None:
        table = lexicon.load().get(source_lang or "", {})
    out = []
    for name in _names(src):
        key = _fold(name)
        if not key or key in folded:
            continue
        # An English exonym or inflected form (Italia/Italy, Bucureștiului, Москву/Moscow): a
        # close spelling, or a translation the lexicon knows.
        if fuzz.partial_ratio(key, folded) >= NAME_MATCH:
            continue
        if any(e in tgt_prefixes for e in table.get((lexicon.tokens(name) or [""])[0], {})):
            continue
        out.append(
            Finding(
                code="mt.bi.entity",
                message=f'The name "{name}" in the source has no counterpart in the translation.',
                severity="info",
                evidence=name,
            )
        )
    return out


_identifier = language_identifier


def identify(text: str) -> tuple[str, float]:
    """(ISO 639-1 language, probability) by py3langid."""
    lang, prob = _identifier().classify(text)
    return str(lang), float(prob)


def _languages(doc: Document) -> list[Finding]:
    out = []
    for side, code, text, declared in (
        ("source", "source", doc.source_text or "", doc.source_lang),
        ("translation", "target", doc.text, doc.lang),
    ):
        if not declared or len(text.strip()) < MIN_CHARS:
            continue
        lang, conf = identify(text)
        if lang not in ("und", declared) and conf >= LANG_CONFIDENCE:
            out.append(
                Finding(
                    code=f"mt.bi.{code}-language",
                    message=f"The {side} is declared as {declared} but reads as {lang} "
                    f"(confidence {conf:.2f}).",
                    severity="warning",
                    data={"declared": declared, "detected": lang, "confidence": round(conf, 3)},
                )
            )
    return out
