"""The unicode plugin's mojibake repair: ftfy's, line by line, with the lines ftfy would leave
alone passed over (the seeds, the cleaning pages and the MQM translations, read in place)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import ftfy
import pytest
from textmill.plugins.unicode import UnicodeSettings, fix_mojibake, repair
from textmill.testing import SEEDS

ROOT = Path(__file__).resolve().parents[1]
AEB = ROOT / ".." / "shared" / "eval" / "cleaning" / "aeb.jsonl"
MQM = ROOT / ".." / "shared" / "eval" / "translations" / "wmt23-zhen-mqm.jsonl.gz"


def ftfy_fix(text: str) -> str:
    """ftfy on the whole text, with the settings the plugin asks for."""
    return str(
        ftfy.fix_text(
            text,
            normalization=None,
            uncurl_quotes=False,
            fix_line_breaks=False,
            remove_control_chars=False,
            fix_latin_ligatures=False,
            fix_character_width=False,
            explain=False,
        )
    )


def seeds() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def test_broken_seed_lines_are_repaired_as_ftfy_repairs_them() -> None:
    text = seeds()[2]
    lines = text.split("\n")
    quote = next(i for i, ln in enumerate(lines) if "'" in ln or "’" in ln)
    broken = list(lines)
    # A line saved as UTF-8 and read as Windows-1252, an entity in text, a terminal escape.
    broken[quote] = lines[quote].replace("'", "’").encode("utf-8").decode("cp1252")
    broken[1] = lines[1] + " Fish &amp; chips."
    broken[3] = "\x1b[1m" + lines[3] + "\x1b[0m"
    got = fix_mojibake("\n".join(broken))
    assert got == ftfy_fix("\n".join(broken))
    out = got.split("\n")
    assert out[quote] == lines[quote].replace("'", "’")
    assert out[1].endswith("Fish & chips.") and out[3] == lines[3]
    assert [ln for k, ln in enumerate(out) if k not in (1, 3, quote)] == [
        ln for k, ln in enumerate(lines) if k not in (1, 3, quote)
    ]
    # After a line with markup in it, ftfy no longer unescapes entities: nor does the repair.
    marked = "\n".join([lines[0], "<b>" + lines[2] + "</b>", *broken[1:2], *lines[4:]])
    assert fix_mojibake(marked) == ftfy_fix(marked)
    assert "Fish &amp; chips." in fix_mojibake(marked)
    text_out, steps = repair("\n".join(broken), UnicodeSettings())
    assert text_out.split("\n")[quote] == lines[quote].replace("'", "’") and steps


@pytest.mark.skipif(not (AEB.exists() and MQM.exists()), reason="needs ../shared/eval")
def test_the_repair_equals_ftfy_on_real_pages_and_translations() -> None:
    texts = seeds()
    with AEB.open(encoding="utf-8") as fh:
        texts += [json.loads(line)["text"] for _, line in zip(range(40), fh, strict=False)]
    with gzip.open(MQM, "rt", encoding="utf-8") as fh:
        targets = [json.loads(line)["target"] for _, line in zip(range(600), fh, strict=False)]
    texts += ["\n".join(targets[i : i + 60]) for i in range(0, len(targets), 60)]
    texts += [t.encode("utf-8").decode("cp1252", "replace") for t in texts[:5]]  # all mojibake
    changed = 0
    for text in texts:
        got = fix_mojibake(text)
        assert got == ftfy_fix(text)
        changed += got != text
    assert changed >= 5
