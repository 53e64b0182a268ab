"""The transformers Marian backend on tiny real models: tokens, spans, batching, n-best."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtreview.backends import load_backend
from mtreview.backends.base import length_batches, run_unique
from mtreview.backends.hf import HFMarianBackend

TEXTS = [
    "La pression des ONG est endommagée à l'image internationale du Kazakhstan.",
    "Le café\u0301 😀 est prêt.",
    "Oui.",
    "La pression des ONG est endommagée à l'image internationale du Kazakhstan.",
]


@pytest.fixture(scope="module")
def backend(tiny_en_fr: Path) -> HFMarianBackend:
    loaded = load_backend("hf", str(tiny_en_fr))
    assert isinstance(loaded, HFMarianBackend)
    return loaded


def test_models_load_once_per_process(tiny_en_fr: Path, backend: HFMarianBackend) -> None:
    assert load_backend("hf", str(tiny_en_fr)) is backend


def test_target_ids_equal_the_tokenizers_own(backend: HFMarianBackend) -> None:
    for text in TEXTS:
        ids, pieces, truncated = backend.target_pieces(text)
        assert ids == backend.tokenizer(text_target=[text]).input_ids[0]
        assert not truncated
        for _piece, start, end in pieces:
            assert 0 <= start <= end <= len(text)


def test_scores_map_tokens_to_characters(backend: HFMarianBackend) -> None:
    scored = backend.score(["Pressure on NGOs."] * len(TEXTS), TEXTS, batch_size=2)
    for text, result in zip(TEXTS, scored, strict=True):
        covered = "".join(token.text for token in result.tokens[:-1])
        assert covered == "".join(text.split())  # every non-space character, in order
        assert result.tokens[-1].start == result.tokens[-1].end == len(text)
        assert result.logprob == pytest.approx(
            sum(t.logprob for t in result.tokens) / len(result.tokens)
        )
    assert scored[0] == scored[3]  # identical pairs give identical results


def test_batching_does_not_change_scores(backend: HFMarianBackend) -> None:
    sources = ["Pressure.", "A much longer English source sentence about NGOs.", "Yes", "No"]
    one_by_one = [backend.score([s], [t])[0] for s, t in zip(sources, TEXTS, strict=True)]
    batched = backend.score(sources, TEXTS, batch_size=4)
    for single, many in zip(one_by_one, batched, strict=True):
        assert [t.text for t in single.tokens] == [t.text for t in many.tokens]
        assert many.logprob == pytest.approx(single.logprob, abs=1e-4)


def test_translate_and_nbest(backend: HFMarianBackend) -> None:
    first = backend.translate(TEXTS, num_beams=2, batch_size=3)
    assert len(first) == len(TEXTS)
    assert all(isinstance(text, str) for text in first)
    assert first == backend.translate(TEXTS, num_beams=2, batch_size=3)  # deterministic
    assert first[0] == first[3]
    nbest = backend.translate_nbest(TEXTS[:2], 3, num_beams=3)
    assert [len(candidates) for candidates in nbest] == [3, 3]


def test_long_targets_are_truncated_not_crashing(backend: HFMarianBackend) -> None:
    long_text = "mot " * 400
    result = backend.score(["word"], [long_text])[0]
    assert result.truncated
    assert len(result.tokens) == backend.max_length


def test_length_batches_and_unique_runs() -> None:
    batches = length_batches([5, 1, 9, 3, 7], 2)
    assert sorted(i for batch in batches for i in batch) == [0, 1, 2, 3, 4]
    assert batches[0] == [2, 4]  # longest first, similar lengths together
    calls: list[list[str]] = []

    def compute(items: list[str]) -> list[object]:
        calls.append(items)
        return [item.upper() for item in items]

    assert run_unique(["a", "b", "a"], compute) == ["A", "B", "A"]
    assert calls == [["a", "b"]]
