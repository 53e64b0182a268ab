"""French function words that several checks read, written once: the determiners and what
they show of their noun, and the contractions of a preposition with an article. Each check
takes the view it needs (a determiner's number, its gender, both)."""

from __future__ import annotations

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
