"""A word French elides, written whole before a vowel: "de une", "le application",
"ne est", "du actuel" (de l'), "ce objet" (cet). Human French never writes these; a model
that moved a word next to a vowel does ("Texte du actuel tampon", "Impossible le
d'ouvrir"). Words after a hyphen are pronouns that do not elide ("définissez-la à");
names, acronyms and words copied from the source are left alone ("de Ubuntu", "le e-mail"
of an English source); "h" is skipped (aspirated or not is a dictionary's question).
"""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

ELIDED = {
    "le": "l’",
    "la": "l’",
    "de": "d’",
    "ne": "n’",
    "je": "j’",
    "me": "m’",
    "te": "t’",
    "se": "s’",
    "que": "qu’",
    "jusque": "jusqu’",
    "lorsque": "lorsqu’",
    "puisque": "puisqu’",
    "du": "de l’",
    "au": "à l’",
    "ce": "cet, c’",
}
# words beginning with a vowel that these words stand before whole ("le un", "de ou",
# "le onze", "ce à quoi", "ce en quoi")
NO_ELISION = frozenset("un une uns unes onze onzième ou où oui ouate à y en yacht yoga".split())
PAIR = re.compile(
    r"(?<![-\w'’])(" + "|".join(sorted(ELIDED, key=len, reverse=True)) + r")\s+"
    r"([aeiouyàâäéèêëîïôöûùüœæ][^\W\d_]*)\b",
    re.IGNORECASE,
)


@register_check
class Elision(Check):
    name = "elision"
    category = "Fluency/Grammar"
    description = "an elided word written whole before a vowel: 'de une', 'le application'"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        flags = []
        source_words = set(re.findall(r"\w+", segment.source or ""))
        for match in PAIR.finditer(segment.text):
            word, following = match.group(1), match.group(2)
            if following.lower() in NO_ELISION or not following.islower() or len(following) < 2:
                continue
            if following in source_words or word[1:] != word[1:].lower():
                continue  # an English word of the source; "LE", "DE" are acronyms
            elided = ELIDED[word.lower()]
            message = f"“{word} {following}”: French writes “{elided}” before a vowel"
            flags.append(self.flag(match.start(), match.end(), message))
        return flags
