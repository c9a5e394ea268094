"""Lines repeated across a corpus: the same menu entry, footer or prompt on many pages is page
furniture, whatever the page around it looks like."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

WORD = re.compile(r"\w+")
MAX_WORDS = 30  # longer lines are text, even when quoted on several pages


@lru_cache(maxsize=1 << 16)  # a corpus repeats its furniture, and prepare and clean ask alike
def line_key(text: str) -> int:
    """A stable 63-bit key of a line's words, for counting repeats across documents."""
    norm = " ".join(WORD.findall(text.lower()))
    return int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "big") >> 1


def repeated_lines(texts: Iterable[str], min_repeats: int, repeat_share: float) -> list[int]:
    """Keys of the lines (of at most 30 words) found in at least ``min_repeats`` of the texts and
    in at least ``repeat_share`` of them."""
    counts: Counter[int] = Counter()
    n = 0
    for text in texts:
        n += 1
        counts.update(
            {
                line_key(line)
                for line in text.split("\n")
                if line.strip() and len(WORD.findall(line)) <= MAX_WORDS
            }
        )
    need = max(min_repeats, int(repeat_share * n))
    return sorted(k for k, c in counts.items() if c >= need)
