"""Two neighbouring words the other way round: "fichier temporaire" written "temporaire
fichier", "la fenêtre horizontalement" written "la horizontalement fenêtre".

Each pair of neighbouring words is put back the other way and both orders are scored by
the word-order model (`checks.order_model`, a French trigram model learnt from Debian's
French documentation). A pair is flagged when the sentence reads as French far more
easily the other way round: `GAIN` nats of log-probability, a factor of about 1,800.
Both orders hold the same words, so rare words and names do not raise it; French word
order does ("nombre invalide", "le lecteur d'écran", "n'est pas"). The suggestion is the
pair put back. Needs no spaCy: it reads the shipped table.
"""

from __future__ import annotations

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.checks.order_model import Unit, shipped_model, units
from mtreview.documents import Segment
from mtreview.flags import Flag

GAIN = 7.5  # natural log: the other order must be ~1,800 times as probable


@register_check
class SwappedWords(Check):
    name = "swapped_words"
    category = "Fluency/Grammar"
    description = "two neighbouring words that French orders the other way round"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        found = units(text, tuple(segment.formats))
        if sum(unit.word for unit in found) < 2:
            return []
        model = shipped_model()
        best: list[tuple[float, Unit, Unit]] = []
        for index, gain in model.swap_gains(found):
            first, second = found[index], found[index + 1]
            if gain < GAIN or not _swappable(text, first, second):
                continue
            best.append((gain, first, second))
        flags: list[Flag] = []
        taken: list[tuple[int, int]] = []
        for _gain, first, second in sorted(best, key=lambda b: (-b[0], b[1].start)):
            if any(first.start < end and start < second.end for start, end in taken):
                continue  # "a b c": one flag, on the pair that gains most
            taken.append((first.start, second.end))
            pair = text[first.start : first.end], text[second.start : second.end]
            message = f"“{pair[0]} {pair[1]}”: French writes “{pair[1]} {pair[0]}”: words swapped?"
            flags.append(
                self.flag(first.start, second.end, message, suggestion=f"{pair[1]} {pair[0]}")
            )
        return sorted(flags, key=lambda f: f.start)


def _swappable(text: str, first: Unit, second: Unit) -> bool:
    """Two words with one space between them, not the same word twice."""
    return (
        first.word
        and second.word
        and text[first.end : second.start] == " "
        and text[first.start : first.end].lower() != text[second.start : second.end].lower()
    )
