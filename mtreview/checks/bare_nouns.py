"""A common noun bare after "dans": English's zero article kept ("in decimal notation"
-> "dans notation décimale", "in uppercase" -> "dans majuscule", "in list box" -> "dans
liste déroulante").
French "dans" takes a determiner before a common noun; the fix is an article ("dans la
liste") or "en" where French has an idiom ("en radians", "en majuscules"), so the flag
names both and suggests nothing.

The parse must tag the word a noun, in lower case, and it must read as French (`wordfreq`:
common in French and more so than in English), so a command or identifier left as it is
("dans make", "dans psql") is not taken for one. Needs no source. On 45,080 rows of
LibreOffice's help and 66,269 gettext strings it flags 3 and 4 rows, each a real missing
article ("Dors dans fonction", "dans liste déroulante"; benchmarks/RESULTS.md, "A bare
noun after dans").
"""

from __future__ import annotations

from typing import Any

from mtreview.checks.base import register_check
from mtreview.checks.french_model import ParsedCheck, tokens
from mtreview.checks.french_words import reads_as_french
from mtreview.flags import Flag

MIN_FRENCH_ZIPF = 3.0  # once in a million French words or more


@register_check
class BareNoun(ParsedCheck):
    name = "bare_noun"
    category = "Fluency/Grammar"
    description = (
        'a common noun with no determiner after "dans" ("dans radians": "en radians", '
        '"dans la liste") [needs the spaCy model fr_core_news_sm]'
    )

    def check_parse(self, doc: Any) -> list[Flag]:
        return [
            self.flag(
                preposition.idx,
                noun.idx + len(noun.text),
                f"“{preposition.text} {noun.text}” has no article: “dans” takes one before a "
                "common noun (“dans la liste”), or French says it with “en” (“en majuscules”)",
            )
            for preposition, noun in bare_after_dans(doc)
        ]


def bare_after_dans(doc: Any) -> list[tuple[Any, Any]]:
    """Each "dans" the parse follows with a lower-case French common noun."""
    found = []
    parsed = tokens(doc)
    for at, token in enumerate(parsed[:-1]):
        noun = parsed[at + 1]
        if (
            token.lower_ == "dans"
            and token.pos_ == "ADP"
            and noun.pos_ == "NOUN"
            and noun.is_alpha
            and noun.text[:1].islower()
            and reads_as_french(noun.lower_, MIN_FRENCH_ZIPF)
        ):
            found.append((token, noun))
    return found
