"""Word order French does not allow: a determiner followed by a preposition or another
determiner ("le dans", "du en", "une de palette"), a determiner closing a sentence.

Swapped words are what a translation model's reordering leaves behind. These sequences
are impossible in French prose, with three exceptions the check knows: object pronouns
that look like articles ("je les en remercie", "donne-le à"), "du"/"des" before a
preposition after "de" in a list of partitives is still wrong, so none is needed there.
"""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

DETERMINERS = frozenset(
    """le la les un une des du au aux ce cet cette ces mon ma mes ton ta tes son sa ses
    notre nos votre vos leur leurs""".split()
)
PREPOSITIONS = frozenset(
    "de à dans par pour sur sous avec sans vers chez entre contre depuis pendant selon".split()
)
PRONOUN_LIKE = frozenset({"le", "la", "les", "leur"})  # also object pronouns
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]*)?")


@register_check
class WordOrder(Check):
    name = "word_order"
    category = "Fluency/Grammar"
    description = "a determiner followed by a preposition or determiner, or ending a sentence"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        found = list(WORD.finditer(text))
        flags = []
        for index, match in enumerate(found):
            word = match.group().lower()
            if word not in DETERMINERS:
                continue
            before = text[: match.start()]
            if word in PRONOUN_LIKE and before.rstrip().endswith(("-", "’", "'")):
                continue  # "donne-le", "je l'" …
            nxt = found[index + 1] if index + 1 < len(found) else None
            gap = text[match.end() : nxt.start()] if nxt is not None else text[match.end() :]
            if nxt is not None and gap == " ":
                following = nxt.group().lower()
                clash = following in PREPOSITIONS or following in DETERMINERS
                if clash and not (word in PRONOUN_LIKE and following in ("en", "y")):
                    if word in PRONOUN_LIKE and following in DETERMINERS:
                        continue  # "il les leur donne"
                    message = f"“{match.group()} {nxt.group()}”: a determiner needs its noun"
                    flags.append(self.flag(match.start(), nxt.end(), message))
            elif word not in PRONOUN_LIKE and re.match(r"\s*[.!?;]", gap) and nxt is None:
                message = f"“{match.group()}” ends the sentence without its noun"
                flags.append(self.flag(match.start(), match.end(), message))
        return flags
