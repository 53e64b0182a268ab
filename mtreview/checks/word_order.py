"""Word order French does not allow, the trace of a model's reordering ("swapped words"):
a determiner followed by a preposition or another determiner ("le dans", "du en"), a
preposition or article closing a phrase ("Nombre pages de", "Minimiser fenêtre la",
"récupérer fichier le, le serveur"), negation out of place ("ne doit être pas", "n'a être
pu", "pas n'est", "n'est pris pas", "peut ne localiser", "ne pas doit"), and a
capitalised word second after a lowercase first one ("les Récupère nouvelles listes": the
sentence's first word moved). Needs no model: on swapped words the parser's tags are no
better than these closed word classes.

Object pronouns that look like articles ("je les en remercie", "donne-le à", "il les leur
donne"), pronoun "un"/"une" ("l'une des options", "un de ces programmes", "vous pourrez en
choisir un dans la liste", "un à un"), the noun "son" ("le son du navigateur") and a
capitalised label inside a sentence ("cliquez sur Son pour ouvrir") are left alone; so is
running prose's preposition before a colon that introduces a displayed block ("devrait
ressembler à :"), before an inserted phrase ("écrits par, ou pour, le projet"), and at the
end of a label the source ends on a preposition too ("sous Utiliser pour" for "Use for");
"ce à quoi", and a clitic in a negation ("ne le fait pas"). A capitalised second word is
a name where the document writes it so inside its sentences ("wiki Debian") or a label
before its number ("consultez Tableau 2.10").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

DETERMINERS = frozenset(
    """le la les un une des du au aux ce cet cette ces mon ma mes ton ta tes son sa ses
    notre nos votre vos leur leurs""".split()
)
PREPOSITIONS = frozenset(
    "de à en dans par pour sur sous avec sans vers chez entre contre depuis pendant selon".split()
)
PRONOUN_LIKE = frozenset({"le", "la", "les", "leur"})  # also object pronouns
NOUN_TOO = frozenset({"son", "sous", "entre"})  # "du son", "des sous", "une entre"
CLOSING_WORDS = frozenset("de à du des au aux dans par pour sur chez vers hors".split())
# articles that never end a phrase, even before a comma (object pronouns "le", "la", "les"
# do, after an imperative's hyphen: "définissez-la, puis"); "un", "une", "leur", "son" may
ARTICLES = frozenset(
    "le la les des du au aux ce cet cette ces ma mes ta tes sa ses nos vos".split()
)
LABEL_ENDS = frozenset({"de", "à"})
# determiners and possessives that open the noun group after pronoun "un de" ("un de ces
# programmes", "une de vos images"), unlike a swapped "fichier un de configuration"
GROUP_OPENERS = DETERMINERS | {"l", "chacun", "chacune", "eux", "elles", "nous", "vous"}
PRONOUN_EN = re.compile(r"\ben\s+(?:\w+\s+){0,3}$", re.IGNORECASE)  # "en choisir un", "en … une"
INSERTED = re.compile(r",\s*(?:[^\W\d_]+\s+){0,3}[^\W\d_]+\s*,")  # ", par exemple," ", ou pour,"
# the second of "par, ou pour, le projet", "dépendants de, ou recommandés par, un paquet"
COORDINATED = re.compile(r"\b(?:ou|et)\s+(?:[^\W\d_]+\s+){0,2}$")
SOURCE_PREPOSITION_END = re.compile(
    r"\b(?:for|to|with|by|on|in|at|from|of|as|into|about|like)\s*[.:!?]?\s*$", re.IGNORECASE
)
# a source that ends on a verb wanting its object with no mark after it ("On the Tools
# bar, click"): the object is an icon or an image the text does not hold, and the French
# ends on the verb's preposition ("cliquez sur") as well (read on LibreOffice's help)
SOURCE_OBJECT_END = re.compile(r"\b(?:click|press|choose|select|tap|type|see)\s*$", re.IGNORECASE)
MIN_PROSE_WORDS = 5  # a label ("Nombre pages de :") is shorter than prose that shows a block
CLOSING_PUNCTUATION = re.compile(r"\s*[,;.!?)\]…](?:\s|$)")
FINITE = r"(?:est|sont|a|ont|était|étaient|sera|seront|soit|soient|avait|avaient|aura|auront)"
MODALS = r"(?:peut|peuvent|pouvait|pourra|doit|doivent|devait|devrait|veut|faut|sait|va|vont)"
PARTICIPLE = r"[^\W\d_]+(?:é|ée|és|ées|u|ue|us|ues|i|ie|is|ies|it|ite|its|ites|ert|erte|erts)"
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:['’][^\W\d_]*)?")
MISPLACED = re.compile(
    r"\bn[e'’]\s*(?:\w+\s+)?(?:être|avoir)\s+(?:pas|plus|jamais)\b"  # ne doit être pas
    r"|\bn[e'’]\s*(?!(?:le|la|les|lui|leur|y|en|me|te|se|nous|vous)\b)\w+\s+"
    r"(?:pu|eu|été|dû|su|voulu|fait|une?|les?|la|des)\s+pas\b"  # n'a pu pas, not "ne le fait pas"
    r"|\b(?:a|ont|avait|avaient|aura|auront)\s+être\b"  # n'a être pu
    r"|\bne\s+que\b"  # vérifier ne que
    r"|\b(?:pas|plus|jamais)\s+n(?:e\b|['’])(?!\s*importe)"  # pas n'est
    rf"|\bn(?:e\s+|['’]){FINITE}\s+{PARTICIPLE}\s+(?:pas|plus|jamais)\b"  # n'est pris pas
    rf"|\b{MODALS}\s+ne(?=\s+(?!pas|plus|jamais|rien|point|guère|que|qu['’])\w)"  # peut ne lier
    rf"|\bne\s+pas\s+(?:{FINITE}|{MODALS})\b",  # ne pas doit
    re.IGNORECASE,
)
# a lowercase first word, then a capitalised one: "les Récupère", "fichiers Les vides"
CAPITAL_SECOND = re.compile(r"\s*([^\W\d_]+(?:['’-][^\W\d_]+)*)\s+([^\W\d_][^\W\d_]*)\b")
CAPITALISED_NOUNS = frozenset({"Web", "Internet"})  # "site Web", "accès Internet"
NAMES = "word_order.names"  # the document's capitalised words inside its sentences
MAX_NAMES = 5_000
NUMBER_AFTER = re.compile(r"\s+\d")
# an elided word: "le d’ouvrir", "les l’option" (an article does not stand before one)
ELIDED_START = re.compile(r"(?:d|l|qu|n|s|j|m|t)['’]\w")
# a label or sentence does not open on "de" before a word ("de nom colonne", "d'arrière-plan
# Couleur"); "De :", "de %d à %d" are fine
OPENING_DE = re.compile(
    r"^\s*(?:de\s+|d['’])(?!(?:nombreu|nouveau|nouvel|plus|même|abord|accord|ailleurs|après"
    r"|autres?|où|ici|une?\b|la\b|les?\b|l['’]))(?=[^\W\d_])"
)
SENTENCE_END = re.compile(r"\s*(?:[.!?;:]|$)")


@register_check
class WordOrder(Check):
    name = "word_order"
    category = "Fluency/Grammar"
    description = "a determiner before a preposition, a phrase ending on 'de', 'ne … être pas'"

    @classmethod
    def observe(cls, segment: Segment, context: DocumentContext) -> None:
        """Capitalised words the document writes inside its sentences, after a lowercase
        word and past the second word ("le paquet Debian", "le wiki Ubuntu"): names."""
        found = list(WORD.finditer(segment.text))
        names = context.state.setdefault(NAMES, set())
        for before, word in itertools.pairwise(found[1:]):  # past the second word
            text = word.group()
            capitalised = text[:1].isupper() and text[1:].islower()
            if capitalised and before.group()[:1].islower() and len(names) < MAX_NAMES:
                names.add(text.casefold())

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        text = segment.text
        found = list(WORD.finditer(text))
        flags = [
            self.flag(m.start(), m.end(), f"“{m.group()}”: words out of order")
            for m in MISPLACED.finditer(text)
        ]
        opening = OPENING_DE.match(text)
        if opening and len(found) > 2:
            message = "a phrase does not open on “de”: words out of order?"
            flags.append(self.flag(found[0].start(), found[1].end(), message))
        flags += self._capital_second(segment, context.state.get(NAMES, ()))
        for index, match in enumerate(found):
            word = match.group().lower()
            nxt = found[index + 1] if index + 1 < len(found) else None
            gap = text[match.end() : nxt.start()] if nxt is not None else text[match.end() :]
            if index > 0 and _closes(text, match, nxt, segment.source or "", len(found)):
                message = f"“{match.group()}” ends the phrase without what it introduces"
                flags.append(self.flag(match.start(), match.end(), message))
            elif (
                word in DETERMINERS
                and nxt is not None
                and gap == " "
                and _clash(text, match, nxt.group().lower())
                and not _pronoun_or_noun(text, match, nxt.group().lower(), found, index)
            ):
                message = f"“{match.group()} {nxt.group()}”: a determiner needs its noun"
                flags.append(self.flag(match.start(), nxt.end(), message))
        return flags

    def _capital_second(self, segment: Segment, names: Collection[str]) -> list[Flag]:
        """The first word lowercase and the second capitalised (not an acronym, not a name
        the source has there or the document writes inside its sentences, not a label
        before its number, "Tableau 2.10"): the first word of the sentence has moved."""
        match = CAPITAL_SECOND.match(segment.text)
        if match is None:
            return []
        first, second = match.group(1), match.group(2)
        if not first[0].islower() or not second[0].isupper() or not second[1:].islower():
            return []
        if second in CAPITALISED_NOUNS or second in re.findall(r"\w+", segment.source or ""):
            return []  # "site Web"; "sténographie Duployé": a name of the source
        if second.casefold() in names or NUMBER_AFTER.match(segment.text, match.end(2)):
            return []  # "wiki Debian" (a name of the document), "consultez Tableau 2.10"
        message = f"“{first} {second}”: the capital says “{second}” opened the sentence"
        return [self.flag(match.start(1), match.end(2), message)]


def _closes(
    text: str, match: re.Match[str], nxt: re.Match[str] | None, source: str, words: int
) -> bool:
    """A preposition or article followed by nothing but the end of the sentence, or an
    article (or a preposition but "de" and "à", which a label may end on before its
    value) before a punctuation mark; not after a hyphen ("définissez-la,"). A preposition
    (not "de") is left alone before the colon that ends prose showing a block, before an
    inserted phrase between commas, and at the end when the source ends on one too or on a
    verb whose object is no text ("click" and an icon: "cliquez sur")."""
    word = match.group()
    article = word in ARTICLES  # lowercase only: "LE", "Sơn La" are names and acronyms
    if not article and word.lower() not in CLOSING_WORDS:
        return False
    if text[: match.start()].endswith(("-", "’", "'")):
        return False
    after = text[match.end() : nxt.start()] if nxt is not None else text[match.end() :]
    if not article and word.lower() != "de":
        if after.strip() == ":" and nxt is None and words >= MIN_PROSE_WORDS:
            return False  # "la ligne devrait ressembler à :" and the line below
        if INSERTED.match(text, match.end()) or (
            after.startswith(",") and COORDINATED.search(text[: match.start()])
        ):
            return False  # "écrits par, ou pour, le projet GNU"
        if nxt is None and (
            SOURCE_PREPOSITION_END.search(source) or SOURCE_OBJECT_END.search(source)
        ):
            return False  # the label "Use for" is "Utiliser pour"; "click" is "cliquez sur"
    if nxt is None and SENTENCE_END.fullmatch(after):
        return True
    closing = CLOSING_PUNCTUATION.match(text, match.end())
    return closing is not None and (article or word.lower() not in LABEL_ENDS)


def _pronoun_or_noun(
    text: str, match: re.Match[str], following: str, found: list[re.Match[str]], index: int
) -> bool:
    """Not a determiner at all: pronoun "un"/"une" ("un de ces programmes", "en choisir un
    dans", "un à un"), the noun "son" after an article ("le son du navigateur"), or a
    capitalised label inside a sentence ("cliquez sur Son pour ouvrir")."""
    word = match.group()
    lower = word.lower()
    previous = found[index - 1].group().lower() if index > 0 else ""
    after = found[index + 2].group().lower() if index + 2 < len(found) else ""
    if word[0].isupper() and index > 0 and not re.search(r"[.!?:]\s*$", text[: match.start()]):
        return True
    if lower in ("un", "une"):
        if following in ("de", "des", "d") and (after in GROUP_OPENERS or following == "des"):
            return True  # "un de ces programmes", "une des images"
        if following == "à" and after == lower:
            return True  # "un à un"
        if PRONOUN_EN.search(text[: match.start()]) or previous in ("chacun", "chacune"):
            return True  # "vous pourrez en choisir un dans la liste"
    return lower == "son" and previous in ("le", "du", "au", "un", "ce", "de")  # the sound


def _clash(text: str, match: re.Match[str], following: str) -> bool:
    word = match.group().lower()
    if word in ARTICLES and word != "ce" and ELIDED_START.match(following):  # not "ce n’est"
        return not text[: match.start()].rstrip().endswith(("-", "’", "'"))  # donne-le d’abord
    if following not in PREPOSITIONS and following not in DETERMINERS:
        return False
    if following in NOUN_TOO or (word in ("un", "une") and following in DETERMINERS):
        return False  # "l'une des options": a pronoun, not an article
    if word == "ce" and re.match(r"\s*\w+\s+quoi\b", text[match.end() :]):
        return False  # "ce à quoi", "ce sur quoi": a pronoun
    if word in PRONOUN_LIKE:
        if text[: match.start()].rstrip().endswith(("-", "’", "'")):
            return False  # "donne-le à"
        if following in ("en", "y") or following in DETERMINERS:
            return False  # "je les en remercie", "il les leur donne"
    return True
