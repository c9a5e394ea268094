"""English words that say a person's gender: personal pronouns and courtesy titles.

Shared by the checks that compare a pronoun with the person it refers to (mt_artifacts) and the
linker's coreference, so both read "Ms Druyun" and "he" the same way.
"""

from __future__ import annotations

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
