"""English words that say a person's gender: personal pronouns and courtesy titles.

Shared by the checks that compare a pronoun with the person it refers to (mt_artifacts) and the
linker's coreference, so both read "Ms Druyun" and "he" the same way.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

PRONOUN_GENDER = {
    "he": "male",
    "him": "male",
    "his": "male",
    "himself": "male",
    "she": "female",
    "her": "female",
    "hers": "female",
    "herself": "female",
}

# Titles before a name ("Mr Sears", "Dame Judi"); each user adds the ones it also reads.
TITLE_GENDER = {
    "mr": "male",
    "mister": "male",
    "sir": "male",
    "lord": "male",
    "mrs": "female",
    "ms": "female",
    "miss": "female",
    "dame": "female",
    "lady": "female",
}


@lru_cache(maxsize=1)
def name_genders() -> Any:
    """gender_guesser's detector of first names' genders, loaded once per process for every
    plugin that asks it. Its table is read whole and split as its own reader splits it (a
    ``codecs`` stream, a line at a time, takes twice as long); the detector is the same."""
    import gender_guesser.detector as gd

    class Detector(gd.Detector):
        def _parse(self, filename: str) -> None:
            self.names: dict[str, dict[str, str]] = {}
            with open(filename, encoding="utf-8") as f:
                text = f.read()
            for line in text.splitlines():
                self._eat_name_line(line.strip())

    return Detector(case_sensitive=False)
