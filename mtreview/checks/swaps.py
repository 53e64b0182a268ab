"""Two neighbouring words the other way round: "fichier temporaire" written "temporaire
fichier", "la fenêtre horizontalement" written "la horizontalement fenêtre".

Each pair of neighbouring words is put back the other way and both orders are scored by
the word-order model (`checks.order_model`, a French trigram model learnt from Debian's
French documentation). A pair is flagged when the sentence reads as French far more
easily the other way round: `GAIN` nats of log-probability, a factor of about 1,800.
Both orders hold the same words, so rare words and names do not raise it; French word
order does ("nombre invalide", "le lecteur d'écran", "n'est pas"). The suggestion is the
pair put back. Needs no spaCy: it reads the shipped table.

The model reads rare words as their last two letters, so it cannot tell some French
orders from their swaps; a pair is left alone where the swap would give an order French
grammar rules out whatever the words (read on help pages and an installation guide, not
on the benchmarks' planted rows):

- an object pronoun before its verb ("qui les utilisent", "de le contrôler"; "ne vous"),
  which French never puts after a finite verb or an infinitive;
- a verb and the adverb after it ("notez jamais", "doit généralement"): the suggestion
  would be English order;
- an ordinal or "premier", "dernier", "prochain" before its noun ("les premières
  étapes"), where French puts them;
- a capitalised word opening a sentence and a lowercase one after it ("Appuyez ensuite"):
  the swap would leave a capital inside the sentence;
- two adverbs ("ne fonctionne toujours pas"): either order is French, with another
  meaning ("pas toujours");
- a short adverb before an infinitive ("peut certes être", "pour bien faire");
- a verb after a relative pronoun, before its subject ("le répertoire que demande le
  serveur"): French inverts the subject there;
- an adjective French puts before its noun as readily as after ("les principales
  options", "aux précédentes questions", "une certaine valeur").
"""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.checks.order_model import Unit, shipped_model, units
from mtreview.documents import Segment
from mtreview.flags import Flag

GAIN = 7.5  # natural log: the other order must be ~1,800 times as probable
# object pronouns (and "ne"), which stand before the verb they go with
CLITICS = frozenset("le la les lui leur me te se nous vous y en ne".split())
# finite verbs and infinitives by their ending ("-ez", "-ons", "-ent" but not "-ment" …)
VERB_LIKE = re.compile(r"(?:ez|ons|(?<!m)ent|er|ir|re)$")
FINITE_LIKE = re.compile(r"(?:ez|ons|(?<!m)ent|er|ir|re|oit|eut|ait|ont|est|aut)$")
# adverbs: "-ment" and the short ones French puts after a finite verb
ADVERB = re.compile(
    r"(?:ment|jamais|toujours|donc|certes|ensuite|aussi|encore|déjà|souvent|parfois|alors"
    r"|ainsi|bien|mieux|vraiment|plus|pas|guère|peut-être|avant|après|ici|maintenant|ensemble"
    r"|tard|tôt)$"
)
# what may follow a pronoun's verb: nothing, a mark, a little word, an adverb, a participle
# ("qui les utilisent.", "leur avez attribuées"); a noun there makes "les" an article
# ("pour les écraser notes" is "pour écraser les notes" swapped)
FUNCTION_WORDS = CLITICS | frozenset(
    "de du des un une et ou à au aux en pour par sur dans avec sans que qui quand si".split()
)
PARTICIPLE = re.compile(r"(?:é|ée|és|ées|is|ie|ies|u|ue|us|ues|it|ite|its|ites)$")
PREPOSED = re.compile(
    r"(?:premier|première|dernier|dernière|prochain|prochaine|\w+ième|précédente?"
    r"|principale?|principaux|ancienne?|nouvelle|nouveaux?|seule?|véritable|nombreu(?:x|ses?)"
    r"|diverse?|différente?|vraie?|certaine?)s?$"
)
# short adverbs French puts before an infinitive ("peut certes être", "sans jamais savoir")
BEFORE_INFINITIVE = frozenset(
    "certes bien mal toujours jamais encore déjà aussi tout trop peu mieux plus pas rien "
    "vraiment également même souvent".split()
)
INFINITIVE = re.compile(r"(?:er|ir|re|oir)$")
RELATIVES = frozenset({"que", "qu", "où", "dont"})
SUBJECT_OPENERS = frozenset(
    "le la les l un une des son sa ses leur leurs ce cet cette ces votre vos notre nos".split()
)


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
    """Two words with one space between them, not the same word twice, in an order French
    grammar allows the other way round (see the module's docstring)."""
    one, two = text[first.start : first.end], text[second.start : second.end]
    if not (first.word and second.word and text[first.end : second.start] == " "):
        return False
    return one.lower() != two.lower() and not _french_order(text, first, one, second, two)


def _french_order(text: str, first: Unit, one: str, second: Unit, two: str) -> bool:
    """Whether the pair stands in an order French requires (the module's docstring)."""
    lower_one, lower_two = one.lower(), two.lower()
    if one[:1].islower() and two[:1].isupper():
        return False  # "ne Vous pouvez": a sentence's capital moved inside it
    plain_two = len(second.tokens) == 1  # not "d'ouvrir": an elided word leans on it
    if lower_one in CLITICS and plain_two:
        if lower_two in CLITICS:
            return True
        if VERB_LIKE.search(lower_two) and _clause_goes_on(text, second.end):
            return True
    if ADVERB.search(lower_two) and not ADVERB.search(lower_one) and FINITE_LIKE.search(lower_one):
        return True
    if PREPOSED.fullmatch(lower_one) and plain_two and lower_two not in FUNCTION_WORDS:
        return True
    if ADVERB.search(lower_one) and ADVERB.search(lower_two):
        return True  # "toujours pas" and "pas toujours" are both French
    if lower_one in BEFORE_INFINITIVE and INFINITIVE.search(lower_two):
        return True  # "peut certes être"
    if lower_one in RELATIVES and two[:1].islower() and _subject_follows(text, second.end):
        return True  # "que demande le serveur"
    opening = not text[: first.start].strip() or text[: first.start].rstrip()[-1:] in ".!?:"
    return opening and one[:1].isupper() and two[:1].islower()


_NEXT_WORD = re.compile(r"\s*([^\W\d_]+(?:-[^\W\d_]+)*)?")


def _subject_follows(text: str, end: int) -> bool:
    """Whether a noun group opens after the verb: an inverted subject."""
    match = re.match(r"\s*([^\W\d_]+)", text[end:])
    return match is not None and match.group(1).lower() in SUBJECT_OPENERS


def _clause_goes_on(text: str, end: int) -> bool:
    """Whether what follows a verb suits a pronoun before it: no word, a function word,
    an adverb or a participle, not a noun."""
    match = _NEXT_WORD.match(text, end)
    following = (match.group(1) or "").lower() if match else ""
    return (
        not following
        or following in FUNCTION_WORDS
        or bool(ADVERB.search(following) or PARTICIPLE.search(following))
    )
