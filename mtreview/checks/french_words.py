"""French function words that several checks read, written once: the determiners and what
they show of their noun, and the contractions of a preposition with an article. Each check
takes the view it needs (a determiner's number, its gender, both)."""

from __future__ import annotations

import functools
import re

# Determiner -> the gender (m, f; e: either) and the number (s, p) of the noun it announces
# ("mon amie", "l'amie": before a vowel these serve both genders)
DETERMINERS: dict[str, str] = {
    **dict.fromkeys("le un du au ce cet".split(), "ms"),
    **dict.fromkeys("la une cette ma ta sa".split(), "fs"),
    **dict.fromkeys("mon ton son notre votre leur l".split(), "es"),
    **dict.fromkeys("les des aux ces mes tes ses nos vos leurs".split(), "ep"),
}
# quantifiers that announce their noun as a determiner does ("plusieurs fichiers")
QUANTIFIERS: dict[str, str] = {"chaque": "es", "plusieurs": "ep", "quelques": "ep"}
# the articles among the determiners (the others are possessives and demonstratives)
ARTICLES = frozenset("le la l les un une des du au aux".split())
# a preposition and an article written as one word -> the two ("du" -> "de", "le"), and back
CONTRACTED = {"du": ("de", "le"), "des": ("de", "les"), "au": ("à", "le"), "aux": ("à", "les")}
CONTRACTIONS = {pair: word for word, pair in CONTRACTED.items()}  # ("de", "le") -> "du"
# object pronouns, which stand before the verb they go with ("de le transformer"), and
# their elided forms
OBJECT_CLITICS = frozenset("le la les lui leur me te se nous vous y en".split())
ELIDED_CLITICS = frozenset("l' l’ m' m’ t' t’ s' s’".split())
INFINITIVE = re.compile(r"(?:er|ir|re|oir)$")  # an infinitive's ending


@functools.lru_cache(maxsize=65536)
def reads_as_french(word: str, min_zipf: float) -> bool:
    """Common in French (`wordfreq`'s Zipf `min_zipf` or more) and more so than in English:
    "liste", not "make"."""
    from wordfreq import zipf_frequency  # ~0.3 s to load: only when a check asks

    french = zipf_frequency(word, "fr")
    return french >= min_zipf and french > zipf_frequency(word, "en")
