"""The severity each monolingual finding code has earned on real text.

A code's severity follows from two measured figures (``benchmarks/eval_precision.py``, on
development data): how often it fires on native English (findings per BBC business article)
and its precision, measured twice: against professional MQM error spans in MT output (WMT23
zh-en, a finding overlapping a Fluency/* or Accuracy/* span of any rater; a word picked at random
overlaps one about 21% of the time) and on the hand-labelled sample
(``tests/data/mt_findings_labelled.jsonl``: is the finding right?). See :func:`earned`.

- ``error``: both precisions at least 0.9 over at least :data:`MIN_FINDINGS` findings, and at
  most 0.005 findings per native article;
- ``warning``: labelled precision at least 0.9, MQM span precision (when measured) at least
  0.75, and at most 0.03 findings per native article;
- ``info`` otherwise: worth showing, not worth alarming anyone about.

:data:`MEASURED` holds the figures the current severities were set from; the benchmark prints
the severity each code would earn today beside the one in force.
"""

from __future__ import annotations

from typing import Literal

Severity = Literal["info", "warning", "error"]

MIN_FINDINGS = 8

# code: (findings per native BBC article, (MQM span precision, n), (labelled precision, n)),
# measured by benchmarks/eval_precision.py on 300 BBC articles and the 380 MT versions.
MEASURED: dict[str, tuple[float, tuple[float, int], tuple[float, int]]] = {
    "mt.article": (0.0, (0.0, 0), (1.0, 1)),
    "mt.comma-splice": (0.013, (0.867, 30), (0.794, 34)),
    "mt.fragment": (0.003, (0.889, 9), (1.0, 12)),
    "mt.garbage": (0.0, (0.0, 0), (0.0, 0)),  # never found on the development data
    "mt.honorific": (0.0, (0.0, 0), (1.0, 2)),
    "mt.lowercase-start": (0.007, (0.526, 19), (1.0, 2)),
    "mt.pronoun-gender": (0.0, (0.0, 0), (1.0, 1)),
    "mt.punctuation": (0.007, (0.800, 10), (1.0, 13)),
    "mt.repeat": (0.003, (0.643, 28), (1.0, 1)),
    "mt.transliteration": (0.013, (0.412, 17), (1.0, 3)),
}


def earned(native_rate: float, mqm: tuple[float, int], labelled: tuple[float, int]) -> Severity:
    """The severity a code earns from its native-English rate, its MQM span precision and its
    labelled precision (each with its number of findings; a measure without findings does
    not count). The labelled sample says whether a finding is right, so it needs 0.9 for a
    warning; MQM raters mark errors of their own choosing, so 0.75 there (against about 0.21 by
    chance) suffices. An error needs 0.9 on both over :data:`MIN_FINDINGS` findings."""
    lab_p, lab_n = labelled
    mqm_p, mqm_n = mqm
    if lab_n == 0 or lab_p < 0.9 or native_rate > 0.03 or (mqm_n and mqm_p < 0.75):
        return "info"
    if native_rate <= 0.005 and mqm_n + lab_n >= MIN_FINDINGS and min(lab_p, mqm_p) >= 0.9:
        return "error"
    return "warning"


SEVERITY: dict[str, Severity] = {code: earned(*m) for code, m in MEASURED.items()}


def severity_of(code: str) -> Severity:
    """The severity in force for ``code`` ("info" for a code never measured)."""
    return SEVERITY.get(code, "info")
