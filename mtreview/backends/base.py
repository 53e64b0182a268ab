"""The translation backend interface and the results it returns."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, TypeVar

from mtreview.errors import ModelError, MTReviewError

EOS_TEXT = "</s>"
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class TokenScore:
    """One target token: its text, its span in the target (code points), its log-prob.

    The end-of-sentence token is included with an empty span at the end of the text.
    """

    text: str
    start: int
    end: int
    logprob: float


@dataclasses.dataclass(frozen=True)
class ScoredText:
    """A target scored by forced decoding; `logprob` is the mean over all tokens (EOS too),
    i.e. minus the model's cross-entropy loss on this target (over the tokens the model can
    output: <pad>, which only starts the decoder, is left out as in generation)."""

    tokens: tuple[TokenScore, ...]
    logprob: float
    truncated: bool = False


class TranslationBackend(Protocol):
    """What the analysis needs from a translation model, whatever runs it."""

    name: str
    model_id: str

    def translate(
        self, texts: Sequence[str], *, num_beams: int = 4, batch_size: int = 16
    ) -> list[str]: ...

    def translate_nbest(
        self, texts: Sequence[str], n: int, *, num_beams: int = 4, batch_size: int = 16
    ) -> list[list[str]]: ...

    def score(
        self, sources: Sequence[str], targets: Sequence[str], *, batch_size: int = 16
    ) -> list[ScoredText]: ...


class BatchedTranslator:
    """`translate` and `translate_nbest` for any runtime: distinct texts only, batched by
    length; a subclass supplies `_generate(texts, n, beams)` -> n candidates per text."""

    def _generate(self, texts: list[str], n: int, beams: int) -> list[list[str]]:
        raise NotImplementedError

    def translate(
        self, texts: Sequence[str], *, num_beams: int = 4, batch_size: int = 16
    ) -> list[str]:
        nbest = self.translate_nbest(texts, 1, num_beams=num_beams, batch_size=batch_size)
        return [candidates[0] for candidates in nbest]

    def translate_nbest(
        self, texts: Sequence[str], n: int, *, num_beams: int = 4, batch_size: int = 16
    ) -> list[list[str]]:
        beams = max(num_beams, n)

        def compute(unique: list[str]) -> list[object]:
            results: list[object] = [None] * len(unique)
            for batch in length_batches([len(text) for text in unique], batch_size):
                outputs = self._generate([unique[i] for i in batch], n, beams)
                for index, output in zip(batch, outputs, strict=True):
                    results[index] = output
            return results

        return [list(map(str, r)) for r in run_unique(list(texts), compute)]  # type: ignore[call-overload]


def length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (less padding, same results)."""
    if batch_size < 1:
        raise ModelError(f"batch size must be at least 1, got {batch_size}")
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def run_unique(
    items: Sequence[T],
    compute: Callable[[list[T]], list[object]],
) -> list[object]:
    """Compute each distinct item once and spread the results back in input order."""
    positions: dict[T, int] = {}
    unique: list[T] = []
    for item in items:
        if item not in positions:
            positions[item] = len(unique)
            unique.append(item)
    results = compute(unique) if unique else []
    return [results[positions[item]] for item in items]


def char_offsets_from_bytes(text: str) -> list[int]:
    """Map each UTF-8 byte offset of `text` (and its end) to a code-point offset."""
    table: list[int] = []
    for index, char in enumerate(text):
        table.extend([index] * len(char.encode("utf-8", "surrogatepass")))
    table.append(len(text))
    return table


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Leading whitespace belongs to SentencePiece's ▁, not to the word."""
    while start < end and text[start].isspace():
        start += 1
    return start, end


def first_line(exc: BaseException) -> str:
    """An exception's message in one line (its type when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextlib.contextmanager
def model_failures(model: str, doing: str) -> Iterator[None]:
    """Whatever a third-party loader or runtime raises while `doing` something with a model
    (transformers, torch, safetensors, sentencepiece, huggingface_hub, CTranslate2 each
    have their own exceptions, and a damaged model the directory checks let through can
    raise any of them) becomes one ModelError line naming the model."""
    try:
        yield
    except MTReviewError:
        raise
    except Exception as exc:
        raise ModelError(f"{model}: {doing}: {type(exc).__name__}: {first_line(exc)}") from None


@contextlib.contextmanager
def quiet_loader_logs() -> Iterator[None]:
    """transformers logs some failures before raising them (a config attribute it cannot
    set, with a dump of the whole config): the raised error becomes one ModelError line,
    so its logs stay out of stderr while a model loads or converts."""
    from transformers.utils import logging as transformers_logging

    previous = transformers_logging.get_verbosity()  # sets its logger up first: not later
    transformers_logging.set_verbosity(logging.CRITICAL)
    try:
        yield
    finally:
        transformers_logging.set_verbosity(previous)
