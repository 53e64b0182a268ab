"""A word-order model of French: a trigram language model (interpolated Kneser-Ney) over
words and word classes, learnt from French prose that no benchmark reads, shipped as data.

It answers one question: does a sentence read as French far more easily with two
neighbouring words the other way round? Both orders hold the same words, so how rare the
words are cancels out; what is left is how French orders them ("fichier temporaire", not
"temporaire fichier"; "le lecteur d'écran", not "lecteur le d'écran").

Tokens are the frequent words of the training text (lowercased) and, for the others, a
class: the word's last two letters (French endings carry part of speech, gender and
number: "~ée", "~ion" …), `<num>`, `<code>` (placeholders, tags, paths, identifiers),
`<p>` (other symbols); punctuation marks are tokens of their own. An elided word
("d'", "l'", "qu'") is a token, but a *unit* with the word it leans on: units are what may
be swapped. `benchmarks/build_word_order_model.py` counts the shipped model
(`mtreview/data/word_order_lm.bin`, see `write_model`); the training text is described there
and in docs/checks.md. The same tables can be written and read as gzipped TSV
(`write_table`, `read_table`), which a person can read and diff.
"""

from __future__ import annotations

import array
import dataclasses
import functools
import gzip
import io
import json
import math
import re
import struct
import sys
import zlib
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping
from importlib import resources
from typing import IO

from mtreview.checks.base import collector_paused
from mtreview.checks.protected import LAYOUT, code_spans
from mtreview.errors import ModelError

MODEL = "word_order_lm.bin"  # the shipped model, in `write_model`'s format
DISCOUNT = 0.75  # Kneser-Ney's absolute discount
KEPT = 1 << 16  # tokens whose numbers are kept (a run's texts share most of their words)
BOS, EOS = "<s>", "</s>"
ELIDED = r"(?:jusqu|lorsqu|puisqu|quoiqu|qu|[cdjlmnst])['’]"
_TOKEN = re.compile(
    ELIDED + r"(?=[^\W\d_])|[^\W\d_]+(?:-[^\W\d_]+)*|\d+(?:[.,]\d+)*|\S", re.IGNORECASE
)
_ELIDED_TOKEN = re.compile(ELIDED, re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Unit:
    """A word (with its elided article or preposition), a mark, a number or a piece of
    code: `[start, end)` of the text and its tokens."""

    start: int
    end: int
    tokens: tuple[str, ...]
    word: bool


def units(text: str, formats: tuple[str, ...] = ()) -> list[Unit]:
    """The text's units in order; code is one `<code>` unit, layout blanks are skipped."""
    found: list[Unit] = []
    position = 0
    for span in code_spans(text, formats):
        found += _plain_units(text, position, span.start)
        if span.kind != LAYOUT:
            found.append(Unit(span.start, span.end, ("<code>",), False))
        position = span.end
    return found + _plain_units(text, position, len(text))


def _plain_units(text: str, start: int, end: int) -> list[Unit]:
    found: list[Unit] = []
    for match in _TOKEN.finditer(text, start, end):
        token = match.group()
        word = token[0].isalpha()
        last = found[-1] if found else None
        if (
            word
            and last is not None
            and last.end == match.start()
            and _ELIDED_TOKEN.fullmatch(last.tokens[-1])
        ):
            found[-1] = Unit(last.start, match.end(), (*last.tokens, token), True)
            continue
        found.append(Unit(match.start(), match.end(), (token,), word))
    return found


SPECIAL = frozenset({BOS, EOS, "<code>", "<num>", "<p>"})


def token_class(token: str, vocabulary: frozenset[str] | set[str]) -> str:
    """What the model reads for a token: the word or mark when frequent, else its class."""
    low = token.lower().replace("’", "'")
    if low in vocabulary:
        return low
    if token in SPECIAL:
        return token
    if token[0].isdigit():
        return "<num>"
    if not token[0].isalpha():
        return "<p>"
    return "~" + low[-2:]


class OrderModel:
    """Interpolated Kneser-Ney trigrams: trigram counts (pruned), each trigram context's
    count and number of followers (taken before pruning), and every bigram's continuation
    count, from which the lower orders follow. Tokens are numbered and n-grams keyed by
    one integer each: the shipped model takes about 35 MB of memory and 0.1 s to read."""

    def __init__(
        self,
        tokens: list[str],
        trigrams: dict[int, int],
        contexts: dict[int, tuple[int, int]],
        bigrams: dict[int, int],
    ) -> None:
        """`tokens` in their numbering; n-grams keyed by `key` of their numbers."""
        self.ids = {token: number for number, token in enumerate(tokens)}
        self.size = len(tokens) + 1  # the last number: a token never seen
        self.trigrams, self.contexts, self.bigrams = trigrams, contexts, bigrams
        self.middle = [0] * self.size  # N1+(• b •)
        self.followers = [0] * self.size  # N1+(b •)
        self.unigrams = [0] * self.size  # N1+(• c)
        for pair, count in bigrams.items():
            first, second = divmod(pair, self.size)
            self.middle[first] += count
            self.followers[first] += 1
            self.unigrams[second] += 1
        self.total = sum(self.unigrams)
        self.vocabulary = frozenset(
            t for t in tokens if t not in SPECIAL and not (t[0] == "~" and len(t) > 1)
        )
        self.known = _TokenNumbers(self)  # token -> its number, as `numbers` asks

    @classmethod
    def from_counts(
        cls,
        trigrams: Mapping[tuple[str, str, str], int],
        contexts: Mapping[tuple[str, str], tuple[int, int]],
        bigrams: Mapping[tuple[str, str], int],
    ) -> OrderModel:
        """The model of `count_model`'s tables."""
        tokens = sorted({t for gram in bigrams for t in gram} | {BOS, EOS})  # as written
        ids, size = {t: n for n, t in enumerate(tokens)}, len(tokens) + 1
        return cls(
            tokens,
            {key(size, *(ids[t] for t in gram)): n for gram, n in trigrams.items()},
            {key(size, *(ids[t] for t in gram)): v for gram, v in contexts.items()},
            {key(size, *(ids[t] for t in gram)): n for gram, n in bigrams.items()},
        )

    def probability(self, first: int, second: int, word: int) -> float:
        """P(word | first second), tokens by number."""
        size = self.size
        low = (self.unigrams[word] + 0.5) / (self.total + 0.5 * size)
        middle = self.middle[second]
        if middle:  # keys as `key` makes them, inlined (the hottest lines of the check)
            seen = max(self.bigrams.get(second * size + word, 0) - DISCOUNT, 0)
            low = (seen + DISCOUNT * self.followers[second] * low) / middle
        pair = first * size + second
        count, types = self.contexts.get(pair, (0, 0))
        if not count:
            return low
        seen = max(self.trigrams.get(pair * size + word, 0) - DISCOUNT, 0)
        return (seen + DISCOUNT * types * low) / count

    def numbers(self, unit_list: list[Unit]) -> list[list[int]]:
        """Each unit's tokens as the model's numbers."""
        known = self.known
        if len(known) > KEPT:
            known.clear()
        return [[known[t] for t in unit.tokens] for unit in unit_list]

    def logprob(self, numbers: list[int], start: int = 0, end: int | None = None) -> float:
        """Log-probability of the padded sequence's tokens at positions `[start, end)`."""
        return sum(self.logs(numbers, start, len(numbers) if end is None else end))

    def logs(self, numbers: list[int], start: int, stop: int) -> list[float]:
        """`math.log(probability(...))` of each position in `[max(start, 2), stop)`: the
        body of `probability` inlined, the same operations in the same order (the same
        floats), without a call per trigram (the hottest lines of the check)."""
        size, total, discount, log = self.size, self.total, DISCOUNT, math.log
        unigrams, middles, followers = self.unigrams, self.middle, self.followers
        bigrams, contexts, trigrams = self.bigrams.get, self.contexts.get, self.trigrams.get
        found = []
        for i in range(max(start, 2), min(stop, len(numbers))):
            first, second, word = numbers[i - 2], numbers[i - 1], numbers[i]
            low = (unigrams[word] + 0.5) / (total + 0.5 * size)
            middle = middles[second]
            if middle:  # counts are whole: `max(seen - discount, 0)` without the call
                seen = bigrams(second * size + word, 0)
                low = (
                    (seen - discount if seen else 0) + discount * followers[second] * low
                ) / middle
            pair = first * size + second
            count, types = contexts(pair, (0, 0))
            if count:
                seen = trigrams(pair * size + word, 0)
                low = ((seen - discount if seen else 0) + discount * types * low) / count
            found.append(log(low))
        return found

    def sentence_logprob(self, unit_list: list[Unit]) -> float:
        bos, eos = self.ids[BOS], self.ids[EOS]
        return self.logprob([bos, bos, *(n for u in self.numbers(unit_list) for n in u), eos])

    def swap_gains(
        self, unit_list: list[Unit], pairs: Container[int] | None = None
    ) -> Iterator[tuple[int, float]]:
        """For each pair of neighbouring units (only those in `pairs`, by the first's index,
        when given: a check scores the pairs it could flag): how much more probable
        (natural log) the sentence is with the two the other way round. Only the trigrams
        that see the pair are scored; the sentence's own are scored once and summed for
        each pair in the order `logprob` sums them (the same float)."""
        numbers = self.numbers(unit_list)
        bos, eos = self.ids[BOS], self.ids[EOS]
        padded = [bos, bos, *(n for unit in numbers for n in unit), eos]
        logs = [0.0, 0.0, *self.logs(padded, 2, len(padded))]
        offset = 2
        for index in range(len(numbers) - 1):
            first, second = numbers[index], numbers[index + 1]
            if pairs is not None and index not in pairs:
                offset += len(first)
                continue
            end = offset + len(first) + len(second)
            # the swapped sentence, only where its trigrams differ from the sentence's own
            swapped = padded[offset - 2 : offset] + second + first + padded[end : end + 2]
            stop = min(end + 2, len(padded))
            gain = sum(self.logs(swapped, 2, len(swapped))) - sum(logs[offset:stop])
            yield index, gain
            offset += len(first)


class _TokenNumbers(dict[str, int]):
    """A token's number in the model (its word's or its class's), worked out when first
    asked: the texts of a run share most of their words."""

    def __init__(self, model: OrderModel) -> None:
        super().__init__()
        self.model = model

    def __missing__(self, token: str) -> int:
        model = self.model
        number = self[token] = model.ids.get(token_class(token, model.vocabulary), model.size - 1)
        return number


def count_model(
    sentences: Iterable[list[str]], prune: int = 3
) -> tuple[dict[tuple[str, str, str], int], dict[tuple[str, str], tuple[int, int]], Counter]:
    """The tables of an `OrderModel` from sentences of model tokens: trigrams and trigram
    contexts seen at least `prune` times, every bigram's continuation count."""
    trigrams: Counter[tuple[str, str, str]] = Counter()
    for sentence in sentences:
        padded = [BOS, BOS, *sentence, EOS]
        trigrams.update(zip(padded, padded[1:], padded[2:], strict=False))
    context_count: Counter[tuple[str, str]] = Counter()
    context_types: Counter[tuple[str, str]] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for (first, second, word), count in trigrams.items():
        context_count[first, second] += count
        context_types[first, second] += 1
        bigrams[second, word] += 1
    kept = {gram: count for gram, count in trigrams.items() if count >= prune}
    contexts = {
        key: (count, context_types[key]) for key, count in context_count.items() if count >= prune
    }
    return kept, contexts, bigrams


def write_table(path: str, tables: tuple[dict, dict, Counter], header: str) -> None:
    """The model as gzipped TSV, sorted (same counts, same bytes): `3 a b c count`,
    `c a b count followers`, `2 b c continuation`, after `t` and the tokens in order."""
    trigrams, contexts, bigrams = tables
    tokens = sorted({t for gram in bigrams for t in gram} | {BOS, EOS})
    lines = [f"# {line}" for line in header.splitlines()]
    lines.append(f"t\t{' '.join(tokens)}")
    lines += [f"3\t{' '.join(g)}\t{n}" for g, n in sorted(trigrams.items())]
    lines += [f"c\t{' '.join(g)}\t{n}\t{t}" for g, (n, t) in sorted(contexts.items())]
    lines += [f"2\t{' '.join(g)}\t{n}" for g, n in sorted(bigrams.items())]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as out:
        out.write(data)


def read_table(stream: IO[bytes]) -> OrderModel:
    """The model of a `write_table` file, read line by line."""
    tokens: list[str] = []
    ids: dict[str, int] = {}
    tables: dict[str, dict] = {"3": {}, "c": {}, "2": {}}
    with gzip.open(stream, "rb") as packed:  # at once, then lines as text mode gives them
        lines = io.StringIO(packed.read().decode("utf-8"), newline=None)
    for line in lines:
        if line.startswith("#"):
            continue
        kind, gram, *values = line.rstrip("\n").split("\t")
        if kind == "t":
            tokens = gram.split(" ")
            ids = {t: n for n, t in enumerate(tokens)}
        elif kind in tables:
            size, number = len(tokens) + 1, 0
            for token in gram.split(" "):
                number = number * size + ids[token]  # key(size, *numbers), inlined
            counts = tuple(map(int, values))
            tables[kind][number] = counts if kind == "c" else counts[0]
    return OrderModel(tokens, tables["3"], tables["c"], tables["2"])


def key(size: int, *numbers: int) -> int:
    """One integer for an n-gram of token numbers."""
    value = 0
    for number in numbers:
        value = value * size + number
    return value


MAGIC = b"mtreview word-order model 1\n"
# the arrays after the JSON head, in this order: (typecode, table, column), little-endian
_ARRAYS = (
    ("q", "3", "keys"),
    ("i", "3", "counts"),
    ("q", "c", "keys"),
    ("i", "c", "counts"),
    ("i", "c", "followers"),
    ("q", "2", "keys"),
    ("i", "2", "counts"),
)
_ORDER = {"3": 3, "c": 2, "2": 2}  # tokens per key


def write_model(path: str, model: OrderModel, header: str) -> None:
    """The model as gzip of `MAGIC`, a 4-byte length, a JSON head (header, tokens, rows
    per table) and the tables as little-endian integer arrays, keys ascending (the TSV's
    order): read with `array` and no Python loop, ten times as fast as the TSV; same
    tables, same bytes."""
    tokens = sorted(model.ids, key=model.ids.__getitem__)
    trigrams, bigrams = sorted(model.trigrams.items()), sorted(model.bigrams.items())
    contexts = sorted(model.contexts.items())
    columns: list[list[int]] = [
        [k for k, _ in trigrams],
        [n for _, n in trigrams],
        [k for k, _ in contexts],
        [n for _, (n, _t) in contexts],
        [t for _, (_n, t) in contexts],
        [k for k, _ in bigrams],
        [n for _, n in bigrams],
    ]
    rows = {"3": len(trigrams), "c": len(contexts), "2": len(bigrams)}
    head = json.dumps(
        {"header": header, "rows": rows, "tokens": tokens}, ensure_ascii=False, sort_keys=True
    ).encode("utf-8")
    parts = [MAGIC, struct.pack("<I", len(head)), head]
    for (typecode, _kind, _column), values in zip(_ARRAYS, columns, strict=True):
        packed = array.array(typecode, values)
        if sys.byteorder == "big":
            packed.byteswap()
        parts.append(packed.tobytes())
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as out:
        out.write(b"".join(parts))


def read_model(stream: IO[bytes], name: str) -> OrderModel:
    """The model of a `write_model` file; a damaged one is a `ModelError` that names it."""
    try:
        data = memoryview(gzip.decompress(stream.read()))
        if data[: len(MAGIC)] != MAGIC:
            raise ValueError("it does not start as one")
        start = len(MAGIC) + 4
        (length,) = struct.unpack("<I", data[len(MAGIC) : start])
        head = json.loads(bytes(data[start : start + length]).decode("utf-8"))
        tokens, rows = head["tokens"], head["rows"]
        if not all(isinstance(t, str) and t for t in tokens):
            raise ValueError("its tokens are not all words")
        if not all(isinstance(rows[kind], int) and rows[kind] >= 0 for kind in _ORDER):
            raise ValueError("its row counts are not counts")
        size, offset, columns = len(tokens) + 1, start + length, []
        for typecode, kind, column in _ARRAYS:
            values = array.array(typecode)
            end = offset + rows[kind] * values.itemsize
            if end > len(data):
                raise ValueError("it is cut short")
            values.frombytes(data[offset:end])
            if sys.byteorder == "big":
                values.byteswap()
            top = size ** _ORDER[kind]
            if column == "keys" and values and (min(values) < 0 or max(values) >= top):
                raise ValueError("an n-gram has a token it does not list")
            columns.append(values)
            offset = end
        if offset != len(data):
            raise ValueError("it has bytes after its tables")
    except (OSError, EOFError, zlib.error, ValueError, TypeError, KeyError, struct.error) as exc:
        raise ModelError(
            f"{name}: not a readable word-order model ({' '.join(str(exc).split())}); "
            "rebuild it with benchmarks/build_word_order_model.py"
        ) from exc
    trigrams = dict(zip(columns[0], columns[1], strict=True))
    contexts = dict(zip(columns[2], zip(columns[3], columns[4], strict=True), strict=True))
    bigrams = dict(zip(columns[5], columns[6], strict=True))
    return OrderModel(tokens, trigrams, contexts, bigrams)


@functools.lru_cache(maxsize=1)
def shipped_model() -> OrderModel:
    """The shipped model, read once per process, with the garbage collector paused: its
    tables' 330,000 entries would set off sweeps over all the objects loaded before
    (spaCy's pipeline)."""
    with collector_paused(), (resources.files("mtreview") / "data" / MODEL).open("rb") as stream:
        return read_model(stream, f"mtreview/data/{MODEL}")
