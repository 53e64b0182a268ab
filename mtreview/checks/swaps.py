"""Two neighbouring words the other way round: "fichier temporaire" written "temporaire
fichier", "la fenêtre horizontalement" written "la horizontalement fenêtre".

Each pair of neighbouring words is put back the other way and both orders are scored by
the word-order model (`checks.order_model`, a French trigram model learnt from Debian's
French documentation). A pair is flagged when the sentence reads as French far more
easily the other way round: `GAIN` nats of log-probability, a factor of about 1,800.
Both orders hold the same words, so rare words and names do not raise it; French word
order does ("nombre invalide", "le lecteur d'écran", "n'est pas"). The suggestion is the
pair put back. A flag says how sure it is: `strong` from `STRONG_GAIN` (a factor of about
22,000), `weak` below, `english_order` for the English orders below `GAIN`
(`Flag.subsignals`: the risk weighs them apart). The model needs no spaCy: it reads the
shipped table.

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

English order kept by a translation engine is flagged at a lower gain where the words say
what they are (`_english_order`; spaCy's lexicon of French lemmas by part of speech, no
parse: a parse of misordered words tags them by position). After a determiner:

- an adjective before a noun that is never an adjective ("un spécial instrument"): when
  the model prefers the swap at all for an adjective that is never a noun; at
  `ENDING_GAIN` for one that may be a noun but ends as few nouns do ("un important
  fichier"); at `NOUN_GAIN` for other ones, which French puts first in pairs of nouns
  ("le type tableau", "le périphérique système", "le menu système"), where no such
  French pair of the help pages and catalogues read here gains as much; before a word
  that may be an adjective too ("une alerte sonore"), at `BOTH_ADJECTIVES_GAIN`. Never
  an adjective French puts before its noun ("un petit fichier", "la nouvelle version",
  "une seule partition", "un tel réglage": `PREPOSED_ADJECTIVES`). A participle is one
  too where its lemma is an infinitive the lemmatizer's verb list lacks ("publiés");
- a capitalised label before the noun that says what it is ("le Partager bouton"), at
  `LABEL_GAIN` (`_label_first`);
- two nouns, the second never an adjective (or one that may be, after a singular
  determiner and a plural in -s: "le fichiers gestionnaire"), whose determiner agrees in
  number with the second, not the first ("les périphérique pilotes", "une fuseaux
  liste"): an English noun stack, suggested as "pilotes de périphérique".

Both words must be French (`_french`: "les core dumps" is left to the untranslated-word
checks). Without spaCy's model these two are skipped.
"""

from __future__ import annotations

import functools
import re

from mtreview.checks import french_words
from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.checks.french_model import french_forms, lemma_classes
from mtreview.checks.order_model import Unit, shipped_model, units
from mtreview.documents import Segment
from mtreview.flags import Flag

GAIN = 7.5  # natural log: the other order must be ~1,800 times as probable
# from here (~22,000 times) a swap is far more often real: its flags say so (`/strong`,
# a subsignal of its own weight); below, `/weak`
STRONG_GAIN = 10.0
# object pronouns (and "ne"), which stand before the verb they go with
CLITICS = french_words.OBJECT_CLITICS | {"ne"}
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
RELATIVES = frozenset({"que", "qu", "où", "dont"})
SUBJECT_OPENERS = frozenset(
    "le la les l un une des son sa ses leur leurs ce cet cette ces votre vos notre nos".split()
)

ENDING_GAIN = 2.0  # nats, for an adjective that may be a noun but ends as few nouns do:
# "-if", "-eux", "-able", "-ant", "-erne" ("-ique", "-al", "-aire" many nouns have)
# nats, for one that may be a noun and ends as nouns do ("supérieure", "graphique"): on help
# pages and catalogues no French pair of them gains 5 from the swap; English order mostly does
NOUN_GAIN = 5.0
BOTH_ADJECTIVES_GAIN = 6.0  # nats, when the second word may be an adjective too
ADJECTIVE_ENDING = re.compile(r"(?:ive|if|euse|eux|able|ible|ante?|erne)s?$")
# determiner -> plural: articles, possessives, demonstratives (no quantifier: "plusieurs")
DETERMINERS = {word: shown[1] == "p" for word, shown in french_words.DETERMINERS.items()}
# lemmas of the adjectives French puts before the noun, and the determiner-like ones
PREPOSED_ADJECTIVES = frozenset(
    """bon mauvais meilleur pire moindre grand petit gros haut bas long court large nouveau
    nouvel vieux vieil jeune ancien beau bel joli premier dernier prochain précédent autre
    même seul vrai faux véritable simple double triple unique certain divers différent
    nombreux multiple rare fréquent tel quelque quelconque chaque plusieurs tout nul
    principal excellent énorme immense vaste léger lourd fort faible grave profond
    bref éventuel probable futur actuel récent ex prétendu parfait
    plein pur sacré sale sérieux terrible incroyable magnifique superbe merveilleux horrible
    affreux étrange curieux drôle pauvre cher brave digne propre fameux heureux malheureux
    triste franc net demi grossier second tiers ultime suprême intense vif violent dur doux
    tendre fidèle éternel perpétuel constant continuel incessant interminable considérable
    formidable fabuleux fantastique extraordinaire exceptionnel remarquable précieux gentil
    méchant énième maint strict épais mince""".split()
)
# words the lexicon lists as nouns or adjectives that are not the noun or adjective here
NOT_CONTENT = frozenset(
    """le la les un une des du de au aux ce cet cette ces à en dans par pour sur sous avec
    sans vers chez entre contre pendant selon depuis durant malgré parmi avant après et ou
    mais donc que qui quoi dont où si ne non pas plus moins très tout tous toute toutes peu
    même autre autres fois est sont a ont être avoir deux trois quatre cinq six sept huit
    neuf dix onze douze vingt trente cent mille""".split()
)
# feminine and plural endings back to a masculine singular the lexicon lists
_ENDINGS = (
    ("ales", "al"), ("aux", "al"), ("ives", "if"), ("ive", "if"), ("elles", "el"),
    ("elle", "el"), ("euses", "eux"), ("euse", "eux"), ("ennes", "en"), ("enne", "en"),
    ("ères", "er"), ("ère", "er"), ("es", ""), ("e", ""), ("s", ""), ("x", ""),
)  # fmt: skip
_PARTICIPLE_FORM = re.compile(r"(?:é|ée|és|ées)$")


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
        best: list[tuple[float, Unit, Unit, str, str]] = []
        # the pairs worth a gain, found first: the model scores only those
        swappable = {i for i in range(len(found) - 1) if _swappable(text, found[i], found[i + 1])}
        if not swappable:
            return []
        for index, gain in model.swap_gains(found, swappable):
            first, second = found[index], found[index + 1]
            pair = text[first.start : first.end], text[second.start : second.end]
            if gain >= GAIN:
                message = (
                    f"“{pair[0]} {pair[1]}”: French writes “{pair[1]} {pair[0]}”: words swapped?"
                )
                best.append((gain, first, second, message, f"{pair[1]} {pair[0]}"))
            elif index > 0 and (english := _english_order(found[index - 1], *pair, gain)):
                best.append((gain, first, second, *english))
        flags: list[Flag] = []
        taken: list[tuple[int, int]] = []
        for gain, first, second, message, fix in sorted(best, key=lambda b: (-b[0], b[1].start)):
            if any(first.start < end and start < second.end for start, end in taken):
                continue  # "a b c": one flag, on the pair that gains most
            taken.append((first.start, second.end))
            code = "strong" if gain >= STRONG_GAIN else "weak" if gain >= GAIN else "english_order"
            flags.append(self.flag(first.start, second.end, message, suggestion=fix, code=code))
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
    if lower_one in BEFORE_INFINITIVE and french_words.INFINITIVE.search(lower_two):
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


def _english_order(before: Unit, one: str, two: str, gain: float) -> tuple[str, str] | None:
    """(message, suggestion) where a determiner, `one` and `two` keep English order: an
    adjective before its noun, or a noun stack (the module's docstring); else None."""
    plural = DETERMINERS.get(before.tokens[-1].lower().rstrip("'’"))
    if plural is None or not (one.isalpha() and two.isalpha() and two.islower()):
        return None
    if one.istitle() and len(one) > 2:
        return _label_first(one, two, gain)
    if not one.islower():
        return None
    if one in NOT_CONTENT or two in NOT_CONTENT or _PARTICIPLE_FORM.search(two):
        return None
    classes = lemma_classes()
    if not classes:
        return None
    first, second = _lemmas(one), _lemmas(two)
    if first & PREPOSED_ADJECTIVES or one.endswith(("ième", "ièmes")):
        return None
    if not (_french(one) and _french(two)):
        return None  # "les core dumps": English words are another check's
    # the form itself, or its masculine singular, is an adjective (a lemma of another
    # class the table gives, "type" -> "typer", is not); or a participle
    # (the lemmatizer's verb list lacks many verbs: an infinitive among the form's lemmas
    # says "publiés", "toléré" are participles too)
    adjective = bool(_singulars(one) & classes["adj"]) or (
        bool(_PARTICIPLE_FORM.search(one))
        and (
            bool(first & classes["verb"])
            or any(french_words.INFINITIVE.search(lemma) for lemma in first)
        )
    )
    noun_one, noun_two = bool(first & classes["noun"]), bool(second & classes["noun"])
    # an adjective that may be a noun stands first in French noun pairs ("le type tableau",
    # "le périphérique système"): one that ends as nouns do not ("un important fichier") at
    # `ENDING_GAIN`, another only where the model is sure (`NOUN_GAIN`: "la supérieure barre")
    needed = (ENDING_GAIN if ADJECTIVE_ENDING.search(one) else NOUN_GAIN) if noun_one else 0.0
    # before a word that may be an adjective too ("une alerte sonore", "les dynamiques
    # locaux": which one qualifies the other is not for the lexicon to say), only where the
    # model is surer still (`BOTH_ADJECTIVES_GAIN`: "les visuelles alertes")
    if second & classes["adj"]:
        needed = max(needed, BOTH_ADJECTIVES_GAIN)
    if adjective and noun_two and gain > needed:
        message = f"“{one} {two}”: the adjective goes after its noun in French: “{two} {one}”"
        return message, f"{two} {one}"
    if (
        noun_one
        and noun_two
        # "un index partiel", "les fichier originaux": a second word that may be an
        # adjective only where the first is a plural (its singular a noun: not "index")
        # after a singular determiner ("le fichiers gestionnaire"), which no adjective
        # reading mends
        and (not second & classes["adj"] or (not plural and _plural_of_noun(one)))
        and _plural(one) != plural
        and _plural(two) == plural
    ):
        message = (
            f"“{one} {two}”: the determiner agrees with “{two}”: English order? "
            f"French writes “{two} {_de(one)}{one}”"
        )
        return message, f"{two} {_de(one)}{one}"
    return None


def _label_first(label: str, noun: str, gain: float) -> tuple[str, str] | None:
    """A capitalised label before the noun that names what it is ("le Accessibilité
    menu", "la Debian image"): English order, where French writes "le menu
    Accessibilité". Where the model prefers the swap by `LABEL_GAIN` at least: a name
    before a common word in French is a name of two words ("le Mode avion", "du Canada
    oriental"), which the model does not prefer swapped."""
    classes = lemma_classes()
    if gain < LABEL_GAIN or not classes or not _lemmas(noun) & classes["noun"]:
        return None
    message = f"“{label} {noun}”: the name goes after its noun in French: “{noun} {label}”"
    return message, f"{noun} {label}"


LABEL_GAIN = 5.0  # nats: no clean help page or catalogue row here gains 5 from the swap


def _lemmas(word: str) -> frozenset[str]:
    """The word, its lemmas in spaCy's table, and its masculine singular by its ending."""
    forms = french_forms()
    return _singulars(word) | {*((forms.get(word) or ()) if forms is not None else ())}


def _singulars(word: str) -> frozenset[str]:
    """The word and its masculine singular by its ending."""
    found = {word}
    for ending, base in _ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            found.add(word[: -len(ending)] + base)
    return frozenset(found)


@functools.lru_cache(maxsize=65536)
def _french(word: str) -> bool:
    """A word of French (Zipf ≥ `FRENCH_ZIPF` there and not far more English): "core",
    "dumps" are English."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:
        return True
    french = zipf_frequency(word, "fr")
    return french >= FRENCH_ZIPF and french >= zipf_frequency(word, "en") - 1.0


FRENCH_ZIPF = 2.0


def _plural(word: str) -> bool:
    """A plural form: ends in -s or -x and is not its own lemma ("fichiers", not "accès")."""
    if word[-1] not in "sx":
        return False
    forms = french_forms()
    lemmas = (forms.get(word) or ()) if forms is not None else ()
    if lemmas:
        return any(lemma != word for lemma in lemmas)
    classes, singular = lemma_classes(), word[:-1]
    return bool(classes) and (singular in classes["noun"] or singular in classes["adj"])


def _plural_of_noun(word: str) -> bool:
    """A plural in -s whose singular is a noun ("fichiers"; not "index", "accès")."""
    return word.endswith("s") and _plural(word) and word[:-1] in lemma_classes()["noun"]


def _de(word: str) -> str:
    return "d’" if word[0] in "aeiouyhâàéèêîôûœ" else "de "
